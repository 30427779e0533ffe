"""The doctor's looks at the desktop: the session, its bus, each idle source, the tray host, the
notification server, each busy signal. Each is made to run under :mod:`reminder.doctor.isolate`.

Nothing here starts a service: a bus name is looked up (NameHasOwner, GetNameOwner) before the
service behind it is asked anything, and then it is asked at its owner's unique name, which the
bus never activates; names that are not owned are only listed (ListActivatableNames).
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reminder.bus import (
    DBUS_NAME,
    DBUS_PATH,
    BusError,
    Buses,
    call,
    connect,
    desktop_over_dbus,
    get_property,
    session_address,
)
from reminder.busy import CHECK_DEADLINE, open_signals
from reminder.doctor.facts import (
    BusLook,
    IdleLook,
    NotificationLook,
    QuietLook,
    Session,
    SignalAnswer,
    TrayLook,
)
from reminder.idle import SOURCES, auto_order, ruled_out
from reminder.idle import freedesktop as freedesktop_idle
from reminder.idle import gnome as gnome_idle
from reminder.notify.freedesktop import NAME as NOTIFICATIONS
from reminder.notify.freedesktop import PATH as NOTIFICATIONS_PATH
from reminder.tray.choice import SNI_WATCHER

WATCHER_PATH = "/StatusNotifierWatcher"
#: The idle sources that are services on the session bus, by the name each owns: asked only
#: when that name is owned, so that the doctor never starts one.
IDLE_SERVICES = {"gnome": gnome_idle.NAME, "freedesktop": freedesktop_idle.NAME}


def session(environ: Mapping[str, str] | None = None, platform: str | None = None) -> Session:
    env = os.environ if environ is None else environ
    return Session(
        platform=platform or sys.platform,
        session_type=env.get("XDG_SESSION_TYPE", ""),
        display=env.get("DISPLAY", ""),
        wayland_display=env.get("WAYLAND_DISPLAY", ""),
        desktop=env.get("XDG_CURRENT_DESKTOP", ""),
        bus_address=session_address() if desktop_over_dbus() else None,
    )


async def look_bus() -> BusLook:
    """Whether the session bus takes a connection (on the caller's loop: see ``isolate``)."""
    try:
        bus = await connect()
    except BusError as error:
        return BusLook(False, str(error))
    bus.close()
    return BusLook(True)


# ----- idle ----------------------------------------------------------------------------------


def idle_sources_here(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> list[str]:
    """Every idle source of this system, in the registry's order: those "auto" tries in this
    session and those it rules out."""
    here = set(auto_order(environ, platform)) | set(ruled_out(environ, platform))
    return [name for name in SOURCES if name in here]


async def look_idle(name: str, break_seconds: float, buses: Buses) -> IdleLook:
    """Open one source through the registry, read it once, close it."""
    service = IDLE_SERVICES.get(name)
    if service is not None:
        if buses.session is None:
            return IdleLook(name, "failed", why="no D-Bus session bus")
        if await owner_of(buses.session, service) is None:
            return IdleLook(name, "failed", why=f"{service} is not on the session bus")
    try:
        module = importlib.import_module(SOURCES[name])
        source = await module.open_source(buses, break_seconds)
    except (OSError, ImportError) as error:
        return IdleLook(name, "failed", why=str(error) or type(error).__name__)
    try:
        seconds = await source.idle_seconds()
    except OSError as error:
        return IdleLook(name, "failed", why=str(error) or type(error).__name__)
    finally:
        source.close()
    description = getattr(source, "description", "")
    return IdleLook(name, "read", seconds, description=description, told=source.tells_returns)


# ----- the tray ------------------------------------------------------------------------------


async def look_tray(buses: Buses) -> TrayLook:
    """The StatusNotifierWatcher and what it knows; without one, whether an XEmbed tray runs."""
    if not desktop_over_dbus():
        return TrayLook(over_dbus=False)
    bus = buses.session
    if bus is None:
        return TrayLook(over_dbus=True)
    owner = await owner_of(bus, SNI_WATCHER)
    if owner is None:
        from reminder.tray.choice import xembed_host_present

        menu = importlib.util.find_spec("gi") is not None
        return TrayLook(True, bus=True, xembed=await xembed_host_present(), xembed_menu=menu)
    try:
        registered = bool(
            await get_property(
                bus, owner, WATCHER_PATH, SNI_WATCHER, "IsStatusNotifierHostRegistered"
            )
        )
    except BusError:
        registered = None
    try:
        items = [
            str(item)
            for item in await get_property(
                bus, owner, WATCHER_PATH, SNI_WATCHER, "RegisteredStatusNotifierItems"
            )
        ]
    except BusError:
        items = []
    # An item is "NAME" or "NAME/PATH" depending on the watcher; NAME is what has a process.
    pids = await asyncio.gather(*(pid_of(bus, item.partition("/")[0]) for item in items))
    pid = await pid_of(bus, owner)
    return TrayLook(
        True,
        bus=True,
        watcher=owner,
        watcher_program=program(pid),
        watcher_pid=pid,
        host_registered=registered,
        items=dict(zip(items, pids, strict=True)),
    )


# ----- notifications -------------------------------------------------------------------------


async def look_notifications(buses: Buses) -> NotificationLook:
    """The server's name and capabilities, asked at its owner without showing anything; when no
    server runs, whether the bus would start one on the first prompt."""
    if not desktop_over_dbus():
        return NotificationLook(over_dbus=False)
    bus = buses.session
    if bus is None:
        return NotificationLook(over_dbus=True)
    owner = await owner_of(bus, NOTIFICATIONS)
    if owner is None:
        (activatable,) = await call(bus, DBUS_NAME, DBUS_PATH, DBUS_NAME, "ListActivatableNames")
        return NotificationLook(True, bus=True, activatable=NOTIFICATIONS in activatable)
    pid = await pid_of(bus, owner)
    process = program(pid)
    try:
        server = await call(bus, owner, NOTIFICATIONS_PATH, NOTIFICATIONS, "GetServerInformation")
        (capabilities,) = await call(
            bus, owner, NOTIFICATIONS_PATH, NOTIFICATIONS, "GetCapabilities"
        )
    except BusError as error:
        return NotificationLook(
            True, bus=True, owned=True, program=process, pid=pid, error=str(error)
        )
    return NotificationLook(
        True,
        bus=True,
        owned=True,
        program=process,
        pid=pid,
        server=tuple(str(value) for value in server),
        capabilities=tuple(str(capability) for capability in capabilities),
    )


# ----- busy signals --------------------------------------------------------------------------


async def look_quiet(name: str, apps: Sequence[str], buses: Buses) -> QuietLook:
    """The signals of one ``[quiet].when`` name, opened as the daemon opens them and each asked
    once, under the deadline the daemon gives them."""
    signals = await open_signals([name], buses, apps)
    try:
        answers = await asyncio.gather(*(_ask(signal) for signal in signals))
    finally:
        for signal in signals:
            close = getattr(signal, "close", None)
            if close is not None:
                close()
    return QuietLook(name, tuple(answers))


async def _ask(signal: Any) -> SignalAnswer:
    subject = getattr(signal, "subject", signal.name)
    try:
        reason = await asyncio.wait_for(signal.busy(), CHECK_DEADLINE)
    except TimeoutError:
        return SignalAnswer(subject, "cannot", why=f"no answer within {CHECK_DEADLINE:g} s")
    except OSError as error:
        return SignalAnswer(subject, "cannot", why=str(error) or type(error).__name__)
    except Exception as error:  # a fault in a signal is reported, as the daemon logs it
        return SignalAnswer(subject, "cannot", why=f"{type(error).__name__}: {error}")
    return SignalAnswer(subject, "busy", reason=reason) if reason else SignalAnswer(subject, "free")


# ----- the bus -------------------------------------------------------------------------------


async def owner_of(bus: Any, name: str) -> str | None:
    """The unique name owning ``name`` now, None when nobody does (nothing is started)."""
    try:
        (owner,) = await call(bus, DBUS_NAME, DBUS_PATH, DBUS_NAME, "GetNameOwner", "s", [name])
    except BusError as error:
        if error.error_name is None:  # no answer at all: not the same as "nobody owns it"
            raise
        return None
    return str(owner) or None


async def pid_of(bus: Any, name: str) -> int | None:
    try:
        (pid,) = await call(
            bus, DBUS_NAME, DBUS_PATH, DBUS_NAME, "GetConnectionUnixProcessID", "s", [name]
        )
    except BusError:
        return None
    return int(pid)


def program(pid: int | None) -> str:
    """The name a process was started by ("status-notifier-watcher"), where the system shows it
    (Linux's /proc: the command line, whole, rather than ``comm``, cut at 15 characters)."""
    if pid is None:
        return ""
    try:
        argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0]
    except OSError:
        return ""
    return os.path.basename(argv0.decode(errors="replace"))
