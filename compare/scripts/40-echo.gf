# echo: words joined by one space, quotes kept as words
echo
echo a
echo a   b     c
echo "a   b" 'c  d'
echo ""
echo '' ''
echo -n x
echo "#not a comment"
echo a # b
  echo indented
	echo tabbed
echo ~root
echo "~root"
echo a|b
echo a | tr a A
