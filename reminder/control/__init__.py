"""The control channel: ``psoas status``, ``snooze``, ``quit``... reach the running daemon.

``protocol`` is the language both ends speak; ``client`` is the command line's end; ``handler``
answers on the daemon's loop; ``unix`` (a private socket) and ``pipe`` (Windows) carry it. The
one choice between the two transports is :func:`open_server` here, and ``client.send``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Protocol

from reminder.control.protocol import Answer


class Server(Protocol):
    path: object

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def open_server(answer: Answer, folder: Path) -> Server:
    """The server for this platform (not started yet); ControlError or OSError if it cannot be."""
    if sys.platform == "win32":
        from reminder.control.pipe import PipeServer
        from reminder.paths import control_key_file

        return PipeServer(answer, control_key_file())
    from reminder.control.unix import UnixServer

    return UnixServer(answer, folder)
