"""The control channel on Unix: a socket only this user can open, served on the daemon's loop.

The socket lives in a folder only the user can enter, is itself mode 0600, and the peer's uid is
checked on every connection (SO_PEERCRED): the daemon obeys only its own user. Each connection is
its own task with one deadline for the whole request, so a slow or silent client is dropped without
holding up anyone else, and whatever a request contains, the server goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import struct
from pathlib import Path
from typing import Any

from reminder.control.protocol import (
    MAX_REQUEST,
    REQUEST_DEADLINE,
    THEN,
    Answer,
    ControlError,
    encode,
)
from reminder.paths import private_dir, runtime_dir, socket_file, socket_path_fits, user_id

log = logging.getLogger(__name__)


def peer_uid(connection: socket.socket) -> int | None:
    """The uid of the process at the other end, where the system tells it."""
    if hasattr(socket, "SO_PEERCRED"):
        creds = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return struct.unpack("3i", creds)[1]
    return None  # elsewhere the private folder is the guard


class UnixServer:
    """Serves control requests on the loop, one task per connection."""

    def __init__(self, answer: Answer, folder: Path | None = None) -> None:
        self.answer = answer
        try:
            self.path = socket_file(private_dir(folder or runtime_dir()))
        except OSError as error:
            raise ControlError(str(error)) from None
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        """Bind the socket (replacing one a crashed daemon left) and start serving.

        It is bound and listening under a name of its own first, then renamed into place: a
        client never finds a socket that refuses it because psoas has not begun to listen.
        """
        if not socket_path_fits(self.path):
            raise OSError(f"AF_UNIX path too long: {self.path}")
        ready = self.path.with_name(f".{os.getpid()}")  # short: the path's length is limited
        ready.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            old_umask = os.umask(0o177)
            try:
                listener.bind(str(ready))
            finally:
                os.umask(old_umask)
            os.chmod(ready, 0o600)
            listener.listen(socket.SOMAXCONN)
            # Only the lock holder gets here, so a socket already at the path is stale.
            os.replace(ready, self.path)
        except OSError:
            listener.close()
            ready.unlink(missing_ok=True)
            raise
        self._server = await asyncio.start_unix_server(
            self._serve, sock=listener, limit=MAX_REQUEST
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            reply = await self._reply(reader, writer)
            then = reply.pop(THEN, None)
            writer.write(encode(reply))
            await asyncio.wait_for(writer.drain(), REQUEST_DEADLINE)
            if then is not None:
                then()  # e.g. quit: only once the caller has its answer
        except (OSError, TimeoutError):
            pass  # the client went away or stopped reading: its loss, nobody else's
        except Exception:  # a boundary: no request, however odd, may end the server
            log.exception("a control connection failed")
        finally:
            writer.close()

    async def _reply(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> dict[str, Any]:
        uid = peer_uid(writer.get_extra_info("socket"))
        if uid is not None and uid != user_id():
            log.warning("refused a control connection from uid %s", uid)
            return {"ok": False, "error": "refused: not the owner of this psoas"}
        try:
            line = await asyncio.wait_for(reader.readuntil(b"\n"), REQUEST_DEADLINE)
        except TimeoutError:
            return {"ok": False, "error": f"request timed out ({REQUEST_DEADLINE:g} s)"}
        except asyncio.LimitOverrunError:
            return {"ok": False, "error": f"request too long (at most {MAX_REQUEST} bytes)"}
        except asyncio.IncompleteReadError as partial:
            line = partial.partial  # the client closed its end after the request: fine
        try:
            return await asyncio.wait_for(self.answer(line), REQUEST_DEADLINE)
        except ControlError as error:
            return {"ok": False, "error": str(error)}
        except TimeoutError:
            return {"ok": False, "error": "psoas did not answer in time"}
