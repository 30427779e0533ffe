"""A small client of the Wayland wire protocol, on the daemon's asyncio loop, in pure Python.

psoas asks a compositor one thing: tell me when the user has been idle for a while, and when they
are back. That takes four interfaces (the display, its registry, a seat and an idle notifier) and
a dozen messages, so this speaks the wire protocol over the compositor's Unix socket itself,
as reminder.bus does for D-Bus: no libwayland, no compiler, nothing that needs a wheel per
architecture.

The wire format (the Wayland book, "Wire protocol basics"): every message is a header of two
32-bit words in the machine's byte order, the object id and ``size << 16 | opcode``, followed by
its arguments, each padded to 32 bits. Only the argument types psoas's interfaces use are written
and read here: ``i u o n`` (a 32-bit word), ``s`` (a length counting the final NUL, the bytes,
padding), ``a`` (a length, the bytes, padding). File descriptors are never sent to psoas's
objects; an event carrying one is a protocol the client never asked for.

Whatever the compositor does, this client never raises out of its reader: a closed socket, a
protocol error, a malformed message or a removed global all end the connection with one reason
(:attr:`Connection.closed_because`), and the objects built on it fail with :class:`WaylandError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import struct
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: How long connecting and the first round trip (the list of globals) may take.
CONNECT_TIMEOUT = 2.0
#: Ids the client may give its objects: from 2 (1 is the display) below the server's range.
_FIRST_ID, _LAST_CLIENT_ID = 2, 0xFEFFFFFF
_HEADER = struct.Struct("=II")
_WORD = struct.Struct("=I")

DISPLAY_ID = 1
#: The events of each interface psoas binds, by opcode: their names and argument types.
EVENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "wl_display": (("error", "ous"), ("delete_id", "u")),
    "wl_registry": (("global", "usu"), ("global_remove", "u")),
    "wl_callback": (("done", "u"),),
    "wl_seat": (("capabilities", "u"), ("name", "s")),
    "ext_idle_notifier_v1": (),
    "ext_idle_notification_v1": (("idled", ""), ("resumed", "")),
    "org_kde_kwin_idle": (),
    "org_kde_kwin_idle_timeout": (("idle", ""), ("resumed", "")),
}


class WaylandError(OSError):
    """The compositor cannot be reached, or the conversation with it ended; the text says why."""


def socket_path(environ: Mapping[str, str] | None = None) -> Path:
    """The compositor's socket as libwayland finds it: ``WAYLAND_DISPLAY`` (default
    ``wayland-0``), absolute or inside ``XDG_RUNTIME_DIR``. WaylandError when neither tells."""
    env = os.environ if environ is None else environ
    display = env.get("WAYLAND_DISPLAY") or "wayland-0"
    if os.path.isabs(display):
        return Path(display)
    runtime = env.get("XDG_RUNTIME_DIR")
    if not runtime:
        raise WaylandError("no Wayland socket (XDG_RUNTIME_DIR is not set)")
    return Path(runtime) / display


def encode(object_id: int, opcode: int, signature: str, *args: int | str | bytes) -> bytes:
    """One request, on the wire."""
    body = bytearray()
    for kind, value in zip(signature, args, strict=True):
        if kind in "iuon":
            body += struct.pack("=i" if kind == "i" else "=I", value)
        elif kind in "sa":
            data = value.encode() + b"\0" if isinstance(value, str) else bytes(value)  # type: ignore[union-attr]
            body += _WORD.pack(len(data)) + data + b"\0" * (-len(data) % 4)
        else:
            raise ValueError(f"argument type {kind!r} is not written by this client")
    return _HEADER.pack(object_id, (len(body) + _HEADER.size) << 16 | opcode) + body


def decode(signature: str, body: bytes) -> tuple[int | str | bytes | None, ...]:
    """The arguments of one event; ValueError when the body does not hold them exactly."""
    values: list[int | str | bytes | None] = []
    at = 0
    for kind in signature:
        if at + 4 > len(body):
            raise ValueError("the message ends inside an argument")
        (word,) = _WORD.unpack_from(body, at)
        at += 4
        if kind == "i":
            values.append(word - (1 << 32) if word >= 1 << 31 else word)
        elif kind in "uon":
            values.append(word)
        elif kind in "sa":
            end = at + word
            if end > len(body):
                raise ValueError("a string or array runs past the message")
            data = body[at:end]
            at = end + (-word % 4)
            if kind == "a":
                values.append(bytes(data))
            elif word == 0:
                values.append(None)
            elif data[-1:] != b"\0":
                raise ValueError("a string is not ended by NUL")
            else:
                values.append(data[:-1].decode(errors="replace"))
        else:
            raise ValueError(f"argument type {kind!r} cannot be read by this client")
    if at != len(body):
        raise ValueError("the message is longer than its arguments")
    return tuple(values)


@dataclass(frozen=True)
class Global:
    """An object the compositor offers: its name (a number), interface and version."""

    name: int
    interface: str
    version: int


#: Called with an event's name and arguments.
Listener = Callable[[str, tuple], None]


class Connection:
    """One connection to a compositor: its globals, and the objects bound or made on it.

    Made with :func:`connect`. Every event reaches the listener of the object it is for, on the
    loop; events for objects this client does not know (destroyed already) are passed over, as
    libwayland passes them over.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._objects: dict[int, tuple[str, Listener | None]] = {DISPLAY_ID: ("wl_display", None)}
        self._next_id = _FIRST_ID
        self.globals: dict[int, Global] = {}
        #: Why the connection ended; None while it is open.
        self.closed_because: str | None = None
        self._on_close: list[Callable[[str], None]] = []
        self._on_global_removed: list[Callable[[Global], None]] = []
        self._registry = self._new("wl_registry", self._registry_event)
        self._send(DISPLAY_ID, 1, "n", self._registry)  # wl_display.get_registry
        self._task: asyncio.Task[None] | None = None

    # ----- what the idle source uses ---------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._read(), name="wayland reader")

    async def roundtrip(self, timeout: float = CONNECT_TIMEOUT) -> None:
        """Wait until the compositor has handled every request sent so far (wl_display.sync)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def on_done(event: str, args: tuple) -> None:
            if not done.done():
                done.set_result(None)

        callback = self._new("wl_callback", on_done)
        self._send(DISPLAY_ID, 0, "n", callback)  # wl_display.sync
        closed = self.when_closed(lambda why: done.done() or done.set_exception(WaylandError(why)))
        try:
            async with asyncio.timeout(timeout):
                await done
        except TimeoutError:
            raise WaylandError(
                f"the Wayland compositor gave no answer within {timeout:g} s"
            ) from None
        finally:
            self._on_close.remove(closed)
            self._objects.pop(callback, None)

    def find(self, interface: str) -> Global | None:
        """The first global of this interface the compositor offers, if any."""
        return next((g for g in self.globals.values() if g.interface == interface), None)

    def bind(self, offered: Global, version: int, listener: Listener | None = None) -> int:
        """Bind a global at ``version`` (at most what it offers); the new object's id."""
        version = min(version, offered.version)
        object_id = self._new(offered.interface, listener)
        # wl_registry.bind(name, new_id): an untyped new_id carries its interface and version.
        self._send(self._registry, 0, "usun", offered.name, offered.interface, version, object_id)
        return object_id

    def request(
        self,
        object_id: int,
        opcode: int,
        signature: str,
        *args: int | str | bytes,
        makes: tuple[str, Listener] | None = None,
    ) -> int | None:
        """Send a request; with ``makes`` (interface, listener), the new object it creates goes
        first among the arguments (``signature`` then starts with ``n``) and its id is returned."""
        if makes is None:
            self._send(object_id, opcode, signature, *args)
            return None
        new = self._new(*makes)
        self._send(object_id, opcode, signature, new, *args)
        return new

    def forget(self, object_id: int) -> None:
        """The object was destroyed: its events, if any still come, are passed over."""
        self._objects.pop(object_id, None)

    def when_closed(self, callback: Callable[[str], None]) -> Callable[[str], None]:
        """Have ``callback`` told why, once, when the connection ends."""
        self._on_close.append(callback)
        return callback

    def when_global_removed(self, callback: Callable[[Global], None]) -> None:
        self._on_global_removed.append(callback)

    def close(self, why: str = "psoas let go of the Wayland compositor") -> None:
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
        self._end(why)

    # ----- the wire --------------------------------------------------------------------------

    def _new(self, interface: str, listener: Listener | None) -> int:
        if self._next_id > _LAST_CLIENT_ID:
            raise WaylandError("no object ids left on this Wayland connection")
        object_id, self._next_id = self._next_id, self._next_id + 1
        self._objects[object_id] = (interface, listener)
        return object_id

    def _send(self, object_id: int, opcode: int, signature: str, *args: int | str | bytes) -> None:
        if self.closed_because is not None:
            raise WaylandError(self.closed_because)
        try:
            self._writer.write(encode(object_id, opcode, signature, *args))
        except (OSError, RuntimeError) as error:  # the socket went, or the transport is closing
            self._end(f"cannot write to the Wayland compositor ({error})")
            raise WaylandError(self.closed_because or str(error)) from None

    async def _read(self) -> None:
        why = "the Wayland compositor closed the connection"
        try:
            while True:
                header = await self._reader.readexactly(_HEADER.size)
                object_id, size_opcode = _HEADER.unpack(header)
                size, opcode = size_opcode >> 16, size_opcode & 0xFFFF
                if size < _HEADER.size or size % 4:
                    why = f"the Wayland compositor sent a malformed message (size {size})"
                    break
                body = await self._reader.readexactly(size - _HEADER.size)
                problem = self._dispatch(object_id, opcode, body)
                if problem is not None:
                    why = problem
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except OSError as error:
            why = f"the Wayland connection failed ({error})"
        self._end(why)

    def _dispatch(self, object_id: int, opcode: int, body: bytes) -> str | None:
        """Hand one event to its object; a reason to end the connection, or None."""
        known = self._objects.get(object_id)
        if known is None:
            return None  # an object already let go of
        interface, listener = known
        events = EVENTS.get(interface, ())
        if opcode >= len(events):
            log.debug("Wayland: %s sent an event unknown here (opcode %d)", interface, opcode)
            return None
        event, signature = events[opcode]
        try:
            args = decode(signature, body)
        except ValueError as error:
            return f"the Wayland compositor sent a malformed {interface}.{event} ({error})"
        if object_id == DISPLAY_ID:
            return self._display_event(event, args)
        if listener is not None:
            try:
                listener(event, args)
            except Exception:  # a boundary: one listener's fault must not end every object's events
                log.exception("handling the Wayland event %s.%s failed", interface, event)
        return None

    def _display_event(self, event: str, args: tuple) -> str | None:
        if event == "error":
            object_id, code, message = args
            culprit = self._objects.get(object_id, ("an object",))[0]
            return f"the Wayland compositor refused psoas's {culprit} (error {code}: {message})"
        if event == "delete_id":
            (object_id,) = args
            self._objects.pop(object_id, None)
        return None

    def _registry_event(self, event: str, args: tuple) -> None:
        if event == "global":
            name, interface, version = args
            self.globals[name] = Global(name, interface or "", version)
        elif event == "global_remove":
            removed = self.globals.pop(args[0], None)
            if removed is not None:
                for callback in list(self._on_global_removed):
                    callback(removed)

    def _end(self, why: str) -> None:
        if self.closed_because is not None:
            return
        self.closed_because = why
        with contextlib.suppress(OSError, RuntimeError):
            self._writer.close()
        for callback in list(self._on_close):
            try:
                callback(why)
            except Exception:  # a boundary: every listener hears that the connection ended
                log.exception("telling a Wayland listener that the connection ended failed")


async def connect(
    environ: Mapping[str, str] | None = None, timeout: float = CONNECT_TIMEOUT
) -> Connection:
    """A connection to the session's compositor, its globals listed; WaylandError saying why
    there is none."""
    if not sys.platform.startswith("linux"):
        raise WaylandError("Wayland is a Linux desktop's")
    path = socket_path(environ)
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_unix_connection(str(path))
    except TimeoutError:
        raise WaylandError(f"the Wayland socket {path} did not answer") from None
    except OSError as error:
        raise WaylandError(
            f"cannot reach the Wayland compositor at {path} ({error.strerror or error})"
        ) from None
    connection = Connection(reader, writer)
    connection.start()
    try:
        await connection.roundtrip(timeout)
    except WaylandError:
        connection.close()
        raise
    return connection
