"""Busy while something runs fullscreen: a video, a presentation, a game.

- X11: the active window (``_NET_ACTIVE_WINDOW``) carries
  ``_NET_WM_STATE_FULLSCREEN``. Window managers that leave the active window unset (openbox and
  fluxbox under Xvfb, some tiling ones) are read through the top of
  ``_NET_CLIENT_LIST_STACKING`` instead, docks and hidden windows passed over.
- GNOME (X11 or Wayland): the session manager's ``InhibitedActions`` has the idle bit, which video
  players and presentation tools set while they play (through the inhibit portal or directly).

Either one saying so is enough. A session where neither can be read (no X display and no GNOME
session manager) cannot tell: the look raises OSError. Windows and macOS: see
:mod:`reminder.busy.platforms`.

The X look goes over psoas's own X11 client (:mod:`reminder.bus.x11`) on the loop, each request
under a deadline: a stopped X server costs the look its deadline, never a thread.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from typing import Any

from reminder.bus import Buses
from reminder.bus.x11 import Connection, Link, NoAnswer, Refused, X11Error
from reminder.busy.base import BusySignal
from reminder.busy.probe import optional_property, owned_names

SESSION_MANAGER = "org.gnome.SessionManager"
SESSION_MANAGER_PATH = "/org/gnome/SessionManager"
#: GsmInhibitorFlag: 1 logout, 2 switch user, 4 suspend, 8 idle, 16 automount.
INHIBIT_IDLE = 8
#: Windows that sit on top of everything without being what the user looks at.
NOT_LOOKED_AT = ("_NET_WM_WINDOW_TYPE_DOCK", "_NET_WM_WINDOW_TYPE_DESKTOP")
#: The X look makes a dozen round trips, each well under a millisecond on a server that answers;
#: short enough to leave the GNOME look time within the busy check's deadline.
X_DEADLINE = 0.3


class NoWindowManager(OSError):
    """The X display answers, but no window manager publishes which windows it manages."""


class X11Windows:
    """Which window the user looks at, over a connection to the X display kept between looks
    and made again after it is lost."""

    def __init__(self, display_name: str | None, deadline: float = X_DEADLINE) -> None:
        self._link = Link(display_name, deadline)
        self.deadline = deadline

    async def fullscreen(self) -> bool:
        """Whether the window the user looks at is fullscreen, all of the look within the
        deadline. OSError when the display cannot be reached or answers too slowly, or no
        window manager says which windows there are."""
        try:
            async with asyncio.timeout(self.deadline):
                return await self._look()
        except X11Error:
            raise
        except TimeoutError:  # each answer came, but all of them took too long
            raise NoAnswer.after(self._link.display, self.deadline) from None

    async def _look(self) -> bool:
        x = await self._link.connection()
        active = await x.words(x.root, "_NET_ACTIVE_WINDOW")
        stacking = await x.words(x.root, "_NET_CLIENT_LIST_STACKING")
        if active is None and stacking is None:
            raise NoWindowManager(
                "no window manager names the active window "
                "(neither _NET_ACTIVE_WINDOW nor _NET_CLIENT_LIST_STACKING is set)"
            )
        fullscreen = await x.atom("_NET_WM_STATE_FULLSCREEN")
        for window in await self._looked_at(x, active or [], stacking or []):
            try:
                if fullscreen in await self._atoms(x, window, "_NET_WM_STATE"):
                    return True
            except Refused:
                continue  # the window closed while we read it: it is not fullscreen any more
        return False

    def close(self) -> None:
        self._link.close()

    async def _looked_at(self, x: Connection, active: list[int], stacking: list[int]) -> list[int]:
        """The active window, and the top of the stack (docks, the desktop and minimised windows
        passed over): a fullscreen window there fills the screen even when the window manager
        leaves the active window unset, or when focus is on another monitor (a presentation)."""
        windows = [active[0]] if active and active[0] else []
        skipped = {await x.atom(name) for name in NOT_LOOKED_AT} - {0}
        hidden = await x.atom("_NET_WM_STATE_HIDDEN")
        for window in reversed(stacking):
            try:
                if skipped & await self._atoms(x, window, "_NET_WM_WINDOW_TYPE"):
                    continue
                if hidden and hidden in await self._atoms(x, window, "_NET_WM_STATE"):
                    continue
            except Refused:
                continue  # closed while we read it
            windows.append(window)
            break
        return windows

    @staticmethod
    async def _atoms(x: Connection, window: int, name: str) -> set[int]:
        return set(await x.words(window, name) or ())


class FullscreenSignal:
    name = "fullscreen"
    subject = "a window is fullscreen"

    def __init__(self, buses: Buses, display: str | None = None) -> None:
        self._buses = buses
        name = os.environ.get("DISPLAY") if display is None else display
        self._windows: X11Windows | None = None
        self._no_x = "no X display"
        if name:
            try:
                self._windows = X11Windows(name)
            except X11Error as error:  # a display on another host
                self._no_x = str(error)

    async def busy(self) -> str | None:
        problems: list[str] = []
        answered = False
        if self._windows is None:
            problems.append(self._no_x)
        else:
            try:
                if await self._windows.fullscreen():
                    return "fullscreen"
                answered = True
            except OSError as error:
                problems.append(str(error))
        bus = self._buses.session
        if bus is None:
            problems.append("no D-Bus session bus")
        else:
            try:
                inhibited = await gnome_idle_inhibited(bus)
            except OSError as error:
                problems.append(str(error))
            else:
                if inhibited:
                    return "fullscreen"
                if inhibited is not None:
                    answered = True
                elif not answered:
                    problems.append("no GNOME session manager")
        if not answered:
            raise OSError("; ".join(problems))
        return None

    def close(self) -> None:
        if self._windows is not None:
            self._windows.close()


async def gnome_idle_inhibited(bus: Any) -> bool | None:
    """Whether some application keeps GNOME from going idle; None outside GNOME."""
    if SESSION_MANAGER not in await owned_names(bus):
        return None
    actions = await optional_property(
        bus, SESSION_MANAGER, SESSION_MANAGER_PATH, SESSION_MANAGER, "InhibitedActions"
    )
    return None if actions is None else bool(int(actions) & INHIBIT_IDLE)


async def open_signals(buses: Buses, apps: Sequence[str]) -> list[BusySignal]:
    if sys.platform == "win32":
        from reminder.busy.platforms import WindowsFullscreen

        return [WindowsFullscreen()]
    if sys.platform == "darwin":
        from reminder.busy.platforms import MacFullscreen

        return [MacFullscreen()]
    return [FullscreenSignal(buses)]
