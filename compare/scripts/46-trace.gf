# known-difference: docs/compatibility.md#trace libguestfs traces its internal calls too
# args: -x
# -x traces each call and its result to stderr
sparse d.img 16M
echo hello world
run
part-init /dev/sda mbr
part-add /dev/sda p 2048 -1
part-get-parttype /dev/sda
part-get-bootable /dev/sda 1
part-list /dev/sda
blockdev-getsize64 /dev/sda
mkfs ext4 /dev/sda1 label:x blocksize:4096
mount /dev/sda1 /
write /f "a\nb\x01"
read-lines /f
pread /f 2 0
echo
exists /f
statvfs / | grep -c bsize
mountpoints
readlinklist / "a b"
checksum md5 /f
-cat /nothing
