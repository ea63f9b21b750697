# known-difference: docs/compatibility.md#add-drive-key add-drive has a key optional argument
# add-drive's synopsis, printed on a wrong argument count
-add-drive
echo end
