# args: echo one : rm /x : echo two
# an error in a command-line chain stops it
