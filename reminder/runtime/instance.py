"""One daemon per user: the running daemon holds an exclusive lock on a file in its runtime folder.

The kernel drops the lock when the process dies, however it dies, so a lock or socket left by a
crash is recognised as stale and replaced.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import IO

from reminder.control.protocol import ControlError
from reminder.paths import lock_file, private_dir, private_opener


class AlreadyRunning(ControlError):
    def __init__(self, pid: int | None) -> None:
        super().__init__(f"already running (pid {pid})" if pid else "already running")
        self.pid = pid


class InstanceLock:
    """Held by the running daemon for as long as it lives.

    OSError when it cannot be taken (:class:`reminder.paths.NotPrivate` for a folder that is
    not safely this user's): then nothing can keep a second psoas off.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = private_dir(folder)
        self.path = lock_file(self.folder)
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        handle = open(self.path, "a+", opener=private_opener)  # noqa: SIM115 - held while it runs
        try:
            _lock(handle)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EDEADLK):
                raise
            handle.seek(0)
            text = handle.read().strip()
            handle.close()
            raise AlreadyRunning(int(text) if text.isascii() and text.isdigit() else None) from None
        self._file = handle
        try:  # for the second psoas's message only (the lock is what keeps it off), unbuffered
            os.ftruncate(handle.fileno(), 0)
            os.write(handle.fileno(), f"{os.getpid()}\n".encode())
        except OSError:  # a full disk
            pass

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _lock(handle: IO[str]) -> None:
    """An exclusive, non-blocking lock the system drops when the process dies."""
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        return
    import fcntl

    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
