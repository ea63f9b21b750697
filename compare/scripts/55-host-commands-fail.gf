# known-difference: docs/compatibility.md#host-commands guestfish prints a stale errno here
# <! with a failing host command
<! echo echo one
<! exit 3
echo not reached
