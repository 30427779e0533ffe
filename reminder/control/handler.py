"""The daemon's side of the control channel: what each request does, and the status it reports.

It runs on the daemon's loop, so it reads the core directly and never waits on anything.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from reminder.catalogue.model import Catalogue
from reminder.control.protocol import THEN, Request, decode_request
from reminder.core.commands import named
from reminder.daemon import Daemon


def when(epoch: float | None) -> str | None:
    """An ISO 8601 local time with its UTC offset, for ``--json`` readers anywhere."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


class ControlHandler:
    def __init__(self, daemon: Daemon, catalogue: Catalogue, tray: str) -> None:
        self.daemon = daemon
        self.catalogue = catalogue
        self.tray = tray  # which tray shows the icon, for ``psoas status``

    async def answer(self, line: bytes) -> dict[str, Any]:
        request = decode_request(line, self.catalogue.routines)
        return self.carry_out(request)

    def carry_out(self, request: Request) -> dict[str, Any]:
        if request.command == "status":
            return {"ok": True, "status": self.status_report()}
        if request.command == "quit":
            return {"ok": True, THEN: self.daemon.stop}
        self.daemon.submit(named(request.command, request.minutes, request.name or "desk"))
        return {"ok": True}

    def status_report(self) -> dict[str, Any]:
        """Everything ``psoas status --json`` shows."""
        daemon = self.daemon
        status = daemon.core.status(daemon.clock.now())
        report = {
            "state": status.state,
            "sitting_minutes": round(status.sitting_seconds / 60, 1),
            "next_prompt": when(status.next_prompt),
            "paused_until": when(status.paused_until),
            "next_stretch": status.next_stretch,
            "routine": status.routine,
            "idle_source": daemon.idle.name,
            "tray": self.tray,
            "notifier": daemon.outbox.notifier.name,
            "pid": os.getpid(),
        }
        if not daemon.idle.tracks_input:
            report["note"] = "no idle source: every minute psoas runs counts as sitting"
        return report
