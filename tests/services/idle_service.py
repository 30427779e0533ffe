"""A stand-in desktop for the D-Bus idle sources: owns the real bus names on a private bus.

    python idle_service.py STATE.json

Serves org.gnome.Mutter.IdleMonitor (GetIdletime), org.freedesktop.ScreenSaver
(GetSessionIdleTime, GetActive) and, with ``--logind``, logind's session (LockedHint) with the
values in STATE.json ({"idle_ms": 1234, "locked": false, "logind_locked": false}), re-read on
every call so a test can change them. Written on dbus-fast, as psoas itself is; no
``from __future__ import annotations`` here, since dbus-fast reads the signature annotations.
"""

import asyncio
import json
import sys
from pathlib import Path

from dbus_fast import PropertyAccess
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property


def state() -> dict:
    return json.loads(Path(sys.argv[1]).read_text())


class Mutter(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.gnome.Mutter.IdleMonitor")

    @dbus_method()
    def GetIdletime(self) -> "t":  # noqa: F821 - a D-Bus signature, the D-Bus name
        return state()["idle_ms"]


class ScreenSaver(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.freedesktop.ScreenSaver")

    @dbus_method()
    def GetSessionIdleTime(self) -> "u":  # noqa: F821
        return state()["idle_ms"]

    @dbus_method()
    def GetActive(self) -> "b":  # noqa: F821
        return bool(state()["locked"])


class LogindSession(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.freedesktop.login1.Session")

    @dbus_property(access=PropertyAccess.READ)
    def LockedHint(self) -> "b":  # noqa: F821
        return bool(state().get("logind_locked", False))


async def main() -> None:
    bus = await MessageBus().connect()
    bus.export("/org/gnome/Mutter/IdleMonitor/Core", Mutter())
    bus.export("/org/freedesktop/ScreenSaver", ScreenSaver())
    names = ["org.gnome.Mutter.IdleMonitor", "org.freedesktop.ScreenSaver"]
    if "--logind" in sys.argv:
        bus.export("/org/freedesktop/login1/session/auto", LogindSession())
        names.append("org.freedesktop.login1")
    for name in names:
        await bus.request_name(name)
    print("ready", names, flush=True)
    await bus.wait_for_disconnect()


if __name__ == "__main__":
    asyncio.run(main())
