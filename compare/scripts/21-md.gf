# md-create, list-md-devices, md-detail, md-stat, md-stop
sparse a.img 32M
sparse b.img 32M
run
md-create md0 "/dev/sda /dev/sdb" level:raid1
list-md-devices
md-detail /dev/md127 | grep -Ev 'uuid|name'
md-stat /dev/md127
mkfs ext4 /dev/md127
list-filesystems
md-stop /dev/md127
list-md-devices
-md-create bad "/dev/sda" level:raid99
