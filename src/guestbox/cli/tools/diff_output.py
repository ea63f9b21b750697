"""virt-diff's output fields: one line of fields, separated by spaces or (--csv) commas.

The formats are guestfs-tools' (diff.c output_*): sizes right-aligned in 10
columns (or human-readable, gnulib's human_readable with autoscale, base 1024,
rounding to nearest), permissions in octal, times as `YYYY-MM-DD HH:MM:SS`
(local time) or as numbers, CSV fields quoted when they hold a space, a quote,
a newline or a comma, extended attribute values with their non-printable
bytes escaped.  Everything is bytes: guest names need not be UTF-8.
"""

from __future__ import annotations

import os
import time

POWERS = "KMGTPEZYRQ"


def human_size(n: int) -> str:
    """n bytes as gnulib's human_readable (human_autoscale | human_base_1024 | human_SI |
    human_round_to_nearest) writes it: 512, 4.0K, 1.5M, 10K, 1.0G ..."""
    base = 1024
    amt, tenths, rounding, exponent = n, 0, 0, 0
    point = ""
    if amt >= base:
        while True:
            r10 = (amt % base) * 10 + tenths
            r2 = (r10 % base) * 2 + (rounding >> 1)
            amt //= base
            tenths = r10 // base
            rounding = (r2 != 0) if r2 < base else 2 + (base < r2)
            exponent += 1
            if not (base <= amt and exponent < len(POWERS)):
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
    if 5 < tenths + (0 < rounding + (amt & 1)):
        amt += 1
        if amt == base and exponent < len(POWERS):
            exponent += 1
            point = ".0"
            amt = 1
    return f"{amt}{point}{POWERS[exponent - 1] if exponent else ''}"


class Line:
    """The fields of one output line (output_start_line ... output_end_line)."""

    def __init__(self, csv: bool) -> None:
        self.csv = csv
        self.parts: list[bytes] = []

    def render(self) -> bytes:
        return (b"," if self.csv else b" ").join(self.parts) + b"\n"

    def string(self, s: bytes) -> None:
        """output_string: as is, or CSV-quoted if it needs to be."""
        if self.csv and any(c in s for c in b' ",\n'):
            s = b'"' + s.replace(b'"', b'""') + b'"'
        self.parts.append(s)

    def link(self, target: bytes) -> None:
        """output_string_link: `-> TARGET` (a plain field in CSV)."""
        if self.csv:
            self.string(target)
        else:
            self.parts.append(b"-> " + target)

    def binary(self, data: bytes) -> None:
        """output_binary: printable bytes as they are, others as \\xNN (in CSV, quoted, and
        as C's "\\x%2x" of a signed char writes them)."""
        printable = all(0x20 <= c < 0x7F for c in data)
        if not self.csv or (printable and not any(c in data for c in b' ",\n')):
            self.parts.append(b"".join(bytes([c]) if 0x20 <= c < 0x7F else b"\\x%02x" % c
                                       for c in data))
            return
        out = bytearray(b'"')
        for c in data:
            if c == 0x22:
                out += b'""'
            elif 0x20 <= c < 0x7F:
                out.append(c)
            else:  # (unsigned) of a negative char: 0xffffff80 ...
                out += b"\\x%2x" % (c | 0xFFFFFF00 if c >= 0x80 else c)
        self.parts.append(bytes(out + b'"'))

    def number(self, n: int) -> None:
        self.parts.append(b"%d" % n)

    def size(self, n: int, human: bool) -> None:
        text = human_size(n).encode() if human else b"%d" % n
        self.parts.append(text if self.csv else text.rjust(10))

    def perms(self, mode: int) -> None:
        self.parts.append(b"%04o" % mode)

    def uid(self, n: int) -> None:
        self.parts.append(b"%d" % n if self.csv else b"%4d" % n)

    def dev(self, n: int) -> None:
        self.parts.append(b"%d:%d" % (os.major(n), os.minor(n)))

    def time(self, secs: int, style: str | None, now: int) -> None:
        """A time: local `%F %T`, or --time-t, --time-relative, --time-days."""
        if style == "t":
            text = b"%10d" % secs
        elif style == "relative":
            text = b"%8d" % (now - secs)
        elif style == "days":
            ago = now - secs
            text = b"%3d" % (ago // 86400 if ago >= 0 else -(-ago // 86400))  # C's division
        else:
            text = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(secs)).encode()
        self.parts.append(text)
