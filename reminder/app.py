"""Putting psoas together: idle source, notifier, core, daemon, tray and control channel.

Each adapter is chosen here and only here; each that cannot start says why once, and the daemon
runs on what is left.
"""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import sys
from pathlib import Path

from reminder.catalogue import Catalogue
from reminder.clock import SystemClock
from reminder.config import Config, default_config_path
from reminder.control import AlreadyRunning, ControlError, ControlServer, InstanceLock
from reminder.daemon import Daemon
from reminder.icon import look_for, write_icon
from reminder.idle import choose_idle_source
from reminder.logs import setup_logging
from reminder.notify import FallbackNotifier, NotifyError, PlyerNotifier, TerminalNotifier
from reminder.notify_dbus import FreedesktopNotifier
from reminder.paths import cache_dir, data_dir
from reminder.remote import make_handler
from reminder.sitting import Settings, SittingCore
from reminder.store import BackgroundWriter, HistoryStore
from reminder.timebase import SystemCalendar
from reminder.tray import Tray, TrayUnavailable, tray_host_present

log = logging.getLogger(__name__)


def run_app(
    config: Config, catalogue: Catalogue, explicit: Path | None, headless: bool, verbose: bool
) -> int:
    """Build the daemon from its parts, chosen here and only here, and run it until it stops."""

    lock: InstanceLock | None = None
    try:
        lock = InstanceLock()
        lock.acquire()  # held until this function returns or the process ends, however it ends
    except AlreadyRunning as error:
        print(f"psoas: {error}", file=sys.stderr)
        return 1
    except (ControlError, OSError) as error:
        print(f"psoas: cannot check for another running psoas ({error}); going on", file=sys.stderr)
    log_file = setup_logging(verbose)
    log.info("config: %s; log: %s", config.origin, log_file)
    idle = choose_idle_source(config.idle_source)
    if not idle.tracks_input:
        log.warning("no idle source: every minute psoas runs counts as sitting")
    try:
        icon = write_icon(cache_dir() / "psoas.png", look_for("sitting", 1.0))
    except OSError as error:
        log.warning("cannot write the notification icon (%s); notifying without it", error)
        icon = None
    actions_to: list = []  # the daemon, once it exists: buttons pressed before then are dropped
    desktop_notifier = _desktop_notifier(
        icon, lambda key: actions_to and actions_to[0].on_action(key)
    )
    notifier = FallbackNotifier(desktop_notifier, TerminalNotifier())
    settings = Settings.from_config(config, catalogue, tracks_input=idle.tracks_input)
    core = SittingCore(settings, SystemCalendar(), catalogue)
    daemon = Daemon(
        core,
        SystemClock(),
        idle,
        notifier,
        catalogue,
        lambda failed: choose_idle_source("auto", failed),
    )
    actions_to.append(daemon)
    writer = _history(daemon)
    history = writer.store.path if writer is not None else None
    tray = None if headless else _make_tray(daemon, catalogue, config, explicit, history)
    if tray is None and hasattr(desktop_notifier, "start_loop"):
        desktop_notifier.start_loop()  # no GUI loop to deliver button presses: run one
    server = _control_server(daemon, catalogue)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: daemon.stop())
    try:
        if tray is not None:
            tray.run()
        else:
            daemon.run()
    finally:
        if server is not None:
            server.stop()
        if hasattr(desktop_notifier, "close"):
            desktop_notifier.close()
        if writer is not None:
            writer.close()
        if lock is not None:
            lock.release()
    return 0


def _history(daemon: Daemon) -> BackgroundWriter | None:
    """Record every event, and carry the sitting clock over a restart; or say why not."""
    from reminder.sitting import saved_sit

    try:
        store = HistoryStore(data_dir() / "history.sqlite3")
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
    now = daemon.clock.now()

    def sit_read_late(old: dict | None) -> list:
        """The sit the saved clock holds, recorded once it can be read, before this run's
        clock replaces it."""
        sit = saved_sit(old, now.epoch)
        return [sit] if sit else []

    writer = BackgroundWriter(store, {"sitting": sit_read_late} if late else None)
    restored = daemon.core.restore(now, saved)
    for event in restored:
        log.info("psoas was stopped for longer than a break: %s", event)
    writer.record(restored)
    if daemon.core.status(now).state != "away":
        log.info("restarted within a break: the sitting clock carries on")

    def keep(events: list, status: object) -> None:
        writer.record(events)
        writer.save_state("sitting", daemon.core.snapshot(daemon.clock.now()))

    daemon.listeners.append(keep)
    return writer


def _desktop_notifier(icon, on_action):
    """On Linux the freedesktop interface itself (buttons, replacing); else, or failing, plyer."""

    if sys.platform.startswith("linux"):
        try:
            return FreedesktopNotifier(icon, on_action)
        except NotifyError as error:
            log.info("notifications through plyer: %s", error)
    return PlyerNotifier(icon)


def _control_server(daemon, catalogue):
    """The control channel, or None after saying once why there is none."""

    try:
        if sys.platform == "win32":
            from reminder.control_pipe import PipeServer, key_path

            server = PipeServer(make_handler(daemon, catalogue), key_path())
        else:
            server = ControlServer(make_handler(daemon, catalogue))
        server.start()
    except (ControlError, OSError) as error:
        log.warning(
            "no control channel (%s); psoas status, snooze... will not reach this one", error
        )
        return None
    log.info("control channel: %s", server.path)
    return server


def _make_tray(daemon, catalogue, config, explicit: Path | None, history: Path | None):
    """The tray, or None after saying once, plainly, why there is none."""

    try:
        if os.environ.get("DISPLAY") and not tray_host_present():
            raise TrayUnavailable("no system tray on this desktop (no tray host is running)")
        tray = Tray(
            daemon,
            catalogue,
            config.snooze_minutes,
            lambda: explicit or default_config_path(),
            history=history,
        )
    except TrayUnavailable as error:
        log.warning("no tray icon: %s; running headless (notifications only)", error)
        return None
    log.info("tray icon up (pystray backend %s)", type(tray.icon).__module__)
    return tray
