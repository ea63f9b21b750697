# stat, lstat, statns (times filtered: they differ between two runs)
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
write /f "12345"
ln-s f /l
stat /f | grep -v time
lstat /l | grep -v time
statns /f | grep -v time
lstatns /l | grep -Ev 'time|size'
