"""The user's config: a TOML file, checked strictly, every mistake reported in one plain line.

A message names the file, the key, the value and what is allowed; an unknown key suggests the
nearest known one. Nothing in the file is ever evaluated.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import shlex
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from reminder.busy import SIGNALS as BUSY_SIGNALS
from reminder.catalogue.model import Catalogue
from reminder.core.hours import DAY_NAMES, WorkingHours
from reminder.core.settings import Settings
from reminder.errors import UserError, file_problem, read_user_file
from reminder.idle import SOURCES
from reminder.limits import MINUTES_ALLOWED, minutes_allowed
from reminder.paths import config_file, package_data

IDLE_SOURCES = ("auto", *SOURCES)
PLACES = ("anywhere", "desk")

TOP_KEYS = (
    "sit_minutes",
    "break_minutes",
    "repeat_minutes",
    "snooze_minutes",
    "idle_source",
    "routine_pace",
)
TABLES = {
    "hours": ("days", "start", "end"),
    "stretches": ("place", "exclude"),
    "quiet": ("when", "apps", "recheck_minutes"),
}
#: What can make psoas hold a prompt: do-not-disturb, a fullscreen window, a call, named apps.
QUIET_SIGNALS = tuple(BUSY_SIGNALS)


@dataclass(frozen=True)
class Quiet:
    """When not to interrupt: the busy signals to look at, the apps that count, and how often
    to look again while a prompt waits."""

    when: tuple[str, ...] = QUIET_SIGNALS
    apps: tuple[str, ...] = ()
    recheck_minutes: float = 2


_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_END_OF_DAY = "24:00"  # allowed for hours.end only: midnight at the end of the day


class ConfigError(UserError):
    pass


@dataclass(frozen=True)
class Config:
    sit_minutes: float = 60
    break_minutes: float = 5
    repeat_minutes: float = 10
    snooze_minutes: tuple[float, ...] = (5, 15, 30)
    idle_source: str = "auto"
    routine_pace: float = 1.0
    hours: WorkingHours = field(
        default_factory=lambda: WorkingHours(frozenset(range(5)), time(9), time(18))
    )
    place: str = "anywhere"
    exclude: tuple[str, ...] = ()
    quiet: Quiet = field(default_factory=Quiet)
    origin: str = field(default="defaults", compare=False)

    @property
    def sit_seconds(self) -> float:
        return self.sit_minutes * 60

    @property
    def break_seconds(self) -> float:
        return self.break_minutes * 60

    @property
    def repeat_seconds(self) -> float:
        return self.repeat_minutes * 60

    @property
    def snooze_seconds(self) -> tuple[float, ...]:
        return tuple(m * 60 for m in self.snooze_minutes)


#: Every setting as it is when the file does not say: the parser falls back on these.
DEFAULTS = Config()


def file_settings(config: Config) -> dict[str, str]:
    """Every key a config file may set ("hours.start" for one in a table) with its value in
    ``config``, written as the file writes it: what ``psoas config check`` shows.

    It walks TOP_KEYS and TABLES, the keys the parser knows, so a key added there cannot be left
    out here (a key with no value below fails loudly, in the tests, not silently).
    """
    hours = config.hours
    end = "24:00" if hours.end == time(0) else f"{hours.end:%H:%M}"
    tables: dict[str, dict[str, Any]] = {
        "hours": {
            "days": [DAY_NAMES[day] for day in sorted(hours.days)],
            "start": f"{hours.start:%H:%M}",
            "end": end,
        },
        "stretches": {"place": config.place, "exclude": config.exclude},
        "quiet": {key: getattr(config.quiet, key) for key in TABLES["quiet"]},
    }
    shown = {key: _toml(getattr(config, key)) for key in TOP_KEYS}
    for table, keys in TABLES.items():
        shown |= {f"{table}.{key}": _toml(tables[table][key]) for key in keys}
    return shown


def _toml(value: Any) -> str:
    """A setting's value as TOML writes it: 60, 0.5, "auto", ["mon", "tue"]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return "[" + ", ".join(_toml(item) for item in value) + "]"


def settings_for(config: Config, catalogue: Catalogue) -> Settings:
    """What the core needs of a config: every duration in seconds, the stretches it may name."""
    allowed = catalogue.allowed(config.place, config.exclude)
    return Settings(
        sit=config.sit_seconds,
        break_=config.break_seconds,
        repeat=config.repeat_seconds,
        snooze=config.snooze_seconds[0],
        hours=config.hours,
        stretches=tuple(stretch.id for stretch in allowed),
        away_poll=min(60.0, max(1.0, min(config.sit_seconds, config.break_seconds) / 5)),
        wake_grace=min(60.0, config.break_seconds),
        routine_pace=config.routine_pace,
        recheck=config.quiet.recheck_minutes * 60,
    )


def find_config(explicit: Path | None) -> Path | None:
    """The file to read: the one given (which must exist), else the default one if present.

    Only a default file that is plainly not there means "use the defaults". One that cannot be
    looked at (a folder without permission, a symbolic link that loops or leads nowhere) is an
    error naming it: quietly running on the defaults would hide the user's own settings.
    """
    path = explicit if explicit is not None else config_file()
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError) as problem:
        if os.path.islink(path):  # a link to nothing: the user meant a file to be there
            raise ConfigError(file_problem(path, problem, "config file")) from None
        if explicit is None:
            return None
        raise ConfigError(
            f"{path}: no such config file (create it: {_init_command(path)})"
        ) from None
    except OSError as problem:
        raise ConfigError(file_problem(path, problem, "config file")) from None
    return path


def _init_command(path: Path) -> str:
    """The command that writes the example config to ``path``: plain for the default file, with
    ``--config`` for any other (a plain init would write elsewhere)."""
    if os.path.abspath(path) == os.path.abspath(config_file()):
        return "psoas config init"
    return f"psoas config init --config {shlex.quote(str(path))}"


def example_text() -> str:
    return package_data("config.example.toml").read_text("utf-8")


def write_example(dest: Path) -> Path:
    """Write the commented example config to ``dest``; an existing file is never touched."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("x", encoding="utf-8") as out:
            out.write(example_text())
    except FileExistsError:
        raise ConfigError(f"{dest}: already exists; not overwriting it") from None
    except OSError as error:
        raise ConfigError(f"{dest}: cannot be written ({error.strerror or error})") from None
    return dest


def load_config(
    path: Path | None,
    stretch_ids: Collection[str] | None = None,
    desk_ids: Collection[str] | None = None,
) -> Config:
    if path is None:
        return Config()
    text = read_user_file(path, "config file", ConfigError)
    return parse_config(text, str(path), stretch_ids, desk_ids)


def read_config(explicit: Path | None, catalogue: Catalogue) -> Config:
    """The config psoas runs on: the file given, else the user's own, else the defaults; checked
    against the catalogue's stretch ids. ConfigError (one line) for any problem."""
    desk = [stretch.id for stretch in catalogue.allowed("desk", ())]
    found = find_config(explicit)
    return load_config(found, stretch_ids=list(catalogue.stretches), desk_ids=desk)


def parse_config(
    text: str,
    origin: str,
    stretch_ids: Collection[str] | None = None,
    desk_ids: Collection[str] | None = None,
) -> Config:
    """Check a config's text; raise ConfigError (one line) for the first problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{origin}: {_toml_problem(str(error))}") from None
    except (ValueError, RecursionError) as error:  # e.g. nesting deep enough to exhaust the stack
        raise ConfigError(f"{origin}: not valid TOML ({type(error).__name__})") from None
    check = _Checker(origin)
    check.known_keys(data, "", (*TOP_KEYS, *TABLES))
    for table, keys in TABLES.items():
        if table in data:
            check.is_table(data[table], table)
            check.known_keys(data[table], f"{table}.", keys)
    hours = data.get("hours", {})
    stretches = data.get("stretches", {})
    quiet = data.get("quiet", {})
    default = DEFAULTS
    config = Config(
        sit_minutes=check.minutes(data, "sit_minutes", default.sit_minutes),
        break_minutes=check.minutes(data, "break_minutes", default.break_minutes),
        repeat_minutes=check.minutes(
            data, "repeat_minutes", default.repeat_minutes, zero_means="never"
        ),
        snooze_minutes=check.snoozes(data.get("snooze_minutes", list(default.snooze_minutes))),
        idle_source=check.choice(data, "idle_source", default.idle_source, IDLE_SOURCES),
        routine_pace=check.pace(data.get("routine_pace", default.routine_pace)),
        hours=WorkingHours(
            check.days(hours.get("days", [DAY_NAMES[d] for d in sorted(default.hours.days)])),
            check.clock(hours, "hours.start", default.hours.start),
            check.clock(hours, "hours.end", default.hours.end, end_of_day=True),
        ),
        place=check.choice(stretches, "stretches.place", default.place, PLACES),
        exclude=check.ids(stretches.get("exclude", []), "stretches.exclude", stretch_ids),
        quiet=Quiet(
            when=check.signals(quiet.get("when", list(default.quiet.when))),
            apps=check.app_names(quiet.get("apps", list(default.quiet.apps))),
            recheck_minutes=check.minutes(
                quiet, "quiet.recheck_minutes", default.quiet.recheck_minutes
            ),
        ),
        origin=origin,
    )
    if stretch_ids is not None:
        pool = desk_ids if config.place == "desk" and desk_ids is not None else stretch_ids
        if not set(pool) - set(config.exclude):
            raise ConfigError(
                f"{origin}: stretches.exclude leaves nothing to suggest for place = "
                f"{config.place!r}; keep at least one of {', '.join(pool)}"
            )
    return config


def _toml_problem(message: str) -> str:
    """tomllib says 'Expected ... (at line 3, column 7)': put the position first."""
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", message)
    first = message.splitlines()[0] if message else "unreadable"
    at_end = "(at end of document)"
    if first.endswith(at_end):
        return f"at the end of the file: not valid TOML: {first[: -len(at_end)].strip()}"
    if not found:
        return f"not valid TOML: {first}"
    return f"line {found[1]}, column {found[2]}: not valid TOML: {message[: found.start()]}"


def _show(value: Any) -> str:
    """A value as TOML-ish text, on one line and short enough to read in a message."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = '"' + value.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    elif isinstance(value, dict):
        text = "a table"
    else:
        text = repr(value).encode("unicode_escape").decode("ascii")
    return text if len(text) <= 40 else text[:37] + "..."


def _suggest(word: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Checker:
    """The checks, each raising a one-line ConfigError that starts with the file's name."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.origin}: {key}{problem}")

    def known_keys(self, table: dict[str, Any], prefix: str, known: Collection[str]) -> None:
        for key in table:
            if key not in known:
                shown = _show(key)[1:-1]
                raise ConfigError(
                    f"{self.origin}: unknown key '{prefix}{shown}'{_suggest(key, known)}; "
                    f"known keys{' in [' + prefix[:-1] + ']' if prefix else ''}: "
                    + ", ".join(known)
                )

    def is_table(self, value: Any, key: str) -> None:
        if not isinstance(value, dict):
            raise self.fail(key, f" = {_show(value)}: must be a table, written [{key}]")

    def number(self, value: Any, key: str, zero_means: str | None = None) -> float:
        """Minutes within the limits; 0 too when it means something (``zero_means``)."""
        wanted = f"must be a number of minutes, {MINUTES_ALLOWED} (e.g. 60 or 0.5)"
        if zero_means is not None:
            wanted = f"must be 0 ({zero_means}) or a number of minutes, {MINUTES_ALLOWED}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        if value == 0 and zero_means is not None:
            return 0.0
        if not minutes_allowed(value):
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        return float(value)

    def minutes(
        self, data: dict[str, Any], key: str, default: float, zero_means: str | None = None
    ) -> float:
        return self.number(data.get(key.split(".")[-1], default), key, zero_means)

    def snoozes(self, value: Any) -> tuple[float, ...]:
        key = "snooze_minutes"
        if not isinstance(value, list) or not value:
            raise self.fail(key, f" = {_show(value)}: must be a list of minutes, e.g. [5, 15, 30]")
        minutes = tuple(self.number(v, key) for v in value)
        if len(set(minutes)) != len(minutes):
            raise self.fail(key, f" = {_show(value)}: each choice may appear once")
        return minutes

    def pace(self, value: Any) -> float:
        key, wanted = (
            "routine_pace",
            "must be a number from 0.01 to 10 (1 = as written, 2 = twice as long)",
        )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        if not (math.isfinite(value) and 0.01 <= value <= 10):
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        return float(value)

    def choice(self, data: dict[str, Any], key: str, default: str, allowed: tuple[str, ...]) -> str:
        value = data.get(key.split(".")[-1], default)
        if not isinstance(value, str) or value not in allowed:
            hint = _suggest(value, allowed) if isinstance(value, str) else ""
            raise self.fail(key, f" = {_show(value)}: use one of {', '.join(allowed)}{hint}")
        return value

    def clock(
        self, data: dict[str, Any], key: str, default: time, end_of_day: bool = False
    ) -> time:
        """A time of day; with ``end_of_day``, "24:00" too, which is midnight at the day's end
        (WorkingHours reads an end at or before the start as the next day's)."""
        value = data.get(key.split(".")[-1], default)
        if isinstance(value, time):  # TOML's own local-time type: 09:00:00
            return value.replace(second=0, microsecond=0)
        if end_of_day and value == _END_OF_DAY:
            return time(0)
        match = _HHMM.match(value) if isinstance(value, str) else None
        if not match:
            latest = f'"{_END_OF_DAY}"' if end_of_day else '"23:59"'
            wanted = f'must be a time as "HH:MM" (24-hour), from "00:00" to {latest}'
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        return time(int(match[1]), int(match[2]))

    def days(self, value: Any) -> frozenset[int]:
        key = "hours.days"
        if not isinstance(value, list) or not value:
            raise self.fail(key, f' = {_show(value)}: must be a list of days, e.g. ["mon", "tue"]')
        days: list[int] = []
        for day in value:
            name = day.lower() if isinstance(day, str) else None
            if name not in DAY_NAMES:
                hint = _suggest(name, DAY_NAMES) if name else ""
                raise self.fail(
                    key, f": {_show(day)} is not a day; use {', '.join(DAY_NAMES)}{hint}"
                )
            if DAY_NAMES.index(name) in days:
                raise self.fail(key, f": {_show(day)} is listed twice")
            days.append(DAY_NAMES.index(name))
        return frozenset(days)

    def signals(self, value: Any) -> tuple[str, ...]:
        key = "quiet.when"
        wanted = f"must be a list of {', '.join(QUIET_SIGNALS)} (or [] to never hold a prompt)"
        if not isinstance(value, list):
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        for item in value:
            if item not in QUIET_SIGNALS:
                hint = _suggest(item, QUIET_SIGNALS) if isinstance(item, str) else ""
                raise self.fail(
                    key, f": {_show(item)} is not one of {', '.join(QUIET_SIGNALS)}{hint}"
                )
        if len(set(value)) != len(value):
            raise self.fail(key, f" = {_show(value)}: each may appear once")
        return tuple(value)

    def app_names(self, value: Any) -> tuple[str, ...]:
        key = "quiet.apps"
        wanted = 'must be a list of program names, e.g. ["zoom", "teams"]'
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() and "/" not in item for item in value
        ):
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        return tuple(item.strip() for item in value)

    def ids(self, value: Any, key: str, known: Collection[str] | None) -> tuple[str, ...]:
        if not isinstance(value, list):
            wanted = 'must be a list of stretch ids, e.g. ["bridge"]'
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        for item in value:
            if not isinstance(item, str) or (known is not None and item not in known):
                hint = _suggest(item, known) if isinstance(item, str) and known else ""
                allowed = f"; known ids: {', '.join(known)}" if known else ""
                raise self.fail(key, f": {_show(item)} is not a stretch id{hint}{allowed}")
        if len(set(value)) != len(value):
            raise self.fail(key, f" = {_show(value)}: each id may appear once")
        return tuple(value)
