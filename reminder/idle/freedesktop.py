"""KDE and others: org.freedesktop.ScreenSaver's GetSessionIdleTime, and GetActive for the lock."""

from __future__ import annotations

from reminder.idle import _dbus
from reminder.idle.lock import LockWatch

NAME = "org.freedesktop.ScreenSaver"
PATHS = ("/org/freedesktop/ScreenSaver", "/ScreenSaver")


class FreedesktopIdleSource:
    name = "freedesktop"
    tracks_input = True

    def __init__(self, address: str | None = None) -> None:
        self._bus = _dbus.connect(address)
        self._path = PATHS[0]
        self._lock = LockWatch(self._bus)

    def idle_seconds(self) -> float:
        # KDE (KIdleTime underneath) answers in milliseconds. Try the other object path once,
        # since desktops differ in where they put it.
        try:
            value = _dbus.call(self._bus, NAME, self._path, NAME, "GetSessionIdleTime")
        except OSError:
            self._path = PATHS[1] if self._path == PATHS[0] else PATHS[0]
            value = _dbus.call(self._bus, NAME, self._path, NAME, "GetSessionIdleTime")
        return float(value) / 1000.0

    def locked(self) -> bool:
        return self._lock.locked()
