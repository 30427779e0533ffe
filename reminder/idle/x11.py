"""X11: the XScreenSaver extension knows how long ago the last input was (python-xlib).

python-xlib blocks until the server answers, and an X server can stop answering (stopped,
hung, swapping): every call, opening the display included, goes through one worker thread
under a deadline (:mod:`reminder.system.offloop`), never on the daemon's loop. A connection that
failed is dropped and made again at the next look, so the source comes back by itself once the
server answers again.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from reminder.bus import Buses
from reminder.idle.base import AskedSource
from reminder.idle.lock import LockWatch
from reminder.system.offloop import OffLoop

#: The server answers this query in well under a millisecond; opening the display takes tens.
#: One that takes this long has stopped answering.
X_DEADLINE = 0.5


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
            import Xlib.display  # loaded here, on the loop: the worker only opens it
        except ImportError as error:
            raise OSError(f"python-xlib is missing ({error})") from None
        name = display or os.environ.get("DISPLAY")
        if not name:
            raise OSError("no X display (DISPLAY is not set)")
        self.display_name = name
        self._display: Any = None  # opened in the worker, at the first look
        self._root: Any = None
        self._x = OffLoop(f"the X display {name}", X_DEADLINE)
        self._lock = LockWatch(buses)

    async def idle_seconds(self) -> float:
        return await self._x.call(self._read_idle)

    async def locked(self) -> bool:
        return await self._lock.locked()

    def close(self) -> None:
        """Let go of the display (in the worker, once it is free)."""
        self._x.close(self._disconnect)

    # ----- in the worker thread ------------------------------------------------------------------

    def _read_idle(self) -> float:
        if self._display is None:
            self._connect()
        try:
            return self._root.screensaver_query_info().idle / 1000.0
        except Exception as error:  # python-xlib raises its own hierarchy on a lost connection
            self._disconnect()  # made again at the next look
            raise OSError(f"X idle query failed: {error}") from error

    def _connect(self) -> None:
        from Xlib import display as xdisplay
        from Xlib.error import DisplayError

        name = self.display_name
        try:
            display = xdisplay.Display(name)
        except (DisplayError, OSError) as error:
            raise OSError(f"cannot open X display {name}: {error}") from None
        if not display.has_extension("MIT-SCREEN-SAVER"):
            display.close()
            raise OSError(f"X display {name} has no MIT-SCREEN-SAVER extension")
        self._display, self._root = display, display.screen().root

    def _disconnect(self) -> None:
        display, self._display, self._root = self._display, None, None
        if display is not None:
            with contextlib.suppress(Exception):  # python-xlib's own errors: gone already
                display.close()


async def open_source(buses: Buses, break_seconds: float) -> X11IdleSource:
    return X11IdleSource(buses)
