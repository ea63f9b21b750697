# ln-s, ln, ln-f, ln-sf, readlink, readlinklist, is-symlink, realpath
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
touch /t
ln-s /t /abs
ln-s t /rel
ln /t /hard
ln-sf other /rel
readlink /abs
readlink /rel
readlinklist / "abs rel"
is-symlink /abs
is-symlink /t
realpath /abs
