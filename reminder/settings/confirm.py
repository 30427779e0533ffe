"""After a save: did the running psoas take the file up, and when does it prompt now?

The page asks the running psoas's status over the control channel, as ``psoas status`` does,
before writing and again after, until the time psoas last read its config moves on (its live
reload waits a moment for the writing to settle) or a few seconds have passed.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from reminder.control.client import send
from reminder.control.protocol import ControlError, Request
from reminder.settings import words

#: How long the page waits for the running psoas to read the saved file.
WAIT = 4.0
_LOOK_EVERY = 0.1


def running_status() -> dict[str, Any] | None:
    """The running psoas's status, or None when none answers."""
    try:
        reply = send(Request("status"))
    except ControlError:
        return None
    status = reply.get("status")
    return status if isinstance(status, dict) else None


def file_read(status: dict[str, Any]) -> str | None:
    """The path of the config file the running psoas reads (and watches)."""
    config = status.get("config")
    path = config.get("path") if isinstance(config, dict) else None
    return path if isinstance(path, str) else None


def _same_file(one: str, other: Path) -> bool:
    return os.path.realpath(one) == os.path.realpath(other)


def taken_up(path: Path, before: dict[str, Any] | None) -> str:
    """What to tell the user once ``path`` is saved; ``before``: the status just before."""
    if before is None:
        return words.SAVED_NOT_RUNNING
    reads = file_read(before)
    if reads is not None and not _same_file(reads, path):
        return words.saved_other_file(reads)
    was = before.get("config", {})
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        time.sleep(_LOOK_EVERY)
        status = running_status()
        if status is None:
            return words.SAVED_NOT_RUNNING
        config = status.get("config", {})
        if config.get("problem") and config.get("problem") != was.get("problem"):
            return words.saved_not_applied(str(config["problem"]))
        if config.get("read") != was.get("read"):
            return said(status)
    return words.SAVED_NO_ANSWER


def said(status: dict[str, Any]) -> str:
    """The line for a status taken after the file was read: when the next prompt comes."""
    upcoming = status.get("next_prompt")
    if not isinstance(upcoming, str):
        return words.saved_taken_up(str(status.get("summary", "")))
    moment = datetime.fromisoformat(upcoming).astimezone()
    today = datetime.now().astimezone().date()
    days = (moment.date() - today).days
    if days == 0:
        day = None
    elif days == 1:
        day = words.TOMORROW
    else:
        day = words.on_day(f"{moment:%a %d %b}")
    return words.saved_next_prompt(f"{moment:%H:%M}", day)
