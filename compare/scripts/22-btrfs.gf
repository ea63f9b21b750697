# btrfs: mkfs-btrfs, subvolumes, snapshots, default
sparse d.img 256M
run
mkfs-btrfs /dev/sda
mount /dev/sda /
btrfs-subvolume-create /sub
btrfs-subvolume-create /sub2
btrfs-subvolume-snapshot /sub /snap
btrfs-subvolume-list / | grep -v btrfssubvolume_uuid
btrfs-subvolume-get-default /
mkdir-p /sub/dir
ls /
btrfs-subvolume-delete /sub2
btrfs-subvolume-list / | grep path
vfs-type /dev/sda
-btrfs-subvolume-delete /nope
