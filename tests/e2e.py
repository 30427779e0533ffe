"""Running the real ``psoas`` on a test desktop, and reading what its daemon logged."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from desktop import Desktop, Process


def start_psoas(desk: Desktop, config_text: str, *args: str) -> Process:
    """``psoas -v run`` on the desktop, with a config written from ``config_text``."""
    config = desk.home / "psoas.toml"
    config.write_text(config_text)
    command = [sys.executable, "-m", "reminder", "-v", "run", "--config", str(config), *args]
    return desk.spawn(command, name="psoas")


def open_menu(desk: Desktop) -> None:
    """Right-click the psoas tray icon."""
    x, y, width, height = desk.find_window("psoas")
    desk.click(x + width // 2, y + height // 2, button=3)
    time.sleep(0.7)  # let GTK map the menu before keys go to it


def choose(desk: Desktop, *keys: str) -> None:
    """Walk the open menu with the keyboard: the first Down selects 'Stretch now'."""
    for key in keys:
        desk.key(key)
        time.sleep(0.2)


ROOT = Path(__file__).resolve().parent.parent


def psoas(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """One ``psoas`` command as a separate process, its output captured."""
    options: dict[str, Any] = {"capture_output": True, "text": True, "timeout": 60} | kwargs
    return subprocess.run([sys.executable, "-m", "reminder", *args], env=env, cwd=ROOT, **options)


def start_headless(config: Path, env: dict[str, str], **kwargs: Any) -> subprocess.Popen[str]:
    """``psoas run --headless`` as a separate, real process, its warnings on a pipe."""
    options: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE} | kwargs
    return subprocess.Popen(
        [sys.executable, "-m", "reminder", "run", "--headless", "--config", str(config)],
        env=env,
        cwd=ROOT,
        text=True,
        **options,
    )


def log_events(desk: Desktop, kind: str) -> list[dict[str, str]]:
    """The core events of one kind the daemon logged, with their fields, in order."""
    log = daemon_log(desk)
    if not log.exists():
        return []
    rows = re.findall(rf"INFO reminder\.daemon: {kind}\((.*)\)$", log.read_text(), re.M)
    return [dict(re.findall(r"(\w+)=('[^']*'|[^,]+)", fields)) for fields in rows]


def daemon_log(desk: Desktop):
    return desk.home / "state" / "psoas" / "log" / "psoas.log"
