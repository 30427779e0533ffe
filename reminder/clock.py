"""The real clock: steady time for durations, wall time for the calendar, and sleep detection."""

from __future__ import annotations

import sys
import time
from typing import Protocol

from reminder.timebase import Moment

#: Growth of the suspend gap below this is clock noise, not a sleep.
_SLEEP_THRESHOLD = 2.0


class Clock(Protocol):
    def now(self) -> Moment: ...

    def slept_since(self) -> float | None:
        """If the machine slept since the last call, the steady time it went to sleep."""
        ...


class SystemClock:
    """Reads the machine's clocks.

    On Linux the steady clock is CLOCK_BOOTTIME, which keeps counting while the machine sleeps,
    and the growth of BOOTTIME over CLOCK_MONOTONIC (which does not) is the time spent asleep.
    Elsewhere the steady clock is the monotonic one and a sleep shows as the wall clock running
    ahead of it.
    """

    def __init__(self) -> None:
        self._boottime = sys.platform.startswith("linux") and hasattr(time, "CLOCK_BOOTTIME")
        self._gap = self._sleep_gap()

    def _steady(self) -> float:
        if self._boottime:
            return time.clock_gettime(time.CLOCK_BOOTTIME)
        return time.monotonic()

    def _sleep_gap(self) -> float:
        if self._boottime:
            return time.clock_gettime(time.CLOCK_BOOTTIME) - time.monotonic()
        return time.time() - time.monotonic()

    def now(self) -> Moment:
        return Moment(self._steady(), time.time())

    def slept_since(self) -> float | None:
        gap = self._sleep_gap()
        grown, self._gap = gap - self._gap, gap
        if grown < _SLEEP_THRESHOLD:
            return None
        # The sleep ended moments ago; it began as long before that as it lasted.
        return self._steady() - grown
