# mkdir-p, touch, ls, find, du, is-dir
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
mkdir-p /a/b/c
mkdir /a/d
touch /a/b/f
touch /a/z
ls /a
ls /a/b
find /
is-dir /a/b
is-dir /a/z
is-file /a/z
-mkdir /a
mkdir-p /a/b/c
-mkdir-p /a/z/x
rmdir /a/d
ls /a
