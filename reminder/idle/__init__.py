"""Idle sources: seconds since the user's last keyboard or mouse input, a small module per desktop.

The choice is made here and only here, from the config and the session, as ActivityWatch's afk
watcher does it; each source is imported only when it is tried, as pystray picks its backends.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Collection, Mapping

from reminder.bus import Buses
from reminder.idle.base import IdleSource, NoIdleSource

log = logging.getLogger(__name__)

#: Every source by the name the config uses, and where its ``open_source`` lives.
SOURCES: dict[str, str] = {
    "x11": "reminder.idle.x11",
    "gnome": "reminder.idle.gnome",
    "freedesktop": "reminder.idle.freedesktop",
    "windows": "reminder.idle.windows",
    "macos": "reminder.idle.macos",
    "none": "reminder.idle.base",
}

__all__ = ["SOURCES", "IdleSource", "NoIdleSource", "auto_order", "choose_idle_source"]


async def choose_idle_source(wanted: str, buses: Buses, skip: Collection[str] = ()) -> IdleSource:
    """The source named in the config, or for "auto" the first that works in this session.

    ``skip`` names sources that already failed at run time, so the next one is tried instead.
    """
    candidates = auto_order() if wanted == "auto" else [wanted]
    for name in candidates:
        if name == "none" or name in skip:
            continue
        try:
            source = await _open(name, buses)
            await source.idle_seconds()
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


async def _open(name: str, buses: Buses) -> IdleSource:
    if name not in SOURCES or name == "none":
        raise OSError(f"unknown idle source {name!r}")
    module = importlib.import_module(SOURCES[name])
    return await module.open_source(buses)
