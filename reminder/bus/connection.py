"""One connection to a message bus, on the daemon's asyncio loop, spoken with jeepney's message
format and authentication; the sending, receiving, routing and reconnecting are psoas's own.

psoas sends and receives a few dozen messages an hour, so the connection is plain and careful
rather than fast:

- **Sending** goes through asyncio's transport, which buffers what the socket will not take yet:
  a stalled bus daemon (SIGSTOP) makes a call wait and then fail at its deadline, never the
  connection. What waits unsent is capped (:data:`SEND_BUFFER_CAP`); past it, signals are dropped
  (said once) and calls fail at once.
- **Receiving** reads each message's size from its fixed header first: one bigger than
  :data:`INCOMING_CAP` is skipped unparsed, and a method call gets an error answer.
- **Routing**: replies to our calls, method calls to the exported objects
  (:mod:`reminder.bus.service`), signals to the watchers whose rule they match, checked against
  the sender the watcher asked for.
- **Reconnecting**: when the bus goes (a logout half-way, a restarted bus daemon), pending calls
  fail, the connection tries again with backoff, and once back it asks again for every name and
  match rule it held and tells its listeners, who register again where they must.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jeepney.auth import BEGIN, Authenticator
from jeepney.bus import get_connectable_addresses
from jeepney.low_level import (
    Header,
    HeaderFields,
    Message,
    MessageFlag,
    MessageType,
    calc_msg_size,
)
from jeepney.wrappers import DBusAddress, new_error, new_method_call, new_signal

from reminder.bus.errors import LIMITS_EXCEEDED, BusError, short

log = logging.getLogger(__name__)

DBUS_NAME = "org.freedesktop.DBus"
DBUS_PATH = "/org/freedesktop/DBus"
#: How long a method call may take before the service counts as not answering.
CALL_TIMEOUT = 0.5
#: Connecting (socket, authentication, Hello) may take a little longer on a loaded machine.
CONNECT_TIMEOUT = 3.0
#: The largest message psoas reads: its own calls' answers and a panel's requests are a few kB.
INCOMING_CAP = 256 * 1024
#: What may wait unsent for a stalled bus before psoas stops adding to it.
SEND_BUFFER_CAP = 1024 * 1024
#: Seconds between tries to get a lost bus back; the last one repeats.
RECONNECT_DELAYS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)


@dataclass(frozen=True)
class Signal:
    """A signal as its watcher gets it."""

    sender: str | None
    path: str | None
    interface: str | None
    member: str | None
    signature: str
    body: tuple


SignalHandler = Callable[[Signal], None]


@dataclass
class _Watch:
    """A signal watcher: its match rule, as the bus daemon has it, and whom it trusts."""

    rule: str
    interface: str
    member: str | None
    arg0: str | None
    sender: str | None  # a well-known name: only its current owner's signals pass
    handler: SignalHandler


@dataclass
class _Link:
    """The socket of one connected spell; a reconnect makes a new one."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    unique_name: str = ""
    serials: itertools.count = field(default_factory=lambda: itertools.count(1))


class Connection:
    """A bus connection that outlives its socket (see the module's docstring).

    ``dispatch`` is the exported objects' router (:class:`reminder.bus.service.Objects`): it is
    given every method call, and a function that sends a message on this connection.
    """

    def __init__(self, address: str, name: str = "session") -> None:
        self.address = address
        self.name = name
        self.dispatch: Callable[[Message, Callable[[Message], None]], None] | None = None
        self._link: _Link | None = None
        self._replies: dict[int, asyncio.Future[Message]] = {}
        self._watches: list[_Watch] = []
        self._names: list[tuple[str, int]] = []  # requested, with flags: asked for again
        self._owners: dict[str, str | None] = {}  # well-known name -> unique owner, watched
        self._on_reconnect: list[Callable[[], None]] = []
        self._on_lost: list[Callable[[str], None]] = []
        self._reader_task: asyncio.Task[None] | None = None
        self._reconnect_task: asyncio.Task[None] | None = None
        self._closed = False
        self._dropped_signals = False
        self.lost_because: str | None = None

    # ----- state ------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._link is not None and not self._closed

    @property
    def unique_name(self) -> str:
        return self._link.unique_name if self._link is not None else ""

    def when_reconnected(self, callback: Callable[[], None]) -> None:
        """Have ``callback`` called each time the bus is back after being lost."""
        self._on_reconnect.append(callback)

    def when_lost(self, callback: Callable[[str], None]) -> None:
        """Have ``callback`` told why, each time the connection is lost."""
        self._on_lost.append(callback)

    # ----- connecting -------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect, authenticate and say Hello; BusError saying why not."""
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                self._link = await self._handshake()
        except TimeoutError:
            raise BusError(f"the D-Bus {self.name} bus did not answer") from None
        except (OSError, ValueError, EOFError, RuntimeError) as error:
            raise BusError(f"no D-Bus {self.name} bus ({short(error)})") from None
        self._reader_task = asyncio.get_running_loop().create_task(
            self._read(self._link), name=f"D-Bus {self.name} reader"
        )
        try:
            (unique,) = await self.call(DBUS_NAME, DBUS_PATH, DBUS_NAME, "Hello")
        except BusError:
            self._drop_link("Hello was not answered", tell=False)
            raise
        self._link.unique_name = str(unique)

    async def _handshake(self) -> _Link:
        path = next(get_connectable_addresses(self.address))
        reader, writer = await asyncio.open_unix_connection(path)
        auth = Authenticator()
        for line in auth:
            writer.write(line)
            await writer.drain()
            data = await reader.readline()
            if not data:
                raise EOFError("the bus closed the connection while authenticating")
            auth.feed(data)
        writer.write(BEGIN)
        return _Link(reader, writer)

    def close(self) -> None:
        """Let go of the bus for good: nothing more is sent, received or reconnected."""
        self._closed = True
        for task in (self._reconnect_task, self._reader_task):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        self._drop_link("psoas closed the connection", tell=False)

    # ----- calling ----------------------------------------------------------------------------

    async def call(
        self,
        destination: str,
        path: str,
        interface: str,
        member: str,
        signature: str = "",
        body: tuple | list = (),
        timeout: float = CALL_TIMEOUT,
        auto_start: bool = False,
    ) -> tuple:
        """Call a method and return the reply's body; any failure or a late answer is BusError
        (with ``error_name`` set when the service answered with an error). Only with
        ``auto_start`` may the bus start a service that is not running to answer (a notification
        server is started so; asking whether a desktop offers something must start nothing)."""
        what = f"{interface}.{member}"
        link = self._link
        if link is None or self._closed:
            raise BusError(f"{what}: the bus connection is closed")
        try:
            message = new_method_call(
                DBusAddress(path, destination, interface), member, signature or None, tuple(body)
            )
        except ValueError as error:
            raise BusError(f"{what}: {short(error)}") from None
        if not auto_start:
            message.header.flags |= MessageFlag.no_auto_start
        serial = next(link.serials)
        reply: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._replies[serial] = reply
        try:
            self._write(link, message, serial, what)
            async with asyncio.timeout(timeout):
                answer = await reply
        except TimeoutError:
            raise BusError(f"{what}: no answer within {timeout:g} s") from None
        finally:
            self._replies.pop(serial, None)
        if answer.header.message_type is MessageType.error:
            error_name = answer.header.fields.get(HeaderFields.error_name, "")
            detail = answer.body[0] if answer.body and isinstance(answer.body[0], str) else ""
            raise BusError(f"{what}: {error_name} {short(detail)}".rstrip(), error_name)
        return tuple(answer.body)

    def send(self, message: Message) -> bool:
        """Send a message that wants no answer (a reply, a signal); False when it could not go
        (no connection now, or a stalled bus whose backlog is full)."""
        link = self._link
        if link is None or self._closed:
            return False
        try:
            self._write(link, message, next(link.serials), "a message")
        except BusError as error:
            if not self._dropped_signals:
                log.warning("the D-Bus %s bus takes nothing: %s", self.name, error)
                self._dropped_signals = True
            return False
        return True

    def emit(self, path: str, interface: str, member: str, signature: str, body: tuple) -> bool:
        """Send a signal from one of our objects."""
        message = new_signal(
            DBusAddress(path, interface=interface), member, signature or None, body
        )
        return self.send(message)

    def _write(self, link: _Link, message: Message, serial: int, what: str) -> None:
        transport = link.writer.transport
        if transport.is_closing():
            raise BusError(f"{what}: the bus connection is closed")
        if transport.get_write_buffer_size() > SEND_BUFFER_CAP:
            raise BusError(f"{what}: the bus takes nothing (a backlog of {SEND_BUFFER_CAP} bytes)")
        try:
            data = message.serialise(serial)
        except (ValueError, TypeError, struct.error) as error:
            raise BusError(f"{what}: cannot be written ({short(error)})") from None
        link.writer.write(data)
        if self._dropped_signals and transport.get_write_buffer_size() == 0:
            self._dropped_signals = False

    # ----- names and signals ------------------------------------------------------------------

    async def request_name(self, name: str, flags: int = 4) -> None:
        """Own ``name`` (by default without queueing), now and after every reconnect."""
        (answer,) = await self.call(
            DBUS_NAME, DBUS_PATH, DBUS_NAME, "RequestName", "su", (name, flags)
        )
        if answer not in (1, 4):  # primary owner, already owner
            raise BusError(f"the bus name {name} belongs to another program")
        self._names.append((name, flags))

    async def release_name(self, name: str) -> None:
        self._names = [(n, f) for n, f in self._names if n != name]
        if self.connected:
            await self.call(DBUS_NAME, DBUS_PATH, DBUS_NAME, "ReleaseName", "s", (name,))

    async def watch(
        self,
        interface: str,
        member: str | None,
        handler: SignalHandler,
        *,
        arg0: str | None = None,
        sender: str | None = None,
    ) -> None:
        """Route these signals to ``handler``, from now on and after every reconnect. With
        ``sender`` (a bus name), only signals that the current owner of that name sent pass:
        anyone on the bus can send a signal that looks like anyone's."""
        rule = f"type='signal',interface='{interface}'"
        rule += f",member='{member}'" if member else ""
        rule += f",arg0='{arg0}'" if arg0 else ""
        if sender is not None:
            rule += f",sender='{sender}'"
            if sender != DBUS_NAME and sender not in self._owners:
                await self._follow_owner(sender)
        await self.call(DBUS_NAME, DBUS_PATH, DBUS_NAME, "AddMatch", "s", (rule,))
        self._watches.append(_Watch(rule, interface, member, arg0, sender, handler))

    async def _follow_owner(self, name: str) -> None:
        """Keep the unique name that owns ``name`` now, for checking its signals' sender."""
        self._owners[name] = await self._owner_now(name)
        rule = f"type='signal',sender='{DBUS_NAME}',member='NameOwnerChanged',arg0='{name}'"
        await self.call(DBUS_NAME, DBUS_PATH, DBUS_NAME, "AddMatch", "s", (rule,))
        self._watches.append(
            _Watch(rule, DBUS_NAME, "NameOwnerChanged", name, DBUS_NAME, self._owner_changed)
        )

    async def _owner_now(self, name: str) -> str | None:
        try:
            (owner,) = await self.call(
                DBUS_NAME, DBUS_PATH, DBUS_NAME, "GetNameOwner", "s", (name,)
            )
        except BusError as error:
            if error.error_name is None:
                raise
            return None  # NameHasNoOwner: nobody yet
        return str(owner)

    def _owner_changed(self, signal: Signal) -> None:
        if signal.signature == "sss" and signal.body[0] in self._owners:
            self._owners[signal.body[0]] = signal.body[2] or None

    def owner_of(self, name: str) -> str | None:
        """The unique name owning a well-known name this connection follows (None: nobody)."""
        return self._owners.get(name)

    # ----- receiving --------------------------------------------------------------------------

    async def _read(self, link: _Link) -> None:
        why = "the bus closed the connection"
        try:
            while True:
                fixed = await link.reader.readexactly(16)
                size = calc_msg_size(fixed)
                if size > INCOMING_CAP:
                    await self._refuse_oversized(link, fixed, size)
                    continue
                rest = await link.reader.readexactly(size - 16)
                try:
                    message = Message.from_buffer(fixed + rest)
                except (ValueError, KeyError, IndexError, struct.error) as error:
                    log.debug("a D-Bus message psoas cannot read: %s", short(error))
                    continue
                self._route(message)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except (OSError, ValueError, KeyError) as error:
            why = f"the bus connection failed ({short(error)})"
        if self._link is link:
            self._drop_link(why)

    async def _refuse_oversized(self, link: _Link, fixed: bytes, size: int) -> None:
        """Read past a message too big to take, and answer a call with an error."""
        header_end = 16 + struct.unpack(("<" if fixed[:1] == b"l" else ">") + "I", fixed[12:16])[0]
        head = fixed + await link.reader.readexactly(header_end - 16)
        left = size - header_end
        while left > 0:
            left -= len(await link.reader.readexactly(min(left, 65536)))
        try:
            header, _ = Header.from_buffer(head)
        except (ValueError, KeyError, IndexError, struct.error):
            return
        log.info("a D-Bus message of %d bytes refused (more than %d)", size, INCOMING_CAP)
        if header.message_type is MessageType.method_call and not (
            header.flags & MessageFlag.no_reply_expected
        ):
            parent = Message(header, ())
            self.send(new_error(parent, LIMITS_EXCEEDED, "s", (f"more than {INCOMING_CAP} bytes",)))

    def _route(self, message: Message) -> None:
        header = message.header
        kind = header.message_type
        if kind in (MessageType.method_return, MessageType.error):
            waiting = self._replies.get(header.fields.get(HeaderFields.reply_serial, -1))
            if waiting is not None and not waiting.done():
                waiting.set_result(message)
        elif kind is MessageType.method_call:
            if self.dispatch is not None:
                self.dispatch(message, self.send)
        elif kind is MessageType.signal:
            self._signal(message)

    def _signal(self, message: Message) -> None:
        fields = message.header.fields
        signal = Signal(
            fields.get(HeaderFields.sender),
            fields.get(HeaderFields.path),
            fields.get(HeaderFields.interface),
            fields.get(HeaderFields.member),
            fields.get(HeaderFields.signature, ""),
            tuple(message.body),
        )
        for watch in list(self._watches):
            if watch.interface != signal.interface:
                continue
            if watch.member is not None and watch.member != signal.member:
                continue
            if watch.arg0 is not None and (not signal.body or signal.body[0] != watch.arg0):
                continue
            if not self._trusted(watch, signal):
                log.debug(
                    "%s.%s from %s refused: not from %s",
                    signal.interface,
                    signal.member,
                    signal.sender,
                    watch.sender,
                )
                continue
            try:
                watch.handler(signal)
            except Exception:  # a boundary: one watcher's fault must not stop the others'
                log.exception(
                    "handling the D-Bus signal %s.%s failed", signal.interface, signal.member
                )

    def _trusted(self, watch: _Watch, signal: Signal) -> bool:
        if watch.sender is None:
            return True
        if watch.sender == DBUS_NAME:
            return signal.sender == DBUS_NAME
        owner = self._owners.get(watch.sender)
        return owner is not None and signal.sender == owner

    # ----- losing the bus and getting it back -------------------------------------------------

    def _drop_link(self, why: str, tell: bool = True) -> None:
        link, self._link = self._link, None
        if link is None:
            return
        with contextlib.suppress(OSError, RuntimeError):
            link.writer.close()
        for reply in self._replies.values():
            if not reply.done():
                reply.set_exception(BusError(f"the bus connection was lost ({why})"))
        self._replies.clear()
        if not tell or self._closed:
            return
        self.lost_because = why
        for callback in list(self._on_lost):
            try:
                callback(why)
            except Exception:  # a boundary: everyone hears that the bus went
                log.exception("telling a part that the D-Bus %s bus went failed", self.name)
        self._reconnect_task = asyncio.get_running_loop().create_task(
            self._reconnect(), name=f"D-Bus {self.name} reconnect"
        )

    async def _reconnect(self) -> None:
        for attempt in itertools.count():
            await asyncio.sleep(RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)])
            if self._closed:
                return
            try:
                await self.open()
                await self._restore()
            except BusError as error:
                log.debug("the D-Bus %s bus is not back yet: %s", self.name, error)
                self._drop_link(str(error), tell=False)
                continue
            log.warning("the D-Bus %s bus is back: reconnected", self.name)
            self.lost_because = None
            for callback in list(self._on_reconnect):
                try:
                    callback()
                except Exception:  # a boundary: every part gets to come back
                    log.exception("a part failed to come back on the D-Bus %s bus", self.name)
            return

    async def _restore(self) -> None:
        """Everything the bus daemon forgot with the old connection: names, match rules, and
        the owners of the names whose signals we check."""
        for name, flags in list(self._names):
            (answer,) = await self.call(
                DBUS_NAME, DBUS_PATH, DBUS_NAME, "RequestName", "su", (name, flags)
            )
            if answer not in (1, 4):
                log.warning("the bus name %s belongs to another program now", name)
        for watch in list(self._watches):
            await self.call(DBUS_NAME, DBUS_PATH, DBUS_NAME, "AddMatch", "s", (watch.rule,))
        for name in list(self._owners):
            self._owners[name] = await self._owner_now(name)


def message_sender(message: Message) -> str | None:
    return message.header.fields.get(HeaderFields.sender)


def message_field(message: Message, field_name: str) -> Any:
    return message.header.fields.get(HeaderFields[field_name])
