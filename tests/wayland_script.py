"""A scripted Wayland compositor for the protocol's edge cases: it offers the globals a test names,
answers ``wl_display.sync``, records every request, and sends whatever a test tells it to, well
formed or not.

Its wire code is written here from the protocol's description, apart from psoas's own, so a
mistake in one is not hidden by the same mistake in the other. The real compositors (sway, KWin)
are in the desktop tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from dataclasses import dataclass, field
from pathlib import Path


def message(object_id: int, opcode: int, body: bytes = b"") -> bytes:
    return struct.pack("=II", object_id, (8 + len(body)) << 16 | opcode) + body


def string(text: str) -> bytes:
    data = text.encode() + b"\0"
    return struct.pack("=I", len(data)) + data + b"\0" * (-len(data) % 4)


def words(*values: int) -> bytes:
    return b"".join(struct.pack("=I", value) for value in values)


@dataclass
class Request:
    object_id: int
    opcode: int
    body: bytes

    def word(self, index: int) -> int:
        return struct.unpack_from("=I", self.body, 4 * index)[0]


@dataclass
class ScriptedCompositor:
    """Serves one client at ``path``, offering globals (interface, version) numbered from 1."""

    path: Path
    offered: list[tuple[str, int]]
    answer_sync: bool = True
    requests: list[Request] = field(default_factory=list)
    registry: int | None = None
    binds: dict[str, tuple[int, int]] = field(default_factory=dict)  # interface -> (id, version)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    _writer: asyncio.StreamWriter | None = None
    _server: asyncio.AbstractServer | None = None

    async def __aenter__(self) -> ScriptedCompositor:
        if self._server is None:  # entered once, whoever enters first
            self._server = await asyncio.start_unix_server(self._serve, str(self.path))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.hang_up()
        assert self._server is not None
        self._server.close()
        with contextlib.suppress(Exception):
            await self._server.wait_closed()

    def global_name(self, interface: str) -> int:
        return next(i for i, (name, _) in enumerate(self.offered, 1) if name == interface)

    def send(self, data: bytes) -> None:
        assert self._writer is not None, "no client yet"
        self._writer.write(data)

    def send_event(self, object_id: int, opcode: int, body: bytes = b"") -> None:
        self.send(message(object_id, opcode, body))

    def hang_up(self) -> None:
        if self._writer is not None:
            self._writer.close()

    async def wait_for(self, predicate, timeout: float = 2.0):
        async with asyncio.timeout(timeout):
            while not (found := predicate()):
                self.changed.clear()
                await self.changed.wait()
        return found

    def made(self, interface_opcode: tuple[int, int]) -> Request | None:
        """The first request sent to an object id with an opcode."""
        object_id, opcode = interface_opcode
        return next(
            (r for r in self.requests if r.object_id == object_id and r.opcode == opcode), None
        )

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        try:
            while True:
                object_id, size_opcode = struct.unpack("=II", await reader.readexactly(8))
                body = await reader.readexactly((size_opcode >> 16) - 8)
                request = Request(object_id, size_opcode & 0xFFFF, body)
                self.requests.append(request)
                self._answer(request)
                self.changed.set()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass

    def _answer(self, request: Request) -> None:
        if request.object_id == 1 and request.opcode == 1:  # wl_display.get_registry
            self.registry = request.word(0)
            for name, (interface, version) in enumerate(self.offered, 1):
                self.send_event(self.registry, 0, words(name) + string(interface) + words(version))
        elif request.object_id == 1 and request.opcode == 0 and self.answer_sync:  # sync
            self.send_event(request.word(0), 0, words(0))  # wl_callback.done
            self.send_event(1, 1, words(request.word(0)))  # wl_display.delete_id
        elif request.object_id == self.registry and request.opcode == 0:  # wl_registry.bind
            (length,) = struct.unpack_from("=I", request.body, 4)
            interface = request.body[8 : 8 + length - 1].decode()
            at = 8 + length + (-length % 4)
            version, new_id = struct.unpack_from("=II", request.body, at)
            self.binds[interface] = (new_id, version)
