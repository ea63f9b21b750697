# pvcreate, vgcreate, lvcreate, pvs, vgs, lvs, lvm-remove-all
sparse d.img 128M
run
part-disk /dev/sda mbr
pvcreate /dev/sda1
vgcreate vg0 /dev/sda1
lvcreate lv1 vg0 32
lvcreate-free lv2 vg0 50
pvs
vgs
lvs
lv-canonical /dev/mapper/vg0-lv1
is-lv /dev/vg0/lv1
is-lv /dev/sda1
vglvuuids vg0 | wc -l
vgpvuuids vg0 | wc -l
-lvcreate lv1 vg0 8
-vgcreate vg0 /dev/sda1
lvremove /dev/vg0/lv2
lvs
vgremove vg0
pvremove /dev/sda1
pvs
