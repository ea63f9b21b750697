# a failing command with and without the leading -
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
-rm /nothing
- rm /nothing2
echo continued
-   mkdir /a
-mkdir /a
rm /nothing3
echo not reached
