"""The control channel: ``psoas status``, ``snooze``, ``quit``... reach the running daemon.

``protocol`` is the language both ends speak; ``client`` is the command line's end (the daemon's
answers are reminder.runtime.requests); ``unix`` (a private socket) and ``pipe`` (Windows) carry
it. Which
transport this platform uses is decided here and only here.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, NamedTuple, Protocol

from reminder.control.protocol import Answer


class Transport(NamedTuple):
    """Where a transport's server class and client function are ("module:name"), imported only
    when used."""

    server: str
    client: str


TRANSPORTS = {
    "unix": Transport("reminder.control.unix:UnixServer", "reminder.control.client:unix_request"),
    "pipe": Transport("reminder.control.pipe:PipeServer", "reminder.control.pipe:pipe_request"),
}
#: The one this platform uses.
TRANSPORT = "pipe" if sys.platform == "win32" else "unix"


class Server(Protocol):
    path: object

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def _load(where: str) -> Any:
    module, name = where.split(":")
    return getattr(importlib.import_module(module), name)


def open_server(answer: Answer) -> Server:
    """The server for this platform (not started yet); ControlError or OSError if it cannot be."""
    return _load(TRANSPORTS[TRANSPORT].server)(answer)


def platform_request() -> Any:
    """This platform's client function: a request line in, the daemon's answer out."""
    return _load(TRANSPORTS[TRANSPORT].client)
