# set-label, vfs-label, set-uuid, vfs-uuid (unmounted: tune2fs refuses a mounted ext4)
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
vfs-label /dev/sda1
set-label /dev/sda1 mylabel
vfs-label /dev/sda1
set-uuid /dev/sda1 01234567-89ab-cdef-0123-456789abcdef
vfs-uuid /dev/sda1
set-uuid-random /dev/sda1
-set-label /dev/sda1 012345678901234567890
