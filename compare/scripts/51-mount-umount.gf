# mounts, mountpoints, umount, mount-ro, mount-options
sparse d.img 64M
run
part-init /dev/sda mbr
part-add /dev/sda p 2048 65535
part-add /dev/sda p 65536 -1
mkfs ext4 /dev/sda1
mkfs ext4 /dev/sda2
mount /dev/sda1 /
mkdir /mnt
mount-ro /dev/sda2 /mnt
mounts
mountpoints
-touch /mnt/x
umount /mnt
mount-options noatime /dev/sda2 /mnt
mounts
umount-all
mounts
-umount /notmounted
