"""GNOME (X11 or Wayland): Mutter's IdleMonitor tells the idle time on the session bus."""

from __future__ import annotations

from reminder.bus import BusError, Buses, call
from reminder.idle.base import AskedSource
from reminder.idle.lock import LockWatch

NAME = "org.gnome.Mutter.IdleMonitor"
PATH = "/org/gnome/Mutter/IdleMonitor/Core"


class GnomeIdleSource(AskedSource):
    name = "gnome"

    def __init__(self, buses: Buses) -> None:
        if buses.session is None:
            raise BusError("no D-Bus session bus")
        self._bus = buses.session
        self._lock = LockWatch(buses)

    async def idle_seconds(self) -> float:
        # GetIdletime answers in milliseconds (uint64).
        (value,) = await call(self._bus, NAME, PATH, NAME, "GetIdletime")
        return float(value) / 1000.0

    async def locked(self) -> bool:
        return await self._lock.locked()


async def open_source(buses: Buses, break_seconds: float) -> GnomeIdleSource:
    return GnomeIdleSource(buses)
