"""The daemon's side of the control channel (reminder.control carries the requests): what each
request does, and the status it reports.

It runs on the daemon's loop, so it asks the daemon for its report directly and never waits on
anything but the commands it hands over.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from reminder import words
from reminder.catalogue.model import Catalogue
from reminder.control.protocol import QUIT, STATUS, THEN, Request, decode_request
from reminder.core import events as ev
from reminder.core.commands import StartRoutine, named
from reminder.language import _, current
from reminder.runtime.daemon import Daemon


def when(epoch: float | None) -> str | None:
    """An ISO 8601 local time with its UTC offset, for ``--json`` readers anywhere."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


class ControlHandler:
    def __init__(
        self, daemon: Daemon, catalogue: Catalogue, parts: Callable[[], dict[str, Any]]
    ) -> None:
        self.daemon = daemon
        self.catalogue = catalogue
        self.parts = parts  # what the app says of its parts (tray, config), for ``psoas status``

    async def answer(self, line: bytes) -> dict[str, Any]:
        request = decode_request(line, self.catalogue.routines)
        return await self.carry_out(request)

    async def carry_out(self, request: Request) -> dict[str, Any]:
        if request.command == STATUS:
            return {"ok": True, "status": self.status_report()}
        if request.command == QUIT:
            said = words.stopping(os.getpid())
            return {"ok": True, "said": said, THEN: self.daemon.stop}
        command = named(request.command, request.argument)
        done = await self.daemon.carry_out(command)
        said = words.answer(command, done.events, done.after, time.time(), self.catalogue)
        refused = any(isinstance(event, ev.CommandRefused) for event in done.events)
        if refused and isinstance(command, StartRoutine):
            # Not what was asked: the routine asked for did not start. Every other refusal is
            # an answer, not a failure (no prompt to snooze, no desk in the config): said, exit 0.
            return {"ok": False, "error": said}
        return {"ok": True, "said": said}

    def status_report(self) -> dict[str, Any]:
        """Everything ``psoas status --json`` shows."""
        report = self.daemon.report()
        status = report.status
        shown = {
            "summary": words.summary(status, report.at, self.catalogue),
            "state": status.state,
            "sitting_minutes": round(status.sitting_seconds / 60, 1),
            "next_prompt": when(status.next_prompt),
            "paused_until": when(status.paused_until),
            "next_stretch": status.next_stretch,
            "prompted_stretch": status.prompted_stretch,
            "routine": status.routine,
            "held": (
                {"reason": status.held_for, "since": when(status.held_since)}
                if status.held_for is not None
                else None
            ),
            "idle_source": report.idle_source,
            "notifier": report.notifier,
            "notifier_shortfalls": report.notifier_shortfalls,
            "pid": os.getpid(),
            "language": current(),  # the command line says its own lines in it too
        }
        shown |= self.parts()
        if not report.sees_input:
            shown["note"] = _("no idle source: every minute psoas runs counts as sitting")
        return shown
