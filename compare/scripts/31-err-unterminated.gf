# unterminated quotes, and text after a closing quote
-echo "abc
echo next
-echo 'abc
echo next2
-echo "a"b
-echo 'a'b
echo "a" 'b' c"d" e'f'
echo "unterminated
