"""C libraries of the appliance (hivex, Augeas, libsystemd) used through ctypes."""

from __future__ import annotations

import ctypes
import errno
from ctypes import c_void_p
from typing import Any

from .registry import AgentError

Signatures = dict[str, tuple[Any, list[Any]]]
"""A library's functions: name -> (restype, argtypes)."""

LIBC = ctypes.CDLL(None)
LIBC.free.argtypes = [c_void_p]  # for the buffers the libraries hand over


def load(library: str, what: str, signatures: Signatures, use_errno: bool = False) -> Any:
    """library loaded with its functions typed; AgentError (ENOTSUP) naming what if the
    appliance lacks it."""
    try:
        lib = ctypes.CDLL(library, use_errno=use_errno)
    except OSError as e:
        raise AgentError(f"{what} is not available in the appliance: {e}",
                         errno.ENOTSUP) from None
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib
