"""Is the screen locked? logind's LockedHint where there is logind, else the screensaver's flag."""

from __future__ import annotations

import logging

from reminder.bus import Buses, call, get_property

log = logging.getLogger(__name__)

SCREENSAVERS = (
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
)
LOGIND = ("org.freedesktop.login1", "/org/freedesktop/login1/session/auto")


class LockWatch:
    """Answers 'locked?' from the first source that works, and stops asking those that do not."""

    def __init__(self, buses: Buses) -> None:
        self._buses = buses
        self._dead: set[str] = set()

    async def locked(self) -> bool:
        if "logind" not in self._dead:
            try:
                system = await self._buses.system()
                name, path = LOGIND
                hint = await get_property(
                    system, name, path, "org.freedesktop.login1.Session", "LockedHint"
                )
                return bool(hint)
            except OSError as error:
                log.debug("logind lock hint unavailable: %s", error)
                self._dead.add("logind")
        session = self._buses.session
        for name, path, interface in SCREENSAVERS:
            if name in self._dead or session is None:
                continue
            try:
                (active,) = await call(session, name, path, interface, "GetActive")
                return bool(active)
            except OSError as error:
                log.debug("%s unavailable: %s", name, error)
                self._dead.add(name)
        return False
