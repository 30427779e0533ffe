"""Reading the catalogue file strictly: a typo in the data fails loudly, naming the culprit.

Step and routine lengths are worked out here, never read from the file.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from typing import Any

from reminder.catalogue import (
    NEEDS,
    POSITIONS,
    SIDES,
    Catalogue,
    Dose,
    Quantity,
    Routine,
    RoutineStep,
    Stretch,
    _num,
)

# ----- loading and checking ---------------------------------------------------------------------

_MISSING: Any = object()


def _kind(value: object) -> str:
    """How a TOML value is described in an error message."""
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


class _Table:
    """Reads one TOML table field by field, so every error names where it happened."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"{where}: must be a table, not {_kind(data)}")
        self._data = data
        self._used: set[str] = set()
        self.where = where

    def _get(self, key: str, default: Any) -> Any:
        self._used.add(key)
        if key in self._data:
            return self._data[key]
        if default is _MISSING:
            raise ValueError(f"{self.where}: field {key!r} is missing")
        return default

    def _wrong(self, key: str, wanted: str, value: object) -> ValueError:
        return ValueError(f"{self.where}: field {key!r} must be {wanted}, not {_kind(value)}")

    def text(self, key: str, default: Any = _MISSING, choices: Iterable[str] = ()) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self._wrong(key, "a string", value)
        if default is _MISSING and not value.strip():
            raise ValueError(f"{self.where}: field {key!r} is empty")
        choices = tuple(choices)
        if choices and value not in choices:
            raise ValueError(
                f"{self.where}: field {key!r} must be one of {', '.join(choices)}, not {value!r}"
            )
        return value

    def texts(self, key: str, choices: Iterable[str] = (), non_empty: bool = False) -> list[str]:
        value = self._get(key, _MISSING)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self._wrong(key, "a list of non-empty strings", value)
        if non_empty and not value:
            raise ValueError(f"{self.where}: field {key!r} is empty")
        choices = tuple(choices)
        for item in value:
            if choices and item not in choices:
                raise ValueError(
                    f"{self.where}: field {key!r} may hold only {', '.join(choices)}, not {item!r}"
                )
        return value

    def has(self, key: str) -> bool:
        return key in self._data

    def number(self, key: str, default: Any = _MISSING, minimum: float = 0.0) -> Any:
        """A finite number >= minimum, as a float; ``default`` (which may be None) when absent."""
        value = self._get(key, default)
        if key not in self._data:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._wrong(key, "a number", value)
        if not math.isfinite(value) or value < minimum:
            raise ValueError(f"{self.where}: field {key!r} must be at least {_num(minimum)}")
        return float(value)

    def integer(self, key: str, minimum: int = 1) -> int:
        value = self._get(key, _MISSING)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._wrong(key, "a whole number", value)
        if value < minimum:
            raise ValueError(f"{self.where}: field {key!r} must be at least {minimum}")
        return value

    def boolean(self, key: str) -> bool:
        value = self._get(key, _MISSING)
        if not isinstance(value, bool):
            raise self._wrong(key, "true or false", value)
        return value

    def table(self, key: str, where: str, default: Any = _MISSING) -> _Table | None:
        value = self._get(key, default)
        if value is None and default is None:
            return None
        return _Table(value, where)

    def tables(self, key: str) -> list[object]:
        value = self._get(key, _MISSING)
        if not isinstance(value, list):
            raise self._wrong(key, "a list of tables", value)
        return value

    def finish(self) -> None:
        """Reject fields nobody asked for: almost always a typo."""
        unknown = [key for key in self._data if key not in self._used]
        if unknown:
            raise ValueError(f"{self.where}: unknown field {unknown[0]!r}")


def _quantity(dose: _Table, key: str, where: str) -> Quantity | None:
    table = dose.table(key, f"{where}: dose.{key}", default=None)
    if table is None:
        return None
    if table.has("value"):
        low = high = table.number("value")
    else:
        low, high = table.number("low"), table.number("high")
    if low <= 0 or high < low:
        raise ValueError(f"{table.where}: needs 0 < low <= high, not {_num(low)}..{_num(high)}")
    sourced = table.boolean("sourced")
    table.finish()
    return Quantity(low, high, sourced)


def _dose(table: _Table, where: str) -> Dose:
    dose = table.table("dose", f"{where}: dose")
    assert dose is not None
    sets = _quantity(dose, "sets", where)
    reps = _quantity(dose, "reps", where)
    hold = _quantity(dose, "hold_seconds", where)
    if reps is None and hold is None:
        raise ValueError(f"{where}: dose needs 'reps' or 'hold_seconds'")
    if sets is not None and reps is None:
        raise ValueError(f"{where}: dose has 'sets' but no 'reps'")
    tempo = dose.table("seconds_per_rep", f"{where}: dose.seconds_per_rep")
    assert tempo is not None
    seconds_per_rep = tempo.number("value")
    if seconds_per_rep <= 0:
        raise ValueError(f"{tempo.where}: field 'value' must be more than 0")
    if tempo.boolean("sourced"):
        raise ValueError(f"{tempo.where}: the article gives no tempo; mark it sourced = false")
    tempo.finish()
    dose.finish()
    return Dose(sets, reps, hold, seconds_per_rep)


def _stretch(data: object, number: int) -> Stretch:
    table = _Table(data, f"stretch #{number}")
    stretch_id = table.text("id")
    where = table.where = f"stretch {stretch_id!r}"
    stretch = Stretch(
        id=stretch_id,
        name=table.text("name"),
        targets=table.text("targets"),
        steps=tuple(table.texts("steps", non_empty=True)),
        cue=table.text("cue"),
        dose=_dose(table, where),
        sides=table.text("sides", choices=SIDES),  # type: ignore[arg-type]
        position=table.text("position", choices=POSITIONS),  # type: ignore[arg-type]
        needs=tuple(table.texts("needs", choices=NEEDS)),
        how=table.text("how"),
    )
    table.finish()
    return stretch


def _step(data: object, where: str, stretches: dict[str, Stretch]) -> RoutineStep:
    table = _Table(data, where)
    stretch_id = table.text("stretch")
    if stretch_id not in stretches:
        raise ValueError(f"{where}: unknown stretch {stretch_id!r} (known: {', '.join(stretches)})")
    stretch = stretches[stretch_id]
    side = table.text("side", choices=("left", "right")) if table.has("side") else None
    if stretch.sides == "each" and side is None:
        raise ValueError(f"{where}: {stretch_id!r} is done on each side: set side to left or right")
    if stretch.sides == "together" and side is not None:
        raise ValueError(f"{where}: {stretch_id!r} works both sides at once: leave out 'side'")
    reps = table.integer("reps")
    hold = table.number("hold_seconds", default=None)
    if hold is not None and hold <= 0:
        raise ValueError(f"{where}: field 'hold_seconds' must be more than 0")
    rest = table.number("rest_seconds", default=0.0)
    note = table.text("note", default="")
    table.finish()
    return RoutineStep.for_stretch(stretch, side, reps, hold, rest, note)  # type: ignore[arg-type]


def _check_sides(routine_where: str, steps: list[RoutineStep]) -> None:
    """A one-sided stretch always comes as a left step straight followed by its right step."""
    for index, step in enumerate(steps):
        where = f"{routine_where}, step {index + 1}"
        following = steps[index + 1] if index + 1 < len(steps) else None
        previous = steps[index - 1] if index else None
        if step.side == "left" and not (
            following and following.stretch == step.stretch and following.side == "right"
        ):
            raise ValueError(
                f"{where}: the left side of {step.stretch!r} must be followed by its right side"
            )
        if step.side == "right" and not (
            previous and previous.stretch == step.stretch and previous.side == "left"
        ):
            raise ValueError(
                f"{where}: the right side of {step.stretch!r} must follow its left side"
            )


def _routine(data: object, number: int, stretches: dict[str, Stretch]) -> Routine:
    table = _Table(data, f"routine #{number}")
    routine_id = table.text("id")
    where = table.where = f"routine {routine_id!r}"
    name = table.text("name")
    purpose = table.text("purpose")
    raw_steps = table.tables("step")
    if not raw_steps:
        raise ValueError(f"{where}: field 'step' is empty")
    steps = [_step(s, f"{where}, step {i}", stretches) for i, s in enumerate(raw_steps, 1)]
    _check_sides(where, steps)
    table.finish()
    return Routine(routine_id, name, purpose, tuple(steps))


def parse_catalogue_text(text: str, origin: str) -> Catalogue:
    """Build a catalogue from TOML text; any problem is a ValueError naming origin and culprit."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{origin}: not valid TOML: {error}") from None
    try:
        top = _Table(data, "catalogue")
        stretches: dict[str, Stretch] = {}
        for number, raw in enumerate(top.tables("stretch"), 1):
            stretch = _stretch(raw, number)
            if stretch.id in stretches:
                raise ValueError(f"stretch {stretch.id!r}: the id is used twice")
            stretches[stretch.id] = stretch
        routines: dict[str, Routine] = {}
        for number, raw in enumerate(top.tables("routine"), 1):
            routine = _routine(raw, number, stretches)
            if routine.id in routines:
                raise ValueError(f"routine {routine.id!r}: the id is used twice")
            routines[routine.id] = routine
        top.finish()
    except ValueError as error:
        raise ValueError(f"{origin}: {error}") from None
    return Catalogue(stretches, routines)
