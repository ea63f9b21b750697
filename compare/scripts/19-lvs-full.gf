# pvs-full, vgs-full, lvs-full: struct lists
sparse d.img 64M
run
pvcreate /dev/sda
vgcreate vg /dev/sda
lvcreate lv vg 16
pvs-full | grep -Ev '_(mda|pe_start)'
vgs-full | grep -Ev 'vg_(free|extent|mda)'
lvs-full
