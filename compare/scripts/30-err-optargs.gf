# unknown and malformed optional arguments
sparse d.img 16M
-add-drive d.img nosuch:1
-add-drive d.img readonly
-add-drive d.img readonly:true readonly:false
-add-drive d.img :x
-add-drive d.img format:
-add-drive-opts d.img format:raw iface:virtio bogus
run
-mkfs ext4 /dev/sda blocksize:
mkfs ext4 /dev/sda label:a:b
vfs-label /dev/sda
mkfs ext4 /dev/sda Label:x
