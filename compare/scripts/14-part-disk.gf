# part-disk with each type, part-expand-gpt, part-get-parttype
sparse d.img 32M
sparse e.img 32M
run
part-disk /dev/sda gpt
part-list /dev/sda
part-disk /dev/sdb msdos
part-get-parttype /dev/sdb
part-list /dev/sdb
list-partitions
-part-init /dev/sda bogus
