# glob: expanding guest paths and devices
sparse d.img 64M
run
part-init /dev/sda gpt
part-add /dev/sda p 2048 20479
part-add /dev/sda p 20480 -34
glob mkfs ext4 /dev/sda?
list-filesystems
mount /dev/sda1 /
touch /a1
touch /a2
touch /b1
glob echo /a*
glob echo /nomatch*
glob echo /* /a?
glob ls /
-glob nosuch /a*
glob echo plain words
glob rm /a*
ls /
