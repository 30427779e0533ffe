"""The desktop's message buses (D-Bus): the one place psoas speaks them, on its asyncio loop.

The messages are jeepney's (pure Python: their format and the authentication); the connection,
its routing, the exported objects and the reconnecting are psoas's own, small, in this package
(:mod:`reminder.bus.connection`, :mod:`reminder.bus.service`). No other module knows which library
speaks.

One connection to the session bus is made once, at start-up, and handed to every part that needs
it (notifications, idle sources, the tray, busy signals); the system bus (logind) gets its own,
made when first asked for. Every call has a deadline well under a second, and every failure comes
out as :class:`BusError` (an ``OSError``), so a frozen or missing service costs a fallback, never
a hang. A bus that goes away is reconnected, and everything on it comes back.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from reminder.bus.connection import (
    CALL_TIMEOUT,
    CONNECT_TIMEOUT,
    DBUS_NAME,
    DBUS_PATH,
    Connection,
    Signal,
)
from reminder.bus.errors import BusError, ServiceError, short

PROPERTIES = "org.freedesktop.DBus.Properties"

__all__ = [
    "CALL_TIMEOUT",
    "CONNECT_TIMEOUT",
    "DBUS_NAME",
    "DBUS_PATH",
    "PROPERTIES",
    "BusError",
    "Buses",
    "Connection",
    "ServiceError",
    "Signal",
    "Variant",
    "call",
    "connect",
    "desktop_over_dbus",
    "get_property",
    "name_has_owner",
    "session_address",
    "short",
    "unwrap",
    "watch_signals",
]


class Variant(NamedTuple):
    """A D-Bus variant: a value with its type. A tuple, which is how it travels."""

    signature: str
    value: Any


def unwrap(value: Any) -> Any:
    """The value inside a variant as a reply carries it (``(signature, value)``)."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return value[1]
    return value


def desktop_over_dbus() -> bool:
    """Whether the desktop's parts psoas uses, notifications and the tray, are reached over the
    session bus (Linux: freedesktop notifications, a StatusNotifierItem); elsewhere the system's
    own interfaces serve, with no bus."""
    return sys.platform.startswith("linux")


def session_address() -> str | None:
    """Where the session bus is: the variable the session sets, else systemd's per-user bus.

    Never X11 autolaunch: that would start a bus (and services) that outlive us.
    """
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and (Path(runtime) / "bus").is_socket():
        return f"unix:path={Path(runtime) / 'bus'}"
    return None


def system_address() -> str:
    return os.environ.get("DBUS_SYSTEM_BUS_ADDRESS") or "unix:path=/var/run/dbus/system_bus_socket"


async def connect(address: str | None = None, system: bool = False) -> Connection:
    """A connected bus; BusError saying why there is none."""
    if system:
        address = address or system_address()
    else:
        address = address or session_address()
        if address is None:
            raise BusError("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
    connection = Connection(address, "system" if system else "session")
    await connection.open()
    return connection


async def call(
    bus: Connection,
    name: str,
    path: str,
    interface: str,
    member: str,
    signature: str = "",
    body: list[Any] | tuple = (),
    timeout: float = CALL_TIMEOUT,
    auto_start: bool = False,
) -> list[Any]:
    """Call a method and return the reply's body; any failure or a late answer is BusError.
    The bus starts no service to answer unless ``auto_start`` says it may."""
    return list(
        await bus.call(name, path, interface, member, signature, body or (), timeout, auto_start)
    )


async def get_property(
    bus: Connection, name: str, path: str, interface: str, prop: str, timeout: float = CALL_TIMEOUT
) -> Any:
    """One property's value, unwrapped from its variant."""
    (variant,) = await call(bus, name, path, PROPERTIES, "Get", "ss", [interface, prop], timeout)
    return unwrap(variant)


async def name_has_owner(bus: Connection, name: str) -> bool:
    (owned,) = await call(bus, DBUS_NAME, DBUS_PATH, DBUS_NAME, "NameHasOwner", "s", [name])
    return bool(owned)


async def watch_signals(
    bus: Connection,
    interface: str,
    member: str | None,
    handler: Callable[[Signal], None],
    arg0: str | None = None,
    sender: str | None = None,
) -> None:
    """Have the bus route these signals to us, and hand each to ``handler`` on the loop; with
    ``sender``, only those its current owner sent. Whatever ``handler`` raises is logged."""
    await bus.watch(interface, member, handler, arg0=arg0, sender=sender)


class Buses:
    """The session bus (connected once at start-up, or None) and the system bus, connected the
    first time a part asks for it; a system bus that cannot be reached is not asked for again."""

    def __init__(self, session: Connection | None) -> None:
        self.session = session
        self._system: Connection | None = None
        self._system_error: BusError | None = None

    async def system(self) -> Connection:
        if self._system is None:
            if self._system_error is not None:
                raise self._system_error
            try:
                self._system = await connect(system=True)
            except BusError as error:
                self._system_error = error
                raise
        return self._system

    def close(self) -> None:
        for bus in (self.session, self._system):
            if bus is not None:
                bus.close()
