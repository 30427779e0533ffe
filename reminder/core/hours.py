"""Working hours: when prompts may show. Pure date arithmetic, no clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class WorkingHours:
    """A window opening on each listed day at ``start`` and closing at ``end``.

    An ``end`` before ``start`` closes on the next day (a night shift), so an ``end`` of 00:00 is
    midnight at the end of the day (the config's "24:00"). An ``end`` equal to ``start`` keeps the
    window open for 24 hours: all day. Windows on consecutive days then meet, and a prompt is never
    held back where one ends and the next begins.
    """

    days: frozenset[int]  # 0 = Monday
    start: time
    end: time

    def _windows_from(self, first: date, count: int) -> Iterator[tuple[datetime, datetime]]:
        """The windows of ``count`` days from ``first``, made as they are asked for: the core
        asks at every wake-up and nearly always stops at the first or second."""
        for offset in range(count):
            day = first + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            opens = datetime.combine(day, self.start)
            closes = datetime.combine(day, self.end)
            if closes <= opens:
                closes += timedelta(days=1)
            yield opens, closes

    def _from_the_window_around(self, local: datetime) -> date:
        """The first day whose window may still be open at ``local``: the day before too when a
        window runs past midnight (a night shift, or all day)."""
        day = local.date()
        return day if self.start < self.end else day - timedelta(days=1)

    def is_open(self, local: datetime) -> bool:
        first = self._from_the_window_around(local)
        days = (local.date() - first).days + 1
        return any(o <= local < c for o, c in self._windows_from(first, days))

    def next_open(self, local: datetime) -> datetime:
        """``local`` itself when inside a window, else the start of the next window."""
        for opens, closes in self._windows_from(self._from_the_window_around(local), 9):
            if local < closes:
                return max(opens, local)
        raise ValueError("working hours have no days")  # config guarantees at least one day

    def closes_after(self, local: datetime) -> datetime:
        """When the working day ``local`` falls in ends; outside working hours, when the next
        one ends."""
        for _, closes in self._windows_from(self._from_the_window_around(local), 9):
            if local < closes:
                return closes
        raise ValueError("working hours have no days")

    def first_start_from(self, local: datetime) -> datetime:
        """The first start of a working day at ``local`` or after it (a window already open at
        ``local`` does not count: it started before)."""
        for opens, _ in self._windows_from(local.date(), 8):
            if opens >= local:
                return opens
        raise ValueError("working hours have no days")

    def next_day_start(self, local: datetime) -> datetime:
        """When the first window opening on a later calendar day than ``local`` opens."""
        for opens, _ in self._windows_from(local.date() + timedelta(days=1), 8):
            return opens
        raise ValueError("working hours have no days")

    @property
    def all_day(self) -> bool:
        return self.start == self.end

    def describe(self) -> str:
        """'mon-fri 09:00-18:00', 'mon, wed 22:00-06:00', 'sat 14:00-24:00', 'mon-fri all day'."""
        days = sorted(self.days)
        if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
            named = f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}"
        else:
            named = ", ".join(DAY_NAMES[d] for d in days)
        if self.all_day:
            since = "" if self.start == time(0) else f" from {self.start:%H:%M}"  # 24 h from there
            return f"{named} all day{since}"
        end = "24:00" if self.end == time(0) else f"{self.end:%H:%M}"
        return f"{named} {self.start:%H:%M}-{end}"
