"""GNOME (X11 or Wayland): Mutter's IdleMonitor tells the idle time on the session bus."""

from __future__ import annotations

from reminder.idle import _dbus
from reminder.idle.lock import LockWatch

NAME = "org.gnome.Mutter.IdleMonitor"
PATH = "/org/gnome/Mutter/IdleMonitor/Core"


class GnomeIdleSource:
    name = "gnome"
    tracks_input = True

    def __init__(self, address: str | None = None) -> None:
        self._bus = _dbus.connect(address)
        self._lock = LockWatch(self._bus)

    def idle_seconds(self) -> float:
        # GetIdletime answers in milliseconds (uint64).
        return float(_dbus.call(self._bus, NAME, PATH, NAME, "GetIdletime")) / 1000.0

    def locked(self) -> bool:
        return self._lock.locked()
