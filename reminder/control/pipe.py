"""The control channel on Windows: a named pipe, opened only with the user's own secret.

Windows has no SO_PEERCRED, so the guard is a random key in a file in the user's private data
folder: multiprocessing's connection handshake (an HMAC challenge) turns away anyone who cannot
read it. The same class runs over a Unix socket in the tests, since only the transport differs.
multiprocessing's pipes block, so each connection gets a short-lived thread of its own and the
answer itself is worked out on the daemon's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import threading
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import Any

from reminder.control.protocol import (
    CLIENT_TIMEOUT,
    MAX_REQUEST,
    REQUEST_DEADLINE,
    THEN,
    Answer,
    ControlError,
    NotRunning,
    decode_reply,
    encode,
)
from reminder.paths import control_key_file, make_folder

log = logging.getLogger(__name__)


def pipe_address() -> str:
    user = os.environ.get("USERNAME", "user").replace("\\", "_")
    return rf"\\.\pipe\psoas-{user}"


def load_key(path: Path, create: bool) -> bytes:
    """The channel's secret: made by the daemon, read by the commands."""
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        if not create:
            raise NotRunning() from None
    except ValueError:
        if not create:
            raise ControlError(f"{path}: not a control key") from None
    except OSError as error:
        raise ControlError(f"{path}: cannot be read ({error.strerror or error})") from None
    make_folder(path.parent)
    key = secrets.token_bytes(32)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(key.hex())
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return key


class PipeServer:
    """Serves control requests on a named pipe (or, for tests, any multiprocessing address)."""

    def __init__(
        self,
        answer: Answer,
        key_path: Path | None = None,
        address: str | None = None,
        family: str = "AF_PIPE",
    ) -> None:
        self.answer = answer
        self.address = address or pipe_address()
        key = load_key(key_path or control_key_file(), True)
        self.listener = Listener(self.address, family=family, authkey=key)
        self.path = self.address
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        threading.Thread(target=self._accept, name="control", daemon=True).start()

    async def stop(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                connection = self.listener.accept()
            except (AuthenticationError, EOFError, ConnectionError) as error:  # no key: refused
                log.warning("refused a control connection: %s", type(error).__name__)
                continue
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: Connection) -> None:
        with connection:
            try:
                if not connection.poll(REQUEST_DEADLINE):
                    raise ControlError(f"request timed out ({REQUEST_DEADLINE:g} s)")
                line = connection.recv_bytes(MAX_REQUEST)
                assert self._loop is not None
                future = asyncio.run_coroutine_threadsafe(self.answer(line), self._loop)
                reply = future.result(REQUEST_DEADLINE)
            except ControlError as error:
                reply = {"ok": False, "error": str(error)}
            except (OSError, EOFError, TimeoutError) as error:
                reply = {"ok": False, "error": str(error) or "not a request"}
            then = reply.pop(THEN, None)
            with contextlib.suppress(OSError):
                connection.send_bytes(encode(reply))
            if then is not None and self._loop is not None:
                self._loop.call_soon_threadsafe(then)


def pipe_request(
    line: bytes, key_path: Path | None = None, address: str | None = None, family: str = "AF_PIPE"
) -> dict[str, Any]:
    key = load_key(key_path or control_key_file(), create=False)
    try:
        with Client(address or pipe_address(), family=family, authkey=key) as connection:
            connection.send_bytes(line)
            if not connection.poll(CLIENT_TIMEOUT):
                raise ControlError("cannot talk to the running psoas: timed out")
            data = connection.recv_bytes(1 << 20)
    except (FileNotFoundError, ConnectionRefusedError):
        raise NotRunning() from None
    except AuthenticationError:
        raise ControlError("refused: this is not the control key of the running psoas") from None
    except (OSError, EOFError) as error:
        raise ControlError(f"cannot talk to the running psoas: {error}") from None
    return decode_reply(data)
