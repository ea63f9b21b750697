# augeas: aug-init, aug-get, aug-match, aug-set, aug-save, aug-ls
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
mkdir /etc
write /etc/hosts "127.0.0.1 localhost\n10.0.0.1 other alias\n"
aug-init / 0
aug-match /files/etc/hosts/*
aug-get /files/etc/hosts/2/canonical
aug-set /files/etc/hosts/2/canonical renamed
aug-save
cat /etc/hosts
aug-ls /files/etc/hosts/1
aug-defvar x /files/etc/hosts/1
aug-count /files/etc/hosts/*
-aug-get /files/etc/hosts/9/canonical
aug-close
