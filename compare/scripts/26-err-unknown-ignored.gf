# an unknown command after - does not stop the script
echo before
-nosuchcommand a b
echo after
