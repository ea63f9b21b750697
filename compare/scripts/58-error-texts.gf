# known-difference: docs/compatibility.md#error-texts guestbox names the operation and the guest path
# errors whose text libguestfs 1.48 takes from a wrapper or a tool
!touch local.txt
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
touch /t
ln-s /t /abs
-stat /nope
-lstat /nope
-mv /nothing /x
-readlink /t
-ln-s /t /abs
-upload nothing.txt /x
-tar-in nothing.tar /
-btrfs-subvolume-create /
-part-set-name /dev/sda 9 x
-part-get-mbr-id /dev/sda 1
-mkfs nofs /dev/sda1
-part-disk /dev/sdc gpt
-mount /dev/sda9 /
-part-list /dev/sdz
echo end
