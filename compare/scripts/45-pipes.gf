# command | host command
echo hello | tr a-z A-Z
echo one two|wc -w
echo "quoted | not a pipe" | cat
echo 'single | not' | cat
echo x | false
echo after failed pipe
echo x | exit 5
echo end
