"""Noticing that the user saved their config: inotify on Linux, else the file's stamp, looked at
only when the daemon wakes anyway (no polling loop either way).

The file is followed however it comes to be: editors save in many ways (write in place, write a
copy and rename it over, delete and create); the folder may not exist yet when psoas starts (it
is made by ``psoas config init`` or the tray's Open config); the file or its folder may be a
symbolic link into a dotfiles folder (GNU stow); the folder may be moved aside and made again.
So inotify watches the file's folder (or, while it is missing, the nearest that exists; and the
one that holds it where the folder is a symbolic link), for each symbolic link on the way and
where it leads, for names made, removed and renamed, and for the folder itself moved or
deleted; and the file itself for writes. Whenever something there changes the
watches are placed again, and a burst of events settles for a moment before the file is read.
Writes to the folders' other files are not asked for: ~/.config is written all day by other
programs, and psoas sleeps through that.
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import logging
import os
import struct
from collections.abc import Callable
from pathlib import Path

from reminder.system.libc import libc

log = logging.getLogger(__name__)

#: Editors write in several steps: read the file once they are done.
SETTLE = 0.3

_IN_MODIFY, _IN_ATTRIB, _IN_CLOSE_WRITE = 0x2, 0x4, 0x8
_IN_MOVED_FROM, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x40, 0x80, 0x100, 0x200
_IN_DELETE_SELF, _IN_MOVE_SELF, _IN_UNMOUNT, _IN_Q_OVERFLOW, _IN_IGNORED = (
    0x400,
    0x800,
    0x2000,
    0x4000,
    0x8000,
)
#: What happens to a watched folder or file itself: it is gone, moved, or no longer watched.
_SELF = _IN_DELETE_SELF | _IN_MOVE_SELF | _IN_UNMOUNT | _IN_IGNORED
#: In a folder, only names coming and going: a file saved by renaming a copy over it, a folder
#: made, moved or linked elsewhere.
_FOLDER = _IN_CREATE | _IN_DELETE | _IN_MOVED_FROM | _IN_MOVED_TO | _IN_DELETE_SELF | _IN_MOVE_SELF
#: On the file itself: written in place, or its mode changed.
_FILE = _IN_MODIFY | _IN_ATTRIB | _IN_CLOSE_WRITE | _IN_DELETE_SELF | _IN_MOVE_SELF
#: The name an event on a watched file comes with (only events in a folder name a file).
_ITSELF = b""
_EVENT = struct.Struct("iIII")

#: Symbolic links followed on the way to the file, at most (the system's own limit is 40).
_MAX_LINKS = 40

#: (device, inode, size, mtime, ctime) of the file the path leads to; None if there is none.
Stamp = tuple[int, int, int, int, int] | None


class ConfigWatch:
    """Calls ``changed`` (on the loop) once the config file has been saved, created, removed,
    linked elsewhere or replaced."""

    def __init__(self, path: Path, changed: Callable[[], None]) -> None:
        self.path = path
        self.changed = changed
        self.how = "mtime"  # or "inotify"
        self._fd = -1
        self._libc: ctypes.CDLL | None = None
        self._watches: dict[int, set[bytes]] = {}  # watch descriptor: names that matter there
        self._pending: asyncio.TimerHandle | None = None
        self._said_full = False
        self._stamp = self._read_stamp()

    def start(self) -> None:
        """Watch with inotify where there is one; elsewhere :meth:`check` does the work."""
        libc = _inotify()
        if libc is None:
            return
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return
        self._libc, self._fd, self.how = libc, fd, "inotify"
        asyncio.get_running_loop().add_reader(fd, self._read_events)
        self._place_watches()

    def stop(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self._fd >= 0:
            asyncio.get_running_loop().remove_reader(self._fd)
            os.close(self._fd)
            self._fd = -1
            self._watches = {}

    # the daemon's observer: a look at the file whenever it wakes anyway

    def seen(self, events: object, status: object) -> None:
        self.check()

    def next_wakeup(self, now: float) -> float | None:
        return None

    def check(self) -> None:
        """At a wake-up or a command, see whether the file changed since (the only way without
        inotify; with it, a safety net that costs one stat). A change is read once it settles."""
        if self._pending is None and self._read_stamp() != self._stamp:
            self._settle_later()

    # inotify

    def _place_watches(self) -> None:
        """Watch the folders that lead to the file as they are now; drop the watches that no
        longer lead there."""
        assert self._libc is not None
        placed: dict[int, set[bytes]] = {}
        wanted = [(folder, _FOLDER, names) for folder, names in watched_folders(self.path).items()]
        wanted += [(file, _FILE, {_ITSELF}) for file in _ways_to(os.path.abspath(self.path))]
        for place, mask, names in wanted:
            if mask == _FILE and not os.path.isfile(place):
                continue  # not there yet: its folder's watch sees it made
            descriptor = self._libc.inotify_add_watch(self._fd, os.fsencode(place), mask)
            if descriptor < 0:
                if ctypes.get_errno() == errno.ENOSPC and not self._said_full:
                    self._said_full = True  # the user's inotify watches are all taken
                    log.warning(
                        "cannot watch %s for changes (the system's inotify watches are all "
                        "used): config edits are seen when psoas next wakes up",
                        place,
                    )
                continue  # gone meanwhile: its own folder's watch sees it come back
            placed.setdefault(descriptor, set()).update(names)
        for descriptor in self._watches.keys() - placed.keys():
            self._libc.inotify_rm_watch(self._fd, descriptor)
        self._watches = placed

    def _read_events(self) -> None:
        try:
            data = os.read(self._fd, 64 * 1024)
        except BlockingIOError:
            return
        offset, ours = 0, False
        while offset + _EVENT.size <= len(data):
            descriptor, mask, _, length = _EVENT.unpack_from(data, offset)
            offset += _EVENT.size
            name = data[offset : offset + length].rstrip(b"\0")
            offset += length
            if mask & _IN_Q_OVERFLOW:
                ours = True  # events were lost: look again
            elif descriptor in self._watches and (
                mask & _SELF or name in self._watches[descriptor]
            ):
                ours = True
        if ours:
            self._settle_later()

    def _settle_later(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self._pending = asyncio.get_running_loop().call_later(SETTLE, self._settled)

    def _settled(self) -> None:
        self._pending = None
        if self._fd >= 0:
            self._place_watches()  # a folder made, moved or linked elsewhere: follow it
        stamp = self._read_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            self.changed()

    def _read_stamp(self) -> Stamp:
        try:
            info = self.path.stat()
        except (OSError, ValueError):
            return None
        return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def watched_folders(path: Path) -> dict[str, set[bytes]]:
    """Each folder to watch for ``path``, with the names in it whose change may change what the
    path leads to: for the path and each path a symbolic link on the way makes of it, the
    file's folder (for the file), and that folder's own where the folder is a link (for the
    link); while they are missing, the nearest folder that exists (for the next one down)."""
    folders: dict[str, set[bytes]] = {}
    for place in _ways_to(os.path.abspath(path)):
        child, folder = place, os.path.dirname(place)
        while folder != child:
            if os.path.isdir(folder):
                folders.setdefault(folder, set()).add(os.fsencode(os.path.basename(child)))
                # A real folder says itself when it is moved or deleted; a link to one is
                # pointed elsewhere in its own folder, which must be watched too.
                if child != place or not os.path.islink(folder):
                    break
            child, folder = folder, os.path.dirname(folder)
    return folders


def _ways_to(path: str) -> list[str]:
    """``path``, and the path each symbolic link on the way to the file makes of it: a link to
    the file itself, or a linked folder (GNU stow links either)."""
    ways: list[str] = []
    waiting = [path]
    while waiting and len(ways) <= _MAX_LINKS:
        current = waiting.pop()
        if current in ways:
            continue
        ways.append(current)
        parts = current.split(os.sep)
        for end in range(2, len(parts) + 1):
            leading = os.sep.join(parts[:end])
            try:
                target = os.readlink(leading)
            except OSError:  # not a link, or not there
                continue
            rest = parts[end:]
            waiting.append(os.path.normpath(os.path.join(os.path.dirname(leading), target, *rest)))
            break
    return ways


def _inotify() -> ctypes.CDLL | None:
    c = libc()
    if c is None:
        return None
    try:
        c.inotify_init1.argtypes = (ctypes.c_int,)
        c.inotify_add_watch.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32)
        c.inotify_rm_watch.argtypes = (ctypes.c_int, ctypes.c_int)
    except AttributeError:
        return None
    return c
