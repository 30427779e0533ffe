"""Is the screen locked? logind's LockedHint where there is logind, else the screensaver's flag."""

from __future__ import annotations

import logging
from typing import Any

from reminder.idle import _dbus

log = logging.getLogger(__name__)

SCREENSAVERS = (
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
)


class LockWatch:
    """Answers 'locked?' from the first source that works, and stops asking those that do not."""

    def __init__(self, session_bus: Any | None) -> None:
        self._session = session_bus
        self._system: Any | None = None
        self._dead: set[str] = set()

    def locked(self) -> bool:
        if "logind" not in self._dead:
            try:
                return self._logind()
            except OSError as error:
                log.debug("logind lock hint unavailable: %s", error)
                self._dead.add("logind")
        for name, path, interface in SCREENSAVERS:
            if name in self._dead or self._session is None:
                continue
            try:
                return bool(_dbus.call(self._session, name, path, interface, "GetActive"))
            except OSError as error:
                log.debug("%s unavailable: %s", name, error)
                self._dead.add(name)
        return False

    def _logind(self) -> bool:
        if self._system is None:
            self._system = _dbus.connect(system=True)
        return bool(
            _dbus.call(
                self._system,
                "org.freedesktop.login1",
                "/org/freedesktop/login1/session/auto",
                "org.freedesktop.DBus.Properties",
                "Get",
                "org.freedesktop.login1.Session",
                "LockedHint",
            )
        )
