# du, statvfs
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
write /f "abc"
mkdir /d
du /d
du /f
statvfs / | grep -E '^(bsize|frsize|namemax|flag):'
