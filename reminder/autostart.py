"""Start psoas at login: an XDG autostart entry, a macOS LaunchAgent, or a Windows Startup file.

The command written is this Python running ``-m reminder run``, as argument lists or quoted per
each format's rules: no shell string is ever built from user data.
"""

from __future__ import annotations

import os
import plistlib
import sys
from pathlib import Path

from reminder import APP_NAME

LABEL = "org.psoas.reminder"


def entry_path(platform: str | None = None, home: Path | None = None) -> Path:
    """Where the login entry lives on this platform."""
    platform = platform or sys.platform
    home = home or Path.home()
    if platform == "darwin":
        return home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
    if platform == "win32":
        appdata = Path(os.environ.get("APPDATA", home / "AppData" / "Roaming"))
        return (
            appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / "psoas.cmd"
        )
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    return config / "autostart" / "psoas.desktop"


def command() -> list[str]:
    return [sys.executable, "-m", "reminder", "run"]


def _desktop_quote(arg: str) -> str:
    """Quote one argument as the Desktop Entry spec's Exec key wants."""
    if not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`%="):
        return arg
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
    return '"' + escaped.replace("%", "%%") + '"'


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
    exec_line = " ".join(_desktop_quote(arg) for arg in args)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={APP_NAME}\n"
        "Comment=Hip-flexor stretch reminder that counts real sitting time\n"
        f"Exec={exec_line}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    ).encode()


def enable(platform: str | None = None, home: Path | None = None) -> Path:
    path = entry_path(platform, home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(entry_text(platform))
    tmp.replace(path)
    return path


def disable(platform: str | None = None, home: Path | None = None) -> Path | None:
    path = entry_path(platform, home)
    if not path.exists():
        return None
    path.unlink()
    return path


def status(platform: str | None = None, home: Path | None = None) -> tuple[bool, Path]:
    path = entry_path(platform, home)
    return path.exists(), path
