"""Scenario files: a day of a user's activity, one timed event a line, for ``psoas simulate``.

    date 2026-11-23        # optional first line; the default day is a Monday
    09:00 active
    10:15:30 snooze 15
    12:00 away
    13:00 active
    18:00 away
    date 2026-11-24        # a later day: the events after it are that day's
    09:00 active
    18:00 end

Every mistake is reported as one line naming the file and the line number.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from reminder.core import commands as cmd
from reminder.errors import UserError, did_you_mean, read_user_file
from reminder.limits import parse_duration

DEFAULT_DAY = date(2024, 1, 1)  # a Monday

#: Why a user may be busy, as the busy signals say it.
BUSY_REASONS = ("dnd", "fullscreen", "call", "camera", "apps")

#: What a command is as a scenario line says it (its argument as help shows it, what it means),
#: under the name the table of commands gives it.
_COMMANDS: dict[type[cmd.Command], tuple[str | None, str]] = {
    cmd.Snooze: (
        "[DURATION]",
        "snooze the prompt, e.g. for 15 (minutes), 30m or 1h (default: the first of "
        "snooze_minutes)",
    ),
    cmd.StretchNow: (None, "the user asks to see a stretch (the tray's Stretch now)"),
    cmd.Stand: (None, "the user stands at their sit-stand desk and works on (I'll stand)"),
    cmd.Sit: (None, "the user sits down again and works on"),
    cmd.Done: (None, "the user stretched"),
    cmd.Skip: (None, "skip this break"),
    cmd.StartRoutine: (
        "[NAME]",
        f"start a guided routine (default: {cmd.spec_of(cmd.StartRoutine).default})",
    ),
    cmd.PauseRoutine: (None, "pause the routine under way"),
    cmd.ResumeRoutine: (None, "go on with a paused routine"),
    cmd.SkipStep: (None, "move on to the routine's next step now"),
    cmd.CancelRoutine: (None, "stop the routine under way"),
    cmd.Pause: ("DURATION", "hold prompts back for DURATION, e.g. 45 (minutes), 2h or 1h30m"),
    cmd.ResumeReminders: (None, "end a pause"),
}
#: In a scenario "resume" is the machine waking up: ending a pause has a name of its own.
_RENAMED = {cmd.ResumeReminders: "resume-reminders"}

#: The scenario events that are the user's commands, by the name of the command each one is.
SCENARIO_COMMANDS: dict[str, str] = {
    _RENAMED.get(kind, cmd.name_of(kind)): cmd.name_of(kind) for kind in _COMMANDS
}

#: event name -> (its argument as help shows it, what it means). The argument is None (none),
#: "[WORD]" (optional) or "WORD" (required); the parser and ``psoas simulate --help`` both read
#: this, so the events the help lists are the events a scenario may use.
EVENTS: dict[str, tuple[str | None, str]] = {
    "active": (None, "the user uses the computer from now on"),
    "away": (None, "no input from now on"),
    "lock": (None, "the screen is locked"),
    "unlock": (None, "the screen is unlocked and the user is back"),
    "suspend": (None, "the machine goes to sleep"),
    "resume": (None, "the machine wakes and the user is back"),
    **{_RENAMED.get(kind, cmd.name_of(kind)): said for kind, said in _COMMANDS.items()},
    "busy": (
        "REASON",
        f"the user is not to be interrupted from now on; REASON: {', '.join(BUSY_REASONS)}",
    ),
    "free": (None, "the user may be interrupted again"),
    "end": (None, "the end of the day (the last line)"),
}

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


class ScenarioError(UserError):
    pass


#: The longest a scenario may run, from its first day to its last.
LONGEST = timedelta(days=366)


@dataclass(frozen=True)
class ScenarioEvent:
    seconds: float  # since midnight of the scenario's first day
    name: str
    arg: str | None
    line: int


@dataclass(frozen=True)
class Scenario:
    day: date  # the first day
    events: tuple[ScenarioEvent, ...]
    origin: str
    last_day: date | None = None  # the last day, when the scenario spans more than one

    @property
    def days(self) -> list[date]:
        """Every day the scenario runs through, the first to the last."""
        last = self.last_day or self.day
        return [self.day + timedelta(days=n) for n in range((last - self.day).days + 1)]


def load_scenario(path: Path, routines: Collection[str]) -> Scenario:
    text = read_user_file(path, "scenario file", ScenarioError)
    return parse_scenario(text, str(path), routines)


def parse_scenario(text: str, origin: str, routines: Collection[str]) -> Scenario:
    """Read a scenario, checking that it is well formed and that the day it tells makes sense."""
    day = today = DEFAULT_DAY
    parsed: list[ScenarioEvent] = []
    state = _Checker(origin)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{origin}: line {number}"
        words = line.split()
        if parsed and parsed[-1].name == "end":
            raise ScenarioError(f"{where}: nothing may follow 'end' (line {parsed[-1].line})")
        if words[0] == "date":
            dated = _parse_date(words, where)
            if state.dated and (not parsed or parsed[-1].seconds < _offset(today, day)):
                raise ScenarioError(f"{where}: a day without events; give each 'date' its events")
            if parsed and dated <= today:
                raise ScenarioError(
                    f"{where}: {words[1]} is not after {today.isoformat()}; each 'date' starts a "
                    "later day"
                )
            if not parsed:
                day = dated
            elif dated - day > LONGEST:
                raise ScenarioError(f"{where}: a scenario may span {LONGEST.days} days at most")
            today, state.dated = dated, True
            continue
        event = _parse_event(words, where, routines)
        event = ScenarioEvent(event.seconds + _offset(today, day), event.name, event.arg, 0)
        if parsed and event.seconds < parsed[-1].seconds:
            raise ScenarioError(
                f"{where}: {_show(words[0])} is earlier than the line before it; "
                "events must be in time order"
            )
        state.check(event, where)
        parsed.append(ScenarioEvent(event.seconds, event.name, event.arg, number))
    if not parsed:
        raise ScenarioError(
            f"{origin}: no events; write one per line as 'HH:MM EVENT', e.g. '09:00 active'"
        )
    if parsed[-1].name != "end":
        raise ScenarioError(f"{origin}: the last event must be 'end' (e.g. '18:00 end')")
    return Scenario(day, tuple(parsed), origin, today if today != day else None)


def _offset(today: date, first: date) -> float:
    """Seconds from the first day's midnight to ``today``'s (a replay's days are all 24 h)."""
    return (today - first).days * 86400.0


#: The years a scenario may be dated in: a replayed day runs on the system's clock and calendar.
FIRST_YEAR, LAST_YEAR = 1971, 9998


def _parse_date(words: list[str], where: str) -> date:
    if len(words) != 2:
        raise ScenarioError(f"{where}: write the date as 'date YYYY-MM-DD'")
    try:
        day = date.fromisoformat(words[1])
    except ValueError:
        raise ScenarioError(
            f"{where}: {_show(words[1])} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-23"
        ) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:  # the clock's own range, a day to spare each side
        raise ScenarioError(
            f"{where}: {words[1]}: give a date from {FIRST_YEAR} to {LAST_YEAR}, e.g. 2026-11-23"
        )
    return day


def _parse_event(words: list[str], where: str, routines: Collection[str]) -> ScenarioEvent:
    seconds = _parse_time(words[0], where)
    if len(words) < 2:
        raise ScenarioError(f"{where}: an event must follow the time; one of {', '.join(EVENTS)}")
    name, args = words[1], words[2:]
    if name not in EVENTS:
        raise ScenarioError(
            f"{where}: unknown event {_show(name)}{did_you_mean(name, EVENTS)}; use one of "
            + ", ".join(EVENTS)
        )
    takes, meaning = EVENTS[name]
    if len(args) > (0 if takes is None else 1):
        raise ScenarioError(
            f"{where}: too many words for {name!r}; write '{usage(name)}' ({meaning})"
        )
    if takes is not None and not takes.startswith("[") and not args:
        raise ScenarioError(
            f"{where}: {name!r} needs an argument; write '{usage(name)}' ({meaning})"
        )
    arg = args[0] if args else None
    takes_argument = argument_of(name)
    if arg is not None and takes_argument == "minutes":
        _parse_minutes(arg, where, name)
    if arg is not None and name == "busy" and arg not in BUSY_REASONS:
        raise ScenarioError(
            f"{where}: busy {_show(arg)}{did_you_mean(arg, BUSY_REASONS)}: the reason is one of "
            + ", ".join(BUSY_REASONS)
        )
    if arg is not None and takes_argument == "routine" and arg not in routines:
        raise ScenarioError(
            f"{where}: unknown routine {_show(arg)}{did_you_mean(arg, routines)}; "
            f"use one of {', '.join(routines)}"
        )
    return ScenarioEvent(seconds, name, arg, 0)


def argument_of(name: str) -> cmd.Argument | None:
    """What the command a scenario event names takes (none for the other events)."""
    command = SCENARIO_COMMANDS.get(name)
    return cmd.COMMANDS[command].argument if command is not None else None


def usage(name: str) -> str:
    """An event as a scenario line writes it after the time: 'snooze [DURATION]', 'pause X'."""
    takes = EVENTS[name][0]
    return f"{name} {takes}" if takes else name


def events_help(width: int = 79) -> str:
    """Every event a scenario may use and what it means, a line each (wrapped to ``width``), as
    ``psoas simulate --help`` lists them."""
    import textwrap

    column = max(len(usage(name)) for name in EVENTS) + 4
    return "\n".join(
        textwrap.fill(
            meaning,
            width,
            initial_indent=f"  {usage(name):<{column - 2}}",
            subsequent_indent=" " * column,
        )
        for name, (_, meaning) in EVENTS.items()
    )


def _parse_time(word: str, where: str) -> float:
    match = _TIME.match(word)
    if match:
        hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
        if hours < 24 and minutes < 60 and seconds < 60:
            return float(hours * 3600 + minutes * 60 + seconds)
    raise ScenarioError(
        f"{where}: {_show(word)} is not a time of day; write HH:MM or HH:MM:SS (00:00 to 23:59:59)"
    )


def _parse_minutes(word: str, where: str, name: str) -> float:
    try:
        minutes = parse_duration(word, name, tomorrow=False, command_line=False)
    except ValueError as error:
        raise ScenarioError(f"{where}: {name} {error}") from None
    assert minutes is not None  # only 'tomorrow' gives None, and it is refused here
    return minutes


def command_of(event: ScenarioEvent) -> cmd.Command | None:
    """The command a scenario line gives (its argument already checked by the parser), by the
    same names the control channel uses; None for the events that are no command."""
    name = SCENARIO_COMMANDS.get(event.name)
    if name is None:
        return None
    argument: float | str | None = event.arg
    if event.arg is not None and cmd.COMMANDS[name].argument == "minutes":
        argument = parse_duration(event.arg, event.name, tomorrow=False, command_line=False)
    return cmd.named(name, argument)


class _Checker:
    """Catches days that cannot happen: waking a machine that is not asleep, acting while asleep."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.dated = False
        self.asleep = False
        self.locked = False

    def check(self, event: ScenarioEvent, where: str) -> None:
        name = event.name
        if self.asleep and name not in ("resume", "end"):
            raise ScenarioError(f"{where}: {name!r} while the machine is suspended; 'resume' first")
        if name == "suspend":
            self.asleep = True
        elif name == "resume":
            if not self.asleep:
                raise ScenarioError(f"{where}: 'resume' without a 'suspend' before it")
            self.asleep, self.locked = False, False
        elif name == "lock":
            if self.locked:
                raise ScenarioError(f"{where}: 'lock' while already locked")
            self.locked = True
        elif name == "unlock":
            if not self.locked:
                raise ScenarioError(f"{where}: 'unlock' without a 'lock' before it")
            self.locked = False


def _show(word: str) -> str:
    """A user's word, quoted and cut short, safe to put in a one-line message."""
    word = word if len(word) <= 30 else word[:27] + "..."
    return repr(word)
