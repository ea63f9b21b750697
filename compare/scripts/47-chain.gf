# args: sparse d.img 16M : run : part-disk /dev/sda mbr : part-list /dev/sda : echo "a b" : part-to-partnum /dev/sda1
# commands on the command line separated by ' : '
