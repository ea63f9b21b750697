"""event NAME EVENTSET COMMAND, list-events, delete-event NAME: host commands run on events.

As guestfish's fish/events.c: the command runs as `$SHELL -c COMMAND "" [BUF]
[ARRAY...]` (/bin/sh without $SHELL) with $EVENT set to the event's name, so
the callback's buffer (if any) is $1 and its numbers follow (for progress:
$1..$4 are 0, serial, position, total).  list-events prints
`"NAME" (HANDLE): EVENTS: COMMAND` lines, events as `*` for all; several
handlers may share a name, and delete-event removes them all.

Event sets are parsed as guestfish does, a name matching any event it begins
(`cl` is close), except that an empty item between commas is skipped (guestfish
takes it for `close`).  Handlers are listed in the order their names were first
used (guestfish: hash table order), each name's first handler then the others
newest first, as guestfish.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import weakref
from typing import TYPE_CHECKING

from ...events import EVENT_ALL, EVENT_NAMES, event_to_string
from .args import BadArgs

if TYPE_CHECKING:
    from .repl import Shell


@dataclasses.dataclass
class Handler:
    """One registered event handler."""

    name: str
    mask: int
    command: str
    eh: int = -1

    def __call__(self, event: int, eh: int, buf: bytes, array: list[int]) -> None:
        if not self.mask & event:  # registered for every event: see register()
            return
        shell = os.environ.get("SHELL", "/bin/sh")
        args = [shell, "-c", self.command, ""]
        if buf:
            args.append(buf.rstrip(b"\0").decode("utf-8", "surrogateescape"))
        args += [str(n) for n in array]
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            subprocess.run(args, env=dict(os.environ, EVENT=event_to_string(event)),
                           check=False)
        except OSError as e:
            print(f"{shell}: {e.strerror}", file=sys.stderr)


def parse_event_set(arg: str) -> int:
    """The bitmask of a guestfish event set (`*` or comma-separated names); BadArgs if unknown."""
    if arg == "*":
        return EVENT_ALL
    mask = 0
    rest = arg
    while rest:
        item, _, after = rest.partition(",")
        if item:
            bit = next((b for b, n in sorted(EVENT_NAMES.items()) if n.startswith(item)), None)
            if bit is None:
                raise BadArgs(f"unknown event name: {rest}")
            mask |= bit
        rest = after
    return mask


class EventHandlers:
    """The shell's named handlers, registered on its handle."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[Handler]] = {}

    def register(self, sh: Shell, name: str, eventset: str, command: str) -> None:
        h = Handler(name, parse_event_set(eventset), command)
        # The handle refuses an empty mask; guestfish accepts it (a handler that never runs).
        h.eh = sh.g.set_event_callback(h, h.mask or EVENT_ALL)
        same = self.by_name.setdefault(name, [])
        same.insert(1 if same else 0, h)  # guestfish: after the first, newest first

    def delete(self, sh: Shell, name: str) -> None:
        handlers = self.by_name.pop(name, None)
        if handlers is None:
            raise BadArgs(f"delete-event: {name}: no such event handler")
        for h in handlers:
            sh.g.delete_event_callback(h.eh)

    def listing(self) -> str:
        return "".join(
            f'"{h.name}" ({h.eh}): '
            f"{'*' if h.mask == EVENT_ALL else event_to_string(h.mask)}: {h.command}\n"
            for handlers in self.by_name.values() for h in handlers)


_SHELLS: weakref.WeakKeyDictionary[Shell, EventHandlers] = weakref.WeakKeyDictionary()


def _handlers(sh: Shell) -> EventHandlers:
    """The shell's handlers, made on first use."""
    return _SHELLS.setdefault(sh, EventHandlers())


def run_event(sh: Shell, words: list[str]) -> bytes:
    if len(words) != 3:
        raise BadArgs("use 'event <name> <eventset> <script>' to register an event handler")
    _handlers(sh).register(sh, *words)
    return b""


def run_list_events(sh: Shell, words: list[str]) -> bytes:
    if words:
        raise BadArgs("use ‘list-events’ to list event handlers")
    return _handlers(sh).listing().encode("utf-8", "surrogateescape")


def run_delete_event(sh: Shell, words: list[str]) -> bytes:
    if len(words) != 1:
        raise BadArgs("use 'delete-event <name>' to delete an event handler")
    _handlers(sh).delete(sh, words[0])
    return b""
