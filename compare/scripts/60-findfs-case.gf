# findfs-label, findfs-uuid (a partition and an LV), blockdev-setra, case-sensitive-path
sparse d.img 64M
run
part-init /dev/sda mbr
part-add /dev/sda p 2048 40959
part-add /dev/sda p 40960 -1
mkfs ext4 /dev/sda1 label:FINDME
set-uuid /dev/sda1 01234567-0123-0123-0123-012345678901
pvcreate /dev/sda2
vgcreate VG /dev/sda2
lvcreate LV VG 8
mkfs ext2 /dev/VG/LV label:INLV
findfs-label FINDME
findfs-uuid 01234567-0123-0123-0123-012345678901
findfs-label INLV
blockdev-setra /dev/sda 256
-blockdev-setra /dev/sda -1
mount /dev/sda1 /
mkdir-p /Windows/System32
touch /Windows/System32/netkvm.sys
case-sensitive-path /windows/system32/NETKVM.SYS
case-sensitive-path /WINDOWS/system32/nosuchfile
-case-sensitive-path /windows/system33/x
-findfs-label NOPE
