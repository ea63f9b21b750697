# MBR partitions: part-init, part-add, part-list, bootable, mbr id, parttype
sparse d.img 64M
run
part-init /dev/sda msdos
part-add /dev/sda p 2048 40959
part-add /dev/sda p 40960 -2048
part-list /dev/sda
part-get-parttype /dev/sda
part-get-bootable /dev/sda 1
part-set-bootable /dev/sda 1 true
part-get-bootable /dev/sda 1
part-get-mbr-id /dev/sda 1
part-set-mbr-id /dev/sda 2 0x83
part-get-mbr-id /dev/sda 2
part-get-mbr-part-type /dev/sda 1
part-to-dev /dev/sda2
part-to-partnum /dev/sda2
list-partitions
blockdev-getsize64 /dev/sda1
-part-add /dev/sda p 100 200
-part-get-bootable /dev/sda 9
