# an error in the middle of a script: the rest is not run, exit 1
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
write /f "one"
cat /f
rm /nothing
cat /f
echo not reached
