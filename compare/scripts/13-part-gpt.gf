# GPT: part-init gpt, names, types, guid, part-del, part-resize
sparse d.img 64M
run
part-init /dev/sda gpt
part-add /dev/sda p 2048 20479
part-add /dev/sda p 20480 40959
part-add /dev/sda p 40960 -34
part-get-parttype /dev/sda
part-set-name /dev/sda 1 first
part-get-name /dev/sda 1
part-get-name /dev/sda 2
part-set-gpt-type /dev/sda 2 0FC63DAF-8483-4772-8E79-3D69D8477DE4
part-get-gpt-type /dev/sda 2
part-set-gpt-guid /dev/sda 1 01234567-89AB-CDEF-0123-456789ABCDEF
part-get-gpt-guid /dev/sda 1
part-get-gpt-attributes /dev/sda 1
part-set-gpt-attributes /dev/sda 1 4
part-get-gpt-attributes /dev/sda 1
part-del /dev/sda 3
part-list /dev/sda
part-resize /dev/sda 2 60000
part-list /dev/sda
part-get-disk-guid /dev/sda | wc -c
