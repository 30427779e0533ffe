"""X11: the MIT-SCREEN-SAVER extension knows how long ago the last input was.

One request, asked over psoas's own X11 client (:mod:`reminder.bus.x11`) on the daemon's loop
under a deadline: an X server that stopped answering costs a look its deadline, never a thread.
A connection that failed is made again at the next look, so the source comes back by itself
once the server answers again.
"""

from __future__ import annotations

import os

from reminder.bus import Buses
from reminder.bus.x11 import Link
from reminder.idle.base import AskedSource
from reminder.idle.lock import LockWatch

#: The server answers this query in well under a millisecond, and a connection in a few; one
#: that takes this long has stopped answering.
X_DEADLINE = 0.5


class X11IdleSource(AskedSource):
    name = "x11"

    def __init__(self, buses: Buses, display: str | None = None) -> None:
        self._link = Link(display or os.environ.get("DISPLAY"), X_DEADLINE)
        self._lock = LockWatch(buses)

    async def idle_seconds(self) -> float:
        connection = await self._link.connection()
        return await connection.idle_milliseconds() / 1000.0

    async def locked(self) -> bool:
        return await self._lock.locked()

    def close(self) -> None:
        self._link.close()


async def open_source(buses: Buses, break_seconds: float) -> X11IdleSource:
    return X11IdleSource(buses)
