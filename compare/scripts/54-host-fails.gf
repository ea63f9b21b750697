# a failing ! host command stops the script, silently
!echo one
!false
echo not reached
