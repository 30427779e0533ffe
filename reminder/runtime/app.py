"""Putting psoas together once its icon shows: idle source, notifier, core, history, daemon,
config watch and control channel, each chosen here and only here.

Each adapter that cannot start says why once, and the daemon runs on what is left. Stopping
takes them down in order: a last look at the user, popups withdrawn, the history written.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from reminder import words
from reminder.bus import Buses, desktop_over_dbus
from reminder.busy import BusyWatch, open_signals
from reminder.catalogue.model import Catalogue
from reminder.config import Config, read_config, settings_for, weekly_notes_for
from reminder.config.sense import config_warnings
from reminder.config.watch import ConfigWatch
from reminder.control import Server, open_server
from reminder.control.protocol import ControlError
from reminder.core.saved import saved_records
from reminder.core.sitting import SittingCore
from reminder.core.status import State
from reminder.core.weekly import WEEKS_KEPT, WeeklyNotes
from reminder.errors import UserError
from reminder.history.journal import Journal
from reminder.history.keeper import BackgroundWriter, HistoryKeeper, carried_over
from reminder.history.store import BUSY_TIMEOUT, START_BUSY_TIMEOUT, HistoryStore
from reminder.idle import IdleChoice, IdleSource, choose
from reminder.language import _
from reminder.notify import FallbackNotifier, Note, Notifier, NotifyError, Outbox, TerminalNotifier
from reminder.paths import history_file, journal_file, pictures_dir
from reminder.pictures.cache import PictureCache
from reminder.runtime.daemon import Daemon
from reminder.runtime.requests import ControlHandler
from reminder.runtime.requests import when as when_iso
from reminder.system.clock import SystemCalendar, SystemClock

if TYPE_CHECKING:
    from pathlib import Path

    from reminder.system.supervisor import TaskSupervisor
    from reminder.tray.front import TrayFront

log = logging.getLogger(__name__)

#: How long queued notifications may take to go out when psoas stops.
_DRAIN_SECONDS = 1.0
#: How long the weekly note waits for the last weeks' figures from the history.
_HISTORY_READ_SECONDS = 60.0


class Started(Protocol):
    """What the start (reminder.runtime.launch) hands over once the icon shows: the config it
    read, the task supervisor, and where to say that the daemon runs and how to stop it."""

    config: Config
    catalogue: Catalogue
    explicit: Path | None
    config_path: Path
    config_read: float
    tasks: TaskSupervisor

    def running(self, stop: Callable[[], None]) -> None: ...


class Assembly:
    """The daemon and the parts put together around it (idle source, notifier, core, history,
    config watch, control channel), made on the loop once the icon shows and taken down in
    order."""

    def __init__(
        self, start: Started, buses: Buses, tray: TrayFront | None, own_tray: bool
    ) -> None:
        self.start = start
        self.config: Config = start.config
        self.catalogue: Catalogue = start.catalogue
        self.config_path: Path = start.config_path
        self.config_read = start.config_read
        self.config_problem: str | None = None
        self.buses = buses
        self.tray = tray
        self.own_tray = own_tray  # macOS runs its tray on the main thread, and stops it there
        self.daemon: Daemon | None = None
        self.outbox: Outbox | None = None
        self.idle_choice: IdleChoice | None = None
        self.tasks = start.tasks

    async def serve(self) -> None:
        """The daemon and its parts, until the daemon stops."""
        buses, tray = self.buses, self.tray
        idle = await self._choose_idle(self.config.idle_source)
        notifier = FallbackNotifier(await self._desktop_notifier(buses), TerminalNotifier())
        outbox = self.outbox = Outbox(notifier)
        outbox.start(self.tasks)
        clock, calendar = SystemClock(), SystemCalendar()
        core = SittingCore(settings_for(self.config, self.catalogue), calendar, self.catalogue)
        history = _open_history(core, clock, calendar, self.catalogue)
        config_watch = ConfigWatch(
            self.config_path,
            lambda: self.tasks.start(self._reload(), "reading the config file again"),
        )
        config_watch.start()
        observers = [part for part in (history, tray, config_watch) if part is not None]

        async def replace_idle(failed: Any) -> IdleSource:
            return await self._choose_idle("auto", failed)

        pictures = PictureCache(self.catalogue, pictures_dir())
        self.tasks.start(_draw_pictures(pictures), "drawing the stretch pictures")
        daemon = self.daemon = Daemon(
            core,
            clock,
            idle,
            outbox,
            self.catalogue,
            replace_idle,
            observers,
            busy=await _busy_watch(self.config, buses),
            picture=pictures.of,
            sound=self.config.sound,
            notes=(notes := weekly_notes_for(self.config, calendar, self.catalogue)),
        )
        if history is not None:  # this run's events come from the daemon; the earlier ones:
            notes.ready = False
            started = clock.now().epoch
            self.tasks.start(
                _learn_weeks(notes, history, started, daemon), "reading the last weeks' figures"
            )
        self.start.running(daemon.stop)
        if tray is not None:
            from reminder.tray.model import Backend

            def tell(title: str, body: str) -> None:
                outbox.post(Note(title, body, slot="notice"))

            tray.connect(Backend(daemon, history, tell))
        server = await _control_server(ControlHandler(daemon, self.catalogue, self.parts))
        _say_when_the_bus_goes(buses)
        try:
            await daemon.run()
        finally:
            config_watch.stop()
            if daemon.busy is not None:
                daemon.busy.close()
            if server is not None:
                await server.stop()
            if tray is not None and self.own_tray:
                await tray.stop()
            outbox.withdraw_all()  # quitting: no popup of ours stays behind
            await outbox.drain(_DRAIN_SECONDS)
            if history is not None:
                history.close()
            daemon.idle.close()
            buses.close()

    def parts(self) -> dict[str, Any]:
        """What ``psoas status`` tells of the parts around the core."""
        choice = self.idle_choice
        tray = self.tray.name if self.tray is not None else "none (headless)"
        session = self.buses.session
        if tray == "StatusNotifierItem" and session is not None and not session.connected:
            tray += f" ({_(words.BUS_LOST)})"  # the icon is gone until the bus is back
        return {
            "idle_passed_over": dict(choice.passed_over) if choice is not None else {},
            "tray": tray,
            "config": {
                "file": self.config.origin,
                # The file psoas watches, whether it exists or not: what ``psoas settings`` edits.
                "path": os.path.abspath(self.config_path),
                "read": when_iso(self.config_read),
                "problem": self.config_problem,
                "warnings": config_warnings(self.config),
            },
        }

    async def _reload(self) -> None:
        """The config file changed: run on it if it is right, else keep what runs and say why."""
        daemon, outbox = self.daemon, self.outbox
        if daemon is None or outbox is None:
            return
        try:
            config = read_config(self.start.explicit, self.catalogue)
        except UserError as error:
            problem = str(error)
            if problem != self.config_problem:
                log.warning("%s; psoas goes on with the config it had", problem)
                outbox.post(Note(_(words.CONFIG_NOT_APPLIED), problem, slot="config"))
            self.config_problem = problem
            return
        self.config_problem = None
        old, self.config, self.config_read = self.config, config, time.time()
        # Said again only when new: an unrelated edit of a file kept so on purpose stays quiet.
        warned = set(config_warnings(old))
        fresh = [warning for warning in config_warnings(config) if warning not in warned]
        for warning in fresh:
            log.warning("%s", words.config_warning(config.origin, warning))
        if fresh:
            outbox.post(Note(_(words.CONFIG_WARNINGS), "\n".join(fresh), slot="config"))
        if config.language != old.language:
            _speak(config.language, self.catalogue)
        daemon.reconfigure(
            settings_for(config, self.catalogue),
            weekly_notes_for(config, SystemCalendar(), self.catalogue),
        )
        daemon.sound = config.sound
        if self.tray is not None:
            self.tray.reconfigure(config)
        if config.idle_source != old.idle_source or config.break_seconds != old.break_seconds:
            # A new source, or one tuned to the break (Wayland's notice) chosen again.
            daemon.use_idle(await self._choose_idle(config.idle_source))
        if config.quiet != old.quiet:
            if daemon.busy is not None:
                daemon.busy.close()
            daemon.busy = await _busy_watch(config, self.buses)
        log.info("config read again from %s: %s", config.origin, words.config_line(config))

    async def _choose_idle(self, wanted: str, failed: Any = ()) -> IdleSource:
        """The idle source for ``wanted``, said in the log with what was passed over and why."""
        choice = self.idle_choice = await choose(
            wanted, self.buses, failed, break_seconds=self.config.break_seconds
        )
        log.info("idle source: %s", choice)
        if not choice.source.tracks_input:
            if wanted not in ("auto", "none") and wanted not in failed:
                log.warning("idle source %r is not available here: %s", wanted, choice)
            log.warning("no idle source: every minute psoas runs counts as sitting")
        return choice.source

    async def _desktop_notifier(self, buses: Buses) -> Notifier:
        """The freedesktop interface itself where there is a session bus (buttons, replacing,
        taking down); on Windows and macOS their own notifications."""
        icons = _notification_icons()
        if buses.session is not None:
            from reminder.notify.freedesktop import FreedesktopNotifier

            notifier = FreedesktopNotifier(
                buses.session, icons, self._on_action, show_again=self._show_again
            )
            try:
                await notifier.start()
                return notifier
            except NotifyError as error:
                log.warning("no notification buttons: %s", error)
        if desktop_over_dbus():
            return TerminalNotifier()
        # On macOS a pressed button comes through the main thread's run loop, which only
        # AppKit runs, under pystray's tray; headless, the loop has the main thread.
        buttons = sys.platform != "darwin" or (self.tray is not None and not self.own_tray)
        return await native_notifier(icons, self._on_action, buttons)

    def _on_action(self, key: str) -> None:
        if self.daemon is not None:
            self.daemon.on_action(key)

    def _show_again(self, note: Note) -> None:
        if self.outbox is not None:
            self.outbox.post(note)


async def native_notifier(
    icons: dict[str | None, Path], on_action: Callable[[str], None], buttons: bool
) -> Notifier:
    """Windows' toasts or macOS's Notification Center; else, on macOS, AppleScript's plain
    notifications; else the terminal. What was passed over is said once, in the log."""
    from reminder.notify.native import NativeNotifier

    native = NativeNotifier(icons, on_action, buttons)
    try:
        await native.start()
    except NotifyError as error:
        log.warning("no native notifications: %s", error)
    else:
        if not native.buttons:
            log.info("notifications without buttons: a pressed one could not reach psoas here")
        return native
    if sys.platform == "darwin":
        from reminder.notify.osascript import OsascriptNotifier

        return OsascriptNotifier()
    return TerminalNotifier()


def _speak(language: str, catalogue: Catalogue) -> None:
    """Speak the config's new language from now on, the stretches' words included."""
    from reminder.catalogue.loader import load_catalogue
    from reminder.language import choose

    log.info("language: %s", choose(language))
    catalogue.take_words(load_catalogue().in_language())


async def _draw_pictures(pictures: PictureCache) -> None:
    try:
        await asyncio.to_thread(pictures.draw_all)
    except (OSError, ValueError) as error:
        log.warning("cannot draw the stretch pictures (%s); notifications go without", error)


async def _busy_watch(config: Config, buses: Buses) -> BusyWatch | None:
    """The busy signals the config asks for, or None: then no prompt is ever held."""
    if not config.quiet.when:
        return None
    signals = await open_signals(config.quiet.when, buses, config.quiet.apps)
    return BusyWatch(signals, config.quiet.recheck_minutes * 60) if signals else None


def _say_when_the_bus_goes(buses: Buses) -> None:
    """The session bus ending (a logout half-way, a restarted bus) is said once each time; the
    connection gets it back by itself (and says so), and psoas goes on meanwhile."""
    if buses.session is None:
        return
    buses.session.when_lost(
        lambda why: log.warning(
            "lost the D-Bus session bus (%s): psoas tries to get it back; meanwhile the tray "
            "icon is gone, notifications go to the terminal and D-Bus idle sources are "
            "replaced; reminders go on",
            why,
        )
    )


def _notification_icons() -> dict[str | None, Path]:
    """The icons notifications carry, by slot: a due ring on prompts, the routine's own on its
    steps, the plain ring on the rest. psoas ships them: nothing is drawn to start."""
    from reminder.tray.icon import shipped_icon

    return {
        "prompt": shipped_icon("psoas-prompt.png"),
        "routine": shipped_icon("psoas-routine.png"),
        None: shipped_icon("psoas.png"),
    }


def _open_history(
    core: SittingCore, clock: SystemClock, calendar: SystemCalendar, catalogue: Catalogue
) -> HistoryKeeper | None:
    """Keep the history, and carry the sitting clock over a restart; or say why not."""
    try:
        store = HistoryStore(history_file(), busy_timeout=START_BUSY_TIMEOUT)
    except (OSError, sqlite3.Error) as error:
        log.warning("no history this time (%s); reminders go on without it", error)
        return None
    try:
        saved, late = store.load_state("sitting"), False
    except (OSError, sqlite3.Error) as error:  # busy or full for now: the writer tries again
        log.warning(
            "cannot read the sitting clock saved in %s yet (%s); starting afresh", store.path, error
        )
        saved, late = None, True
    journal = Journal(journal_file())
    carried = carried_over(journal)
    if "sitting" in carried.states:  # the clock saved when psoas last stopped: the newest
        saved, late = carried.states["sitting"], "sitting" in carried.unread
    store.wait_when_busy(BUSY_TIMEOUT)  # the writer's thread may wait; the start did not
    now = clock.now()

    def sit_read_late(old: dict | None) -> list:
        """The sit the saved clock holds, recorded once it can be read, before this run's
        clock replaces it."""
        return saved_records(old, now.epoch)

    writer = BackgroundWriter(store, {"sitting": sit_read_late} if late else None, journal, carried)
    restored = core.restore(now, saved)
    for event in restored:
        log.info("psoas was stopped for longer than a break: %s", words.log_line(event, now.epoch))
    writer.record(restored)
    if core.status(now).state != State.AWAY:
        log.info("restarted within a break: the sitting clock carries on")
    return HistoryKeeper(writer, core, clock, calendar, catalogue)


async def _learn_weeks(
    notes: WeeklyNotes, history: HistoryKeeper, before: float, daemon: Daemon
) -> None:
    """Hand the weekly note the last weeks' events (and the notes given in them) from the
    history, off the start: a history held by another program must not hold psoas up. Until
    they come the note waits; if they cannot be read, it knows only this run's, said once."""
    since = before - (WEEKS_KEPT + 1) * 7 * 86400  # a week more: the note trims exactly
    try:
        async with asyncio.timeout(_HISTORY_READ_SECONDS):
            read = history.writer.read(lambda store: store.events(since, before))
            notes.remember(await asyncio.wrap_future(read))
    except (OSError, sqlite3.Error, TimeoutError) as error:
        log.warning("the weekly note knows only this run's figures: the history (%s)", error)
    notes.ready = True
    daemon.look_again()


async def _control_server(handler: ControlHandler) -> Server | None:
    """The control channel, or None after saying once why there is none."""
    try:
        server = open_server(handler.answer)
        await server.start()
    except (ControlError, OSError) as error:
        log.warning(
            "no control channel (%s); psoas status, snooze... will not reach this one", error
        )
        return None
    log.info("control channel: %s", server.path)
    return server
