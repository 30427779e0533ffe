"""The command-line end of the control channel: one request, one reply, no daemon code loaded.

``psoas status`` and friends import this and the protocol, nothing else of psoas: a command that
only asks is as quick to start as Python itself.
"""

from __future__ import annotations

import socket
import stat
from pathlib import Path
from typing import Any

from reminder.control.protocol import (
    CLIENT_TIMEOUT,
    ControlError,
    NotRunning,
    Request,
    decode_reply,
)
from reminder.paths import (
    SOCKET_PATH_MAX,
    NotPrivate,
    check_private,
    socket_file,
    socket_path_fits,
    user_id,
)


def send(request: Request) -> dict[str, Any]:
    """The daemon's reply to ``request``, over this platform's transport."""
    from reminder.control import platform_request

    return platform_request()(request.to_line())


def unix_request(line: bytes, folder: Path | None = None) -> dict[str, Any]:
    """Send one request to the running daemon and return its reply."""
    path = socket_file(folder)
    try:
        check_private(path.parent)  # a socket in a folder others may write in may be theirs
    except NotPrivate as error:
        raise ControlError(str(error)) from None
    except OSError:
        pass  # no folder: nothing runs, as the socket's absence says below
    try:
        info = path.lstat()
    except FileNotFoundError:
        if not socket_path_fits(path):  # the daemon could not make it either
            raise ControlError(
                f"{path}: longer than a Unix socket's path may be ({SOCKET_PATH_MAX - 1} bytes), "
                "so psoas, running or not, cannot be reached; set a shorter XDG_RUNTIME_DIR"
            ) from None
        raise NotRunning() from None
    except OSError as error:
        raise ControlError(f"{path.parent}: cannot be used ({error.strerror or error})") from None
    if not stat.S_ISSOCK(info.st_mode):
        raise ControlError(f"{path}: not a socket; refusing to use it")
    if info.st_uid != user_id():
        raise ControlError(f"{path}: belongs to uid {info.st_uid}, not to you; refusing to use it")
    if info.st_mode & 0o077:
        raise ControlError(
            f"{path}: others may open it (mode {info.st_mode & 0o777:o}, wanted 600); refusing"
        )
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(CLIENT_TIMEOUT)
    data = b""
    try:
        client.connect(str(path))
        client.sendall(line)
        while not data.endswith(b"\n") and len(data) < 1 << 20:
            chunk = client.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionRefusedError, FileNotFoundError):
        raise NotRunning() from None
    except OSError as error:
        raise ControlError(f"cannot talk to the running psoas: {error.strerror or error}") from None
    finally:
        client.close()
    return decode_reply(data)
