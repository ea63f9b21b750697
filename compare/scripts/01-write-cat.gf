# write, cat, read-lines, read-file, write-append, filesize
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
write /hello "hello\nworld\n"
cat /hello
read-lines /hello
write-append /hello "more"
read-file /hello
filesize /hello
write /empty ""
filesize /empty
read-lines /empty
head-n 1 /hello
tail-n 1 /hello
