"""The one exception type that reaches the user as a plain line instead of a traceback."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """Bad input from the user (a file, a key, a value, an argument).

    The message is a single line that names the culprit and what is allowed; the command line prints
    it and exits with status 2.
    """

    exit_code = 2


def read_user_file(path: Path, what: str, error: type[UserError] = UserError) -> str:
    """The text of a file the user named; any problem becomes one line naming the file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what}") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not a text file (a {what} must be UTF-8)") from None
    except OSError as problem:
        raise error(f"{path}: cannot be read ({problem.strerror or problem})") from None
