# escape sequences in double quotes, good and bad
echo "tab\there"
echo "nl\nhere"
echo "q\"q" "bs\\" "\a\b\f\v\r" | od -c | sed 's/  */ /g'
echo "hex \x41\x7a" "oct \101\060"
echo "single'quote" 'double"quote' 'back\slash'
-echo "bad \q"
-echo "bad \x4"
-echo "bad \xZZ"
-echo "nul \x00"
-echo "oct \400"
-echo "oct \9"
echo "trailing \"
echo after
