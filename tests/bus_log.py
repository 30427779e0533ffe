"""Reading what crossed the test desktop's private bus, as the notification monitor logged it.

Why a bus monitor (``services/notification_monitor.py``) rather than asking dunst:

* ``dunstctl history`` lists only notifications that were closed, so reading it means
  ``dunstctl close-all`` (popups vanish from the screen and screenshots); it is lost whenever dunst
  restarts (and dunst's ids start again at 1); by default dunst folds identical notifications into
  one (``stack_duplicates``), drops what a rule hides, and keeps a replaced one only in its last
  form.
* ``dbus-monitor`` prints strings without escaping, so a body with a quote or a newline cannot be
  split back into arguments reliably, and it shows no ids unless every reply on the bus is
  printed. ``busctl monitor --json`` would be clean but needs systemd installed.

The monitor sees exactly what crossed the bus, typed, in arrival order, across dunst restarts,
without touching dunst's state. A notification counts as received when the server answered its
``Notify`` call with an id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

NOTIFY_ARGS = (
    "appname",
    "replaces_id",
    "icon",
    "summary",
    "body",
    "actions",
    "hints",
    "expire_timeout",
)


class BusLog:
    """The monitor's JSON-lines file, read afresh on every question."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def records(self) -> list[dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        # The last line may still be half written: only complete lines count.
        return [json.loads(line) for line in text.splitlines(keepends=True) if line.endswith("\n")]

    def ready(self) -> bool:
        return any(r["type"] == "ready" for r in self.records())

    def notification_attempts(self) -> list[dict[str, Any]]:
        """Every Notify call seen on the bus, in arrival order, with its ``outcome``: "accepted"
        (then ``id`` is the server's id), "pending" (no answer yet), or the D-Bus error name the
        server answered with. A call while no server owns the name is refused by the bus itself
        before monitors see it: it leaves no trace here, only an exception in the sender."""
        records = self.records()
        answers = {
            (r["destination"], r["reply_serial"]): r
            for r in records
            if r["type"] in ("return", "error")
        }
        attempts = []
        for call in records:
            if call["type"] != "call" or call["member"] != "Notify":
                continue
            attempt = dict(zip(NOTIFY_ARGS, call["args"], strict=False))
            answer = answers.get((call["sender"], call["serial"]))
            if answer is None:
                outcome, notification_id = "pending", None
            elif answer["type"] == "error":
                outcome, notification_id = answer["error"], None
            else:
                outcome, notification_id = "accepted", answer["args"][0]
            attempts.append(
                attempt
                | {
                    "id": notification_id,
                    "outcome": outcome,
                    "sender": call["sender"],
                    "time": call["time"],
                }
            )
        return attempts

    def notifications(self) -> list[dict[str, Any]]:
        """What the notification server received and accepted, in arrival order.

        Each: id, appname, replaces_id, icon, summary, body, actions, hints, expire_timeout,
        sender, time.
        """
        return [n for n in self.notification_attempts() if n["outcome"] == "accepted"]

    def signals(self, member: str | None = None) -> list[dict[str, Any]]:
        """Signals of org.freedesktop.Notifications (NotificationClosed, ActionInvoked...)."""
        return [
            {"member": r["member"], "args": r["args"], "time": r["time"]}
            for r in self.records()
            if r["type"] == "signal" and member in (None, r["member"])
        ]
