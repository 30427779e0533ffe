"""The command-line side of the control channel: status, snooze, skip, done, stand, sit, pause,
resume, quit."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from reminder.control.client import send as request
from reminder.control.protocol import QUIT, STATUS, ControlError, NotRunning, Request
from reminder.core import commands as cmd
from reminder.errors import UserError
from reminder.language import _, current, speaking
from reminder.limits import parse_duration


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """The subcommands that talk to the running daemon, by the names of the table of commands."""
    status = sub.add_parser(
        STATUS,
        parents=[common],
        help="what the running psoas is doing",
        description="Show the state of the running psoas: sitting time, next prompt, "
        "idle source, tray and notifier in use.",
    )
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler=_status)
    snooze = _command_parser(
        sub,
        common,
        cmd.Snooze,
        "snooze the prompt",
        "Snooze the prompt: it comes again after DURATION.",
    )
    snooze.add_argument(
        "duration",
        nargs="?",
        metavar="DURATION",
        help="e.g. 5, 5m, 1h, 1h30m (a plain number is minutes); default: the first of your "
        "config's snooze_minutes",
    )
    for kind, text in (
        (cmd.StretchNow, "show the stretch to do now, as the tray's Stretch now does"),
        (cmd.Skip, "skip this break: the sitting clock starts again"),
        (cmd.Done, "I stretched: recorded as a break taken, the clock starts again"),
        (cmd.Stand, "I stand at my sit-stand desk: the sitting clock stops until I sit"),
        (cmd.Sit, "I sat down again: the sitting clock starts from zero"),
        (cmd.ResumeReminders, "end a pause: prompts come again"),
    ):
        _command_parser(sub, common, kind, text, text[:1].upper() + text[1:] + ".")
    quitting = sub.add_parser(
        QUIT, parents=[common], help="stop the running psoas", description="Stop the running psoas."
    )
    quitting.set_defaults(handler=lambda a: send(Request(QUIT)))
    pause = _command_parser(
        sub,
        common,
        cmd.Pause,
        "hold prompts back for a while",
        "Hold prompts back; sitting is still tracked. A prompt that falls due meanwhile comes "
        "when the pause ends.",
    )
    pause.add_argument(
        "duration",
        metavar="DURATION",
        help="e.g. 30m, 2h, 1h30m, 45 (a plain number is minutes), or tomorrow (until your "
        "working hours start on a later day)",
    )


def _command_parser(
    sub: Any, common: argparse.ArgumentParser, kind: type[cmd.Command], text: str, about: str
) -> argparse.ArgumentParser:
    """``psoas NAME``, which sends the command of that name (with its DURATION, if it takes
    minutes) to the running psoas."""
    name = cmd.name_of(kind)
    parser = sub.add_parser(name, parents=[common], help=text, description=about)

    def handler(args: argparse.Namespace) -> int:
        minutes = _duration(name, args.duration) if hasattr(args, "duration") else None
        return send(Request(name, minutes=minutes))

    parser.set_defaults(handler=handler)
    return parser


def add_autostart(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "autostart",
        parents=[common],
        help="start psoas when you log in (enable, disable, status)",
        description="Manage the login entry that starts psoas: an XDG autostart file on Linux, "
        "a LaunchAgent on macOS, a Startup-folder file on Windows.",
    )
    parser.add_argument(
        "action",
        choices=("enable", "disable", "status"),
        metavar="ACTION",
        help="enable, disable or status",
    )
    parser.set_defaults(handler=_autostart)


def _autostart(args: argparse.Namespace) -> int:
    from reminder.install import autostart
    from reminder.install.desktop_entry import NotOurs
    from reminder.words import entry_removed, entry_state

    try:
        if args.action == "enable":
            print(entry_state("autostart", "installed", autostart.enable()))
        elif args.action == "disable":
            print(entry_removed("autostart", autostart.disable()))
        else:
            print(entry_state("autostart", *autostart.status()))
    except (NotOurs, OSError) as error:
        return _entry_problem("autostart", error)
    return 0


def add_settings(sub: Any, common: argparse.ArgumentParser) -> None:
    """``psoas settings``: only its options here; the page itself loads when the command runs."""
    parser = sub.add_parser(
        "settings",
        parents=[common],
        help="change the settings, and see your progress, in your browser",
        description="Open a small settings page in your browser: every setting of your config "
        "file with what it means and its default, the stretches with their pictures, and your "
        "progress. The page is served on this computer only (127.0.0.1) by a short-lived process "
        "of its own, which ends when the page is closed or left alone for 10 minutes; a second "
        "'psoas settings' reuses it. Saving keeps the comments and layout of your file, and a "
        "running psoas takes it up at once.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="the config file to edit (default: the one the running psoas reads, else the one in "
        "your config folder, see 'psoas config path')",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="print the page's address (with its one-time key) instead of opening a browser",
    )
    parser.set_defaults(handler=_settings)


def _settings(args: argparse.Namespace) -> int:
    from reminder.settings.opener import open_settings

    return open_settings(args.config, browser=not args.no_browser)


def add_desktop_entry(sub: Any, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "desktop-entry",
        parents=[common],
        help="psoas in your application menu (install, remove, status)",
        description="Manage psoas's entry in the application menu of Linux and BSD desktops: "
        "a desktop file in $XDG_DATA_HOME/applications (~/.local/share/applications), with "
        "psoas's icon in its data folder. An entry psoas did not write is never replaced or "
        "removed.",
    )
    parser.add_argument(
        "action",
        choices=("install", "remove", "status"),
        metavar="ACTION",
        help="install, remove or status",
    )
    parser.set_defaults(handler=_desktop_entry)


def _desktop_entry(args: argparse.Namespace) -> int:
    from reminder.install import desktop_entry
    from reminder.words import entry_removed, entry_state

    if not desktop_entry.menu_supported():
        print(
            "psoas: desktop-entry: application-menu entries are for Linux and BSD desktops; "
            "on this system use 'psoas autostart enable' to start psoas at login",
            file=sys.stderr,
        )
        return 1
    try:
        if args.action == "install":
            print(entry_state("desktop-entry", "installed", desktop_entry.install()))
        elif args.action == "remove":
            print(entry_removed("desktop-entry", desktop_entry.remove()))
        else:
            print(entry_state("desktop-entry", *desktop_entry.status()))
    except (desktop_entry.NotOurs, OSError) as error:
        return _entry_problem("desktop-entry", error)
    return 0


def _entry_problem(command: str, error: Exception) -> int:
    """One line for an entry psoas may not touch or could not write; exit status 1."""
    if isinstance(error, OSError):
        where = f" {error.filename}" if error.filename else ""
        reason = error.strerror or error
        print(f"psoas: {command}: cannot change{where} ({reason})", file=sys.stderr)
    else:
        print(f"psoas: {command}: {error}", file=sys.stderr)
    return 1


def _duration(command: str, text: str | None) -> float | None:
    """The minutes of ``psoas pause`` or ``psoas snooze``, checked here, before any daemon is
    asked; None for a pause until tomorrow, or a snooze given no duration."""
    if text is None:
        return None
    try:
        return parse_duration(text, command, tomorrow=command == cmd.name_of(cmd.Pause))
    except ValueError as error:
        raise UserError(f"{command}: {error}") from None


def daemon_running() -> bool:
    try:
        request(Request(STATUS))
    except ControlError:
        return False
    return True


def send(command: Request) -> int:
    try:
        reply = request(command)
    except NotRunning as error:
        quitting = command.command == QUIT
        said = _("not running; nothing to stop") if quitting else str(error)
        print(f"psoas: {said}", file=sys.stderr)
        return 1
    except ControlError as error:
        print(f"psoas: {error}", file=sys.stderr)
        return 1
    if not reply.get("ok"):
        print(f"psoas: {reply.get('error') or _('the running psoas said no')}", file=sys.stderr)
        return 1
    if isinstance(reply.get("said"), str):
        print(reply["said"])
    return 0


def _status(args: argparse.Namespace) -> int:
    try:
        reply = request(Request(STATUS))
    except ControlError as error:
        print(f"psoas: {error}", file=sys.stderr)
        return 1
    status = reply.get("status", {})
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    language = status.get("language")
    with speaking(language if isinstance(language, str) else current()):
        print(describe(status))
    return 0


def describe(status: dict[str, Any]) -> str:
    """The status in two or three plain lines: the running psoas's own sentence, then its parts."""
    lines = [str(status.get("summary", status.get("state", "?")))]
    lines.append(
        _("idle source {idle}, tray {tray}, notifications via {notifier} (pid {pid})").format(
            idle=status.get("idle_source"),
            tray=status.get("tray"),
            notifier=status.get("notifier"),
            pid=status.get("pid"),
        )
    )
    shortfalls = status.get("notifier_shortfalls")
    if isinstance(shortfalls, dict) and shortfalls:
        said = "; ".join(map(str, shortfalls.values()))
        lines.append(_("the notification server: {said}").format(said=said))
    passed_over = status.get("idle_passed_over")
    if isinstance(passed_over, dict) and passed_over:
        said = "; ".join(f"{name} ({why})" for name, why in passed_over.items())
        lines.append(_("idle sources passed over: {said}").format(said=said))
    config = status.get("config")
    if isinstance(config, dict) and config.get("problem"):
        problem = config["problem"]
        lines.append(
            _("your last config change was not applied: {problem}").format(problem=problem)
        )
    if isinstance(config, dict) and isinstance(config.get("warnings"), list):
        lines += [
            _("config warning: {warning}").format(warning=warning) for warning in config["warnings"]
        ]
    if status.get("note"):
        lines.append(status["note"])
    return "\n".join(lines)
