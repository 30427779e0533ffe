"""The user's config: a TOML file, checked strictly, every mistake reported in one plain line.

A message names the file, the key, the value and what is allowed; an unknown key suggests the
nearest known one. Nothing in the file is ever evaluated.
"""

from __future__ import annotations

import json
import os
import shlex
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from reminder.catalogue.model import PLACES, Catalogue
from reminder.config.checks import Checker, ConfigError, toml_problem
from reminder.config.names import BUSY_SIGNAL_NAMES, IDLE_SOURCE_NAMES
from reminder.core.hours import DAY_NAMES, WorkingHours
from reminder.core.settings import Settings
from reminder.errors import file_problem, read_user_file
from reminder.language import N_
from reminder.paths import config_file, make_folder, package_data

IDLE_SOURCES = ("auto", *IDLE_SOURCE_NAMES)

TOP_KEYS = (
    "sit_minutes",
    "break_minutes",
    "repeat_minutes",
    "snooze_minutes",
    "idle_source",
    "routine_pace",
    "sound",
    "language",
)
TABLES = {
    "hours": ("days", "start", "end"),
    "stretches": ("place", "exclude"),
    "quiet": ("when", "apps", "recheck_minutes"),
}
#: What can make psoas hold a prompt: do-not-disturb, a fullscreen window, a call, named apps.
QUIET_SIGNALS = BUSY_SIGNAL_NAMES


@dataclass(frozen=True)
class Quiet:
    """When not to interrupt: the busy signals to look at, the apps that count, and how often
    to look again while a prompt waits."""

    when: tuple[str, ...] = QUIET_SIGNALS
    apps: tuple[str, ...] = ()
    recheck_minutes: float = 2


@dataclass(frozen=True)
class Config:
    sit_minutes: float = 60
    break_minutes: float = 5
    repeat_minutes: float = 10
    snooze_minutes: tuple[float, ...] = (5, 15, 30)
    idle_source: str = "auto"
    routine_pace: float = 1.0
    sound: bool = False  # the notification server's message sound with each prompt
    language: str = "auto"  # "auto": the desktop's; else a code such as "de" or "pt_BR"
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


def language_in(path: Path) -> str:
    """The ``language`` a config file names, read quietly: "auto" for a file that is not there
    or not right (its check says so where it matters)."""
    try:
        value = tomllib.loads(path.read_text("utf-8-sig")).get("language", "auto")
    except (OSError, ValueError, RecursionError):
        return "auto"
    return value if isinstance(value, str) else "auto"


def example_text() -> str:
    return package_data("config.example.toml").read_text("utf-8")


def write_example(dest: Path) -> Path:
    """Write the commented example config to ``dest``; an existing file is never touched."""
    try:
        make_folder(dest.parent)
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
        raise ConfigError(f"{origin}: {toml_problem(str(error))}") from None
    except (ValueError, RecursionError) as error:  # e.g. nesting deep enough to exhaust the stack
        raise ConfigError(f"{origin}: not valid TOML ({type(error).__name__})") from None
    check = Checker(origin, QUIET_SIGNALS)
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
            data, "repeat_minutes", default.repeat_minutes, zero_means=N_("never")
        ),
        snooze_minutes=check.snoozes(data.get("snooze_minutes", list(default.snooze_minutes))),
        idle_source=check.choice(data, "idle_source", default.idle_source, IDLE_SOURCES),
        routine_pace=check.pace(data.get("routine_pace", default.routine_pace)),
        sound=check.flag(data, "sound", default.sound),
        language=check.language(data.get("language", default.language)),
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
