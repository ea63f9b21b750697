# ! host commands and <! commands read from a host command's output
!echo from host
! echo spaced
<! echo echo generated; echo echo second
<! printf 'echo a\n-nosuch\necho b\n'
!printf 'echo fileline\n' > cmds.txt
<! cat cmds.txt
