"""X11: the XScreenSaver extension knows how long ago the last input was (python-xlib)."""

from __future__ import annotations

import os

from reminder.bus import Buses
from reminder.idle.base import AskedSource
from reminder.idle.lock import LockWatch


class X11IdleSource(AskedSource):
    name = "x11"

    def __init__(self, buses: Buses, display: str | None = None) -> None:
        try:
            import Xlib.ext

            # Only the extension psoas reads: python-xlib otherwise loads a module for each of
            # the server's fifteen (about 0.7 MiB more).
            Xlib.ext.__extensions__ = [
                ext for ext in Xlib.ext.__extensions__ if ext[0] == "MIT-SCREEN-SAVER"
            ]
            from Xlib import display as xdisplay
            from Xlib.error import DisplayError
        except ImportError as error:
            raise OSError(f"python-xlib is missing ({error})") from None
        name = display or os.environ.get("DISPLAY")
        if not name:
            raise OSError("no X display (DISPLAY is not set)")
        try:
            self._display = xdisplay.Display(name)
        except (DisplayError, OSError) as error:
            raise OSError(f"cannot open X display {name}: {error}") from None
        if not self._display.has_extension("MIT-SCREEN-SAVER"):
            self._display.close()
            raise OSError(f"X display {name} has no MIT-SCREEN-SAVER extension")
        self._root = self._display.screen().root
        self._lock = LockWatch(buses)

    async def idle_seconds(self) -> float:
        try:
            return self._root.screensaver_query_info().idle / 1000.0
        except Exception as error:  # python-xlib raises its own hierarchy on a lost connection
            raise OSError(f"X idle query failed: {error}") from error

    async def locked(self) -> bool:
        return await self._lock.locked()


async def open_source(buses: Buses, break_seconds: float) -> X11IdleSource:
    return X11IdleSource(buses)
