"""Time as the core sees it, and the calendars that place it in the user's day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


@dataclass(frozen=True)
class Moment:
    """A point in time seen two ways.

    ``t`` is on a steady clock (seconds that never jump, sleep included) and measures durations;
    ``epoch`` is wall-clock time and places the moment in the calendar (working hours, records).
    """

    t: float
    epoch: float

    def at(self, t: float) -> Moment:
        """The moment ``t`` steady seconds away from this one would be."""
        return Moment(t, self.epoch + (t - self.t))


class Calendar(Protocol):
    """Converts between epoch seconds and local (naive) date-times."""

    def local(self, epoch: float) -> datetime: ...

    def epoch(self, local: datetime) -> float: ...


class FixedCalendar:
    """A calendar without daylight saving: simulated days run on it, so every day has 24 hours."""

    def local(self, epoch: float) -> datetime:
        return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)

    def epoch(self, local: datetime) -> float:
        return local.replace(tzinfo=UTC).timestamp()
