"""KDE and others: org.freedesktop.ScreenSaver's GetSessionIdleTime, and GetActive for the lock."""

from __future__ import annotations

from reminder.bus import BusError, Buses, call
from reminder.idle.base import AskedSource
from reminder.idle.lock import LockWatch

NAME = "org.freedesktop.ScreenSaver"
PATHS = ("/org/freedesktop/ScreenSaver", "/ScreenSaver")


class FreedesktopIdleSource(AskedSource):
    name = "freedesktop"

    def __init__(self, buses: Buses) -> None:
        if buses.session is None:
            raise BusError("no D-Bus session bus")
        self._bus = buses.session
        self._path = PATHS[0]
        self._lock = LockWatch(buses)

    async def idle_seconds(self) -> float:
        # KDE (KIdleTime underneath) answers in milliseconds. Try the other object path once,
        # since desktops differ in where they put it.
        try:
            (value,) = await call(self._bus, NAME, self._path, NAME, "GetSessionIdleTime")
        except OSError:
            self._path = PATHS[1] if self._path == PATHS[0] else PATHS[0]
            (value,) = await call(self._bus, NAME, self._path, NAME, "GetSessionIdleTime")
        return float(value) / 1000.0

    async def locked(self) -> bool:
        return await self._lock.locked()


async def open_source(buses: Buses, break_seconds: float) -> FreedesktopIdleSource:
    return FreedesktopIdleSource(buses)
