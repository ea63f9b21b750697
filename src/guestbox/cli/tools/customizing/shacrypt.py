"""crypt(3) password hashes made here: SHA-crypt ($5$, $6$, Ulrich Drepper's specification)
and MD5-crypt ($1$), in pure Python; yescrypt ($y$) through the host's libxcrypt when it
has it (Python's crypt module is deprecated, and gone in 3.13).

`crypt(password, setting)` takes the setting the way crypt(3) does: `$6$SALT` or
`$6$rounds=N$SALT` (a whole hash works too: its salt is used), so
`crypt(pw, h) == h` checks a password against a hash h.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
from collections.abc import Callable

ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ROUNDS_DEFAULT, ROUNDS_MIN, ROUNDS_MAX = 5000, 1000, 999_999_999
SALT_MAX = 16

_SHA512_ORDER = [(0, 21, 42), (22, 43, 1), (44, 2, 23), (3, 24, 45), (25, 46, 4), (47, 5, 26),
                 (6, 27, 48), (28, 49, 7), (50, 8, 29), (9, 30, 51), (31, 52, 10),
                 (53, 11, 32), (12, 33, 54), (34, 55, 13), (56, 14, 35), (15, 36, 57),
                 (37, 58, 16), (59, 17, 38), (18, 39, 60), (40, 61, 19), (62, 20, 41)]
_SHA256_ORDER = [(0, 10, 20), (21, 1, 11), (12, 22, 2), (3, 13, 23), (24, 4, 14),
                 (15, 25, 5), (6, 16, 26), (27, 7, 17), (18, 28, 8), (9, 19, 29)]
_MD5_ORDER = [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)]


class CryptError(ValueError):
    """A setting this module cannot hash with."""


def _b64(b2: int, b1: int, b0: int, n: int) -> str:
    w = (b2 << 16) | (b1 << 8) | b0
    out = []
    for _ in range(n):
        out.append(ITOA64[w & 0x3F])
        w >>= 6
    return "".join(out)


def _repeat(block: bytes, length: int) -> bytes:
    """block repeated and cut to length bytes."""
    return (block * (length // len(block) + 1))[:length]


def sha_crypt(password: bytes, salt: str, rounds: int | None, bits: int) -> str:
    """$5$ (bits 256) or $6$ (bits 512) crypt of password with salt (and rounds if given)."""
    h: Callable[[bytes], hashlib._Hash] = hashlib.sha512 if bits == 512 else hashlib.sha256
    s = salt[:SALT_MAX].encode()
    custom = rounds is not None
    n = ROUNDS_DEFAULT if rounds is None else min(max(rounds, ROUNDS_MIN), ROUNDS_MAX)
    p = password
    b = h(p + s + p).digest()
    a = h(p + s + _repeat(b, len(p)))
    length = len(p)
    while length:
        a.update(b if length & 1 else p)
        length >>= 1
    c = a.digest()
    p_seq = _repeat(h(p * len(p)).digest(), len(p)) if p else b""
    s_seq = _repeat(h(s * (16 + c[0])).digest(), len(s)) if s else b""
    for i in range(n):
        ctx = h(p_seq if i & 1 else c)
        if i % 3:
            ctx.update(s_seq)
        if i % 7:
            ctx.update(p_seq)
        ctx.update(c if i & 1 else p_seq)
        c = ctx.digest()
    if bits == 512:
        encoded = "".join(_b64(c[x], c[y], c[z], 4) for x, y, z in _SHA512_ORDER)
        encoded += _b64(0, 0, c[63], 2)
    else:
        encoded = "".join(_b64(c[x], c[y], c[z], 4) for x, y, z in _SHA256_ORDER)
        encoded += _b64(0, c[31], c[30], 3)
    prefix = f"${5 if bits == 256 else 6}$" + (f"rounds={n}$" if custom else "")
    return f"{prefix}{salt[:SALT_MAX]}${encoded}"


def md5_crypt(password: bytes, salt: str) -> str:
    """$1$ crypt (Poul-Henning Kamp's MD5-based scheme) of password with salt."""
    s = salt[:8].encode()
    p = password
    alt = hashlib.md5(p + s + p).digest()
    ctx = hashlib.md5(p + b"$1$" + s + _repeat(alt, len(p)))
    length = len(p)
    while length:
        ctx.update(b"\0" if length & 1 else p[:1])
        length >>= 1
    c = ctx.digest()
    for i in range(1000):
        x = hashlib.md5(p if i & 1 else c)
        if i % 3:
            x.update(s)
        if i % 7:
            x.update(p)
        x.update(c if i & 1 else p)
        c = x.digest()
    encoded = "".join(_b64(c[x], c[y], c[z], 4) for x, y, z in _MD5_ORDER[:4])
    encoded += _b64(c[4], c[10], c[5], 4) + _b64(0, 0, c[11], 2)
    return f"$1${salt[:8]}${encoded}"


def _libcrypt(password: bytes, setting: str) -> str:
    """crypt(3) of the host's libcrypt (libxcrypt: yescrypt and the rest)."""
    name = ctypes.util.find_library("crypt")
    if name is None:
        raise CryptError("no libcrypt on this host for this hash method")
    lib = ctypes.CDLL(name)
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    out = lib.crypt(password, setting.encode())
    if not out or out.startswith(b"*"):
        raise CryptError(f"the host's libcrypt cannot hash with {setting[:4]}")
    return str(out.decode())


def crypt(password: str | bytes, setting: str) -> str:
    """The crypt(3) hash of password with setting ($1$, $5$, $6$ here; $y$ and others
    through the host's libcrypt)."""
    pw = password.encode() if isinstance(password, str) else password
    if setting.startswith(("$5$", "$6$")):
        bits = 256 if setting[1] == "5" else 512
        fields = setting[3:].split("$")
        rounds = None
        if fields[0].startswith("rounds="):
            try:
                rounds = int(fields.pop(0)[len("rounds="):])
            except ValueError:
                raise CryptError(f"bad rounds in {setting}") from None
        return sha_crypt(pw, fields[0] if fields else "", rounds, bits)
    if setting.startswith("$1$"):
        return md5_crypt(pw, setting[3:].split("$")[0])
    return _libcrypt(pw, setting)
