"""Idle sources: seconds since the user's last keyboard or mouse input, a small module per desktop.

The choice is made here and only here, from the config and the session, as ActivityWatch's afk
watcher does it; each source is imported only when it is tried, as pystray picks its backends.
What was chosen, and why each source before it was passed over, is kept (:class:`IdleChoice`) for
the log and ``psoas status``.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from reminder.bus import Buses
from reminder.idle.base import AskedSource, IdleSource, NoIdleSource

log = logging.getLogger(__name__)

#: Every source by the name the config uses, and where its ``open_source`` lives.
SOURCES: dict[str, str] = {
    "x11": "reminder.idle.x11",
    "wayland": "reminder.idle.wayland",
    "gnome": "reminder.idle.gnome",
    "freedesktop": "reminder.idle.freedesktop",
    "windows": "reminder.idle.windows",
    "macos": "reminder.idle.macos",
    "none": "reminder.idle.base",
}
#: The break psoas assumes when the caller does not say (the config's default, five minutes).
DEFAULT_BREAK = 300.0

__all__ = [
    "SOURCES",
    "AskedSource",
    "IdleChoice",
    "IdleSource",
    "NoIdleSource",
    "auto_order",
    "choose",
    "choose_idle_source",
    "ruled_out",
]


@dataclass(frozen=True)
class IdleChoice:
    """The source in use, and each one passed over on the way with why (in the order looked at)."""

    source: IdleSource
    passed_over: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        chosen = self.source.name
        detail = getattr(self.source, "description", None)
        chosen += f" ({detail})" if detail else ""
        if not self.passed_over:
            return chosen
        return chosen + "; passed over: " + "; ".join(f"{n}: {why}" for n, why in self.passed_over)


async def choose(
    wanted: str,
    buses: Buses,
    skip: Collection[str] = (),
    *,
    break_seconds: float = DEFAULT_BREAK,
    environ: Mapping[str, str] | None = None,
) -> IdleChoice:
    """The source named in the config, or for "auto" the first that works in this session.

    ``skip`` names sources that already failed at run time, so the next one is tried instead;
    ``break_seconds`` is the config's break, which a source told of idleness (Wayland) is tuned to.
    """
    passed: list[tuple[str, str]] = []
    if wanted == "auto":
        candidates = auto_order(environ)
        passed += ruled_out(environ).items()
    else:
        candidates = [wanted]
    for name in candidates:
        if name == "none":
            break
        if name in skip:
            passed.append((name, "failed earlier in this run"))
            continue
        try:
            source = await _open(name, buses, break_seconds)
        except (OSError, ImportError) as error:
            passed.append((name, str(error) or type(error).__name__))
            continue
        try:
            await source.idle_seconds()
        except OSError as error:
            source.close()
            passed.append((name, str(error) or type(error).__name__))
            continue
        return IdleChoice(source, tuple(passed))
    return IdleChoice(NoIdleSource(), tuple(passed))


async def choose_idle_source(
    wanted: str, buses: Buses, skip: Collection[str] = (), *, break_seconds: float = DEFAULT_BREAK
) -> IdleSource:
    """The source :func:`choose` picks, alone."""
    return (await choose(wanted, buses, skip, break_seconds=break_seconds)).source


def _session(environ: Mapping[str, str] | None, platform: str | None) -> tuple[str, str, bool]:
    env = os.environ if environ is None else environ
    wayland = env.get("XDG_SESSION_TYPE") == "wayland" or bool(env.get("WAYLAND_DISPLAY"))
    return platform or sys.platform, env.get("XDG_CURRENT_DESKTOP", "").lower(), wayland


def auto_order(environ: Mapping[str, str] | None = None, platform: str | None = None) -> list[str]:
    """Which sources to try, best first, for this kind of session.

    Under Wayland, GNOME keeps Mutter's IdleMonitor (Mutter offers no idle protocol), every other
    compositor is asked itself; org.freedesktop.ScreenSaver comes last (KDE's answers NotSupported
    on Wayland). Under X11 the X server's own counter comes first.
    """
    env = os.environ if environ is None else environ
    platform, desktop, wayland = _session(env, platform)
    if platform == "win32":
        return ["windows"]
    if platform == "darwin":
        return ["macos"]
    gnome = "gnome" in desktop
    if wayland:
        return ["gnome", "wayland", "freedesktop"] if gnome else ["wayland", "gnome", "freedesktop"]
    dbus_sources = ["gnome", "freedesktop"] if gnome else ["freedesktop", "gnome"]
    return (["x11"] if env.get("DISPLAY") else []) + dbus_sources


def ruled_out(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> dict[str, str]:
    """The sources of this system that "auto" does not try in this session, and why."""
    env = os.environ if environ is None else environ
    platform, _, wayland = _session(env, platform)
    if platform in ("win32", "darwin"):
        return {}
    if wayland:
        return {"x11": "a Wayland session: the X server sees only the input of X programs"}
    reasons = {"wayland": "not a Wayland session"}
    if not env.get("DISPLAY"):
        reasons = {"x11": "no X display (DISPLAY is not set)"} | reasons
    return reasons


async def _open(name: str, buses: Buses, break_seconds: float) -> IdleSource:
    if name not in SOURCES or name == "none":
        raise OSError(f"unknown idle source {name!r}")
    module = importlib.import_module(SOURCES[name])
    return await module.open_source(buses, break_seconds)
