"""A small client of the X11 protocol, on the daemon's asyncio loop, in pure Python.

psoas asks an X server four things: how long ago the last input was (the MIT-SCREEN-SAVER
extension), a window's property (which window is fullscreen), an atom's number, and who owns a
selection (is there an XEmbed tray). That is a handful of requests, so this speaks the wire
protocol over the server's Unix socket directly, as reminder.bus does for D-Bus and
reminder.bus.wayland for Wayland: no python-xlib (2 MiB of the daemon, and blocking calls
that a stopped server would hang, so a worker thread for each), no thread. Every request has a
deadline; a server that does not answer in time, closes the connection or says something
malformed ends the connection with one reason (:class:`X11Error`), and the next request connects
afresh.

The wire format (the X Window System Protocol, X11R7): requests in the client's byte order
(little-endian here), each a one-byte opcode, a byte, a two-byte length in 4-byte units, then its
fields; replies 32 bytes plus ``4 * length``; errors and events 32 bytes, told apart by their first
byte. The connection is authorised with the MIT-MAGIC-COOKIE-1 of the user's Xauthority file,
where there is one for this display.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reminder.language import _

#: How long connecting, or one request, may take before the server counts as not answering.
DEADLINE = 0.5
_SUCCESS, _REPLY, _ERROR = 1, 1, 0
_INTERN_ATOM, _GET_PROPERTY, _GET_SELECTION_OWNER, _QUERY_EXTENSION = 16, 20, 23, 98
_SCREEN_SAVER_QUERY_INFO = 1  # minor opcode of MIT-SCREEN-SAVER
_FAMILY_LOCAL, _FAMILY_WILD = 256, 0xFFFF
_COOKIE = b"MIT-MAGIC-COOKIE-1"
#: The largest reply psoas reads (a window list of the stacking order: a few kB).
_REPLY_CAP = 1 << 20


class X11Error(OSError):
    """The X server cannot be reached, refused, failed to answer in time, or said no."""


class NoAnswer(X11Error, TimeoutError):
    """The X server did not answer within the deadline: stopped, hung or swapping."""

    @classmethod
    def after(cls, display: Display, deadline: float) -> NoAnswer:
        """The error of ``display`` having said nothing for ``deadline`` seconds."""
        said = _("the X display :{number} gave no answer within {seconds} s")
        return cls(said.format(number=display.number, seconds=f"{deadline:g}"))


class Refused(X11Error):
    """The server answered one request with an error (a window that has closed meanwhile): the
    connection itself is fine."""

    def __init__(self, code: int) -> None:
        super().__init__(_("the X server answered error {code}").format(code=code))
        self.code = code


@dataclass(frozen=True)
class Display:
    """Where an X display is: its socket, its number, and the screen asked for."""

    socket: str  # a path, or "\0..." for the abstract namespace
    number: str
    screen: int


def parse_display(name: str | None) -> Display:
    """``:0``, ``:1.0``, ``unix:2``; X11Error for a display on another host (psoas reads the
    desktop it runs on) or a name that is none."""
    if not name:
        raise X11Error(_("no X display (DISPLAY is not set)"))
    host, sep, rest = name.rpartition(":")
    if not sep or host not in ("", "unix") or not rest:
        raise X11Error(
            _("X display {name}: only a local display is read (':N')").format(name=repr(name))
        )
    number, _dot, screen = rest.partition(".")
    if not number.isdigit() or (screen and not screen.isdigit()):
        raise X11Error(_("X display {name} is not ':N' or ':N.S'").format(name=repr(name)))
    return Display(f"/tmp/.X11-unix/X{number}", number, int(screen or 0))


def cookie(display: Display, environ: Mapping[str, str] | None = None) -> bytes | None:
    """The MIT-MAGIC-COOKIE-1 for a local display in the user's Xauthority file, if any."""
    env = os.environ if environ is None else environ
    path = env.get("XAUTHORITY") or str(Path(env.get("HOME", "~")).expanduser() / ".Xauthority")
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    host = socket.gethostname().encode()
    at, found = 0, None
    try:
        while at < len(data):
            (family,) = struct.unpack_from(">H", data, at)
            at += 2
            fields = []
            for _field in range(4):  # address, display number, name, data
                (length,) = struct.unpack_from(">H", data, at)
                if at + 2 + length > len(data):
                    return None  # cut short: try without
                fields.append(data[at + 2 : at + 2 + length])
                at += 2 + length
            address, number, name, secret = fields
            if name != _COOKIE or number not in (b"", display.number.encode()):
                continue
            if family == _FAMILY_WILD or (family == _FAMILY_LOCAL and address == host):
                found = secret
                break
    except struct.error:
        return None  # a damaged file: try without
    return found


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


class Connection:
    """One connection to an X server; requests are answered in order, one at a time."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        display: Display,
        root: int,
        deadline: float = DEADLINE,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self.display = display
        self.root = root  # the screen's root window
        self.deadline = deadline
        self._sequence = 0
        self._lock = asyncio.Lock()
        self._extensions: dict[str, int | None] = {}
        self._atoms: dict[str, int] = {}  # an atom's number never changes while the server runs
        self.closed = False

    def close(self) -> None:
        self.closed = True
        with contextlib.suppress(OSError, RuntimeError):
            self._writer.close()

    async def request(self, opcode: int, data: int, body: bytes) -> bytes:
        """Send one request that has a reply and return the reply (its 32 bytes and more).
        :class:`Refused` for an error answer; X11Error for a late answer, a malformed one or a
        lost connection, which all end the connection."""
        if self.closed:
            raise X11Error(
                _("the connection to the X display :{number} is closed").format(
                    number=self.display.number
                )
            )
        deadline = self.deadline
        length = (4 + len(body)) // 4
        message = struct.pack("<BBH", opcode, data, length) + body
        async with self._lock:
            self._sequence = (self._sequence + 1) & 0xFFFF
            wanted = self._sequence
            try:
                async with asyncio.timeout(deadline):
                    self._writer.write(message)
                    while True:
                        head = await self._reader.readexactly(32)
                        kind = head[0]
                        (sequence,) = struct.unpack_from("<H", head, 2)
                        if kind == _REPLY:
                            (more,) = struct.unpack_from("<I", head, 4)
                            if 4 * more > _REPLY_CAP:
                                raise X11Error(
                                    _("an X reply of {size} bytes: too large").format(size=4 * more)
                                )
                            reply = head + await self._reader.readexactly(4 * more)
                            if sequence == wanted:
                                return reply
                        elif kind == _ERROR and sequence == wanted:
                            raise Refused(head[1])
                        # an event, or an answer to a request given up on: passed over
            except Refused:
                raise
            except asyncio.CancelledError:
                self.close()  # a reply may be half read: the stream is out of step
                raise
            except TimeoutError:
                self.close()
                raise NoAnswer.after(self.display, deadline) from None
            except X11Error:
                self.close()
                raise
            except (asyncio.IncompleteReadError, OSError, RuntimeError) as error:
                self.close()
                why = (
                    _("closed by the server")
                    if isinstance(error, asyncio.IncompleteReadError)
                    else getattr(error, "strerror", None) or error
                )
                raise X11Error(
                    _("the connection to the X display :{number} was lost ({why})").format(
                        number=self.display.number, why=why
                    )
                ) from None

    async def atom(self, name: str, only_if_exists: bool = True) -> int:
        """The number of the atom ``name`` (0 when it does not exist and may not be made)."""
        if name in self._atoms:
            return self._atoms[name]
        encoded = name.encode()
        body = struct.pack("<HH", len(encoded), 0) + _pad(encoded)
        reply = await self.request(_INTERN_ATOM, int(only_if_exists), body)
        (number,) = struct.unpack_from("<I", reply, 8)
        if number:
            self._atoms[name] = number
        return number

    async def property(self, window: int, name: str, longest: int = 4096) -> tuple[int, bytes]:
        """A window's property: (its format, 8/16/32, and its bytes); (0, b"") when unset."""
        atom = await self.atom(name)
        if not atom:
            return 0, b""
        body = struct.pack("<IIIII", window, atom, 0, 0, longest)
        reply = await self.request(_GET_PROPERTY, 0, body)
        fmt = reply[1]
        (count,) = struct.unpack_from("<I", reply, 16)
        return fmt, reply[32 : 32 + count * max(fmt, 8) // 8]

    async def words(self, window: int, name: str) -> list[int] | None:
        """A property of 32-bit values (windows, atoms), as numbers; None when it is unset."""
        fmt, data = await self.property(window, name)
        if fmt != 32:
            return None
        return list(struct.unpack(f"<{len(data) // 4}I", data[: len(data) // 4 * 4]))

    async def selection_owner(self, name: str) -> int:
        """The window owning a selection (0: nobody)."""
        atom = await self.atom(name)
        if not atom:
            return 0
        reply = await self.request(_GET_SELECTION_OWNER, 0, struct.pack("<I", atom))
        return struct.unpack_from("<I", reply, 8)[0]

    async def extension(self, name: str) -> int | None:
        """An extension's major opcode, or None when the server lacks it."""
        if name not in self._extensions:
            encoded = name.encode()
            body = struct.pack("<HH", len(encoded), 0) + _pad(encoded)
            reply = await self.request(_QUERY_EXTENSION, 0, body)
            self._extensions[name] = reply[9] if reply[8] else None
        return self._extensions[name]

    async def idle_milliseconds(self) -> int:
        """Milliseconds since the last input the server saw (MIT-SCREEN-SAVER)."""
        major = await self.extension("MIT-SCREEN-SAVER")
        if major is None:
            raise X11Error(_("the X server has no MIT-SCREEN-SAVER extension"))
        reply = await self.request(major, _SCREEN_SAVER_QUERY_INFO, struct.pack("<I", self.root))
        return struct.unpack_from("<I", reply, 16)[0]


def _root_of(setup: bytes, screen: int) -> int:
    """The root window of screen ``screen`` in the server's setup reply (after its 8 bytes)."""
    vendor_length, screens, formats = struct.unpack_from("<H", setup, 16)[0], setup[20], setup[21]
    if screen >= screens:
        raise X11Error(_("the X display has no screen {screen}").format(screen=screen))
    at = 32 + vendor_length + (-vendor_length % 4) + 8 * formats
    for _screen in range(screen):  # each SCREEN: 40 bytes, then its depths and their visuals
        depths = setup[at + 39]
        at += 40
        for _depth in range(depths):
            visuals = struct.unpack_from("<H", setup, at + 2)[0]
            at += 8 + 24 * visuals
    return struct.unpack_from("<I", setup, at)[0]


async def connect(
    display: Display, deadline: float = DEADLINE, environ: Mapping[str, str] | None = None
) -> Connection:
    """A connection to ``display``; X11Error saying why there is none."""
    env = os.environ if environ is None else environ
    secret = cookie(display, env)
    name_field = _COOKIE if secret else b""
    setup = struct.pack("<BxHHHHxx", 0x6C, 11, 0, len(name_field), len(secret or b""))
    setup += _pad(name_field) + _pad(secret or b"")
    try:
        async with asyncio.timeout(deadline):
            try:
                reader, writer = await asyncio.open_unix_connection(display.socket)
            except OSError:  # Linux's abstract socket, where the file is not there
                reader, writer = await asyncio.open_unix_connection("\0" + display.socket)
            writer.write(setup)
            head = await reader.readexactly(8)
            (more,) = struct.unpack_from("<H", head, 6)
            body = await reader.readexactly(4 * more)
    except TimeoutError:
        raise NoAnswer.after(display, deadline) from None
    except (OSError, asyncio.IncompleteReadError) as error:
        why = getattr(error, "strerror", None) or error
        raise X11Error(
            _("cannot reach the X display :{number} ({why})").format(number=display.number, why=why)
        ) from None
    if head[0] != _SUCCESS:
        writer.close()
        reason = body[: head[1]].decode(errors="replace").strip() or _("refused")
        raise X11Error(
            _("the X display :{number} refused psoas ({reason})").format(
                number=display.number, reason=reason
            )
        )
    try:
        root = _root_of(body, display.screen)
    except (struct.error, IndexError):
        writer.close()
        raise X11Error(
            _("the X display :{number} sent a malformed setup").format(number=display.number)
        ) from None
    return Connection(reader, writer, display, root, deadline)


class Link:
    """The connection an adapter keeps to one display: made at the first request, and made
    again at the next one after it was lost, so a source comes back by itself once the server
    answers again."""

    def __init__(self, name: str | None, deadline: float = DEADLINE) -> None:
        self.display = parse_display(name)
        self.deadline = deadline
        self._connection: Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opening = asyncio.Lock()

    async def connection(self) -> Connection:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # streams belong to the loop they were made on
            self.close()
            self._loop, self._opening = loop, asyncio.Lock()
        async with self._opening:
            if self._connection is None or self._connection.closed:
                self._connection = await connect(self.display, self.deadline)
            return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
