"""Checking a config file: each value against what is allowed, one key at a time.

Every check raises a one-line :class:`ConfigError` naming the file, the key, the value as the file
wrote it (cut short) and what is allowed; a misspelt key or choice suggests the nearest known one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from datetime import time
from typing import Any

from reminder.core.hours import DAY_NAMES
from reminder.errors import UserError, did_you_mean
from reminder.language import _
from reminder.limits import MINUTES_ALLOWED, minutes_allowed
from reminder.units import snooze_choice

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?")
_END_OF_DAY = "24:00"  # allowed for hours.end only: midnight at the end of the day


class ConfigError(UserError):
    """A config file psoas cannot run on: the message names the file and the key."""


def toml_problem(message: str) -> str:
    """tomllib says 'Expected ... (at line 3, column 7)': put the position first."""
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", message)
    first = message.splitlines()[0] if message else "unreadable"
    at_end = "(at end of document)"
    if first.endswith(at_end):
        why = first[: -len(at_end)].strip()
        return _("at the end of the file: not valid TOML: {why}").format(why=why)
    if not found:
        return _("not valid TOML: {why}").format(why=first)
    return _("line {line}, column {column}: not valid TOML: {why}").format(
        line=found[1], column=found[2], why=message[: found.start()]
    )


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


class Checker:
    """The checks, each raising a one-line ConfigError that starts with the file's name."""

    def __init__(self, origin: str, quiet_signals: tuple[str, ...]) -> None:
        self.origin = origin
        self.quiet_signals = quiet_signals

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.origin}: {key}{problem}")

    def known_keys(self, table: dict[str, Any], prefix: str, known: Collection[str]) -> None:
        for key in table:
            if key not in known:
                shown = _show(key)[1:-1]
                if prefix:
                    text = _("unknown key '{key}'{hint}; known keys in [{table}]: {known}")
                else:
                    text = _("unknown key '{key}'{hint}; known keys: {known}")
                said = text.format(
                    key=f"{prefix}{shown}",
                    hint=did_you_mean(key, known),
                    table=prefix[:-1],
                    known=", ".join(known),
                )
                raise ConfigError(f"{self.origin}: {said}")

    def is_table(self, value: Any, key: str) -> None:
        if not isinstance(value, dict):
            raise self.fail(
                key, f" = {_show(value)}: " + _("must be a table, written [{key}]").format(key=key)
            )

    def number(self, value: Any, key: str, zero_means: str | None = None) -> float:
        """Minutes within the limits; 0 too when it means something (``zero_means``)."""
        allowed = _(MINUTES_ALLOWED)
        wanted = _("must be a number of minutes, {allowed} (e.g. 60 or 0.5)").format(
            allowed=allowed
        )
        if zero_means is not None:
            wanted = _("must be 0 ({meaning}) or a number of minutes, {allowed}").format(
                meaning=_(zero_means),
                allowed=allowed,  # "never", marked where it is given
            )
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
            wanted = _("must be a list of minutes, e.g. [5, 15, 30]")
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        minutes = tuple(self.number(v, key) for v in value)
        if len(set(minutes)) != len(minutes):
            raise self.fail(key, f" = {_show(value)}: " + _("each choice may appear once"))
        said = [snooze_choice(m) for m in minutes]  # as the menu shows them, which is keyed so
        for later, words in enumerate(said):
            if words in said[:later]:
                first = value[said.index(words)]
                said = _("{first} and {second} both read {words}; each choice may appear once")
                said = said.format(first=_show(first), second=_show(value[later]), words=words)
                raise self.fail(key, f" = {_show(value)}: {said}")
        return minutes

    def pace(self, value: Any) -> float:
        key = "routine_pace"
        wanted = _("must be a number from 0.01 to 10 (1 = as written, 2 = twice as long)")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        if not (math.isfinite(value) and 0.01 <= value <= 10):
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        return float(value)

    def language(self, value: Any) -> str:
        """ "auto", or a language's code as the desktop writes it ("de", "pt_BR", "fr-CA"): one
        psoas has no words for is English, quietly, as it is on a desktop in that language."""
        if value == "auto" or (isinstance(value, str) and _LANGUAGE.fullmatch(value)):
            return value
        wanted = _('must be "auto" (the desktop\'s language) or a language code, e.g. "de" or "fr"')
        raise self.fail("language", f" = {_show(value)}: {wanted}")

    def flag(self, data: dict[str, Any], key: str, default: bool) -> bool:
        value = data.get(key.split(".")[-1], default)
        if not isinstance(value, bool):
            raise self.fail(key, f" = {_show(value)}: " + _("must be true or false (no quotes)"))
        return value

    def choice(self, data: dict[str, Any], key: str, default: str, allowed: tuple[str, ...]) -> str:
        value = data.get(key.split(".")[-1], default)
        if not isinstance(value, str) or value not in allowed:
            hint = did_you_mean(value, allowed) if isinstance(value, str) else ""
            said = _("use one of {choices}{hint}").format(choices=", ".join(allowed), hint=hint)
            raise self.fail(key, f" = {_show(value)}: {said}")
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
        match = _HHMM.fullmatch(value) if isinstance(value, str) else None
        if not match:
            latest = f'"{_END_OF_DAY}"' if end_of_day else '"23:59"'
            wanted = _('must be a time as "HH:MM" (24-hour), from "00:00" to {latest}').format(
                latest=latest
            )
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        return time(int(match[1]), int(match[2]))

    def days(self, value: Any) -> frozenset[int]:
        key = "hours.days"
        if not isinstance(value, list) or not value:
            wanted = _('must be a list of days, e.g. ["mon", "tue"]')
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        days: list[int] = []
        for day in value:
            name = day.lower() if isinstance(day, str) else None
            if name not in DAY_NAMES:
                hint = did_you_mean(name, DAY_NAMES) if name else ""
                said = _("{day} is not a day; use {days}{hint}")
                said = said.format(day=_show(day), days=", ".join(DAY_NAMES), hint=hint)
                raise self.fail(key, f": {said}")
            if DAY_NAMES.index(name) in days:
                raise self.fail(key, ": " + _("{day} is listed twice").format(day=_show(day)))
            days.append(DAY_NAMES.index(name))
        return frozenset(days)

    def signals(self, value: Any) -> tuple[str, ...]:
        key = "quiet.when"
        wanted = _("must be a list of {signals} (or [] to never hold a prompt)").format(
            signals=", ".join(self.quiet_signals)
        )
        if not isinstance(value, list):
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        for item in value:
            if item not in self.quiet_signals:
                hint = did_you_mean(item, self.quiet_signals) if isinstance(item, str) else ""
                said = _("{item} is not one of {signals}{hint}").format(
                    item=_show(item), signals=", ".join(self.quiet_signals), hint=hint
                )
                raise self.fail(key, f": {said}")
        if len(set(value)) != len(value):
            raise self.fail(key, f" = {_show(value)}: " + _("each may appear once"))
        return tuple(value)

    def app_names(self, value: Any) -> tuple[str, ...]:
        key = "quiet.apps"
        if not isinstance(value, list):
            wanted = _('must be a list of program names, e.g. ["zoom", "teams"]')
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        for item in value:
            if not isinstance(item, str) or not item.strip():
                said = _(
                    '{item} is not a program name; a list of program names, e.g. ["zoom", "teams"]'
                )
                raise self.fail(key, ": " + said.format(item=_show(item)))
            if "/" in item:
                said = _("{item}: a program's name, without a folder").format(item=_show(item))
                raise self.fail(key, f": {said}")
        names = tuple(item.strip() for item in value)
        if len(set(names)) != len(names):
            raise self.fail(key, f" = {_show(value)}: " + _("each may appear once"))
        return names

    def ids(self, value: Any, key: str, known: Collection[str] | None) -> tuple[str, ...]:
        if not isinstance(value, list):
            wanted = _('must be a list of stretch ids, e.g. ["bridge"]')
            raise self.fail(key, f" = {_show(value)}: {wanted}")
        for item in value:
            if not isinstance(item, str) or (known is not None and item not in known):
                hint = did_you_mean(item, known) if isinstance(item, str) and known else ""
                if known:
                    said = _("{item} is not a stretch id{hint}; known ids: {known}")
                else:
                    said = _("{item} is not a stretch id{hint}")
                said = said.format(item=_show(item), hint=hint, known=", ".join(known or ()))
                raise self.fail(key, f": {said}")
        if len(set(value)) != len(value):
            raise self.fail(key, f" = {_show(value)}: " + _("each id may appear once"))
        return tuple(value)
