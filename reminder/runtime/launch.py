"""Starting psoas: one instance, its log, the loop and its signals, the session bus, the icon.

The icon is what a user waits for, so it comes first; the daemon and the parts around it
(:mod:`reminder.runtime.app`) load only once it shows. Everything but the history writer (and
pystray's toolkit, where it is used) runs on one asyncio loop in the main thread, which also takes
the signals.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reminder import words
from reminder.bus import BusError, Buses, connect, desktop_over_dbus
from reminder.catalogue.model import Catalogue
from reminder.config import Config
from reminder.config.sense import config_warnings
from reminder.paths import NotPrivate, chart_file, config_file, runtime_dir
from reminder.runtime.early_stop import STOP_SIGNALS, EarlyStop
from reminder.runtime.instance import AlreadyRunning, InstanceLock
from reminder.runtime.logs import say, setup_logging
from reminder.system.clock import SystemCalendar
from reminder.system.supervisor import TaskSupervisor

if TYPE_CHECKING:  # the tray's modules (and Pillow) load only when there is a tray to show
    from reminder.tray.front import TrayFront
    from reminder.tray.model import TrayModel

log = logging.getLogger(__name__)


def run_app(
    config: Config,
    catalogue: Catalogue,
    explicit: Path | None,
    headless: bool,
    verbose: bool,
    early: EarlyStop | None = None,
) -> int:
    """Run psoas until it is told to stop; the exit status. ``early`` holds a stop signal
    that came while psoas was loading."""
    try:
        lock = InstanceLock(runtime_dir())
        lock.acquire()  # held until this function returns or the process ends, however it ends
    except AlreadyRunning as error:
        say(f"psoas: {error}")
        return 1
    except NotPrivate as error:
        say(words.runtime_refused(str(error)))
        return 2
    except OSError as error:  # a full or read-only runtime folder: two could run unaware
        where = f"{error.filename}: " if error.filename else ""
        say(words.no_instance_lock(f"{where}{error.strerror or error}"))
        return 2
    try:
        log_file = setup_logging(verbose)
        say(words.running(config, time.time(), SystemCalendar()))
        log.info("config: %s; log: %s", config.origin, log_file)
        for warning in config_warnings(config):
            log.warning("%s", words.config_warning(config.origin, warning))
        config_path = explicit or config_file()
        tasks = TaskSupervisor()
        model = None if headless else _tray_model(config, catalogue, config_path, tasks)
        start = Startup(config, catalogue, explicit, config_path, model, tasks, early)
        if model is not None and sys.platform == "darwin":
            # macOS wants its GUI on the main thread: pystray takes it, the loop runs beside it.
            from reminder.tray.pystray_tray import PystrayTray

            tray = PystrayTray(model)
            tray.run_on_main_thread(lambda: asyncio.run(start.serve(tray)))
        else:
            asyncio.run(start.serve())
    finally:
        lock.release()
    return 0


class Startup:
    """The start of a run: what psoas starts with, and everything up to its icon showing (the
    loop, the signals, the bus, the tray); then the daemon and its parts are put together
    (:class:`~reminder.runtime.app.Assembly`), and a stop signal stops the daemon."""

    def __init__(
        self,
        config: Config,
        catalogue: Catalogue,
        explicit: Path | None,
        config_path: Path,
        model: TrayModel | None,
        tasks: TaskSupervisor,
        early: EarlyStop | None = None,
    ) -> None:
        self.config = config
        self.catalogue = catalogue
        self.explicit = explicit
        self.config_path = config_path
        self.model = model
        #: Starts and watches every background task of this run (the tray's, the app's).
        self.tasks = tasks
        self.config_read = time.time()
        self.early = early  # what noted a stop signal while psoas was loading
        self._stop_asked = False  # a stop signal came before there was a daemon to stop
        self._stop: Callable[[], None] | None = None

    def running(self, stop: Callable[[], None]) -> None:
        """The daemon runs, and ``stop`` stops it: a stop signal does so from now on, and one
        that came before already does."""
        self._stop = stop
        if self._stop_asked:
            stop()

    async def serve(self, running_tray: TrayFront | None = None) -> None:
        """Everything, on this loop, until the daemon stops; ``running_tray`` is one the caller
        already runs on the main thread (macOS)."""
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(_keep_in_the_log)
        _wait_for_children_without_threads(loop)
        self._take_signals(loop)
        buses = Buses(await _session_bus())
        if buses.session is None and desktop_over_dbus():
            log.warning("%s", words.no_session_bus(tray=self.model is not None))
        tray = running_tray
        if self.model is not None and tray is None:
            from reminder.tray.choice import start_tray

            tray = await start_tray(self.model, buses)
        gc.enable()  # off while psoas loads, up to its icon (reminder.cli.main)
        # The daemon and its parts: loaded once the icon shows.
        from reminder.runtime.app import Assembly

        assembly = Assembly(self, buses, tray, own_tray=tray is not running_tray)
        await assembly.serve()

    def _take_signals(self, loop: asyncio.AbstractEventLoop) -> None:
        """TERM, INT and HUP stop psoas cleanly: a last look at the user, history written."""

        def stop() -> None:
            self._stop_asked = True
            if self._stop is not None:
                self._stop()

        for signum in STOP_SIGNALS:
            try:
                loop.add_signal_handler(signum, stop)
            except (NotImplementedError, RuntimeError, ValueError):  # Windows; not the main thread
                signal.signal(signum, lambda *_: loop.call_soon_threadsafe(stop))
        if self.early is not None and self.early.asked:  # came while psoas was loading
            stop()


def _tray_model(
    config: Config, catalogue: Catalogue, config_path: Path, tasks: TaskSupervisor
) -> TrayModel:
    from reminder.tray.model import TrayModel

    return TrayModel(catalogue, config, lambda: config_path, chart_file(), tasks)


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


async def _session_bus() -> Any | None:
    """The session bus, or None. Why there is none goes to the log file only: the user is told
    once, in words, what it costs (:func:`words.no_session_bus`)."""
    try:
        return await connect()
    except BusError as error:
        log.info("%s", error)
        return None
