"""What follows the core as it runs (the tray, the history): told what happened after every look
at the user, and asked when it wants the next look (the tray, to move its ring a notch)."""

from __future__ import annotations

from typing import Protocol

from reminder.core.events import Event
from reminder.core.status import Status


class Observer(Protocol):
    def seen(self, events: list[Event], status: Status) -> None: ...

    def next_wakeup(self, now: float) -> float | None:
        """Given the steady time now, when to look next; None: no wish."""
        ...
