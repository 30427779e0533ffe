"""The ``psoas`` command line.

Every mistake the user can make (an argument, a config file, a scenario) ends as one line on stderr
naming the culprit, and exit status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reminder import APP_NAME, __version__
from reminder.cli import history as cli_history
from reminder.cli import remote as cli_remote
from reminder.core import commands as cmd
from reminder.errors import UserError
from reminder.language import _

if TYPE_CHECKING:
    from reminder.catalogue.model import Catalogue

log = logging.getLogger(__name__)

DESCRIPTION = """\
psoas counts the time you really sit (idle time and breaks, not just time the computer is on)
and, when an hour of sitting has built up, names one hip-flexor (psoas) stretch and how to do it.
"""

EPILOG = """\
everyday use:
  psoas run                     start psoas (tray if there is a desktop, else headless)
  psoas stretches               the five stretches and how to do them
  psoas stretches --pictures D  draw each of them as a PNG in folder D
  psoas simulate day.txt        replay a day to tune your config
  psoas config init             write a commented config file to edit
  psoas settings                change the settings (and see your progress) in your browser
  psoas doctor                  what works on this desktop, and what to install if not

General pointers, not medical advice: if a stretch brings pain, ease off and leave it.
"""


def _terminal_width() -> int:
    """The width help is written to: COLUMNS, else the terminal's, else 80 (as shutil says it,
    without loading shutil, and bz2 and lzma with it, into the daemon that parsed its options)."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def _help_format(kind: type[argparse.HelpFormatter]) -> Callable[[str], argparse.HelpFormatter]:
    def formatter(prog: str) -> argparse.HelpFormatter:
        return kind(prog, width=_terminal_width() - 2)

    return formatter


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit 2 like every other bad input."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kind = kwargs.get("formatter_class", argparse.HelpFormatter)
        kwargs["formatter_class"] = _help_format(kind)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        where = self.prog.removeprefix(APP_NAME).strip()
        raise UserError(f"{where + ': ' if where else ''}{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=APP_NAME,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    common = _Parser(add_help=False)
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log to the terminal too",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log to the terminal too")
    with_config = _Parser(add_help=False)
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
        help="start psoas",
        description="Start psoas. It tracks sitting time and notifies you when a stretch "
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
        description=_simulate_description(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sim.add_argument("scenario", type=Path, metavar="SCENARIO", help="the scenario file")
    sim.add_argument(
        "--stats",
        action="store_true",
        help='then one JSON line ("kind": "stats") with the figures psoas stats would give the day',
    )
    sim.set_defaults(handler=_simulate)

    stretches = sub.add_parser(
        "stretches",
        parents=[common, with_config],
        help="list the stretches and how to do them",
        description="The hip-flexor stretches psoas suggests, with steps, dose and what they need, "
        "your own (stretches.toml beside your config) among them. With --pictures, draw each of "
        "them instead.",
    )
    stretches_output = stretches.add_mutually_exclusive_group()
    stretches_output.add_argument("--json", action="store_true", help="machine-readable output")
    stretches_output.add_argument(
        "--pictures",
        type=Path,
        metavar="DIR",
        help="write a picture of each stretch to DIR (created if needed) as ID.png, 128 pixels "
        "high; a stretch whose position changes between its steps also gets ID-1.png, ID-2.png, "
        "... one per position, in order",
    )
    stretches.set_defaults(handler=_list("stretches"))

    routines = sub.add_parser(
        "routines",
        parents=[common, with_config],
        help="list the guided routines and their length",
        description="The guided routines, step by step, with their length at your config's "
        "routine_pace.",
    )
    routines.add_argument("--json", action="store_true", help="machine-readable output")
    routines.set_defaults(handler=_list("routines"))

    routine = sub.add_parser(
        "routine",
        parents=[common, with_config],
        help="run a guided routine (in the running psoas, else right here)",
        description="Run a guided routine. With psoas running it runs there (notifications, "
        "tray); otherwise here in the terminal with a countdown: space pauses, s skips a step, "
        "q stops.",
    )
    default = cmd.spec_of(cmd.StartRoutine).default
    routine.add_argument(
        "name", nargs="?", default=default, metavar="NAME", help=f"default: {default}"
    )
    under_way = routine.add_mutually_exclusive_group()
    for flag, kind, text in ROUTINE_CONTROLS:
        name = cmd.name_of(kind)
        under_way.add_argument(flag, dest="control", action="store_const", const=name, help=text)
    routine.set_defaults(handler=_routine)

    cli_remote.add_parsers(sub, common)
    stats = sub.add_parser(
        "stats",
        parents=[common, with_config],
        help="what you sat and stretched, day by day, and the trend",
        description="Per day: time sat, the longest bout (one sit between two breaks), bouts of "
        "30 and 60 minutes or more, breaks (natural / after a prompt), prompts and how many were "
        "answered within 10 minutes, snoozes, routines done and which stretches were done; then "
        "this week against the four before. The working days of your config count for the trend.",
    )
    stats.add_argument(
        "--days", type=cli_history.day_count, default=7, metavar="N", help="default: 7"
    )
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    stats.add_argument(
        "--chart",
        type=cli_history.png_path,
        metavar="FILE.png",
        help="draw this week as a chart instead of the table",
    )
    stats.add_argument(
        "--weeks",
        type=cli_history.week_count,
        nargs="?",
        const=12,
        metavar="N",
        help="with --chart: draw the trend over N weeks instead (default 12)",
    )
    stats.set_defaults(handler=_stats)
    export = sub.add_parser(
        "export",
        parents=[common],
        help="every recorded event as CSV",
        description="Write every recorded event as CSV (local time, kind, details as JSON with "
        "local times) for your own analysis.",
    )
    export.add_argument("--csv", action="store_true", help="CSV, the one format (the default)")
    export.add_argument("--output", type=Path, metavar="FILE", help="default: standard output")
    export.set_defaults(handler=cli_history.export)
    cli_remote.add_settings(sub, common)
    cli_remote.add_autostart(sub, common)
    cli_remote.add_desktop_entry(sub, common)

    doctor = sub.add_parser(
        "doctor",
        parents=[common, with_config],
        help="what psoas can and cannot do on this desktop, and why",
        description="Look at everything psoas uses here (the session, idle sources, tray, "
        "notifications, busy signals, config, history, login and menu entries, a running psoas) "
        "and say, one line each, whether it works and what to install or change if not. Starts "
        "nothing and changes nothing; takes a few seconds at most.",
    )
    doctor.add_argument("--json", action="store_true", help="machine-readable, for a bug report")
    doctor.set_defaults(handler=_doctor)

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


def _simulate_description() -> str:
    """What a scenario is, then every event it may use: the list comes from the parser's own."""
    import textwrap

    from reminder.replay.scenario import events_help

    intro = (
        "Replay a day through the real sitting clock on a simulated clock and print one JSON "
        "object per notification it would show. SCENARIO has one event per line, "
        "'HH:MM[:SS] EVENT [ARG]', with '#' comments and an optional first line "
        "'date YYYY-MM-DD'."
    )
    return f"{textwrap.fill(intro, 79)}\n\nevents:\n{events_help()}"


def main(argv: list[str] | None = None) -> int:
    from reminder.language import choose

    choose()  # the desktop's, until a config names another
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        handler = getattr(args, "handler", None)
        if handler is None:
            if args.command == "config":
                raise UserError(_("config: choose an action: init, check or path"))
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
    except OSError as error:  # what was to be printed could not be (a full disk, a closed tty)
        from reminder.cli.history import drop_stdout

        drop_stdout()
        where = error.filename or "standard output"
        said = _("{where}: cannot be written ({problem})").format(
            where=where, problem=error.strerror or error
        )
        print(f"{APP_NAME}: {said}", file=sys.stderr)
        return 2


# ----- handlers ------------------------------------------------------------------------


def _load_config(path: Path | None):
    from reminder.catalogue.loader import load_catalogue
    from reminder.config.own import read_config_and_catalogue
    from reminder.language import choose

    config, catalogue = read_config_and_catalogue(path, load_catalogue())
    choose(config.language)
    return config, catalogue.in_language()


def _catalogue(path: Path | None) -> Catalogue:
    """The catalogue in the language of the config, or the desktop's when the config has a
    mistake (``psoas stretches`` shows the stretches all the same); a mistake in the user's own
    stretches is said, not passed over."""
    from reminder.catalogue.loader import load_catalogue
    from reminder.config.own import StretchesFileError

    try:
        return _load_config(path)[1]
    except StretchesFileError:
        raise
    except UserError:
        return load_catalogue().in_language()


def _run(args: argparse.Namespace) -> int:
    # The daemon never speaks TLS and needs no OpenSSL hash: keep asyncio (ssl) and the bus
    # (hashlib) from mapping OpenSSL for nothing, about 5 MiB; hashlib uses Python's own then.
    for unused in ("ssl", "_hashlib"):
        sys.modules.setdefault(unused, None)  # type: ignore[arg-type]
    # Loading psoas makes tens of thousands of objects that all live on, so the collector's
    # passes during the start find nothing and cost a twentieth of it; it is switched back on
    # once the icon shows (reminder.runtime.launch), or here when psoas does not start.
    gc.disable()
    from reminder.runtime.early_stop import EarlyStop

    early = EarlyStop().install()  # a stop while loading is kept, and honoured once running
    try:
        from reminder.runtime.launch import run_app

        config, catalogue = _load_config(args.config)
        return run_app(
            config, catalogue, args.config, args.headless, getattr(args, "verbose", False), early
        )
    finally:
        gc.enable()


#: What ``psoas routine`` can do to the routine under way in the running psoas.
ROUTINE_CONTROLS: tuple[tuple[str, type[cmd.Command], str], ...] = (
    ("--pause", cmd.PauseRoutine, "pause the routine under way"),
    ("--resume", cmd.ResumeRoutine, "go on with a paused routine"),
    ("--next", cmd.SkipStep, "move on to the next step now"),
    ("--stop", cmd.CancelRoutine, "stop the routine under way"),
)


def _routine(args: argparse.Namespace) -> int:
    from reminder.cli.routine import run_in_terminal

    if args.control is not None:
        from reminder.control.protocol import Request

        return cli_remote.send(Request(args.control))
    config, catalogue = _load_config(args.config)
    if args.name not in catalogue.routines:
        known = ", ".join(catalogue.routines)
        raise UserError(
            _("routine: unknown routine {name}; use one of {known}").format(
                name=repr(args.name), known=known
            )
        )
    if cli_remote.daemon_running():
        from reminder.control.protocol import Request

        return cli_remote.send(Request(cmd.name_of(cmd.StartRoutine), name=args.name))
    from reminder.runtime.logs import setup_logging

    setup_logging(getattr(args, "verbose", False))
    import time

    from reminder.core import events as ev

    routine = catalogue.routine(args.name)
    started = time.time()
    finished = run_in_terminal(routine, catalogue, config.routine_pace)
    ended = time.time()
    if finished:  # a break taken, kept in the history like one the daemon saw
        record = [ev.RoutineFinished(ended, args.name), ev.BreakTaken(started, ended, "routine")]
    else:
        record = [ev.RoutineCancelled(ended, args.name, 0)]
    length = routine.total_seconds * config.routine_pace
    events = [ev.RoutineStarted(started, args.name, length), *record]
    from reminder.history import reading

    try:
        reading.record_history(events)
    except UserError as error:  # busy, full: kept for the next psoas run if it can be
        print(reading.keep_for_later(events, error), file=sys.stderr)
    return 0  # stopped with q or run to the end: either is what the user chose


def _doctor(args: argparse.Namespace) -> int:
    from reminder.doctor.examine import doctor

    return doctor(args.config, args.json)


def _stats(args: argparse.Namespace) -> int:
    return cli_history.stats(args, *_load_config(args.config))


def _simulate(args: argparse.Namespace) -> int:
    from reminder.replay.scenario import load_scenario
    from reminder.replay.simulate import simulate

    config, catalogue = _load_config(args.config)
    scenario = load_scenario(args.scenario, list(catalogue.routines))
    for record in simulate(scenario, config, catalogue, stats=args.stats):
        print(json.dumps(record))
    return 0


def _list(section: str) -> Callable[[argparse.Namespace], int]:
    """The handler for ``psoas stretches`` or ``psoas routines``: text, or JSON with the credits."""

    def handler(args: argparse.Namespace) -> int:
        from reminder.catalogue.text import format_routines, format_stretches

        if section == "routines":  # their lengths are the ones the user gets: at their pace
            config, catalogue = _load_config(args.config)
            pace = config.routine_pace
        else:  # the user's own stretches too
            catalogue, pace = _catalogue(getattr(args, "config", None)), 1.0
        if getattr(args, "pictures", None) is not None:
            return _write_pictures(catalogue, args.pictures)
        if args.json:
            data = catalogue.to_dict()
            listed = {section: data[section], "credits": data["credits"]}
            if section == "routines":
                for routine in data["routines"]:
                    routine["seconds_at_your_pace"] = routine["total_seconds"] * pace
                listed = {"routine_pace": pace} | listed
            print(json.dumps(listed, indent=2))
        elif section == "stretches":
            print(format_stretches(catalogue))
        else:
            print(format_routines(catalogue, pace))
        return 0

    return handler


def _write_pictures(catalogue: Catalogue, folder: Path) -> int:
    from reminder.pictures.cache import write_pictures

    try:
        written = write_pictures(catalogue, folder)
    except OSError as error:
        problem = error.strerror or error
        raise UserError(
            _("{folder}: cannot write pictures there ({problem})").format(
                folder=folder, problem=problem
            )
        ) from None
    for path in written:
        print(path)
    return 0


def _config_init(args: argparse.Namespace) -> int:
    from reminder.config import write_example
    from reminder.paths import config_file

    target = args.config or config_file()
    written = write_example(target)
    check = "psoas config check" + (f" {shlex.quote(str(args.config))}" if args.config else "")
    print(_("Wrote {path}: edit it, then check it with {check}").format(path=written, check=check))
    return 0


def _config_check(args: argparse.Namespace) -> int:
    from reminder.config import DEFAULTS, file_settings
    from reminder.config.sense import config_warnings
    from reminder.words import config_settings, config_warning

    config = _load_config(args.file)[0]
    shown = file_settings(config)
    if args.file is None and config.origin == "defaults":
        print(
            _("No config file: psoas runs on the defaults (psoas config init writes one to edit)")
        )
        print("\n".join(config_settings(shown)))
    else:
        print(_("{file}: ok").format(file=config.origin))
        print("\n".join(config_settings(shown, file_settings(DEFAULTS))))
    for warning in config_warnings(config):  # psoas runs on it as written: still 0
        print(config_warning(config.origin, warning), file=sys.stderr)
    return 0


def _config_path(args: argparse.Namespace) -> int:
    from reminder.config import find_config
    from reminder.paths import config_file

    path = config_file()
    print(path, flush=True)
    if find_config(None) is None:  # a file there that cannot be looked at is reported
        print(_("(it does not exist yet: 'psoas config init' creates it)"), file=sys.stderr)
    return 0
