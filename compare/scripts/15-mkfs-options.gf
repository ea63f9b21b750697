# mkfs with optional arguments, vfs-type, vfs-label, tune2fs-l fields
sparse d.img 64M
run
part-init /dev/sda gpt
part-add /dev/sda p 2048 40959
part-add /dev/sda p 40960 -34
mkfs ext4 /dev/sda1 blocksize:1024 label:small
vfs-type /dev/sda1
vfs-label /dev/sda1
tune2fs-l /dev/sda1 | grep -E '^(Block size|Filesystem volume name|Inode size):'
mkfs ext2 /dev/sda2 inode:256
vfs-type /dev/sda2
tune2fs-l /dev/sda2 | grep -E '^(Inode size|Filesystem volume name):'
mkfs vfat /dev/sda2 label:DOS
vfs-type /dev/sda2
vfs-label /dev/sda2
-mkfs ext4 /dev/sda1 blocksize:1000
-mkfs ext4 /dev/sda1 nosuch:1
