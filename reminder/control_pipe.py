"""The control channel on Windows: a named pipe, opened only with the user's own secret.

Windows has no SO_PEERCRED, so the guard is a random key in a file in the user's private data
folder: multiprocessing's connection handshake (an HMAC challenge) turns away anyone who cannot
read it. The same class runs over a Unix socket in the tests, since only the transport differs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import threading
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Listener
from pathlib import Path
from typing import Any

from reminder.control import THEN, ControlError, Handler, NotRunning

log = logging.getLogger(__name__)


def key_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("psoas", appauthor=False) / "control.key"


def pipe_address() -> str:
    user = os.environ.get("USERNAME", "user").replace("\\", "_")
    return rf"\\.\pipe\psoas-{user}"


def load_key(path: Path, create: bool) -> bytes:
    """The channel's secret: made by the daemon, read by the commands."""
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        if not create:
            raise NotRunning("psoas is not running") from None
    except ValueError:
        if not create:
            raise ControlError(f"{path}: not a control key") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(key.hex())
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return key


class PipeServer:
    """Serves control requests on a named pipe (or, for tests, any multiprocessing address)."""

    def __init__(
        self, handler: Handler, key_path: Path, address: str | None = None, family: str = "AF_PIPE"
    ) -> None:
        self.handler = handler
        self.address = address or pipe_address()
        self.listener = Listener(self.address, family=family, authkey=load_key(key_path, True))
        self.path = self.address

    def start(self) -> None:
        threading.Thread(target=self._serve, name="control", daemon=True).start()

    def stop(self) -> None:
        self.listener.close()

    def _serve(self) -> None:
        while True:
            try:
                connection = self.listener.accept()
            except OSError:
                return  # closed
            except (AuthenticationError, EOFError, ConnectionError) as error:  # no key: refused
                log.warning("refused a control connection: %s", type(error).__name__)
                continue
            with connection:
                try:
                    request = json.loads(connection.recv_bytes(4096).decode("utf-8"))
                    if not isinstance(request, dict) or not isinstance(request.get("command"), str):
                        raise ControlError('not a request: expected {"command": ...}')
                    reply = self.handler(request)
                except (OSError, EOFError, ValueError, ControlError) as error:
                    reply = {"ok": False, "error": str(error) or "not a request"}
                then = reply.pop(THEN, None)
                with contextlib.suppress(OSError):
                    connection.send_bytes(json.dumps(reply).encode("utf-8"))
                if then is not None:
                    then()


def pipe_request(
    command: dict[str, Any], key_path: Path, address: str | None = None, family: str = "AF_PIPE"
) -> dict[str, Any]:
    key = load_key(key_path, create=False)
    try:
        with Client(address or pipe_address(), family=family, authkey=key) as connection:
            connection.send_bytes(json.dumps(command).encode("utf-8"))
            reply = json.loads(connection.recv_bytes(65536).decode("utf-8"))
    except (FileNotFoundError, ConnectionRefusedError):
        raise NotRunning("psoas is not running") from None
    except AuthenticationError:
        raise ControlError("refused: this is not the control key of the running psoas") from None
    except (OSError, EOFError) as error:
        raise ControlError(f"cannot talk to psoas: {error}") from None
    if not isinstance(reply, dict):
        raise ControlError("psoas sent an answer that is not an object")
    return reply
