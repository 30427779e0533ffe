"""The tests' own way onto a bus, as a panel or a desktop service would come: dbus-fast, another
library than psoas's (reminder.bus), so that a mistake both made the same way cannot hide. The
calls have the shape psoas's have (``call``, ``get_property``, ``watch_signals``), failures are
psoas's BusError, and a connection ends with ``disconnect()``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from reminder.bus import BusError, session_address, short

log = logging.getLogger(__name__)

#: How long a method call may take before the service counts as not answering.
CALL_TIMEOUT = 0.5
#: Connecting (socket, authentication, Hello) may take a little longer on a loaded machine.
CONNECT_TIMEOUT = 3.0

DBUS_NAME = "org.freedesktop.DBus"
DBUS_PATH = "/org/freedesktop/DBus"
PROPERTIES = "org.freedesktop.DBus.Properties"


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
