"""The ``psoas`` command line.

Every mistake the user can make (an argument, a config file, a scenario) ends as one line on stderr
naming the culprit, and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from pathlib import Path

from reminder import APP_NAME, __version__, cli_remote
from reminder.errors import UserError

log = logging.getLogger(__name__)

DESCRIPTION = """\
psoas counts the time you really sit (idle time and breaks, not just time the computer is on)
and, when an hour of sitting has built up, names one hip-flexor (psoas) stretch and how to do it.
"""

EPILOG = """\
everyday use:
  psoas run                     start the reminder (tray if there is a desktop, else headless)
  psoas stretches               the five stretches and how to do them
  psoas simulate day.txt        replay a day to tune your config
  psoas config init             write a commented config file to edit

General guidance only, not medical advice: stop if a stretch hurts.
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit 2 like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=APP_NAME,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log to the terminal too",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log to the terminal too")
    with_config = argparse.ArgumentParser(add_help=False)
    with_config.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="config file to use (default: the one in your config folder, see 'psoas config path')",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser(
        "run",
        parents=[common, with_config],
        help="start the reminder",
        description="Start the reminder. It tracks sitting time and notifies you when a stretch "
        "is due; stop it with Ctrl-C or SIGTERM.",
    )
    run.add_argument(
        "--headless",
        action="store_true",
        help="no tray icon: notifications only (falls back to the terminal if they fail)",
    )
    run.set_defaults(handler=_run)

    sim = sub.add_parser(
        "simulate",
        parents=[common, with_config],
        help="replay a day from a scenario file and print the notifications as JSON lines",
        description="Replay a day through the real sitting clock on a simulated clock and print "
        "one JSON object per notification it would show. SCENARIO has one event per line, "
        "'HH:MM[:SS] EVENT [ARG]', with '#' comments and an optional first line 'date YYYY-MM-DD'. "
        "Events: active, away, lock, unlock, suspend, resume, snooze [MINUTES], done, skip, "
        "routine [NAME], pause MINUTES, resume-reminders, end (the last line).",
    )
    sim.add_argument("scenario", type=Path, metavar="SCENARIO", help="the scenario file")
    sim.set_defaults(handler=_simulate)

    stretches = sub.add_parser(
        "stretches",
        parents=[common],
        help="list the stretches and how to do them",
        description="The hip-flexor stretches psoas suggests, with steps, dose and what they need.",
    )
    stretches.add_argument("--json", action="store_true", help="machine-readable output")
    stretches.set_defaults(handler=_stretches)

    routines = sub.add_parser(
        "routines",
        parents=[common],
        help="list the guided routines and their length",
        description="The guided routines, step by step, with their computed length.",
    )
    routines.add_argument("--json", action="store_true", help="machine-readable output")
    routines.set_defaults(handler=_routines)

    routine = sub.add_parser(
        "routine",
        parents=[common, with_config],
        help="run a guided routine (in the running reminder, else right here)",
        description="Run a guided routine. With the reminder running it runs there (notifications, "
        "tray); otherwise here in the terminal with a countdown: space pauses, s skips a step, "
        "q stops.",
    )
    routine.add_argument("name", nargs="?", default="desk", metavar="NAME", help="default: desk")
    routine.set_defaults(handler=_routine)

    cli_remote.add_parsers(sub, common)
    cli_remote.add_autostart(sub, common)

    config = sub.add_parser(
        "config",
        parents=[common],
        help="create, check or locate the config file",
        description="Manage the config file (TOML). Without one, the defaults apply.",
    )
    config_sub = config.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    init = config_sub.add_parser(
        "init",
        parents=[common, with_config],
        help="write the commented example config (never overwrites)",
        description="Write the commented example config to your config folder (or --config FILE). "
        "An existing file is never overwritten.",
    )
    init.set_defaults(handler=_config_init)
    check = config_sub.add_parser(
        "check",
        parents=[common],
        help="check a config file and show what it sets",
        description="Check a config file (default: the one psoas would use) and show its settings.",
    )
    check.add_argument("file", type=Path, nargs="?", metavar="FILE", help="the file to check")
    check.set_defaults(handler=_config_check)
    path = config_sub.add_parser(
        "path",
        parents=[common],
        help="print where psoas looks for its config",
        description="Print the path of the config file psoas reads by default.",
    )
    path.set_defaults(handler=_config_path)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        handler = getattr(args, "handler", None)
        if handler is None:
            if args.command == "config":
                raise UserError("psoas config: choose an action: init, check or path")
            parser.print_help()
            return 0
        return handler(args)
    except UserError as error:
        print(f"{APP_NAME}: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


# ----- handlers ------------------------------------------------------------------------


def _load_config(path: Path | None):
    from reminder.catalogue import load_catalogue
    from reminder.config import find_config, load_config

    catalogue = load_catalogue()
    found = find_config(path)
    desk = [stretch.id for stretch in catalogue.allowed("desk", ())]
    config = load_config(found, stretch_ids=list(catalogue.stretches), desk_ids=desk)
    return config, catalogue


def _run(args: argparse.Namespace) -> int:
    from reminder.clock import SystemClock
    from reminder.control import AlreadyRunning, ControlError, InstanceLock
    from reminder.daemon import Daemon
    from reminder.icon import look_for, write_icon
    from reminder.idle import choose_idle_source
    from reminder.logs import setup_logging
    from reminder.notify import FallbackNotifier, TerminalNotifier
    from reminder.paths import cache_dir
    from reminder.sitting import Settings, SittingCore
    from reminder.timebase import SystemCalendar

    config, catalogue = _load_config(args.config)
    lock: InstanceLock | None = None
    try:
        lock = InstanceLock()
        lock.acquire()  # held until this function returns or the process ends, however it ends
    except AlreadyRunning as error:
        print(f"psoas: {error}", file=sys.stderr)
        return 1
    except (ControlError, OSError) as error:
        print(f"psoas: cannot check for another running psoas ({error}); going on", file=sys.stderr)
    log_file = setup_logging(getattr(args, "verbose", False))
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
    tray = None if args.headless else _make_tray(daemon, catalogue, config, args.config)
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
        if lock is not None:
            lock.release()
    return 0


def _desktop_notifier(icon, on_action):
    """On Linux the freedesktop interface itself (buttons, replacing); else, or failing, plyer."""
    from reminder.notify import NotifyError, PlyerNotifier

    if sys.platform.startswith("linux"):
        from reminder.notify_dbus import FreedesktopNotifier

        try:
            return FreedesktopNotifier(icon, on_action)
        except NotifyError as error:
            log.info("notifications through plyer: %s", error)
    return PlyerNotifier(icon)


def _control_server(daemon, catalogue):
    """The control channel, or None after saying once why there is none."""
    from reminder.control import ControlError, ControlServer
    from reminder.remote import make_handler

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


def _routine(args: argparse.Namespace) -> int:
    from reminder.terminal_routine import run_in_terminal

    config, catalogue = _load_config(args.config)
    if args.name not in catalogue.routines:
        known = ", ".join(catalogue.routines)
        raise UserError(f"psoas routine: unknown routine {args.name!r}; use one of {known}")
    if cli_remote.daemon_running():
        return cli_remote.send({"command": "routine", "name": args.name})
    from reminder.logs import setup_logging

    setup_logging(getattr(args, "verbose", False))
    finished = run_in_terminal(catalogue.routine(args.name), catalogue, config.routine_pace)
    return 0 if finished else 1


def _make_tray(daemon, catalogue, config, explicit: Path | None):
    """The tray, or None after saying once, plainly, why there is none."""
    from reminder.config import default_config_path
    from reminder.tray import Tray, TrayUnavailable, tray_host_present

    try:
        if os.environ.get("DISPLAY") and not tray_host_present():
            raise TrayUnavailable("no system tray on this desktop (no tray host is running)")
        tray = Tray(
            daemon, catalogue, config.snooze_minutes, lambda: explicit or default_config_path()
        )
    except TrayUnavailable as error:
        log.warning("no tray icon: %s; running headless (notifications only)", error)
        return None
    log.info("tray icon up (pystray backend %s)", type(tray.icon).__module__)
    return tray


def _simulate(args: argparse.Namespace) -> int:
    from reminder.scenario import load_scenario
    from reminder.simulate import simulate

    config, catalogue = _load_config(args.config)
    scenario = load_scenario(args.scenario, list(catalogue.routines))
    for record in simulate(scenario, config, catalogue):
        print(json.dumps(record))
    return 0


def _stretches(args: argparse.Namespace) -> int:
    from reminder.catalogue import load_catalogue

    catalogue = load_catalogue()
    if args.json:
        data = catalogue.to_dict()
        print(json.dumps({"stretches": data["stretches"], "credits": data["credits"]}, indent=2))
    else:
        print(catalogue.format_stretches())
    return 0


def _routines(args: argparse.Namespace) -> int:
    from reminder.catalogue import load_catalogue

    catalogue = load_catalogue()
    if args.json:
        data = catalogue.to_dict()
        print(json.dumps({"routines": data["routines"], "credits": data["credits"]}, indent=2))
    else:
        print(catalogue.format_routines())
    return 0


def _config_init(args: argparse.Namespace) -> int:
    from reminder.config import default_config_path, write_example

    target = args.config or default_config_path()
    written = write_example(target)
    print(f"wrote {written}; edit it, then check it with: psoas config check")
    return 0


def _config_check(args: argparse.Namespace) -> int:
    config, _ = _load_config(args.file)
    if args.file is None and config.origin == "defaults":
        print("no config file; using the defaults (create one with: psoas config init)")
    else:
        print(f"{config.origin}: ok")
    snooze = ", ".join(f"{m:g}" for m in config.snooze_minutes)
    print(
        f"  sit {config.sit_minutes:g} min, break {config.break_minutes:g} min, "
        f"repeat every {config.repeat_minutes:g} min, snooze {snooze} min"
    )
    print(f"  hours {config.hours.describe()}; stretches: {config.place}", end="")
    print(f" except {', '.join(config.exclude)}" if config.exclude else "")
    print(f"  idle source: {config.idle_source}")
    return 0


def _config_path(args: argparse.Namespace) -> int:
    from reminder.config import default_config_path

    path = default_config_path()
    print(path)
    if not path.exists():
        print("(it does not exist yet: 'psoas config init' creates it)", file=sys.stderr)
    return 0
