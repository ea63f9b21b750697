# wrong argument counts, ignored with -, then one that stops
-echo
-sparse
-sparse a
-sparse a 1M extra
-mkfs
-mkfs ext4
-mkfs ext4 /dev/sda extra:1 more:2 toomany
-part-add /dev/sda p 1
-lcd
-setenv X
-time
-glob
echo end
cat
