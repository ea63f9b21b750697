# args: --keys-from-stdin
sparse d.img 64M
run
luks-format /dev/sda 0
secret
cryptsetup-open /dev/sda lukstest
secret
list-dm-devices
mkfs ext4 /dev/mapper/lukstest
vfs-type /dev/mapper/lukstest
cryptsetup-close /dev/mapper/lukstest
list-dm-devices
