# upload/download with local files, checksums
!printf 'local data\nline two\n' > local.txt
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
upload local.txt /up
cat /up
checksum md5 /up
download /up back.txt
!cat back.txt
!cmp local.txt back.txt && echo same
-download /nothing x.txt
!touch empty.txt
upload empty.txt /empty
filesize /empty
