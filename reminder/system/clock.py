"""The real clock: steady time for durations, wall time for the calendar, sleep detection, and a
timer that fires at a steady deadline.

On Linux the steady clock is CLOCK_BOOTTIME, which keeps counting while the machine sleeps, and
the timer is a timerfd on that same clock: a deadline that passes during a suspend fires as soon
as the machine wakes, not a suspend's length later. A second timerfd tells when someone sets the
wall clock, so prompts placed in working hours are worked out again at once. Elsewhere the steady
clock is the monotonic one and the timer is the event loop's.
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import logging
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from reminder.core.timebase import Moment
from reminder.system.libc import libc

log = logging.getLogger(__name__)

#: Growth of the suspend gap below this is clock noise, not a sleep.
_SLEEP_THRESHOLD = 2.0


class Timer(Protocol):
    """Calls its callback (on the loop) once the steady clock reaches the armed time."""

    def arm(self, t: float) -> None: ...

    def disarm(self) -> None: ...

    def close(self) -> None: ...


class Clock(Protocol):
    def now(self) -> Moment: ...

    def slept_since(self) -> float | None:
        """If the machine slept since the last call, the steady time it went to sleep."""
        ...

    def timer(self, callback: Callable[[], None]) -> Timer:
        """A timer on this clock, for the running loop."""
        ...

    def watch_wall_clock(self, callback: Callable[[], None]) -> Timer | None:
        """Have ``callback`` called when the wall clock is set; None where that cannot be known."""
        ...


class SystemCalendar:
    """The machine's local time zone, daylight saving included."""

    def local(self, epoch: float) -> datetime:
        return datetime.fromtimestamp(epoch)

    def epoch(self, local: datetime) -> float:
        return local.timestamp()


class SystemClock:
    """Reads the machine's clocks (see the module's docstring)."""

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

    def timer(self, callback: Callable[[], None]) -> Timer:
        if self._boottime and _timerfd is not None:
            return TimerFd(CLOCK_BOOTTIME, callback)
        return LoopTimer(self._steady, callback)

    def watch_wall_clock(self, callback: Callable[[], None]) -> Timer | None:
        if _timerfd is None:
            return None
        watch = TimerFd(CLOCK_REALTIME, callback, cancel_on_set=True)
        watch.arm(time.time() + 10 * 365 * 86400)  # far off: it is the "set" that wakes us
        return watch


class LoopTimer:
    """A timer on the event loop's clock, for steady clocks that match it (monotonic)."""

    def __init__(self, steady: Callable[[], float], callback: Callable[[], None]) -> None:
        self._steady = steady
        self._callback = callback
        self._handle: asyncio.TimerHandle | None = None

    def arm(self, t: float) -> None:
        self.disarm()
        delay = max(0.0, t - self._steady())
        self._handle = asyncio.get_running_loop().call_later(delay, self._callback)

    def disarm(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def close(self) -> None:
        self.disarm()


# ----- Linux timerfd, through ctypes (os.timerfd_create arrives only in Python 3.13) -----------

CLOCK_REALTIME = 0
CLOCK_BOOTTIME = 7
_TFD_NONBLOCK = os.O_NONBLOCK
_TFD_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_TFD_TIMER_ABSTIME = 1
_TFD_TIMER_CANCEL_ON_SET = 2


class _Timespec(ctypes.Structure):
    _fields_ = (("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long))


class _Itimerspec(ctypes.Structure):
    _fields_ = (("it_interval", _Timespec), ("it_value", _Timespec))


def _load_timerfd() -> tuple[Callable[..., int], Callable[..., int]] | None:
    c = libc()
    if c is None:
        return None
    try:
        create, settime = c.timerfd_create, c.timerfd_settime
    except AttributeError:
        return None
    create.argtypes, create.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    settime.argtypes = (
        ctypes.c_int,
        ctypes.c_int,
        ctypes.POINTER(_Itimerspec),
        ctypes.POINTER(_Itimerspec),
    )
    settime.restype = ctypes.c_int
    return create, settime


_timerfd = _load_timerfd()


class TimerFd:
    """A Linux timerfd watched by the running loop: no thread, no polling."""

    def __init__(
        self, clock_id: int, callback: Callable[[], None], cancel_on_set: bool = False
    ) -> None:
        assert _timerfd is not None
        create, self._settime = _timerfd
        self._callback = callback
        self._flags = _TFD_TIMER_ABSTIME | (_TFD_TIMER_CANCEL_ON_SET if cancel_on_set else 0)
        self._at = 0.0
        self._fd = create(clock_id, _TFD_NONBLOCK | _TFD_CLOEXEC)
        if self._fd < 0:
            raise OSError(ctypes.get_errno(), "timerfd_create failed")
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self._fd, self._ready)

    def arm(self, t: float) -> None:
        self._at = max(t, 1e-9)  # 0 would disarm
        self._set(self._at)

    def disarm(self) -> None:
        self._at = 0.0
        self._set(0.0)

    def close(self) -> None:
        if self._fd >= 0:
            self._loop.remove_reader(self._fd)
            os.close(self._fd)
            self._fd = -1

    def _set(self, t: float) -> None:
        seconds = int(t)
        value = _Timespec(seconds, int((t - seconds) * 1e9))
        spec = _Itimerspec(_Timespec(0, 0), value)
        if self._settime(self._fd, self._flags, ctypes.byref(spec), None) != 0:
            raise OSError(ctypes.get_errno(), "timerfd_settime failed")

    def _ready(self) -> None:
        try:
            os.read(self._fd, 8)  # the count of expirations: one is all we need to know
        except BlockingIOError:
            return
        except OSError as error:
            if error.errno != errno.ECANCELED:
                raise
            self._set(self._at)  # the wall clock was set: watch again, then say so
        self._callback()
