"""The desktop's message buses (D-Bus), spoken through dbus-fast on the daemon's asyncio loop.

One connection to the session bus is made once, at start-up, and handed to every part that needs
it (notifications, idle sources, the tray); the system bus (logind) gets its own, made when first
asked for. Every call has a deadline well under a second, and every failure comes out as
:class:`BusError` (an ``OSError``), so a frozen or missing service costs a fallback, never a hang.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: How long a method call may take before the service counts as not answering.
CALL_TIMEOUT = 0.5
#: Connecting (socket, authentication, Hello) may take a little longer on a loaded machine.
CONNECT_TIMEOUT = 3.0

DBUS_NAME = "org.freedesktop.DBus"
DBUS_PATH = "/org/freedesktop/DBus"
PROPERTIES = "org.freedesktop.DBus.Properties"


def desktop_over_dbus() -> bool:
    """Whether the desktop's parts psoas uses, notifications and the tray, are reached over the
    session bus (Linux: freedesktop notifications, a StatusNotifierItem); elsewhere plyer and
    pystray need none."""
    return sys.platform.startswith("linux")


class BusError(OSError):
    """The bus, or a service on it, did not do what was asked; the text says why, briefly.

    ``error_name`` is the D-Bus error the service answered with (for example
    ``org.freedesktop.DBus.Error.UnknownProperty``), None when it did not answer at all: a caller
    can tell "this service has no such thing" from "this service is not answering".
    """

    def __init__(self, message: str, error_name: str | None = None) -> None:
        super().__init__(message)
        self.error_name = error_name


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


async def connect(address: str | None = None, system: bool = False) -> Any:
    """A connected ``dbus_fast.aio.MessageBus``; BusError saying why there is none."""
    try:
        from dbus_fast import BusType
        from dbus_fast.aio import MessageBus
    except ImportError as error:
        raise BusError(f"dbus-fast is missing ({error})") from None
    which = "system" if system else "session"
    if not system:
        address = address or session_address()
        if address is None:
            raise BusError("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
    try:
        if system and address is None:
            bus = MessageBus(bus_type=BusType.SYSTEM)
        else:
            bus = MessageBus(bus_address=address)
        return await asyncio.wait_for(bus.connect(), CONNECT_TIMEOUT)
    except TimeoutError:
        raise BusError(f"the D-Bus {which} bus did not answer") from None
    except Exception as error:  # dbus-fast raises OSError, AuthError, InvalidAddressError...
        raise BusError(f"no D-Bus {which} bus ({short(error)})") from None


async def call(
    bus: Any,
    name: str,
    path: str,
    interface: str,
    member: str,
    signature: str = "",
    body: list[Any] | None = None,
    timeout: float = CALL_TIMEOUT,
) -> list[Any]:
    """Call a method and return the reply's body; any failure or a late answer is BusError."""
    from dbus_fast import Message, MessageType

    if not bus.connected:
        raise BusError(f"{interface}.{member}: the bus connection is closed")
    message = Message(
        destination=name,
        path=path,
        interface=interface,
        member=member,
        signature=signature,
        body=body or [],
    )
    try:
        reply = await asyncio.wait_for(bus.call(message), timeout)
    except TimeoutError:
        raise BusError(f"{interface}.{member}: no answer within {timeout:g} s") from None
    except Exception as error:  # a lost connection, a message dbus-fast cannot encode...
        raise BusError(f"{interface}.{member}: {short(error)}") from None
    if reply is None:
        raise BusError(f"{interface}.{member}: no reply")
    if reply.message_type == MessageType.ERROR:
        detail = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
        raise BusError(
            f"{interface}.{member}: {reply.error_name} {short(detail)}".rstrip(), reply.error_name
        )
    return list(reply.body)


async def get_property(bus: Any, name: str, path: str, interface: str, prop: str) -> Any:
    """One property's value, unwrapped from its variant."""
    (variant,) = await call(bus, name, path, PROPERTIES, "Get", "ss", [interface, prop])
    return getattr(variant, "value", variant)


async def name_has_owner(bus: Any, name: str) -> bool:
    (owned,) = await call(bus, DBUS_NAME, DBUS_PATH, DBUS_NAME, "NameHasOwner", "s", [name])
    return bool(owned)


async def watch_signals(
    bus: Any,
    interface: str,
    member: str | None,
    handler: Callable[[Any], None],
    arg0: str | None = None,
) -> None:
    """Have the bus route these signals to us, and hand each to ``handler`` on the loop.

    Whatever ``handler`` raises is logged; it never stops the bus reader that every part shares.
    """
    from dbus_fast import MessageType

    def on_message(message: Any) -> None:
        if message.message_type != MessageType.SIGNAL or message.interface != interface:
            return
        if member is not None and message.member != member:
            return
        if arg0 is not None and (not message.body or message.body[0] != arg0):
            return
        try:
            handler(message)
        except Exception:  # a boundary: one bad signal must not stop the bus for every part
            log.exception("handling the D-Bus signal %s.%s failed", interface, message.member)

    rule = f"type='signal',interface='{interface}'"
    rule += f",member='{member}'" if member else ""
    rule += f",arg0='{arg0}'" if arg0 else ""
    bus.add_message_handler(on_message)
    await call(bus, DBUS_NAME, DBUS_PATH, DBUS_NAME, "AddMatch", "s", [rule])


class Buses:
    """The session bus (connected once at start-up, or None) and the system bus, connected the
    first time a part asks for it; a system bus that cannot be reached is not asked for again."""

    def __init__(self, session: Any | None) -> None:
        self.session = session
        self._system: Any | None = None
        self._system_error: BusError | None = None

    async def system(self) -> Any:
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
            if bus is not None and bus.connected:
                bus.disconnect()


def short(error: object) -> str:
    """The first line of an error, cut to a readable length."""
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    return text[:160]
