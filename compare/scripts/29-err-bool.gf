# bad booleans
sparse d.img 16M
run
part-init /dev/sda mbr
part-add /dev/sda p 2048 -1
-part-set-bootable /dev/sda 1 maybe
-part-set-bootable /dev/sda 1 ''
-part-set-bootable /dev/sda 1 2
part-set-bootable /dev/sda 1 YES
part-get-bootable /dev/sda 1
part-set-bootable /dev/sda 1 Off
part-get-bootable /dev/sda 1
part-set-bootable /dev/sda 1 T
part-get-bootable /dev/sda 1
part-set-bootable /dev/sda 1 n
part-get-bootable /dev/sda 1
add-drive-opts x.img readonly:perhaps
