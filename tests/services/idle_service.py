"""A stand-in desktop for the D-Bus idle sources: owns the real bus names on a private bus.

    python idle_service.py STATE.json

Serves org.gnome.Mutter.IdleMonitor (GetIdletime), org.freedesktop.ScreenSaver
(GetSessionIdleTime, GetActive) and org.gnome.ScreenSaver (GetActive) with the values in
STATE.json ({"idle_ms": 1234, "locked": false}), re-read on every call so a test can change them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib


def state() -> dict:
    return json.loads(Path(sys.argv[1]).read_text())


class Mutter(dbus.service.Object):
    @dbus.service.method("org.gnome.Mutter.IdleMonitor", out_signature="t")
    def GetIdletime(self):
        return dbus.UInt64(state()["idle_ms"])


class ScreenSaver(dbus.service.Object):
    @dbus.service.method("org.freedesktop.ScreenSaver", out_signature="u")
    def GetSessionIdleTime(self):
        return dbus.UInt32(state()["idle_ms"])

    @dbus.service.method("org.freedesktop.ScreenSaver", out_signature="b")
    def GetActive(self):
        return bool(state()["locked"])


def main() -> None:
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    names = [
        dbus.service.BusName("org.gnome.Mutter.IdleMonitor", bus),
        dbus.service.BusName("org.freedesktop.ScreenSaver", bus),
    ]
    Mutter(bus, "/org/gnome/Mutter/IdleMonitor/Core")
    ScreenSaver(bus, "/org/freedesktop/ScreenSaver")
    print("ready", [str(name.get_name()) for name in names], flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
