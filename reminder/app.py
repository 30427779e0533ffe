"""Putting psoas together: buses, idle source, notifier, core, daemon, tray and control channel.

Each adapter is chosen here and only here; each that cannot start says why once, and the daemon
runs on what is left. Everything but the history writer (and pystray's toolkit, where it is used)
runs on one asyncio loop in the main thread, which also takes the signals.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reminder import words
from reminder.bus import BusError, Buses, connect, name_has_owner
from reminder.busy import BusyWatch, open_signals
from reminder.catalogue.model import Catalogue
from reminder.clock import SystemCalendar, SystemClock
from reminder.config import Config, read_config, settings_for
from reminder.config_watch import ConfigWatch
from reminder.control import Server, open_server
from reminder.control.handler import ControlHandler
from reminder.control.handler import when as when_iso
from reminder.control.protocol import ControlError
from reminder.core.saved import saved_sit
from reminder.core.sitting import SittingCore
from reminder.core.status import State
from reminder.daemon import Daemon
from reminder.errors import UserError
from reminder.history import BackgroundWriter, HistoryKeeper
from reminder.idle import choose_idle_source
from reminder.instance import AlreadyRunning, InstanceLock
from reminder.logs import setup_logging
from reminder.notify import (
    FallbackNotifier,
    Note,
    Notifier,
    NotifyError,
    Outbox,
    PlyerNotifier,
    TerminalNotifier,
)
from reminder.paths import (
    chart_file,
    config_file,
    history_file,
    pictures_dir,
    runtime_dir,
)
from reminder.pictures import PictureCache
from reminder.store import BUSY_TIMEOUT, START_BUSY_TIMEOUT, HistoryStore

if TYPE_CHECKING:  # the tray's modules (and Pillow) load only when there is a tray to show
    from reminder.tray.model import TrayModel
    from reminder.tray.pystray_tray import PystrayTray
    from reminder.tray.sni_tray import SniTray

    #: A tray front-end: it follows the daemon and can be started and stopped on the loop.
    Tray = PystrayTray | SniTray

log = logging.getLogger(__name__)

SNI_WATCHER = "org.kde.StatusNotifierWatcher"

#: How long queued notifications may take to go out when psoas stops.
_DRAIN_SECONDS = 1.0


def run_app(
    config: Config, catalogue: Catalogue, explicit: Path | None, headless: bool, verbose: bool
) -> int:
    """Run psoas until it is told to stop; the exit status."""
    lock: InstanceLock | None = None
    try:
        lock = InstanceLock(runtime_dir())
        lock.acquire()  # held until this function returns or the process ends, however it ends
    except AlreadyRunning as error:
        print(f"psoas: {error}", file=sys.stderr)
        return 1
    except (ControlError, OSError) as error:
        lock = None
        print(f"psoas: cannot check for another running psoas ({error}); going on", file=sys.stderr)
    try:
        log_file = setup_logging(verbose)
        print(words.running(config, time.time(), SystemCalendar()), file=sys.stderr, flush=True)
        log.info("config: %s; log: %s", config.origin, log_file)
        app = App(config, catalogue, explicit, headless)
        if app.model is not None and sys.platform == "darwin":
            # macOS wants its GUI on the main thread: pystray takes it, the loop runs beside it.
            from reminder.tray.pystray_tray import PystrayTray

            tray = PystrayTray(app.model)
            tray.run_on_main_thread(lambda: asyncio.run(app.serve(tray)))
        else:
            asyncio.run(app.serve())
    finally:
        if lock is not None:
            lock.release()
    return 0


class App:
    """The parts of one running psoas, made on its loop and taken down in order."""

    def __init__(
        self, config: Config, catalogue: Catalogue, explicit: Path | None, headless: bool
    ) -> None:
        self.config = config
        self.catalogue = catalogue
        self.config_path = explicit or config_file()
        self.explicit = explicit
        self.config_read = time.time()
        self.config_problem: str | None = None
        self.daemon: Daemon | None = None
        self.stop_asked = False
        self.outbox: Outbox | None = None
        self.tray: Tray | None = None
        self.buses = Buses(None)
        self._tasks: set[asyncio.Task[None]] = set()  # held until done: the loop keeps weak refs
        self.model: TrayModel | None = None
        if not headless:
            from reminder.tray.model import TrayModel

            self.model = TrayModel(
                catalogue,
                config,
                lambda: self.config_path,
                history=None,  # the history keeper, once there is one
                chart_file=chart_file(),
            )

    async def serve(self, running_tray: Tray | None = None) -> None:
        """Everything, on this loop, until the daemon stops; ``running_tray`` is one the caller
        already runs on the main thread (macOS)."""
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(_keep_in_the_log)
        _wait_for_children_without_threads(loop)
        self._take_signals(loop)
        buses = self.buses = Buses(await _session_bus())
        if buses.session is None and _desktop_over_dbus():
            log.warning("%s", words.no_session_bus(tray=self.model is not None))
        tray = running_tray
        if self.model is not None and tray is None:
            tray = await _start_tray(self.model, buses)  # first: the icon shows soonest
        self.tray = tray
        idle = await choose_idle_source(self.config.idle_source, buses)
        if not idle.tracks_input:
            log.warning("no idle source: every minute psoas runs counts as sitting")
        notifier = FallbackNotifier(await self._desktop_notifier(buses), TerminalNotifier())
        outbox = self.outbox = Outbox(notifier)
        outbox.start()
        if self.model is not None:
            self.model.tell = lambda title, body: outbox.post(Note(title, body, slot="notice"))
        clock, calendar = SystemClock(), SystemCalendar()
        core = SittingCore(settings_for(self.config, self.catalogue), calendar, self.catalogue)
        history = _history(core, clock, calendar, self.catalogue)
        if self.model is not None:
            self.model.history = history
        config_watch = ConfigWatch(self.config_path, lambda: self._later(self._reload()))
        config_watch.start()
        observers = [part for part in (history, tray, config_watch) if part is not None]

        async def replace_idle(failed: Any) -> Any:
            return await choose_idle_source("auto", buses, failed)

        pictures = PictureCache(self.catalogue, pictures_dir())
        self._later(_draw_pictures(pictures))
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
        )
        if self.stop_asked:
            daemon.stop()
        if self.model is not None:
            self.model.bind(daemon)
        server = await _control_server(ControlHandler(daemon, self.catalogue, self.parts))
        watch = loop.create_task(_say_when_the_bus_goes(buses))
        try:
            await daemon.run()
        finally:
            watch.cancel()
            config_watch.stop()
            if daemon.busy is not None:
                daemon.busy.close()
            if server is not None:
                await server.stop()
            if tray is not None and tray is not running_tray:
                await tray.stop()
            outbox.withdraw_all()  # quitting: no popup of ours stays behind
            await outbox.drain(_DRAIN_SECONDS)
            if history is not None:
                history.close()
            buses.close()

    def parts(self) -> dict[str, Any]:
        """What ``psoas status`` tells of the parts around the core."""
        return {
            "tray": self.tray.name if self.tray is not None else "none (headless)",
            "config": {
                "file": self.config.origin,
                "read": when_iso(self.config_read),
                "problem": self.config_problem,
            },
        }

    def _later(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reload(self) -> None:
        """The config file changed: run on it if it is right, else keep what runs and say why."""
        daemon, outbox = self.daemon, self.outbox
        if daemon is None or outbox is None:
            return
        try:
            config = read_config(self.explicit, self.catalogue)
        except UserError as error:
            problem = str(error)
            if problem != self.config_problem:
                log.warning("%s; psoas goes on with the config it had", problem)
                outbox.post(Note(words.CONFIG_NOT_APPLIED, problem, slot="config"))
            self.config_problem = problem
            return
        self.config_problem = None
        old, self.config, self.config_read = self.config, config, time.time()
        daemon.reconfigure(settings_for(config, self.catalogue))
        if self.model is not None:
            self.model.reconfigure(config)
        if config.idle_source != old.idle_source:
            daemon.idle = await choose_idle_source(config.idle_source, self.buses)
        if config.quiet != old.quiet:
            if daemon.busy is not None:
                daemon.busy.close()
            daemon.busy = await _busy_watch(config, self.buses)
        log.info("config read again from %s: %s", config.origin, words.config_line(config))

    def _take_signals(self, loop: asyncio.AbstractEventLoop) -> None:
        """TERM, INT and HUP stop psoas cleanly: a last look at the user, history written."""

        def stop() -> None:
            self.stop_asked = True  # a signal before the daemon exists still stops it
            if self.daemon is not None:
                self.daemon.stop()

        for signum in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None)):
            if signum is None:
                continue
            try:
                loop.add_signal_handler(signum, stop)
            except (NotImplementedError, RuntimeError, ValueError):  # Windows; not the main thread
                signal.signal(signum, lambda *_: loop.call_soon_threadsafe(stop))

    async def _desktop_notifier(self, buses: Buses) -> Notifier:
        """The freedesktop interface itself where there is a session bus (buttons, replacing,
        taking down); elsewhere plyer."""
        icons = _notification_icons()
        if buses.session is not None:
            from reminder.notify_dbus import FreedesktopNotifier

            notifier = FreedesktopNotifier(buses.session, icons, self._on_action)
            try:
                await notifier.start()
                return notifier
            except NotifyError as error:
                log.warning("no notification buttons: %s", error)
        if _desktop_over_dbus():
            return TerminalNotifier()  # plyer would only shell out to notify-send, hiding failures
        return PlyerNotifier(icons.get(None))

    def _on_action(self, key: str) -> None:
        if self.daemon is not None:
            self.daemon.on_action(key)


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


def _wait_for_children_without_threads(loop: asyncio.AbstractEventLoop) -> None:
    """Python 3.11 waits for each subprocess (pactl, xdg-open...) in a thread of its own; a
    pidfd lets the loop itself wait. 3.12 does so by default."""
    if sys.version_info >= (3, 12) or not hasattr(os, "pidfd_open"):
        return
    try:
        watcher = asyncio.PidfdChildWatcher()
        watcher.attach_loop(loop)
        asyncio.set_child_watcher(watcher)
    except (OSError, NotImplementedError, RuntimeError) as error:
        log.debug("subprocesses are waited for in threads: %s", error)


def _keep_in_the_log(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """What the loop could not hand to anyone (a library's orphaned future, say) goes to the log
    file in one line, not to the user's terminal as a traceback."""
    error = context.get("exception")
    log.info("loop: %s%s", context.get("message", "?"), f" ({error!r})" if error else "")


def _desktop_over_dbus() -> bool:
    """Whether the desktop's parts psoas uses, notifications and the tray, are reached over the
    session bus (Linux: freedesktop notifications, a StatusNotifierItem); elsewhere plyer and
    pystray need none."""
    return sys.platform.startswith("linux")


async def _session_bus() -> Any | None:
    """The session bus, or None. Why there is none goes to the log file only: the user is told
    once, in words, what it costs (:func:`words.no_session_bus`)."""
    try:
        return await connect()
    except BusError as error:
        log.info("%s", error)
        return None


async def _say_when_the_bus_goes(buses: Buses) -> None:
    """The session bus ending (a logout half-way, a crash) is said once; psoas goes on."""
    if buses.session is None:
        return
    try:
        await buses.session.wait_for_disconnect()
        reason = "it closed"
    except EOFError:
        reason = "it closed"
    except Exception as error:  # dbus-fast hands over whatever ended the connection
        reason = str(error) or type(error).__name__
    log.warning(
        "lost the D-Bus session bus (%s): notifications go to the terminal and D-Bus idle "
        "sources are replaced; reminders go on",
        reason,
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


def _history(
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
    store.wait_when_busy(BUSY_TIMEOUT)  # the writer's thread may wait; the start did not
    now = clock.now()

    def sit_read_late(old: dict | None) -> list:
        """The sit the saved clock holds, recorded once it can be read, before this run's
        clock replaces it."""
        sit = saved_sit(old, now.epoch)
        return [sit] if sit else []

    writer = BackgroundWriter(store, {"sitting": sit_read_late} if late else None)
    restored = core.restore(now, saved)
    for event in restored:
        log.info("psoas was stopped for longer than a break: %s", event)
    writer.record(restored)
    if core.status(now).state != State.AWAY:
        log.info("restarted within a break: the sitting clock carries on")
    return HistoryKeeper(writer, core, clock, calendar, catalogue)


async def _start_tray(model: TrayModel, buses: Buses) -> Tray | None:
    """The tray for this desktop, started; or None after saying once, plainly, why there is none.

    The one place a tray is chosen: on Linux a StatusNotifierItem (every current panel draws
    them), unless the panel only speaks XEmbed and pystray's extra is installed; elsewhere pystray.
    """
    from reminder.tray.model import TrayUnavailable
    from reminder.tray.sni_tray import SniTray

    tray: Tray
    try:
        if _desktop_over_dbus():
            if buses.session is None:
                log.info("no tray icon: no D-Bus session bus for a StatusNotifierItem")
                return None  # said already, with everything else the missing bus costs
            tray = _xembed_tray(model) if await _xembed_only(buses) else None
            tray = tray or SniTray(model, buses.session)
        else:
            from reminder.tray.pystray_tray import PystrayTray

            tray = PystrayTray(model)
        await tray.start()
    except (TrayUnavailable, BusError) as error:
        log.warning("no tray icon: %s; running headless (notifications only)", error)
        return None
    log.info("tray: %s", tray.name)
    return tray


async def _xembed_only(buses: Buses) -> bool:
    """An XEmbed tray (trayer, stalonetray...) runs and no StatusNotifierItem host does.

    The bus is asked first: where a StatusNotifierItem host runs (nearly everywhere), the X
    display is never opened (that alone takes 30 ms of a start that should show the icon soonest).
    """
    from reminder.tray.pystray_tray import xembed_host_present

    with contextlib.suppress(BusError):
        if await name_has_owner(buses.session, SNI_WATCHER):
            return False
    return xembed_host_present()


def _xembed_tray(model: TrayModel) -> PystrayTray | None:
    """pystray's tray for an XEmbed-only panel, or None (said why) without its extra."""
    import importlib.util

    from reminder.tray.pystray_tray import INSTALL_HINT, PystrayTray

    if importlib.util.find_spec("gi") is None:
        log.warning("this panel only shows XEmbed icons: %s", INSTALL_HINT)
        return None
    return PystrayTray(model)


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
