# touch, truncate, truncate-size, fallocate64, filesize, zero-file?
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
write /f "0123456789"
truncate-size /f 4
cat /f
echo
truncate-size /f 1000
filesize /f
truncate /f
filesize /f
fallocate64 /g 8192
filesize /g
touch /h
filesize /h
-truncate /nothing
