"""Every config key as the settings page shows it: grouped as a person thinks of them, and how
its value goes from the file into a form field and back.

A field's value on the page is text (a number, a list written with commas, a time) or the tuple
of the boxes ticked. Going back, a field's text becomes what the file would hold if the user had
typed it there: a number where it reads as one, else the text itself, so the config's own check
refuses it in its own words.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any

from reminder.config import DEFAULTS, IDLE_SOURCES, PLACES, QUIET_SIGNALS, file_settings
from reminder.core.hours import DAY_NAMES
from reminder.language import available

#: A field's value on the page: the text in it, or the boxes ticked.
FormValue = str | tuple[str, ...]

NUMBER, NUMBERS, NAMES, CHOICE, FLAG, CLOCK, CHECKS, STRETCHES = (
    "number",
    "numbers",
    "names",
    "choice",
    "flag",  # a yes or no, shown as a choice of two
    "clock",
    "checks",
    "stretches",
)
#: A flag's two choices, as the file writes them.
FLAG_CHOICES = ("false", "true")


@dataclass(frozen=True)
class Field:
    """One config key on the page."""

    key: str  # as ``psoas config check`` names it: "sit_minutes", "hours.start"
    kind: str
    choices: tuple[str, ...] = ()

    @property
    def table(self) -> str | None:
        return self.key.split(".")[0] if "." in self.key else None

    @property
    def name(self) -> str:
        return self.key.split(".")[-1]

    @property
    def ticks(self) -> bool:
        """Whether the field is a group of boxes rather than one input."""
        return self.kind in (CHECKS, STRETCHES)


#: The groups, in the page's order, and the fields in each.
GROUPS: tuple[tuple[str, tuple[Field, ...]], ...] = (
    (
        "prompts",
        (
            Field("sit_minutes", NUMBER),
            Field("repeat_minutes", NUMBER),
            Field("snooze_minutes", NUMBERS),
            Field("sound", FLAG, FLAG_CHOICES),
        ),
    ),
    ("breaks", (Field("break_minutes", NUMBER), Field("idle_source", CHOICE, IDLE_SOURCES))),
    (
        "hours",
        (
            Field("hours.days", CHECKS, DAY_NAMES),
            Field("hours.start", CLOCK),
            Field("hours.end", CLOCK),
        ),
    ),
    (
        "stretches",
        (
            Field("stretches.place", CHOICE, PLACES),
            Field("stretches.exclude", STRETCHES),
            Field("routine_pace", NUMBER),
        ),
    ),
    (
        "quiet",
        (
            Field("quiet.when", CHECKS, QUIET_SIGNALS),
            Field("quiet.apps", NAMES),
            Field("quiet.recheck_minutes", NUMBER),
        ),
    ),
    ("language", (Field("language", CHOICE, ("auto", *available())),)),
)
FIELDS: tuple[Field, ...] = tuple(field for _, fields in GROUPS for field in fields)

_MISSING = object()
_INTEGER = re.compile(r"[+-]?\d{1,30}")


def default_values() -> dict[str, Any]:
    """Every key's default as the file would hold it ("hours.days": ["mon", ...])."""
    shown = file_settings(DEFAULTS)
    return {key: tomllib.loads(f"value = {text}")["value"] for key, text in shown.items()}


def raw_value(data: Mapping[str, Any], field: Field) -> Any:
    """What the file holds for ``field`` (plain Python, as tomllib reads it), or its default."""
    table = data.get(field.table, {}) if field.table else data
    if isinstance(table, Mapping) and field.name in table:
        return table[field.name]
    return default_values()[field.key]


def shown(field: Field, raw: Any, stretch_ids: Sequence[str]) -> FormValue:
    """What the page shows for a value of the file: ``raw`` as the user would type it."""
    kind = field.kind
    if kind == NUMBER:
        return _number_text(raw)
    if kind in (NUMBERS, NAMES) and isinstance(raw, list):
        return ", ".join(_number_text(item) if kind == NUMBERS else _text(item) for item in raw)
    if kind == CLOCK and isinstance(raw, time):
        return f"{raw:%H:%M}"
    if kind == CHECKS:
        ticked = (
            {item.lower() for item in raw if isinstance(item, str)}
            if isinstance(raw, list)
            else set()
        )
        return tuple(choice for choice in field.choices if choice in ticked)
    if kind == STRETCHES:
        left_out = set(raw) if isinstance(raw, list) else set()
        return tuple(stretch for stretch in stretch_ids if stretch not in left_out)
    return _text(raw)


def submitted(
    field: Field, form: Mapping[str, Sequence[str]], stretch_ids: Sequence[str]
) -> FormValue:
    """A field's value as the browser sent it (a box not ticked is not sent at all)."""
    values = form.get(field.key, ())
    if field.kind == CHECKS:
        return tuple(choice for choice in field.choices if choice in values)
    if field.kind == STRETCHES:
        return tuple(stretch for stretch in stretch_ids if stretch in values)
    return values[0].strip() if values else ""


def to_file(field: Field, value: FormValue, stretch_ids: Sequence[str]) -> Any:
    """What the file is to hold for a field's value on the page."""
    if isinstance(value, tuple):
        if field.kind == STRETCHES:
            return [stretch for stretch in stretch_ids if stretch not in value]
        return list(value)
    if field.kind == NUMBER:
        return _number(value)
    if field.kind == FLAG:  # else the text itself, which the config's check refuses
        return {"true": True, "false": False}.get(value, value)
    if field.kind in (NUMBERS, NAMES):
        parts = [part.strip() for part in value.split(",") if part.strip()]
        return [_number(part) for part in parts] if field.kind == NUMBERS else parts
    return value


def _number(text: str) -> Any:
    """A number where the text reads as one (60, 0.5, 1e3), else the text itself."""
    if _INTEGER.fullmatch(text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) and "_" not in text else text


def _number_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _text(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _text(value: Any) -> str:
    """A value the page has no better way to show, as TOML writes it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {_text(item)}" for key, item in value.items()) + "}"
    return str(value)
