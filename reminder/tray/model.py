"""What every tray shows and does, worked out once for whichever front-end draws it.

The front-ends (a StatusNotifierItem on Linux, pystray elsewhere) only draw: the icon's look, the
tooltip, the menu and whether a prompt waits all come from here, and every item of the menu does
what this says. Items may be clicked from a toolkit's own thread: what they do is always handed
to the daemon's loop, never done on the spot. An item whose action fails tells the user so in a
notification, in one line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Protocol

from reminder import words
from reminder.catalogue.model import Catalogue
from reminder.config import Config
from reminder.core import commands as cmd
from reminder.core import events as ev
from reminder.core.stats import DayStats
from reminder.core.status import State, Status
from reminder.language import _
from reminder.paths import log_dir, make_folder
from reminder.system.supervisor import TaskSupervisor
from reminder.tray.icon import IconLook, look_for
from reminder.tray.menu import Item, MenuState, build_menu
from reminder.words import status_line, today_line, tooltip

log = logging.getLogger(__name__)

#: The ring has this many notches: the icon is redrawn (and the daemon woken) once per notch.
NOTCHES = 16
#: ``psoas settings`` starts the page and opens the browser in a second or two; never waited
#: on longer than this.
SETTINGS_DEADLINE = 30.0


class TrayUnavailable(Exception):
    """No usable tray here; the message says what is missing and how to get it."""


class HistoryView(Protocol):
    """Where the tray reads the last days' figures (the history keeper)."""

    async def days(self, count: int) -> Sequence[DayStats]: ...


class Steering(Protocol):
    """What the menu's items steer (the daemon), from any thread."""

    def submit_threadsafe(self, command: cmd.Command) -> None: ...

    def stop_threadsafe(self) -> None: ...


@dataclass(frozen=True)
class Backend:
    """What the tray works with once psoas runs behind its icon (the icon shows first): the
    daemon its items steer, the history its Today line and chart read (None: none), and the
    way to tell the user something (a notification)."""

    daemon: Steering
    history: HistoryView | None
    tell: Callable[[str, str], None]


def look_of(status: Status, sit_seconds: float) -> IconLook:
    if status.state == State.ROUTINE:
        return look_for(State.ROUTINE, status.routine_progress)
    fraction = status.sitting_seconds / sit_seconds if sit_seconds else 0
    return look_for(status.state, fraction, NOTCHES)


class TrayModel:
    """The tray's state and actions, kept on the daemon's loop.

    Made before psoas's daemon exists, so the icon shows first; :meth:`connect` then gives it
    what runs behind the icon, once. Until then its items do nothing and it shows no Today line.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        config: Config,
        config_path: Callable[[], Path],
        chart_file: Path,
        tasks: TaskSupervisor | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.snooze_minutes = config.snooze_minutes
        self.sit_seconds = config.sit_seconds
        self.routine_pace = config.routine_pace
        self.desk = config.desk.standing
        self.config_path = config_path
        self.chart_file = chart_file
        self.tasks = tasks or TaskSupervisor()
        self.status = Status(State.AWAY, 0.0, None, None, None)
        self.status_at = time.time()
        self.today = _("Today: nothing recorded yet")
        self._today_of: date | None = None  # the day the Today line is of, once read
        self._backend: Backend | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def connect(self, backend: Backend) -> None:
        """What runs behind the icon, from now on (on the loop that runs it, which is this one)."""
        self._backend, self._loop = backend, asyncio.get_running_loop()

    def reconfigure(self, config: Config) -> None:
        """The user's config changed: the menu's choices and the ring follow it."""
        self.snooze_minutes = config.snooze_minutes
        self.sit_seconds = config.sit_seconds
        self.routine_pace = config.routine_pace
        self.desk = config.desk.standing

    @property
    def history(self) -> HistoryView | None:
        return self._backend.history if self._backend is not None else None

    # ----- what the front-ends draw ------------------------------------------------------------

    def seen(self, events: list[ev.Event], status: Status) -> bool:
        """The daemon's news after a wake-up; whether the Today line is to be read again (there
        is news, or a new day began since it was read: :meth:`read_today`)."""
        self.status, self.status_at = status, time.time()
        new_day = date.fromtimestamp(self.status_at) != self._today_of
        return self.history is not None and (bool(events) or new_day)

    def look(self) -> IconLook:
        return look_of(self.status, self.sit_seconds)

    def tooltip(self) -> str:
        return tooltip(self.status, self.catalogue, time.time())

    def needs_attention(self) -> bool:
        return self.status.state == State.DUE

    def menu(self) -> tuple[Item, ...]:
        """The menu as it stands now, its status line in clock times of this moment."""
        stretch = self.status.next_stretch
        state = MenuState(
            state=self.status.state,
            status_line=status_line(self.status, self.catalogue, self.status_at),
            today=self.today if self.history is not None else None,
            next_stretch_name=self.catalogue.stretch(stretch).name if stretch else _("a stretch"),
            routine_paused=self.status.routine_paused,
            desk=self.desk,
            standing=self.status.standing_since is not None,
        )
        items = build_menu(state, self.catalogue, self.snooze_minutes, self.routine_pace, self)
        return tuple(map(self._guarded, items))

    def next_wakeup(self, now: float) -> float | None:
        """When the ring next moves a notch: the daemon wakes then to redraw, no sooner; never
        once the ring is full (due, held, snoozed...: only a new state changes the picture)."""
        status, sit = self.status, self.sit_seconds
        resting = (State.AWAY, State.ROUTINE, State.STANDING)  # the ring does not move
        if status.state in resting or sit <= 0 or status.sitting_seconds >= sit:
            return None
        notch = sit / NOTCHES
        return now + notch - (status.sitting_seconds % notch)

    # ----- what the items do (reminder.tray.menu.MenuActions), from any thread ----------------

    def send(self, command: cmd.Command) -> None:
        if self._backend is not None:
            self._backend.daemon.submit_threadsafe(command)

    def quit(self) -> None:
        if self._backend is not None:
            self._backend.daemon.stop_threadsafe()

    def show_chart(self) -> None:
        self._call_soon(lambda: self._start(self._chart(), _(words.SHOW_CHART)))

    def open_config(self) -> None:
        self._call_soon(lambda: self._start(self._open_config(), _(words.OPEN_CONFIG)))

    def open_settings(self) -> None:
        self._call_soon(lambda: self._start(self._open_settings(), _(words.OPEN_SETTINGS)))

    def _guarded(self, item: Item) -> Item:
        """``item`` (and its submenu) with an action that tells the user when it fails."""
        children = tuple(map(self._guarded, item.children))
        action = item.action
        if action is None:
            return replace(item, children=children) if children else item

        def guarded() -> None:
            try:
                action()
            except Exception:  # a boundary: the user clicked, and hears back either way
                log.warning("the menu's %r failed", item.label, exc_info=True)
                self._call_soon(lambda: self._failed(words.menu_entry(item.label)))

        return replace(item, action=guarded, children=children)

    # ----- on the loop ---------------------------------------------------------------------------

    def _call_soon(self, function: Callable[[], None]) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(function)

    def _start(self, work: Coroutine[object, object, None], action: str) -> None:
        """Do what the user asked, in the background; tell them if it fails."""
        self.tasks.start(work, action, failed=lambda: self._failed(action))

    def _failed(self, action: str) -> None:
        self.tell(*words.action_failed(action, log_dir()))

    def tell(self, title: str, body: str) -> None:
        """Show the user a notice, once psoas runs behind the icon (the log has it anyway)."""
        if self._backend is not None:
            self._backend.tell(title, body)

    async def read_today(self) -> bool:
        """Read today's figures for the Today line; whether the line changed."""
        history = self.history
        if history is None:
            return False
        day = date.fromtimestamp(time.time())
        try:
            (today,) = await history.days(1)
        except (sqlite3.Error, OSError) as error:  # the tray keeps its last line
            log.debug("cannot read today's figures: %s", error)
            return False
        self._today_of, line = day, today_line(today)
        changed, self.today = line != self.today, line
        return changed

    async def _chart(self) -> None:
        """Draw the week off the loop and open it."""
        history = self.history
        if history is None:
            return
        from reminder.pictures.chart import draw_week
        from reminder.system.clock import SystemCalendar

        try:
            days = await history.days(7)
            make_folder(self.chart_file.parent)
            image = await asyncio.to_thread(draw_week, list(days), SystemCalendar())
            await asyncio.to_thread(image.save, self.chart_file)
        except (OSError, ValueError, sqlite3.Error) as error:
            log.warning("cannot show the chart: %s", error)
            self.tell(*words.chart_not_drawn(str(error)))
            return
        problem = await open_file(self.chart_file)
        if problem:
            log.warning("cannot open the chart %s: %s", self.chart_file, problem)
            self.tell(*words.chart_not_opened(self.chart_file))

    async def _open_config(self) -> None:
        """Open the config file in the user's editor of choice (created from the example first);
        where nothing opens it, say where it is."""
        from reminder.config import write_example
        from reminder.errors import UserError

        path = self.config_path()
        try:
            if not path.exists():
                write_example(path)
        except (OSError, UserError) as error:
            log.warning("cannot open the config file %s: %s", path, error)
            self.tell(*words.config_not_opened(path, str(error)))
            return
        problem = await open_file(path)
        if problem:
            log.warning("cannot open the config file %s: %s", path, problem)
            self.tell(*words.config_not_opened(path, problem))

    async def _open_settings(self) -> None:
        """Start ``psoas settings`` for the config file this psoas reads: the page is another
        process, so nothing of it is loaded here. It opens the browser and ends within seconds,
        leaving the page's process running; its one line, if it fails, is told to the user."""
        command = [
            sys.executable,
            "-m",
            "reminder",
            "settings",
            "--config",
            str(self.config_path()),
        ]
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            _, said = await asyncio.wait_for(process.communicate(), SETTINGS_DEADLINE)
        except TimeoutError:
            process.kill()
            problem = f"psoas settings gave no answer within {SETTINGS_DEADLINE:g} s"
        except OSError as error:
            problem = error.strerror or str(error)
        else:
            if process.returncode == 0:
                return
            lines = said.decode("utf-8", "replace").strip().splitlines()
            problem = (
                lines[-1].removeprefix("psoas: ") if lines else f"exit status {process.returncode}"
            )
        log.warning("cannot open the settings: %s", problem)
        self.tell(*words.settings_not_opened(problem))


async def open_file(path: Path) -> str | None:
    """Open a file with the desktop's default application (no shell involved); what went wrong,
    in a few words, or None. The opener's own complaints go to the log, not the terminal."""
    if sys.platform == "win32":
        try:
            os.startfile(path)  # type: ignore[attr-defined]
        except OSError as error:
            return error.strerror or str(error)
        return None
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener) is None:
        return f"{opener} is not installed"
    try:
        process = await asyncio.create_subprocess_exec(
            opener,
            str(path),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # no pipe: the editor it starts would hold it open
            start_new_session=True,
        )
        await process.wait()
    except OSError as error:
        return f"{opener}: {error.strerror or error}"
    if process.returncode == 0:
        return None
    return f"{opener} found no application for it (exit status {process.returncode})"
