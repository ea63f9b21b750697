# lvresize, lvresize-free, lvrename, vgrename, resize2fs
sparse d.img 128M
run
pvcreate /dev/sda
vgcreate vg /dev/sda
lvcreate lv vg 32
mkfs ext4 /dev/vg/lv
lvresize /dev/vg/lv 48
blockdev-getsize64 /dev/vg/lv
resize2fs /dev/vg/lv
lvresize-free /dev/vg/lv 100
lvs
lvrename /dev/vg/lv /dev/vg/big
vgrename vg vg2
lvs
