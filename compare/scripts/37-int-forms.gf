# integer forms: hex, octal, size suffixes (sparse sizes checked with filesize on the host)
sparse a.img 0x100000
sparse b.img 01000
sparse c.img 1k
sparse d.img 1K
sparse e.img 2M
sparse f.img 1MB
sparse g.img 1MiB
sparse h.img 1kD
!stat -c '%n %s' a.img b.img c.img d.img e.img f.img g.img h.img
sparse i.img +5
!stat -c '%n %s' i.img
-sparse j.img 0x
-sparse j.img 0b11
-sparse j.img 1e3
-sparse j.img 1Q
-sparse j.img 20E
-sparse j.img 99999999999999999999999
-sparse j.img 9223372036854775807
!stat -c '%n %s' j.img
echo end
