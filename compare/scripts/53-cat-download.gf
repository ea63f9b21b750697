# known-difference: docs/compatibility.md#cat-download guestfish's cat is download to stdout
# cat's errors
sparse d.img 16M
-cat /x
run
mkfs ext4 /dev/sda
mount /dev/sda /
cat /nothing
