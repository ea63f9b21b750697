# list-filesystems, list-devices, list-partitions, blockdev sizes
sparse d.img 64M
sparse e.img 32M
run
part-init /dev/sda gpt
part-add /dev/sda p 2048 40959
part-add /dev/sda p 40960 -34
mkfs ext4 /dev/sda1
mkfs ext2 /dev/sda2
mkswap /dev/sdb
list-devices
list-partitions
list-filesystems
blockdev-getsize64 /dev/sdb
blockdev-getss /dev/sdb
blockdev-getro /dev/sdb
blockdev-getsz /dev/sdb
canonical-device-name /dev/vda
device-index /dev/sdb
disk-has-backing-file d.img
disk-format d.img
disk-virtual-size d.img
