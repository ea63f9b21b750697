"""hexedit FILE|DEVICE [MAX | START MAX]: edit bytes with a host hex editor, as guestfish.

Downloads the range (the whole file or device up to 16 MiB; beyond that a
range must be given), runs $HEXEDITOR (default hexedit) on it, and if the
content changed writes it back at the same offset with upload_offset, as
guestfish does (for files and devices alike).  Unlike guestfish, a read-only
handle or filesystem is refused before the editor starts, and 'changed' means
changed content.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .args import BadArgs, parse_int
from .localfile import digest, downloaded, refuse_readonly, run_program

if TYPE_CHECKING:
    from .repl import Shell

MAX_DOWNLOAD_SIZE = 16 * 1024 * 1024
MAX_DOWNLOAD_SIZE_TEXT = "16MB"


def _size(word: str) -> int:
    return parse_int(word, "parse_size", "xstrtoull", unsigned=True)


def run_hexedit(sh: Shell, words: list[str]) -> bytes:
    """hexedit: see the module's docstring."""
    if not 1 <= len(words) <= 3:
        raise BadArgs("hexedit (device|filename) [max | start max]")
    g, name = sh.g, words[0]
    is_device = name.startswith("/dev/")
    size = g.blockdev_getsize64(name) if is_device else g.filesize(name)
    if size == 0:
        raise BadArgs(f"hexedit: {name} is a zero length file or device")
    if len(words) == 1:
        if size > MAX_DOWNLOAD_SIZE:
            raise BadArgs(
                f"hexedit: {name} is larger than {MAX_DOWNLOAD_SIZE_TEXT}. You must supply a "
                f"limit using\n  'hexedit {name} <max>' (eg. 'hexedit {name} 1M') or a range "
                f"using\n  'hexedit {name} <start> <max>'.")
        start, length = 0, size
    else:
        start = _size(words[1]) if len(words) == 3 else 0
        length = _size(words[-1])
        length = min(length, size - start)
    if length <= 0:
        raise BadArgs("hexedit: invalid range")
    refuse_readonly(g, "hexedit", name, is_device=is_device)
    with downloaded(g, name, start, length) as local:
        before = digest(local)
        run_program("hexedit", os.environ.get("HEXEDITOR", "hexedit"), local)
        if digest(local) != before:
            g.upload_offset(local, name, start)
    return b""
