# tar-out, tar-in, compressed forms
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
mkdir-p /src/sub
write /src/a "aaa"
write /src/sub/b "bbb"
tar-out /src t.tar
!tar tf t.tar | sort
mkdir /dst
tar-in t.tar /dst
ls /dst
ls /dst/sub
cat /dst/sub/b
echo
tar-out /src t.tgz compress:gzip
mkdir /dst2
tar-in t.tgz /dst2 compress:gzip
ls /dst2/sub
-tar-out /src t.x compress:bogus
