# 32-bit int parameters: ranges, negative values, overflow
sparse d.img 16M
run
part-init /dev/sda mbr
part-add /dev/sda p 2048 -1
-part-get-bootable /dev/sda 4294967297
-part-get-bootable /dev/sda 2147483648
-part-get-bootable /dev/sda -2147483649
-part-get-bootable /dev/sda 0x80000000
-part-get-bootable /dev/sda 1k
-part-get-bootable /dev/sda -1
umask 0x12
get-umask
umask 1000000000000
echo end
