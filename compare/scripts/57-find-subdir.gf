# known-difference: docs/compatibility.md#find-subdirectory libguestfs 1.48 prefixes / below the top
# find on a directory other than /
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
mkdir-p /a/b/c
touch /a/b/f
find /a
find /a/b
