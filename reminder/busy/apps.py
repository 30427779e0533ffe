"""Busy while an app the user named is running (``apps = ["zoom", "teams"]``): a process of this
user whose name, as the kernel keeps it (``comm``) or as it was started (argv[0]), is one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from reminder.busy.base import BusySignal
from reminder.busy.procs import GONE_OR_HIDDEN, PROC, SCAN_DEADLINE, current_uid, own_processes
from reminder.system.offloop import OffLoop

#: The kernel keeps at most 15 characters of a process's name in ``comm``.
COMM_LENGTH = 15


class AppsSignal:
    name = "apps"
    subject = "one of your busy apps is running"

    def __init__(self, apps: Iterable[str], proc_root: Path = PROC, uid: int | None = None) -> None:
        self.apps = tuple(apps)
        self._proc_root = proc_root
        self._uid = uid
        self._scan = OffLoop(f"the scan of {proc_root} for busy apps", SCAN_DEADLINE)

    async def busy(self) -> str | None:
        uid = current_uid() if self._uid is None else self._uid
        return "apps" if await self._scan.call(self.running, uid) is not None else None

    def close(self) -> None:
        self._scan.close()

    def running(self, uid: int) -> str | None:
        """The first configured app found running, as the user named it; None if none is."""
        for folder in own_processes(self._proc_root, uid):
            try:
                comm = (folder / "comm").read_text(errors="replace").strip()
                argv0 = (folder / "cmdline").read_bytes().split(b"\0", 1)[0]
            except GONE_OR_HIDDEN:
                continue
            app = self.named(comm, argv0.decode(errors="replace"))
            if app is not None:
                return app
        return None

    def named(self, comm: str, argv0: str) -> str | None:
        """Which configured app a process with this ``comm`` and argv[0] is, if any."""
        names = program_names(argv0)
        for app in self.apps:
            folded = app.casefold()
            if folded in names or comm.casefold() == folded[:COMM_LENGTH]:
                return app
        return None


def program_names(argv0: str) -> set[str]:
    """The program's name as argv[0] gives it, folded: the path's last part, and the first word
    of it too (some programs, Chromium and Electron ones among them, rewrite their whole command
    line into argv[0] with spaces)."""
    base = argv0.rsplit("/", 1)[-1].casefold()
    first_word = argv0.split(" ", 1)[0].rsplit("/", 1)[-1].casefold()
    return {name for name in (base, first_word) if name}


async def open_signals(buses: Any, apps: Sequence[str]) -> list[BusySignal]:
    return [AppsSignal(apps)] if apps else []
