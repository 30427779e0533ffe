"""The tray icon and its menu through pystray, on top of the daemon.

pystray runs its toolkit in a thread of its own (the GUI thread): the toolkit is imported, the
icon built and every toolkit call made there; the daemon's loop only sets pystray's properties,
which pystray hands over to that thread (GTK's idle queue, Win32 messages). Menu callbacks only
queue a command on the daemon's loop, so the menu never waits on anything. macOS wants its GUI on
the main thread: there the daemon's loop runs in pystray's setup thread instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from reminder.catalogue.model import Catalogue
from reminder.config import Config
from reminder.core import commands as cmd
from reminder.core import events as ev
from reminder.core.status import Status
from reminder.daemon import Daemon
from reminder.errors import UserError
from reminder.icon import IconLook, draw_icon, look_for
from reminder.menu import Item, MenuState, build_menu
from reminder.words import status_line, today_line, tooltip

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "install PyGObject for the tray menu: apt install libgirepository1.0-dev libcairo2-dev "
    "gir1.2-ayatanaappindicator3-0.1, then pip install 'PyGObject<3.51' (./bootstrap run does both)"
)


class TrayUnavailable(Exception):
    """No usable tray here; the message says what is missing and how to get it."""


def load_pystray() -> Any:
    """pystray with a backend that has a menu, or TrayUnavailable saying why not."""
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        raise TrayUnavailable("no X display (DISPLAY is not set)")
    try:
        import pystray
    except Exception as error:  # pystray raises whatever its backends raise on import
        raise TrayUnavailable(f"no tray backend could start ({error}); {INSTALL_HINT}") from None
    if not pystray.Icon.HAS_MENU:
        raise TrayUnavailable(f"only pystray's menu-less backend is available; {INSTALL_HINT}")
    return pystray


def xembed_host_present() -> bool:
    """Whether an XEmbed system tray (trayer, stalonetray, i3bar...) runs on this X display."""
    if not sys.platform.startswith("linux") or not os.environ.get("DISPLAY"):
        return False
    try:
        from Xlib import display as xdisplay

        screen = xdisplay.Display()
        try:
            number = screen.get_default_screen()
            atom = screen.intern_atom(f"_NET_SYSTEM_TRAY_S{number}")
            return screen.get_selection_owner(atom) != 0
        finally:
            screen.close()
    except Exception as error:  # python-xlib has its own exception hierarchy
        log.debug("XEmbed tray check failed: %s", error)
        return False


def look_of(status: Status, sit_seconds: float) -> IconLook:
    if status.state == "routine":
        return look_for("routine", status.routine_progress)
    return look_for(status.state, status.sitting_seconds / sit_seconds if sit_seconds else 0)


class Tray:
    """The tray icon for a daemon: a picture of the sitting clock and a menu of everything."""

    #: macOS runs its GUI on the main thread only.
    needs_main_thread = sys.platform == "darwin"

    def __init__(
        self,
        catalogue: Catalogue,
        config: Config,
        config_path: Callable[[], Path],
        history: Path | None = None,
        pystray: Any = None,
    ) -> None:
        self._pystray = pystray
        self.daemon: Daemon | None = None
        self.catalogue = catalogue
        self.snooze_minutes = config.snooze_minutes
        self.sit_seconds = config.sit_seconds
        self.routine_pace = config.routine_pace
        self.config_path = config_path
        self.history = history  # the history database, read for the Today line and the chart
        self.today = "Today: nothing recorded yet"
        self.status = Status("away", 0.0, None, None, None)
        self._status_at = time.time()
        self._look: IconLook | None = None
        self.redraws = 0
        self.icon: Any = None
        self.name = "pystray"

    def _build(self) -> None:
        """Import the toolkit and make the icon: on the thread that will run it."""
        self.pystray = self._pystray or load_pystray()
        self.icon = self.pystray.Icon("psoas", self._picture(), self._tooltip(), menu=self._menu())
        self.name = f"pystray {type(self.icon).__module__.rsplit('_', 1)[-1]}"

    def attach(self, daemon: Daemon) -> None:
        """Send the menu's commands to ``daemon`` (which has this tray among its observers)."""
        self.daemon = daemon

    # ----- running ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the GUI thread and wait until the icon is up; TrayUnavailable if it cannot be."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def settle(error: TrayUnavailable | None) -> None:
            if ready.done():
                return
            if error is None:
                ready.set_result(None)
            else:
                ready.set_exception(error)

        def gui() -> None:
            try:
                self._build()
            except TrayUnavailable as error:
                loop.call_soon_threadsafe(settle, error)
                return
            loop.call_soon_threadsafe(settle, None)
            self.icon.run()

        threading.Thread(target=gui, name="tray", daemon=True).start()
        await ready

    def stop(self) -> None:
        if self.icon is not None:
            self.icon.stop()

    def run_on_main_thread(self, serve: Callable[[], None]) -> None:
        """macOS: the GUI takes this (main) thread; ``serve`` runs the daemon's loop beside it."""
        self._build()

        def setup(icon: Any) -> None:
            icon.visible = True
            try:
                serve()
            finally:
                icon.stop()

        self.icon.run(setup=setup)

    def seen(self, events: list[ev.Event], status: Status) -> None:
        """After each wake-up of the daemon: redraw if the picture changed, refresh the menu.

        pystray hands these calls to its toolkit's own thread (GTK's idle queue, Win32 messages).
        """
        if self.icon is None:
            return
        self.status, self._status_at = status, time.time()
        if events and self.history is not None:
            self.today = self._today_line()
        look = look_of(status, self.sit_seconds)
        if look != self._look:
            self.icon.icon = self._picture(look)
        self.icon.title = self._tooltip()
        self.icon.menu = self._menu()

    def next_wakeup(self, now: float) -> float | None:
        """When the sitting ring next moves a notch: the daemon wakes then to redraw, no sooner."""
        status, sit = self.status, self.sit_seconds
        if status.state in ("away", "routine") or sit <= 0:
            return None
        notch = sit / 16
        return now + notch - (status.sitting_seconds % notch)

    def _picture(self, look: IconLook | None = None) -> Any:
        self._look = look or look_of(self.status, self.sit_seconds)
        self.redraws += 1
        return draw_icon(self._look, 64)

    def _tooltip(self) -> str:
        return tooltip(self.status, self.catalogue, time.time())

    # ----- the menu --------------------------------------------------------------------------

    def menu_items(self) -> tuple[Item, ...]:
        """The menu as it stands now (see reminder.menu)."""
        stretch = self.status.next_stretch
        state = MenuState(
            state=self.status.state,
            status_line=status_line(self.status, self.catalogue, self._status_at),
            today=self.today if self.history is not None else None,
            next_stretch_name=self.catalogue.stretch(stretch).name if stretch else "a stretch",
        )
        return build_menu(state, self.catalogue, self.snooze_minutes, self.routine_pace, self)

    def _menu(self) -> Any:
        """The menu in pystray's terms."""
        item, menu = self.pystray.MenuItem, self.pystray.Menu

        def convert(entry: Item) -> Any:
            if entry.separator:
                return menu.SEPARATOR
            if entry.children:
                return item(entry.label, menu(*map(convert, entry.children)))
            action = entry.action
            return item(
                entry.label,
                (lambda *_: action()) if action else None,
                enabled=entry.enabled,
                default=entry.default,
            )

        return menu(*map(convert, self.menu_items()))

    # ----- what the items do (reminder.menu.Doers) ------------------------------------------

    def send(self, command: cmd.Command) -> None:
        """From the GUI's thread: hand the command to the daemon's loop, never wait."""
        if self.daemon is not None:
            self.daemon.submit_threadsafe(command)

    def quit(self) -> None:
        if self.daemon is not None:
            self.daemon.stop_threadsafe()

    def show_chart(self) -> None:
        """Draw the week and open it, off the menu's thread."""
        threading.Thread(target=self._draw_and_open_chart, daemon=True).start()

    def open_config(self) -> None:
        self._open_config()

    def _days(self, count: int) -> list:
        from datetime import date, timedelta
        from datetime import time as clock_time

        from reminder.clock import SystemCalendar
        from reminder.core.stats import day_stats

        calendar = SystemCalendar()
        last = date.today()
        first = last - timedelta(days=count - 1)
        since = calendar.epoch(datetime.combine(first - timedelta(days=1), clock_time()))
        from reminder.store import HistoryStore

        # Its own read-only connection (this may run on any thread), quick to give up when
        # another program holds the file: the tray keeps its last figures then.
        store = HistoryStore(self.history, read_only=True, busy_timeout=0.5)
        try:
            events = store.events(since)
        finally:
            store.close()
        return day_stats(events, calendar, first, last, self.catalogue)

    def _today_line(self) -> str:
        """'Today: sat 3 h 10 min, 4 breaks, 2 stretches' (run on the daemon's thread)."""
        try:
            today = self._days(1)[0]
        except (sqlite3.Error, OSError) as error:  # the tray keeps its last line
            log.debug("cannot read today's figures: %s", error)
            return self.today
        return today_line(today)

    def _draw_and_open_chart(self) -> None:
        from reminder.chart import draw_week
        from reminder.clock import SystemCalendar
        from reminder.paths import cache_dir

        path = cache_dir() / "week.png"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            draw_week(self._days(7), SystemCalendar()).save(path)
            _open_file(path)
        except (OSError, ValueError, sqlite3.Error) as error:
            log.warning("cannot show the chart: %s", error)

    def _open_config(self) -> None:
        """Open the config file in the user's editor of choice (created from the example first)."""
        from reminder.config import write_example

        path = self.config_path()
        try:
            if not path.exists():
                write_example(path)
            _open_file(path)
        except (OSError, UserError) as error:
            log.warning("cannot open the config file %s: %s", path, error)


def _open_file(path: Path) -> None:
    """Open a file with the desktop's default application (no shell involved)."""
    opener = {"darwin": "open", "win32": None}.get(sys.platform, "xdg-open")
    if opener is None:
        os.startfile(path)  # type: ignore[attr-defined]
    elif shutil.which(opener):
        subprocess.Popen([opener, str(path)], start_new_session=True)
    else:
        log.warning("cannot open %s: %s is not installed", path, opener)
