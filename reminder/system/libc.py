"""The C library, for the few Linux calls Python 3.11 does not offer (timerfd, inotify): loaded
once, by name (ctypes.util.find_library would run ldconfig), shared by whoever needs it."""

from __future__ import annotations

import ctypes
import sys
from functools import cache


@cache
def libc() -> ctypes.CDLL | None:
    """glibc or a compatible libc on Linux; None elsewhere, or where it cannot be loaded."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None
