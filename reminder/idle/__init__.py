"""Idle sources: seconds since the user's last keyboard or mouse input, a small module per desktop.

The choice is made here and only here, from the config and the session, as ActivityWatch's afk
watcher does it.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Collection, Mapping
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


def choose_idle_source(wanted: str, skip: Collection[str] = ()) -> IdleSource:
    """The source named in the config, or for "auto" the first that works in this session.

    ``skip`` names sources that already failed at run time, so the next one is tried instead.
    """
    candidates = auto_order() if wanted == "auto" else [wanted]
    for name in candidates:
        if name == "none" or name in skip:
            continue
        try:
            source = _open(name)
            source.idle_seconds()
        except (OSError, ImportError) as error:
            log.info("idle source %s is not available: %s", name, error)
            continue
        return source
    if wanted not in ("auto", "none") and wanted not in skip:
        log.warning(
            "idle source %r is not available here; all running time counts as sitting", wanted
        )
    return NoIdleSource()


def auto_order(environ: Mapping[str, str] | None = None, platform: str | None = None) -> list[str]:
    """Which sources to try, best first, for this kind of session."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    if platform == "win32":
        return ["windows"]
    if platform == "darwin":
        return ["macos"]
    desktop = env.get("XDG_CURRENT_DESKTOP", "").lower()
    wayland = env.get("XDG_SESSION_TYPE") == "wayland" or bool(env.get("WAYLAND_DISPLAY"))
    dbus_sources = ["gnome", "freedesktop"] if "gnome" in desktop else ["freedesktop", "gnome"]
    if wayland:
        # Under Wayland, X11's counter sees only X clients' input (via Xwayland): not to be trusted.
        return dbus_sources
    return (["x11"] if env.get("DISPLAY") else []) + dbus_sources


def _open(name: str) -> IdleSource:
    if name == "x11":
        from reminder.idle.x11 import X11IdleSource

        return X11IdleSource()
    if name == "gnome":
        from reminder.idle.gnome import GnomeIdleSource

        return GnomeIdleSource()
    if name == "freedesktop":
        from reminder.idle.freedesktop import FreedesktopIdleSource

        return FreedesktopIdleSource()
    if name == "windows":
        from reminder.idle.windows import WindowsIdleSource

        return WindowsIdleSource()
    if name == "macos":
        from reminder.idle.macos import MacIdleSource

        return MacIdleSource()
    raise OSError(f"unknown idle source {name!r}")
