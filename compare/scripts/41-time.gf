# time: a command's output, then its elapsed time
time echo hi
time sparse d.img 1M
-time nosuch
-time echo "bad
echo end
