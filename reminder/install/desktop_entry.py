"""psoas in the application menu, and the freedesktop Desktop Entry format that both the menu
entry and the login entry (:mod:`reminder.install.autostart`) are written in.

The command is an argument list, quoted by the Exec rules of the Desktop Entry Specification and
then escaped as one of its strings: no shell string is ever built. Every entry psoas writes says
so in a key of its own, and psoas overwrites or removes only such a file: an entry someone else
put at the same place is left as it is.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from reminder import APP_NAME, paths

#: The key that marks an entry as psoas's own (the spec leaves ``X-`` keys to programs).
OWNER_KEY = "X-Psoas-Managed"
#: The picture in the menu: the tray's ring, green and most of the way round.
ICON_FILL = 0.625
ICON_PIXELS = 256
COMMENT = "Counts the time you really sit and suggests a hip-flexor stretch when one is due"
GENERIC_NAME = "Stretch reminder"
KEYWORDS = "stretch;stretching;sitting;break;hip flexor;posture;reminder;"

#: Characters that make an Exec argument need quotes (the spec's list, and ``%`` and ``=``).
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`%=")
#: What a desktop file may hold at most: an entry is a few hundred bytes.
_MAX_ENTRY_BYTES = 64 * 1024


class NotOurs(Exception):
    """A file psoas did not write is where its entry would go: left as it is."""


def start_command() -> list[str]:
    """What starts psoas: this Python (the virtual environment's, or pipx's) running it."""
    return [sys.executable, "-m", "reminder", "run"]


def quote_exec_argument(argument: str) -> str:
    """One argument of the Exec key, quoted as the spec's Exec rules want."""
    if argument and not _RESERVED.intersection(argument):
        return argument
    for character in ("\\", '"', "`", "$"):  # the backslash first: it escapes the others
        argument = argument.replace(character, "\\" + character)
    return f'"{argument}"'


def escape_string(value: str) -> str:
    """A value as the spec's ``string`` type writes it: backslash, newline, tab and CR escaped."""
    escapes = {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    return "".join(escapes.get(character, character) for character in value)


def exec_value(arguments: Sequence[str]) -> str:
    """The Exec value that runs ``arguments``: each quoted, ``%`` doubled, then escaped."""
    line = " ".join(quote_exec_argument(argument) for argument in arguments)
    return escape_string(line.replace("%", "%%"))


def entry_text(
    arguments: Sequence[str], icon: Path, removed_by: str, extra: Sequence[str] = ()
) -> str:
    """A desktop entry that runs ``arguments``, shows ``icon`` and says it is ours.

    ``removed_by`` is the psoas command that removes it, named in a comment for whoever opens the
    file; ``extra`` are further ``Key=value`` lines.
    """
    lines = [
        "[Desktop Entry]",
        f"# Written by psoas; '{removed_by}' removes it.",
        "Type=Application",
        f"Name={APP_NAME}",
        f"GenericName={GENERIC_NAME}",
        f"Comment={COMMENT}",
        f"Icon={escape_string(str(icon))}",
        f"TryExec={escape_string(arguments[0])}",
        f"Exec={exec_value(arguments)}",
        "Terminal=false",
        "StartupNotify=false",
        *extra,
        f"{OWNER_KEY}=true",
    ]
    return "\n".join(lines) + "\n"


def is_ours(path: Path) -> bool:
    """Whether ``path`` is an entry psoas wrote: a regular file carrying our key, or one an
    earlier psoas wrote before it had the key (its Exec runs ``-m reminder run``)."""
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_ENTRY_BYTES:
            return False
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    lines = [line.strip() for line in text.splitlines()]
    if f"{OWNER_KEY}=true" in lines:
        return True
    return f"Name={APP_NAME}" in lines and any(
        line.startswith("Exec=") and line.endswith(" -m reminder run") for line in lines
    )


def refuse_if_foreign(path: Path) -> None:
    """NotOurs when something psoas did not write is at ``path``."""
    if os.path.lexists(path) and not is_ours(path):
        raise NotOurs(f"{path}: an entry psoas did not write is already there; left as it is")


def write_entry(path: Path, text: str) -> Path:
    """Write an entry of ours at ``path`` (replacing one of ours); NotOurs if another is there."""
    refuse_if_foreign(path)
    paths.make_folder(path.parent)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return path


def remove_entry(path: Path) -> Path | None:
    """Remove our entry at ``path``: the path, or None when there is none; NotOurs for another."""
    if not os.path.lexists(path):
        return None
    if not is_ours(path):
        raise NotOurs(f"{path}: not an entry psoas wrote; left as it is")
    path.unlink()
    return path


def write_app_icon() -> Path:
    """Draw psoas's icon into its data folder, where the menu and login entries point."""
    from reminder.tray.icon import IconLook, write_icon

    return write_icon(paths.app_icon_file(), IconLook("sitting", ICON_FILL), ICON_PIXELS)


def drop_app_icon_if_unused() -> None:
    """Remove the icon once neither the menu entry nor the login entry points to it."""
    if sys.platform in ("darwin", "win32"):
        return
    if is_ours(paths.menu_entry_file()) or is_ours(paths.autostart_file()):
        return
    icon = paths.app_icon_file()
    if icon.is_file() and not icon.is_symlink():
        icon.unlink()


# ----- the application menu ----------------------------------------------------------------


def menu_supported(platform: str | None = None) -> bool:
    """Application-menu entries are freedesktop's: Linux and the BSDs, not macOS or Windows."""
    return (platform or sys.platform) not in ("darwin", "win32")


def menu_entry_text(icon: Path) -> str:
    return entry_text(
        start_command(),
        icon,
        "psoas desktop-entry remove",
        extra=("Categories=Utility;", f"Keywords={KEYWORDS}"),
    )


def install() -> Path:
    """Put psoas in the application menu, with its icon; the entry's path."""
    path = paths.menu_entry_file()
    refuse_if_foreign(path)  # before drawing an icon for nothing
    return write_entry(path, menu_entry_text(write_app_icon()))


def remove() -> Path | None:
    """Take psoas out of the application menu: the entry removed, or None if there was none."""
    removed = remove_entry(paths.menu_entry_file())
    drop_app_icon_if_unused()
    return removed


def status() -> tuple[str, Path]:
    """``installed``, ``absent`` or ``foreign`` (someone else's file is there), and the path."""
    path = paths.menu_entry_file()
    if not os.path.lexists(path):
        return "absent", path
    return ("installed" if is_ours(path) else "foreign"), path
