"""The one exception type that reaches the user as a plain line instead of a traceback, and the
one place that reads a file the user named (a config, a scenario)."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

#: A config or a day's scenario is a few kB; a file over a MiB is the wrong file (or /dev/zero).
MAX_USER_FILE_BYTES = 1024 * 1024

# Opening a named pipe for reading waits for a writer unless it is opened non-blocking.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" for the choice closest to a mistyped ``word``, or nothing. difflib
    is loaded only when someone has mistyped something."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    from reminder.language import _

    return " " + _("(did you mean {choice}?)").format(choice=repr(close[0])) if close else ""


class UserError(Exception):
    """Bad input from the user (a file, a key, a value, an argument).

    The message is a single line that names the culprit and what is allowed; the command line prints
    it and exits with status 2.
    """

    exit_code = 2


def file_problem(path: Path, problem: OSError, what: str) -> str:
    """One line saying why the file the user named cannot be looked at or read."""
    if isinstance(problem, FileNotFoundError):
        if os.path.islink(path):
            return f"{path}: a symbolic link whose target does not exist; point it at a {what}"
        return f"{path}: no such {what}"
    if isinstance(problem, IsADirectoryError):
        return f"{path}: is a folder, not a {what}"
    if problem.errno == errno.ELOOP:
        return f"{path}: a symbolic link that loops back on itself; point it at a real {what}"
    if isinstance(problem, PermissionError):
        return (
            f"{path}: cannot be read (permission denied; check the permissions of the {what} "
            "and of the folders above it)"
        )
    return f"{path}: cannot be read ({problem.strerror or problem})"


def _not_a_file(mode: int) -> str | None:
    """What a path is when it is not a regular file ('a folder', 'a named pipe', ...), else None."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def read_user_file(path: Path, what: str, error: type[UserError] = UserError) -> str:
    """The text of a file the user named; any problem becomes one line naming the file.

    Only a regular file of at most a MiB is read: a pipe would block and a device or a huge file
    would fill the memory. A leading UTF-8 byte-order mark (some Windows editors write one) is
    dropped, and line endings are read as the text mode of ``open`` reads them.
    """
    try:
        kind = _not_a_file(os.stat(path).st_mode)  # before opening: a device is never opened
        if kind is None:
            descriptor = os.open(path, _OPEN_FLAGS)
            with open(descriptor, "rb") as file:
                kind = _not_a_file(os.fstat(file.fileno()).st_mode)  # replaced meanwhile?
                data = file.read(MAX_USER_FILE_BYTES + 1) if kind is None else b""
    except OSError as problem:
        raise error(file_problem(path, problem, what)) from None
    if kind is not None:
        raise error(f"{path}: is {kind}, not a {what}")
    if len(data) > MAX_USER_FILE_BYTES:
        raise error(
            f"{path}: is larger than {MAX_USER_FILE_BYTES // (1024 * 1024)} MiB; "
            f"a {what} is a few kB (is it the right file?)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"{path}: not a text file (a {what} must be UTF-8)") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
