# string-list arguments: spaces, quotes inside, empty lists
sparse d.img 64M
run
part-disk /dev/sda mbr
mkfs ext4 /dev/sda1
mount /dev/sda1 /
ln-s to-ab "/a b"
ln-s to-c /c
ln-s "to-d'e" "/d'e"
ln-s to-q '/"a'
readlinklist / "c"
readlinklist / ""
readlinklist / "  c   c  "
readlinklist / "'a b' c"
readlinklist / "\"a b\" c"
readlinklist / "'d\\'e'"
readlinklist / "d\\'e"
readlinklist / "c\tc"
readlinklist / "'a 'b c''"
readlinklist / "'unterminated"
