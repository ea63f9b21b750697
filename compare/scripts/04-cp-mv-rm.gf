# cp, cp-a, cp-r, mv, rm, rm-rf, rm-f, exists
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
write /a "data"
cp /a /b
mkdir-p /d/e
touch /d/e/f
cp-a /d /d2
cp-r /d /d3
mv /b /c
ls /
ls /d2/e
rm /c
rm-f /nothing
rm-rf /d3
rm-rf /nothing
exists /c
exists /a
-rm /nothing
-rmdir /d
ls /
