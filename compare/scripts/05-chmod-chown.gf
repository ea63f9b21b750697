# chmod, chown, umask, stat mode/uid
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
touch /f
chmod 0600 /f
stat /f | grep -E '^(mode|uid|gid):'
chmod 04755 /f
stat /f | grep -E '^mode:'
chown 1000 1001 /f
stat /f | grep -E '^(uid|gid):'
lchown 7 8 /f
stat /f | grep -E '^(uid|gid):'
umask 022
get-umask
mkdir-mode /m 0700
stat /m | grep -E '^mode:'
-chmod 0777 /nothing
