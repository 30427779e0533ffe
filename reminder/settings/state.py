"""Where an open settings page can be found again: a small file in psoas's private runtime folder
(only the user can enter it), naming the page's process, port and the secret ``psoas settings``
asks it for a new one-time key with."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from reminder.paths import private_dir, private_opener, runtime_dir


@dataclass(frozen=True)
class OpenPage:
    pid: int
    port: int
    secret: str
    config: str  # the config file the page edits


def state_file() -> Path:
    return runtime_dir() / "settings.json"


def write(page: OpenPage) -> None:
    """Say where the page is (0600, replaced in one step). OSError when it cannot be."""
    path = state_file()
    private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", opener=private_opener) as out:
            json.dump(asdict(page), out)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def read() -> OpenPage | None:
    """The page the file names, or None when there is none (or the file is not ours)."""
    try:
        data = json.loads(state_file().read_text(encoding="utf-8"))
        page = OpenPage(**data)
    except (OSError, ValueError, TypeError):
        return None
    fields_right = isinstance(page.pid, int) and isinstance(page.port, int)
    return page if fields_right and isinstance(page.secret, str) else None


def remove(pid: int) -> None:
    """Forget the page of process ``pid`` (a later page's file is left alone)."""
    found = read()
    if found is not None and found.pid == pid:
        state_file().unlink(missing_ok=True)
