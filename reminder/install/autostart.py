"""Start psoas at login: an XDG autostart entry, a macOS LaunchAgent, or a Windows Startup file.

The command written is this Python running ``-m reminder run``, as argument lists or quoted per
each format's rules: no shell string is ever built from user data. The XDG entry is a desktop
entry like the menu's (:mod:`reminder.install.desktop_entry`), with psoas's icon, and psoas
replaces or removes only an entry it wrote itself.
"""

from __future__ import annotations

import os
import plistlib
import sys
from pathlib import Path

from reminder import paths
from reminder.install import desktop_entry

LABEL = paths.LAUNCH_AGENT_LABEL


def entry_path(platform: str | None = None, home: Path | None = None) -> Path:
    """Where the login entry lives on this platform."""
    return paths.autostart_file(platform, home)


def command() -> list[str]:
    return desktop_entry.start_command()


def _is_xdg(platform: str) -> bool:
    return platform not in ("darwin", "win32")


def entry_text(platform: str | None = None) -> bytes:
    platform = platform or sys.platform
    args = command()
    if platform == "darwin":
        return plistlib.dumps(
            {
                "Label": LABEL,
                "ProgramArguments": args,
                "RunAtLoad": True,
                "ProcessType": "Interactive",
            }
        )
    if platform == "win32":
        quoted = " ".join(f'"{arg}"' for arg in args)  # cmd.exe quoting of fixed paths
        return f'@echo off\r\nstart "" /b {quoted}\r\n'.encode()
    return desktop_entry.entry_text(
        args,
        paths.app_icon_file(),
        "psoas autostart disable",
        extra=("X-GNOME-Autostart-enabled=true",),
    ).encode()


def enable(platform: str | None = None, home: Path | None = None) -> Path:
    """Write the login entry; :class:`desktop_entry.NotOurs` if another program's is there."""
    platform = platform or sys.platform
    path = entry_path(platform, home)
    if _is_xdg(platform):
        desktop_entry.refuse_if_foreign(path)
        desktop_entry.write_app_icon()
        return desktop_entry.write_entry(path, entry_text(platform).decode())
    paths.make_folder(path.parent)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(entry_text(platform))
    tmp.replace(path)
    return path


def disable(platform: str | None = None, home: Path | None = None) -> Path | None:
    """Remove the login entry: its path, or None when there was none."""
    platform = platform or sys.platform
    path = entry_path(platform, home)
    if _is_xdg(platform):
        removed = desktop_entry.remove_entry(path)
        desktop_entry.drop_app_icon_if_unused()
        return removed
    if not path.exists():
        return None
    path.unlink()
    return path


def status(platform: str | None = None, home: Path | None = None) -> tuple[str, Path]:
    """``installed``, ``absent`` or ``foreign`` (another program's entry is there, on Linux and
    the BSDs), and the path: as :func:`desktop_entry.status` says the menu's."""
    platform = platform or sys.platform
    path = entry_path(platform, home)
    if not os.path.lexists(path):
        return "absent", path
    ours = not _is_xdg(platform) or desktop_entry.is_ours(path)
    return ("installed" if ours else "foreign"), path
