# an unknown command stops the script (exit 1)
echo before
nosuchcommand a b
echo after
