"""Idle sources: seconds since the user's last keyboard or mouse input, a small module per desktop.

The choice is made here and only here, from the config and the session, as ActivityWatch's afk
watcher does it.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Protocol

log = logging.getLogger(__name__)


class IdleSource(Protocol):
    name: str
    #: False for the stand-in that cannot see input: every minute then counts as sitting.
    tracks_input: bool

    def idle_seconds(self) -> float:
        """Seconds since the last input. Raises OSError (or a subclass) when the source fails."""
        ...

    def locked(self) -> bool:
        """Whether the screen is locked, where the source can tell; False otherwise."""
        ...


class NoIdleSource:
    """Used when nothing can see input: the user is taken to be sitting whenever the daemon runs."""

    name = "none"
    tracks_input = False

    def idle_seconds(self) -> float:
        return 0.0

    def locked(self) -> bool:
        return False


def choose_idle_source(wanted: str) -> IdleSource:
    """The source named in the config, or for "auto" the first that works in this session."""
    candidates = _auto_order() if wanted == "auto" else [wanted]
    for name in candidates:
        if name == "none":
            break
        try:
            source = _open(name)
            source.idle_seconds()
        except (OSError, ImportError) as error:
            log.info("idle source %s is not available: %s", name, error)
            continue
        return source
    if wanted not in ("auto", "none"):
        log.warning(
            "idle source %r is not available here; all running time counts as sitting", wanted
        )
    return NoIdleSource()


def _auto_order() -> list[str]:
    if sys.platform == "win32":
        return ["windows"]
    if sys.platform == "darwin":
        return ["macos"]
    if os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("DISPLAY"):
        return []
    return ["x11"] if os.environ.get("DISPLAY") else []


def _open(name: str) -> IdleSource:
    if name == "x11":
        from reminder.idle.x11 import X11IdleSource

        return X11IdleSource()
    raise OSError(f"the {name} idle source is not built yet")
