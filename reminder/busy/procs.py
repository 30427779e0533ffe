"""The user's own processes, read from /proc (or a tree shaped like it, for tests).

Processes come and go while we read: one that ends mid-scan, or one whose details the kernel
keeps from us (a program that changed its credentials), is simply passed over. Only a /proc that
cannot be listed at all makes the look fail.

A read of /proc/PID can block (a process stuck in the kernel holds its memory map, which
``cmdline`` needs): the signals that scan run each scan in a worker under :data:`SCAN_DEADLINE`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

PROC = Path("/proc")
#: A scan of a few hundred processes takes milliseconds; past this, something in /proc is stuck.
SCAN_DEADLINE = 0.4

#: What a process that ended, or that we may not look into, gives when read.
GONE_OR_HIDDEN = (FileNotFoundError, ProcessLookupError, PermissionError, NotADirectoryError)


def current_uid() -> int:
    """This user's id; OSError where there is no such thing (Windows)."""
    if not hasattr(os, "getuid"):
        raise OSError("no /proc and no user ids on this system")
    return os.getuid()


def own_processes(proc_root: Path, uid: int) -> Iterator[Path]:
    """The /proc/PID folders of the processes owned by ``uid``. OSError when the root itself
    cannot be listed (no /proc here, or no permission)."""
    try:
        entries = list(os.scandir(proc_root))
    except OSError as error:
        raise OSError(f"cannot list {proc_root} ({error.strerror or error})") from None
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            owner = entry.stat(follow_symlinks=False).st_uid
        except GONE_OR_HIDDEN:
            continue
        if owner == uid:
            yield Path(entry.path)
