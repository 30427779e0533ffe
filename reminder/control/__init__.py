"""The control channel: ``psoas status``, ``snooze``, ``quit``... reach the running daemon.

``protocol`` is the language both ends speak; ``client`` is the command line's end; ``handler``
answers on the daemon's loop; ``unix`` (a private socket) and ``pipe`` (Windows) carry it. Which
transport this platform uses is decided here and only here.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Protocol

from reminder.control.protocol import Answer

#: Each transport's server and client, imported only when used: "module:name".
TRANSPORTS = {
    "unix": ("reminder.control.unix:UnixServer", "reminder.control.client:unix_request"),
    "pipe": ("reminder.control.pipe:PipeServer", "reminder.control.pipe:pipe_request"),
}
#: The one this platform uses.
TRANSPORT = "pipe" if sys.platform == "win32" else "unix"


class Server(Protocol):
    path: object

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def load(which: int) -> Any:
    """This platform's server class (0) or client function (1)."""
    module, name = TRANSPORTS[TRANSPORT][which].split(":")
    return getattr(importlib.import_module(module), name)


def open_server(answer: Answer) -> Server:
    """The server for this platform (not started yet); ControlError or OSError if it cannot be."""
    return load(0)(answer)
