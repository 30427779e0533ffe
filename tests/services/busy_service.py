"""Stand-ins for the desktop services the busy signals read: own the real bus names on a private
bus and answer as KDE's notification server, XFCE's xfconf and GNOME's session manager do.

    python busy_service.py STATE.json [notifications] [xfconf] [session-manager]

Serves, for the parts named (all of them when none is):
- org.freedesktop.Notifications at /org/freedesktop/Notifications: property ``Inhibited`` (KDE);
- org.xfce.Xfconf at /org/xfce/Xfconf: ``GetProperty(channel, property)``, answering the channel
  xfce4-notifyd's /do-not-disturb, or org.xfce.Xfconf.Error.PropertyNotFound as xfconfd does for a
  property never set;
- org.gnome.SessionManager at /org/gnome/SessionManager: property ``InhibitedActions``.

The values come from STATE.json ({"inhibited": true, "xfce_dnd": null, "inhibited_actions": 8}),
re-read on every call so a test can change them. Written on dbus-fast, as psoas itself is; no
``from __future__ import annotations`` here, since dbus-fast reads the signature annotations.
"""

import asyncio
import json
import sys
from pathlib import Path

from dbus_fast import PropertyAccess, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.errors import DBusError
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property


def state() -> dict:
    return json.loads(Path(sys.argv[1]).read_text())


class Notifications(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.freedesktop.Notifications")

    @dbus_property(access=PropertyAccess.READ)
    def Inhibited(self) -> "b":  # noqa: F821 - a D-Bus signature, the D-Bus name
        return bool(state().get("inhibited", False))

    @dbus_method()
    def GetServerInformation(self) -> "ssss":  # noqa: F821
        return ["stand-in", "psoas tests", "1", "1.2"]


class Xfconf(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.xfce.Xfconf")

    @dbus_method()
    def GetProperty(self, channel: "s", prop: "s") -> "v":  # noqa: F821
        value = state().get("xfce_dnd")
        if channel != "xfce4-notifyd" or prop != "/do-not-disturb" or value is None:
            raise DBusError(
                "org.xfce.Xfconf.Error.PropertyNotFound",
                f'Property "{prop}" does not exist on channel "{channel}"',
            )
        return Variant("b", bool(value))


class SessionManager(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.gnome.SessionManager")

    @dbus_property(access=PropertyAccess.READ)
    def InhibitedActions(self) -> "u":  # noqa: F821
        return int(state().get("inhibited_actions", 0))


PARTS = {
    "notifications": (
        "org.freedesktop.Notifications",
        "/org/freedesktop/Notifications",
        Notifications,
    ),
    "xfconf": ("org.xfce.Xfconf", "/org/xfce/Xfconf", Xfconf),
    "session-manager": ("org.gnome.SessionManager", "/org/gnome/SessionManager", SessionManager),
}


async def main() -> None:
    wanted = sys.argv[2:] or list(PARTS)
    bus = await MessageBus().connect()
    for part in wanted:
        _, path, interface = PARTS[part]
        bus.export(path, interface())
    for part in wanted:
        await bus.request_name(PARTS[part][0])
    print("ready", wanted, flush=True)
    await bus.wait_for_disconnect()


if __name__ == "__main__":
    asyncio.run(main())
