"""How the virt tools print data: gnulib's human-readable sizes, their CSV quoting, raw bytes.

virt-ls, virt-df and virt-filesystems print sizes with `-h` through gnulib's
human_readable (round to nearest, powers of 1024, one decimal below 10: `4.0K`,
`240M`) and quote CSV fields themselves; guest file names are bytes and are
printed as such.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Iterator
from typing import Any

_POWERS = "KMGTPEZY"
_BASE = 1024


def human_size(n: int, block_size: int = 1) -> str:
    """n units of block_size bytes as gnulib's human_readable (n, buf, human_round_to_nearest |
    human_autoscale | human_base_1024 | human_SI, block_size, 1) writes it: exact integer
    arithmetic, ties to even, `1.0K` below 10 of a unit and `1023`, `10K`, `240M` above."""
    amt = n * block_size
    tenths = rounding = exponent = 0
    point = ""
    if amt >= _BASE:
        while True:
            r10 = (amt % _BASE) * 10 + tenths
            r2 = (r10 % _BASE) * 2 + (rounding >> 1)
            amt //= _BASE
            tenths = r10 // _BASE
            # 0: exact; 1: below half a tenth; 2: exactly half; 3: above half
            rounding = int(r2 + rounding != 0) if r2 < _BASE else 2 + int(_BASE < r2 + rounding)
            exponent += 1
            if amt < _BASE or exponent >= len(_POWERS):
                break
        if amt < 10:
            if 2 < rounding + (tenths & 1):
                tenths += 1
                rounding = 0
                if tenths == 10:
                    amt += 1
                    tenths = 0
            if amt < 10:
                point = f".{tenths}"
                tenths = rounding = 0
    if 5 < tenths + int(0 < rounding + (amt & 1)):
        amt += 1
        if exponent and amt == _BASE and exponent < len(_POWERS):
            exponent += 1
            point = ".0"
            amt = 1
    return f"{amt}{point}{_POWERS[exponent - 1] if exponent else ''}"


def csv_field(text: str) -> str:
    """text as the tools write a CSV field: quoted (inner quotes doubled) only if it holds a
    space, a quote, a newline or a comma."""
    if any(c in text for c in ' "\n,'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_row(fields: list[str | None]) -> str:
    """One CSV line of fields (None: an empty field), without its newline."""
    return ",".join("" if f is None else csv_field(f) for f in fields)


def write(text: str) -> None:
    """text on stdout, guest names' undecodable bytes (surrogate escapes) as the bytes."""
    sys.stdout.buffer.write(os.fsencode(text))


def write_json(value: Any) -> None:
    """value as indented JSON on stdout, then a newline."""
    sys.stdout.write(json.dumps(value, indent=1, ensure_ascii=False) + "\n")


@contextlib.contextmanager
def stdout_closed() -> Iterator[None]:
    """A reader that goes away (`| head`) ends the tool quietly, as SIGPIPE ends the virt
    tools: exit status 141, stdout pointed at /dev/null so nothing more is tried there."""
    try:
        yield
    except BrokenPipeError:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
        raise SystemExit(128 + signal.SIGPIPE) from None


def progress_bars(g: Any) -> None:
    """Progress bars for g's long calls (a big file's download ...) on stderr, only when it
    is a terminal and stdout is not one (the bar would get in the way of the output)."""
    if sys.stderr.isatty() and not sys.stdout.isatty():
        from ...events import EVENT_ENTER, EVENT_PROGRESS
        from ..shell.progress import ProgressBar

        g.set_event_callback(ProgressBar(sys.stderr, sys.stderr), EVENT_ENTER | EVENT_PROGRESS)
