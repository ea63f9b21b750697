# a pipe to nothing
echo a |
echo b
