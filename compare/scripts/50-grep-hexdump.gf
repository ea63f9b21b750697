# grep, egrep, head, tail, hexdump, strings, wc-*
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
write /f "alpha\nbeta\ngamma\n\x01\x02zz\n"
grep beta /f
grep-opts a /f extended:true count:false
egrep "^(a|g)" /f
head /f
tail /f
hexdump /f
strings /f
wc-l /f
wc-w /f
wc-c /f
-grep x /nothing
