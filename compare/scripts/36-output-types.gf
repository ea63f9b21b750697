# every return type: string, strings, bool, int, int64, struct, struct list, hashtable, buffer
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
write /f "line1\nline2\n"
# RString
cat /f
# RStringList
read-lines /f
# RBool
exists /f
is-dir /f
# RInt
get-umask
part-to-partnum /dev/sda1
# RInt64
filesize /f
blockdev-getsize64 /dev/sda
# RStruct
statvfs / | grep -E '^(bsize|namemax):'
version | grep -c major
# RStructList
part-list /dev/sda
# RHashtable
mountpoints
blkid /dev/sda1 | grep -E '^(TYPE|USAGE|PART_ENTRY_NUMBER):'
# RBufferOut
pread /f 5 0
echo
pread /f 3 100
read-file /f
get-e2attrs /f
# RConstString
get-backend
