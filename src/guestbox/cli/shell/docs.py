"""help, help CMD and help -l, generated from the operation table's docs."""

from __future__ import annotations

import textwrap

from .args import BadArgs, dashed, usage
from .commands import SHELL_COMMANDS, all_names
from .repl import lookup

INTRO = """\
Add disk images to examine using the ‘-a’ option, or the ‘add’
command.
Or create a new disk image using the ‘alloc’ or ‘sparse’ commands.
Once you have done this, use the ‘run’ command.

For more information about a command, use ‘help cmd’.

For a list of commands, use ‘help -l’.
"""

SHELL_SUMMARIES = {
    "quit": "quit guestfish", "exit": "quit guestfish", "q": "quit guestfish",
    "run": "launch the guestfs appliance", "launch": "launch the guestfs appliance",
    "echo": "display a line of text", "lcd": "change working directory",
    "setenv": "set an environment variable", "unsetenv": "unset an environment variable",
    "time": "print elapsed time taken to run a command",
    "sparse": "create a sparse disk image and add", "alloc": "allocate and add a disk file",
    "allocate": "alias for 'alloc'", "reopen": "close and reopen libguestfs handle",
    "supported": "list supported groups of commands",
    "copy-in": "copy local files or directories into an image",
    "copy-out": "copy remote files or directories out of an image",
    "glob": "expand wildcards in command",
    "help": "display a list of commands or help on a command",
    "more": "view a file", "less": "view a file",
    "edit": "edit a file", "vi": "alias for 'edit'", "emacs": "alias for 'edit'",
    "display": "display an image", "hexedit": "edit with a hex editor",
    "man": "open the manual", "manual": "alias for 'man'",
    "event": "register a handler for an event or events", "list-events": "list event handlers",
    "delete-event": "delete a previously registered event handler",
}


def summary(name: str) -> str:
    """The one-line description of a command."""
    if name in SHELL_SUMMARIES:
        return SHELL_SUMMARIES[name]
    spec = lookup(name)
    if spec is None:
        return "(not available yet)"
    text = spec.summary.rstrip(".")
    return text[:1].lower() + text[1:]


def help_text(words: list[str]) -> str:
    """What `help`, `help -l` and `help CMD` print."""
    if not words:
        return INTRO
    if words[0] in ("-l", "--list"):
        return listing()
    name = words[0]
    spec = lookup(name)
    if spec is None:
        if name in SHELL_COMMANDS:
            return f"{name} - {summary(name)}\n"
        raise BadArgs(f"{name}: command not known: use -h to list all commands")
    body = textwrap.indent(spec.doc, "    ")
    return (f"NAME\n    {dashed(spec.name)} - {summary(name)}\n\nSYNOPSIS\n"
            f"     {usage(spec)}\n\nDESCRIPTION\n{body}\n\n")


def listing() -> str:
    """Every command and its summary, as `guestfish -h` lists them."""
    lines = [f"    {'Command':<20} Description\n"]
    lines += [f"{n:<20} {summary(n)}\n" for n in all_names()]
    return "".join(lines)
