"""What the control channel's requests mean to the daemon, and the status it reports back.

Requests are checked here as strictly as the command line checks them: the socket is private,
but a reply to nonsense is an error, never a crash.
"""

from __future__ import annotations

import math
import os
import re
from datetime import datetime
from typing import Any

from reminder import commands as cmd
from reminder.catalogue import Catalogue
from reminder.control import THEN, ControlError, Handler
from reminder.daemon import Daemon
from reminder.errors import UserError
from reminder.limits import MINUTES_ALLOWED, minutes_allowed
from reminder.timebase import Moment

SIMPLE = {"skip": cmd.Skip, "done": cmd.Done, "resume": cmd.ResumeReminders}
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m?)?$")


def parse_duration(text: str) -> float | None:
    """Minutes in '30m', '2h', '1h30m', '45' (minutes); None for 'tomorrow'."""
    word = text.strip().lower()
    if word == "tomorrow":
        return None
    match = _DURATION.match(word)
    if word and match and (match[1] or match[2]):
        minutes = float(match[1] or 0) * 60 + float(match[2] or 0)
        if minutes_allowed(minutes):
            return minutes
        raise UserError(f"{text!r}: give a pause in minutes, {MINUTES_ALLOWED}, or tomorrow")
    raise UserError(
        f"{text!r} is not a duration; write e.g. 30m, 2h, 1h30m, 45 (minutes) or tomorrow"
    )


def _minutes(request: dict[str, Any], optional: bool) -> float | None:
    value = request.get("minutes")
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ControlError("'minutes' must be a number")
    if not minutes_allowed(value):
        raise ControlError(f"'minutes' must be {MINUTES_ALLOWED}")
    return float(value)


def status_report(daemon: Daemon, catalogue: Catalogue, now: Moment) -> dict[str, Any]:
    """Everything ``psoas status --json`` shows (run on the daemon's thread)."""
    status = daemon.core.status(now)

    def when(epoch: float | None) -> str | None:
        return (
            None if epoch is None else datetime.fromtimestamp(epoch).isoformat(timespec="seconds")
        )

    report = {
        "state": status.state,
        "sitting_minutes": round(status.sitting_seconds / 60, 1),
        "next_prompt": when(status.next_prompt),
        "paused_until": when(status.paused_until),
        "next_stretch": status.next_stretch,
        "routine": status.routine,
        "idle_source": daemon.idle.name,
        "tray": daemon.tray_name,
        "notifier": daemon.notifier.name,
        "pid": os.getpid(),
    }
    if not daemon.idle.tracks_input:
        report["note"] = "no idle source: every minute psoas runs counts as sitting"
    return report


def make_handler(daemon: Daemon, catalogue: Catalogue) -> Handler:
    """The function that answers each control request."""

    def handle(request: dict[str, Any]) -> dict[str, Any]:
        name = request["command"]
        if name == "status":
            return {
                "ok": True,
                "status": daemon.ask(lambda now: status_report(daemon, catalogue, now)),
            }
        if name == "quit":
            return {"ok": True, THEN: daemon.stop}
        if name in SIMPLE:
            daemon.submit(SIMPLE[name]())
        elif name == "snooze":
            daemon.submit(cmd.Snooze(_minutes(request, optional=True)))
        elif name == "pause":
            daemon.submit(cmd.Pause(_minutes(request, optional=True)))
        elif name == "routine":
            routine = request.get("name")
            if routine not in catalogue.routines:
                raise ControlError(f"unknown routine; use one of {', '.join(catalogue.routines)}")
            daemon.submit(cmd.StartRoutine(routine))
        elif name == "cancel-routine":
            daemon.submit(cmd.CancelRoutine())
        else:
            raise ControlError(f"unknown command {name[:40]!r}")
        return {"ok": True}

    return handle
