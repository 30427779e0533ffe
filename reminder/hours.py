"""Working hours: when prompts may show. Pure date arithmetic, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class WorkingHours:
    """A window opening on each listed day at ``start`` and closing at ``end``.

    An ``end`` at or before ``start`` closes on the next day (a night shift).
    """

    days: frozenset[int]  # 0 = Monday
    start: time
    end: time

    def _windows_from(self, first: date, count: int) -> list[tuple[datetime, datetime]]:
        windows = []
        for offset in range(count):
            day = first + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            opens = datetime.combine(day, self.start)
            closes = datetime.combine(day, self.end)
            if closes <= opens:
                closes += timedelta(days=1)
            windows.append((opens, closes))
        return windows

    def is_open(self, local: datetime) -> bool:
        return any(o <= local < c for o, c in self._windows_from(local.date() - timedelta(1), 2))

    def next_open(self, local: datetime) -> datetime:
        """``local`` itself when inside a window, else the start of the next window."""
        for opens, closes in self._windows_from(local.date() - timedelta(days=1), 9):
            if local < closes:
                return max(opens, local)
        raise ValueError("working hours have no days")  # config guarantees at least one day

    def next_day_start(self, local: datetime) -> datetime:
        """When the first window opening on a later calendar day than ``local`` opens."""
        for opens, _ in self._windows_from(local.date() + timedelta(days=1), 8):
            return opens
        raise ValueError("working hours have no days")

    def describe(self) -> str:
        """'mon-fri 09:00-18:00', 'mon, wed 22:00-06:00'."""
        days = sorted(self.days)
        if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
            named = f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}"
        else:
            named = ", ".join(DAY_NAMES[d] for d in days)
        return f"{named} {self.start:%H:%M}-{self.end:%H:%M}"
