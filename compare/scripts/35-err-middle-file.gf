# args: -f script.gf
# the same through -f: errors name the script file and line
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
write /f "one"
cat /f
rm /nothing
echo not reached
