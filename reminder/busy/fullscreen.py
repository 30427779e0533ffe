"""Busy while something runs fullscreen: a video, a presentation, a game.

- X11 (python-xlib): the active window (``_NET_ACTIVE_WINDOW``) carries
  ``_NET_WM_STATE_FULLSCREEN``. Window managers that leave the active window unset (openbox and
  fluxbox under Xvfb, some tiling ones) are read through the top of
  ``_NET_CLIENT_LIST_STACKING`` instead, docks and hidden windows passed over.
- GNOME (X11 or Wayland): the session manager's ``InhibitedActions`` has the idle bit, which video
  players and presentation tools set while they play (through the inhibit portal or directly).

Either one saying so is enough. A session where neither can be read (no X display and no GNOME
session manager) cannot tell: the look raises OSError. Windows and macOS: see
:mod:`reminder.busy.platforms`.

python-xlib blocks until the server answers: the X look, opening the display included, runs in
a worker thread of its own under a deadline (:mod:`reminder.system.offloop`), never on the loop.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from reminder.bus import Buses
from reminder.busy.base import BusySignal
from reminder.busy.probe import optional_property, owned_names
from reminder.system.offloop import OffLoop

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
    """One connection to the X display, kept between looks and made again after it is lost.
    Each call blocks until the server answers: :class:`FullscreenSignal` makes them in a worker."""

    def __init__(self, display_name: str) -> None:
        self.display_name = display_name
        self._display: Any = None

    def fullscreen(self) -> bool:
        """Whether the window the user looks at is fullscreen. OSError when the display cannot
        be reached or no window manager says which windows there are."""
        from Xlib.error import ConnectionClosedError

        display = self._connected()
        try:
            return self._fullscreen(display)
        except NoWindowManager:
            raise
        except (ConnectionClosedError, OSError) as error:
            self.close()  # made again at the next look
            raise OSError(f"X display {self.display_name} went away ({error})") from None

    def close(self) -> None:
        if self._display is not None:
            from Xlib.error import ConnectionClosedError

            display, self._display = self._display, None
            with contextlib.suppress(ConnectionClosedError, OSError):  # gone already: fine
                display.close()

    def _connected(self) -> Any:
        if self._display is None:
            try:
                from Xlib import display as xdisplay
                from Xlib.error import DisplayError
            except ImportError as error:
                raise OSError(f"python-xlib is missing ({error})") from None
            try:
                self._display = xdisplay.Display(self.display_name)
            except (DisplayError, OSError) as error:
                raise OSError(f"cannot open X display {self.display_name} ({error})") from None
        return self._display

    def _fullscreen(self, display: Any) -> bool:
        from Xlib import Xatom
        from Xlib.error import XError

        root = display.screen().root
        active = root.get_full_property(display.intern_atom("_NET_ACTIVE_WINDOW"), Xatom.WINDOW)
        stacking = root.get_full_property(
            display.intern_atom("_NET_CLIENT_LIST_STACKING"), Xatom.WINDOW
        )
        if active is None and stacking is None:
            raise NoWindowManager(
                "no window manager names the active window "
                "(neither _NET_ACTIVE_WINDOW nor _NET_CLIENT_LIST_STACKING is set)"
            )
        fullscreen = display.intern_atom("_NET_WM_STATE_FULLSCREEN")
        for window in self._looked_at(display, active, stacking):
            try:
                if fullscreen in self._atoms(display, window, "_NET_WM_STATE"):
                    return True
            except XError:
                continue  # the window closed while we read it: it is not fullscreen any more
        return False

    def _looked_at(self, display: Any, active: Any, stacking: Any) -> list[Any]:
        """The active window, and the top of the stack (docks, the desktop and minimised windows
        passed over): a fullscreen window there fills the screen even when the window manager
        leaves the active window unset, or when focus is on another monitor (a presentation)."""
        from Xlib.error import XError

        windows = []
        if active is not None and len(active.value) and active.value[0]:
            windows.append(display.create_resource_object("window", int(active.value[0])))
        skipped = {display.intern_atom(name) for name in NOT_LOOKED_AT}
        hidden = display.intern_atom("_NET_WM_STATE_HIDDEN")
        for window_id in reversed(list(stacking.value) if stacking is not None else []):
            window = display.create_resource_object("window", int(window_id))
            try:
                if skipped & self._atoms(display, window, "_NET_WM_WINDOW_TYPE"):
                    continue
                if hidden in self._atoms(display, window, "_NET_WM_STATE"):
                    continue
            except XError:
                continue  # closed while we read it
            windows.append(window)
            break
        return windows

    @staticmethod
    def _atoms(display: Any, window: Any, prop: str) -> set[int]:
        from Xlib import Xatom

        value = window.get_full_property(display.intern_atom(prop), Xatom.ATOM)
        return set(value.value) if value is not None else set()


class FullscreenSignal:
    name = "fullscreen"
    subject = "a window is fullscreen"

    def __init__(self, buses: Buses, display: str | None = None) -> None:
        self._buses = buses
        name = os.environ.get("DISPLAY") if display is None else display
        self._windows = X11Windows(name) if name else None
        self._x = OffLoop(f"the X display {name}", X_DEADLINE)

    async def busy(self) -> str | None:
        problems: list[str] = []
        answered = False
        if self._windows is None:
            problems.append("no X display")
        else:
            try:
                if await self._x.call(self._windows.fullscreen):
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
        """Let go of the X connection, in the worker once it is free: never waits."""
        self._x.close(self._windows.close if self._windows is not None else None)


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
