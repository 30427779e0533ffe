"""The control channel: ``psoas status``, ``snooze``, ``quit``... talk to the running daemon.

A Unix socket in a folder only the user can enter, the socket itself mode 0600, and the peer's uid
checked on every connection (SO_PEERCRED): the daemon obeys only its own user. One JSON object per
line each way; anything else gets a polite error and the connection is closed.

One daemon per user: the daemon holds an exclusive lock on ``psoas.lock`` beside the socket. The
kernel drops the lock when the process dies, however it dies, so a lock or socket left by a crash
is recognised as stale and cleaned up.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import socket
import stat
import struct
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reminder import APP_NAME

log = logging.getLogger(__name__)

#: A handler's reply may carry, under this key, something to do after the reply is sent.
THEN = "then"
MAX_REQUEST = 4096  # bytes: a request is a short JSON line
CLIENT_TIMEOUT = 5.0


class ControlError(Exception):
    """The channel cannot be used; the message says why in one line."""


class NotRunning(ControlError):
    pass


class AlreadyRunning(ControlError):
    def __init__(self, pid: int | None) -> None:
        super().__init__(f"already running (pid {pid})" if pid else "already running")
        self.pid = pid


def runtime_dir() -> Path:
    """A folder only this user can enter: the user's runtime dir, else one in the temp dir."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and Path(base).is_dir():
        return Path(base) / APP_NAME
    return Path(tempfile.gettempdir()) / f"{APP_NAME}-{_uid()}"


def _private_dir(folder: Path) -> Path:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != _uid():
        raise ControlError(f"{folder}: not a folder of this user's; refusing to use it")
    if info.st_mode & 0o077:
        os.chmod(folder, 0o700)
    return folder


def _uid() -> int:
    return os.getuid() if hasattr(os, "getuid") else 0


def socket_path(folder: Path | None = None) -> Path:
    return (folder or runtime_dir()) / "psoas.sock"


def peer_uid(connection: socket.socket) -> int | None:
    """The uid of the process at the other end, where the system tells it."""
    if hasattr(socket, "SO_PEERCRED"):
        creds = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        return struct.unpack("3i", creds)[1]
    return None  # elsewhere the private folder is the guard


class InstanceLock:
    """Held by the running daemon for as long as it lives."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = _private_dir(folder or runtime_dir())
        self.path = self.folder / "psoas.lock"
        self._file: Any = None

    def acquire(self) -> None:
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for the daemon's lifetime
        try:
            _lock(handle)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EDEADLK):
                raise
            handle.seek(0)
            text = handle.read().strip()
            handle.close()
            raise AlreadyRunning(int(text) if text.isdigit() else None) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _lock(handle: Any) -> None:
    """An exclusive, non-blocking lock the system drops when the process dies."""
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        return
    import fcntl

    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)


Handler = Callable[[dict[str, Any]], dict[str, Any]]


class ControlServer:
    """Accepts connections in one thread that blocks in accept(): no polling."""

    def __init__(self, handler: Handler, folder: Path | None = None) -> None:
        self.handler = handler
        self.path = socket_path(_private_dir(folder or runtime_dir()))
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.refused = 0

    def start(self) -> None:
        """Bind the socket (removing one a crashed daemon left) and serve in the background."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # only the lock holder gets here, so any socket file is stale
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            server.bind(str(self.path))
        finally:
            os.umask(old_umask)
        os.chmod(self.path, 0o600)
        server.listen(8)
        self._socket = server
        self._thread = threading.Thread(target=self._serve, name="control", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
            self._socket.close()
            self._socket = None
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def _serve(self) -> None:
        while self._socket is not None:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return  # closed by stop()
            with connection:
                self._answer(connection)

    def _answer(self, connection: socket.socket) -> None:
        connection.settimeout(CLIENT_TIMEOUT)
        uid = peer_uid(connection)
        if uid is not None and uid != _uid():
            self.refused += 1
            log.warning("refused a control connection from uid %s", uid)
            _send(connection, {"ok": False, "error": "refused: not the owner of this psoas"})
            return
        try:
            request = _receive(connection)
        except ControlError as error:
            _send(connection, {"ok": False, "error": str(error)})
            return
        try:
            reply = self.handler(request)
        except ControlError as error:
            reply = {"ok": False, "error": str(error)}
        then = reply.pop(THEN, None)
        _send(connection, reply)
        if then is not None:
            then()  # e.g. quit: only once the caller has its answer


def _receive(connection: socket.socket) -> dict[str, Any]:
    data = b""
    try:
        while b"\n" not in data and len(data) <= MAX_REQUEST:
            chunk = connection.recv(1024)
            if not chunk:
                break
            data += chunk
    except TimeoutError:
        raise ControlError("request timed out") from None
    if len(data) > MAX_REQUEST:
        raise ControlError("request too long")
    try:
        request = json.loads(data.split(b"\n", 1)[0].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ControlError("not a request: send one JSON object on one line") from None
    if not isinstance(request, dict) or not isinstance(request.get("command"), str):
        raise ControlError('not a request: expected {"command": ...}')
    return request


def _send(connection: socket.socket, reply: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        connection.sendall(json.dumps(reply).encode("utf-8") + b"\n")


def request(command: dict[str, Any], folder: Path | None = None) -> dict[str, Any]:
    """Send one request to the running daemon and return its reply."""
    if sys.platform == "win32":
        from reminder.control_pipe import key_path, pipe_request

        return pipe_request(command, key_path())
    path = socket_path(folder)
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise NotRunning("psoas is not running") from None
    if not stat.S_ISSOCK(info.st_mode):
        raise ControlError(f"{path}: not a socket; refusing to use it")
    if info.st_uid != _uid() or info.st_mode & 0o077:
        raise ControlError(
            f"{path}: not private to this user (mode {info.st_mode & 0o777:o}); refusing"
        )
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(CLIENT_TIMEOUT)
    try:
        client.connect(str(path))
        client.sendall(json.dumps(command).encode("utf-8") + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = client.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionRefusedError, FileNotFoundError):
        raise NotRunning("psoas is not running (a stale socket was left behind)") from None
    except OSError as error:
        raise ControlError(f"cannot talk to psoas: {error.strerror or error}") from None
    finally:
        client.close()
    try:
        reply = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ControlError("psoas sent an answer that is not JSON") from None
    if not isinstance(reply, dict):
        raise ControlError("psoas sent an answer that is not an object")
    return reply
