# checksum with each algorithm, checksums-out, checksum-device
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
write /f "abc"
checksum crc /f
checksum md5 /f
checksum sha1 /f
checksum sha224 /f
checksum sha256 /f
checksum sha384 /f
checksum sha512 /f
mkdir /d
write /d/x "x"
write /d/y "y"
checksums-out md5 /d sums.txt
!sort sums.txt
-checksum nope /f
-checksum md5 /nothing
