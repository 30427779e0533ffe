"""The doctor's looks at psoas's own things: the config file, the history, the login and menu
entries, and a psoas running now. Every file is only read; the running psoas is only asked its
status."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from reminder import paths
from reminder.catalogue.model import Catalogue
from reminder.config import Config, find_config
from reminder.config.checks import ConfigError
from reminder.config.own import read_config_and_catalogue
from reminder.doctor.facts import ConfigLook, EntryLook, HistoryLook, RunningLook
from reminder.errors import read_user_file
from reminder.install import autostart, desktop_entry

#: How long the history may be waited for when another program holds it: the doctor says
#: "busy" rather than wait as a writer would.
HISTORY_BUSY_TIMEOUT = 0.2


def look_config(explicit: Path | None, catalogue: Catalogue) -> tuple[ConfigLook, Config]:
    """The config file's state, and the config psoas would run on (the defaults when the file
    is broken: then psoas would not start at all, which the look says).

    A ``--config`` that names no readable file is the user's mistake, not the desktop's: its
    ConfigError goes up (exit status 2), as with every other command.
    """
    shown = str(explicit if explicit is not None else paths.config_file())
    if explicit is not None:
        find_config(explicit)
        read_user_file(explicit, "config file", ConfigError)
    try:
        found = find_config(explicit)
        config, _ = read_config_and_catalogue(explicit, catalogue)  # the user's stretches too
    except ConfigError as error:
        return ConfigLook("broken", shown, str(error)), Config()
    if found is None:
        return ConfigLook("defaults", shown), config
    return ConfigLook("read", str(found)), config


def look_history(path: Path | None = None) -> HistoryLook:
    """The history, opened read-only as ``psoas stats`` opens it: its events, size and span."""
    from reminder.history.store import HistoryStore, HistoryTooNew, is_busy, is_damage

    path = path or paths.history_file()
    shown = str(path)
    if not os.path.lexists(path):
        return HistoryLook("absent", shown)
    try:
        store = HistoryStore(path, read_only=True, busy_timeout=HISTORY_BUSY_TIMEOUT)
        try:
            count, first, last = store.db.execute(
                "SELECT COUNT(*), MIN(at), MAX(at) FROM events"
            ).fetchone()
        finally:
            store.close()
        size = sum(
            os.stat(name).st_size for name in (path, Path(f"{path}-wal")) if os.path.exists(name)
        )
    except HistoryTooNew as error:
        return HistoryLook("too new", shown, error=str(error))
    except sqlite3.Error as error:
        state = "busy" if is_busy(error) else "damaged" if is_damage(error) else "unreadable"
        return HistoryLook(state, shown, error=str(error))
    except OSError as error:
        return HistoryLook("unreadable", shown, error=error.strerror or str(error))
    return HistoryLook("read", shown, events=count, size=size, first=first, last=last)


def look_autostart() -> EntryLook:
    path = autostart.entry_path()
    if not os.path.lexists(path):
        return EntryLook("absent", str(path))
    xdg = desktop_entry.menu_supported()
    if xdg and not desktop_entry.is_ours(path):
        return EntryLook("foreign", str(path))
    return _entry_state(path, autostart.entry_text(), xdg)


def look_menu_entry() -> EntryLook:
    if not desktop_entry.menu_supported():
        return EntryLook("unsupported", "")
    state, path = desktop_entry.status()
    if state != "installed":
        return EntryLook(state, str(path))
    icon = paths.app_icon_file()
    return _entry_state(path, desktop_entry.menu_entry_text(icon).encode(), xdg=True)


def _entry_state(path: Path, expected: bytes, xdg: bool) -> EntryLook:
    """``ours`` as this psoas would write it; else ``dangling`` when the program it starts is
    gone (a desktop then skips it: its TryExec), or ``other`` (another install's)."""
    try:
        text = path.read_bytes()
    except OSError:
        return EntryLook("other", str(path))
    if text == expected:
        return EntryLook("ours", str(path))
    starts = _try_exec(text.decode(errors="replace")) if xdg else ""
    if starts and not os.path.exists(starts):
        return EntryLook("dangling", str(path), starts)
    return EntryLook("other", str(path), starts)


def _try_exec(text: str) -> str:
    """The program a desktop entry names in TryExec (unescaped), "" when it names none."""
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "TryExec":
            return value.strip().replace("\\s", " ").replace("\\\\", "\\")
    return ""


def look_running() -> RunningLook:
    """The status of the psoas running now, as ``psoas status --json`` gives it."""
    from reminder.control.client import send
    from reminder.control.protocol import ControlError, NotRunning, Request

    try:
        reply = send(Request("status"))
    except NotRunning:
        return RunningLook("not running")
    except ControlError as error:
        return RunningLook("unreachable", error=str(error))
    status = reply.get("status")
    return RunningLook("running", status if isinstance(status, dict) else {})
