"""Noticing that the user saved their config: inotify on Linux, else the file's mtime, looked at
only when the daemon wakes anyway (no polling loop either way).

Editors save in many ways (write in place, write a copy and rename it over, delete and create),
so the folder is watched, not the file, and a burst of events settles for a moment before the
file is read.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import struct
import sys
from collections.abc import Callable
from pathlib import Path

from reminder.paths import make_folder

log = logging.getLogger(__name__)

#: Editors write in several steps: read the file once they are done.
SETTLE = 0.3

_IN_MODIFY, _IN_CLOSE_WRITE, _IN_MOVED_TO, _IN_CREATE = 0x2, 0x8, 0x80, 0x100
_IN_DELETE, _IN_MOVED_FROM, _IN_DELETE_SELF, _IN_MOVE_SELF = 0x200, 0x40, 0x400, 0x800
_WATCHED = _IN_CLOSE_WRITE | _IN_MOVED_TO | _IN_CREATE | _IN_DELETE | _IN_MOVED_FROM | _IN_MODIFY
_EVENT = struct.Struct("iIII")


class ConfigWatch:
    """Calls ``changed`` (on the loop) once the config file has been saved, created or removed."""

    def __init__(self, path: Path, changed: Callable[[], None]) -> None:
        self.path = path
        self.changed = changed
        self.how = "mtime"  # or "inotify"
        self._fd = -1
        self._pending: asyncio.TimerHandle | None = None
        self._stamp = self._read_stamp()

    def start(self) -> None:
        """Watch with inotify where there is one; elsewhere :meth:`check` does the work."""
        libc = _inotify()
        folder = self.path.parent
        if libc is None:
            return
        try:
            # A user with no config yet has no config folder either: made now (0700, as psoas
            # makes its folders), the file the settings page or ``psoas config init`` writes
            # there later is taken up at once, not at the next wake-up.
            make_folder(folder)
        except OSError:
            return
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return
        if libc.inotify_add_watch(fd, os.fsencode(folder), _WATCHED) < 0:
            os.close(fd)
            return
        self._fd, self.how = fd, "inotify"
        asyncio.get_running_loop().add_reader(fd, self._read_events)

    def stop(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        if self._fd >= 0:
            asyncio.get_running_loop().remove_reader(self._fd)
            os.close(self._fd)
            self._fd = -1

    # the daemon's observer: a look at the file whenever it wakes anyway (without inotify)

    def seen(self, events: object, status: object) -> None:
        self.check()

    def next_wakeup(self, now: float) -> float | None:
        return None

    def check(self) -> None:
        """Without inotify: at a wake-up or a command, see whether the file changed since."""
        if self.how == "inotify":
            return
        stamp = self._read_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            self.changed()

    def _read_stamp(self) -> tuple[int, int] | None:
        try:
            info = self.path.stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size

    def _read_events(self) -> None:
        try:
            data = os.read(self._fd, 64 * 1024)
        except BlockingIOError:
            return
        name = os.fsencode(self.path.name)
        offset, ours = 0, False
        while offset + _EVENT.size <= len(data):
            _, _, _, length = _EVENT.unpack_from(data, offset)
            offset += _EVENT.size
            ours = ours or data[offset : offset + length].rstrip(b"\0") == name
            offset += length
        if ours:
            if self._pending is not None:
                self._pending.cancel()
            self._pending = asyncio.get_running_loop().call_later(SETTLE, self._settled)

    def _settled(self) -> None:
        self._pending = None
        stamp = self._read_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            self.changed()


def _inotify() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)  # find_library would run ldconfig
        libc.inotify_init1.argtypes = (ctypes.c_int,)
        libc.inotify_add_watch.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32)
    except (OSError, AttributeError):
        return None
    return libc
