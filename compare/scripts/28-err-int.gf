# bad integers
sparse d.img 16M
run
-part-add /dev/sda p abc 100
-part-add /dev/sda p 12x 100
-part-add /dev/sda p '' 100
-part-add /dev/sda p 1.5 100
-truncate-size /x 99999999999999999999
-truncate-size /x 9Z
-truncate-size /x 1kB
-sparse e.img -1
-sparse e.img 1X
-sparse e.img 10MiBB
-sparse e.img ''
echo end
truncate-size /x 08
