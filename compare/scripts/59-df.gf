# known-difference: docs/compatibility.md#df df shows the guest's mounts, not the appliance's
# df and df-h (the mounted filesystems)
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
df | awk '{print $1, $6}'
df-h | awk '{print $1, $6}'
