# mkfs of several types and their options, wipefs, zero, is-zero
sparse d.img 128M
run
part-init /dev/sda gpt
part-add /dev/sda p 2048 67583
part-add /dev/sda p 67584 -34
mkfs ext3 /dev/sda1 label:e3
vfs-type /dev/sda1
vfs-label /dev/sda1
mkfs-btrfs /dev/sda2 label:bt
vfs-type /dev/sda2
vfs-label /dev/sda2
wipefs /dev/sda2
-vfs-type /dev/sda2
zero /dev/sda1
is-zero-device /dev/sda1
mke2fs /dev/sda1 fstype:ext3 blocksize:2048
vfs-type /dev/sda1
mkfs ext4 /dev/sda2 features:^has_journal
tune2fs-l /dev/sda2 | grep -c has_journal
