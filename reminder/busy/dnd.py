"""Busy while the desktop's do-not-disturb is on. On Linux and the BSDs, whichever of these the
desktop answers (all asked at once; any one that says "on" is enough):

- the notification server's ``Inhibited`` property (KDE Plasma's, on org.freedesktop.Notifications);
- dunst's ``paused`` (``org.dunstproject.cmd0`` on the same object);
- XFCE's ``/do-not-disturb`` in xfconf's ``xfce4-notifyd`` channel (org.xfce.Xfconf GetProperty);
- GNOME's ``org.gnome.desktop.notifications show-banners`` being false, read with the
  ``gsettings`` command in GNOME sessions only. dconf has no way to read over D-Bus (its bus
  service only writes; readers map the database file), and the settings portal offers only a
  fixed list of schemas without this one; parsing dconf's GVDB file ourselves would be more code
  than the one short command it saves.

Services are asked only when they own their name already (one ListNames call), so a look never
starts a daemon. A desktop that offers none of these counts as not busy. Windows and macOS: see
:mod:`reminder.busy.platforms`.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any

from reminder.bus import BusError, Buses, call, unwrap
from reminder.busy.base import BusySignal
from reminder.busy.probe import BUS_TIMEOUT, command_output, optional_property, owned_names

NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
DUNST_INTERFACE = "org.dunstproject.cmd0"
XFCONF = "org.xfce.Xfconf"
XFCONF_PATH = "/org/xfce/Xfconf"
XFCE_CHANNEL, XFCE_DND = "xfce4-notifyd", "/do-not-disturb"
#: What xfconf answers for a property never set: XFCE, with do-not-disturb never switched on.
XFCONF_NOT_FOUND = "org.xfce.Xfconf.Error.PropertyNotFound"
GNOME_BANNERS = ("org.gnome.desktop.notifications", "show-banners")


class DesktopDnd:
    name = "dnd"
    subject = "do-not-disturb is on"

    def __init__(self, buses: Buses, environ: Mapping[str, str] | None = None) -> None:
        self._buses = buses
        self._environ = environ

    async def busy(self) -> str | None:
        looks: list[Awaitable[bool | None]] = []
        problems: list[str] = []
        bus = self._buses.session
        if bus is None:
            problems.append("no D-Bus session bus")
        else:
            try:
                owners = await owned_names(bus)
            except BusError as error:
                problems.append(str(error))
                owners = set()
            if NOTIFICATIONS in owners:
                looks.append(self._flag(bus, NOTIFICATIONS, "Inhibited"))
                looks.append(self._flag(bus, DUNST_INTERFACE, "paused"))
            if XFCONF in owners:
                looks.append(xfce_dnd(bus))
        if gnome_session(os.environ if self._environ is None else self._environ):
            looks.append(gnome_banners_off())
        answered = False
        for result in await asyncio.gather(*looks, return_exceptions=True):
            if isinstance(result, OSError):
                problems.append(str(result))
            elif isinstance(result, BaseException):
                raise result
            elif result:
                return "dnd"
            elif result is not None:
                answered = True
        if problems and not answered:
            raise OSError("; ".join(problems))
        return None

    @staticmethod
    async def _flag(bus: Any, interface: str, prop: str) -> bool | None:
        value = await optional_property(bus, NOTIFICATIONS, NOTIFICATIONS_PATH, interface, prop)
        return None if value is None else bool(value)


async def xfce_dnd(bus: Any) -> bool | None:
    """XFCE's do-not-disturb switch; False when it was never set, None when xfconf answers that
    it has no such thing at all."""
    try:
        (variant,) = await call(
            bus,
            XFCONF,
            XFCONF_PATH,
            XFCONF,
            "GetProperty",
            "ss",
            [XFCE_CHANNEL, XFCE_DND],
            timeout=BUS_TIMEOUT,
        )
    except BusError as error:
        if error.error_name == XFCONF_NOT_FOUND:
            return False
        if error.error_name is not None:
            return None
        raise
    return bool(unwrap(variant))


def gnome_session(environ: Mapping[str, str]) -> bool:
    """GNOME and the sessions built on it (ubuntu:GNOME, pop:GNOME) say so here."""
    desktops = environ.get("XDG_CURRENT_DESKTOP", "").casefold().split(":")
    return "gnome" in desktops


async def gnome_banners_off() -> bool:
    """Whether GNOME's "Do Not Disturb" is on: it is the show-banners key set to false."""
    answer = (await command_output(["gsettings", "get", *GNOME_BANNERS])).strip()
    if answer not in ("true", "false"):
        raise OSError(f"gsettings said {answer[:40]!r} for show-banners")
    return answer == "false"


async def open_signals(buses: Buses, apps: Sequence[str]) -> list[BusySignal]:
    if sys.platform == "win32":
        from reminder.busy.platforms import WindowsDnd

        return [WindowsDnd()]
    if sys.platform == "darwin":
        from reminder.busy.platforms import MacDnd

        return [MacDnd()]
    return [DesktopDnd(buses)]
