"""Reading the catalogue file strictly: a typo in the data fails loudly, naming the culprit.

Step and routine lengths are worked out here, never read from the file.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reminder.catalogue.model import (
    NEEDS,
    POSITIONS,
    SIDES,
    Catalogue,
    Dose,
    Quantity,
    Routine,
    RoutineStep,
    Stretch,
    number_text,
)
from reminder.catalogue.pose import (
    BONES,
    JOINTS,
    PROP_KINDS,
    STRETCHED,
    WORLD_HEIGHT,
    WORLD_WIDTH,
    Point,
    Pose,
    Prop,
)
from reminder.errors import did_you_mean
from reminder.paths import package_data

# ----- loading and checking ---------------------------------------------------------------------

_MISSING: Any = object()

#: The catalogue shipped with psoas, inside the package.
PACKAGED = "data/catalogue.toml"


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

    def names(self) -> list[str]:
        """The fields present, in the file's order."""
        return list(self._data)

    def value(self, key: str) -> Any:
        """The raw value of a required field, for checks the typed readers do not cover."""
        return self._get(key, _MISSING)

    def number(self, key: str, default: Any = _MISSING, minimum: float = 0.0) -> Any:
        """A finite number >= minimum, as a float; ``default`` (which may be None) when absent."""
        value = self._get(key, default)
        if key not in self._data:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._wrong(key, "a number", value)
        if not math.isfinite(value) or value < minimum:
            raise ValueError(f"{self.where}: field {key!r} must be at least {number_text(minimum)}")
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
        raise ValueError(
            f"{table.where}: needs 0 < low <= high, not {number_text(low)}..{number_text(high)}"
        )
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


# ----- poses: the figure each picture is drawn from ----------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _point(value: object, name: str, where: str) -> Point:
    """A joint's [x, y], inside the scene: x forward from 0, y up from the floor."""
    if not (isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)):
        shown = value if isinstance(value, list) else _kind(value)
        raise ValueError(f"{where}: joint {name!r} must be [x, y], two numbers, not {shown}")
    x, y = value
    if not 0 <= x <= WORLD_WIDTH:
        raise ValueError(
            f"{where}: joint {name!r}: x must be from 0 to {number_text(WORLD_WIDTH)}, "
            f"not {number_text(x)}"
        )
    if not 0 <= y <= WORLD_HEIGHT:
        raise ValueError(
            f"{where}: joint {name!r}: y (height above the floor) must be from 0 to "
            f"{number_text(WORLD_HEIGHT)}, not {number_text(y)}"
        )
    return Point(float(x), float(y))


def _joints(pose: _Table, where: str) -> tuple[Point, ...]:
    joints = pose.table("joints", f"{where}: joints")
    assert joints is not None
    for name in joints.names():
        if name not in JOINTS:
            raise ValueError(f"{where}: unknown joint {name!r}{did_you_mean(name, JOINTS)}")
    for name in JOINTS:
        if not joints.has(name):
            raise ValueError(f"{where}: joint {name!r} is missing")
    return tuple(_point(joints.value(name), name, where) for name in JOINTS)


def _pose_steps(pose: _Table, where: str, step_count: int) -> tuple[int, ...]:
    value = pose.value("steps")
    wanted = f"a list of step numbers from 1 to {step_count}"
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where}: field 'steps' must be {wanted}, not {_kind(value)}")
    for step in value:
        if isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= step_count:
            raise ValueError(f"{where}: field 'steps' must be {wanted}, not {step!r}")
    if len(set(value)) != len(value):
        raise ValueError(f"{where}: field 'steps' names a step twice")
    return tuple(value)


def _prop(data: object, where: str) -> Prop:
    table = _Table(data, where)
    kind = table.text("kind", choices=PROP_KINDS)
    left, right, height = table.number("left"), table.number("right"), table.number("height")
    if not left < right <= WORLD_WIDTH:
        raise ValueError(
            f"{where}: needs 0 <= left < right <= {number_text(WORLD_WIDTH)}, "
            f"not {number_text(left)}..{number_text(right)}"
        )
    if not 0 < height <= WORLD_HEIGHT:
        raise ValueError(
            f"{where}: field 'height' must be more than 0 and at most {number_text(WORLD_HEIGHT)}"
        )
    table.finish()
    return Prop(kind, left, right, height)


def _check_bones(pose: Pose, where: str) -> None:
    """No bone may look longer than the figure's: a typo would pull a limb out of shape."""
    for (start, end), longest in BONES.items():
        length = math.dist(pose[start], pose[end])
        if length > longest + 1e-9:
            raise ValueError(
                f"{where}: {start} to {end} is {length:.1f} long, "
                f"more than the figure allows ({number_text(longest)})"
            )


def _pose(data: object, where: str, step_count: int) -> Pose:
    table = _Table(data, where)
    steps = _pose_steps(table, where, step_count)
    main = table.boolean("main")
    stretched = table.text("stretched", choices=STRETCHED)
    joints = _joints(table, where)
    raw_props = table.tables("prop") if table.has("prop") else []
    props = tuple(_prop(p, f"{where}, prop {n}") for n, p in enumerate(raw_props, 1))
    table.finish()
    pose = Pose(steps, main, stretched, joints, props)  # type: ignore[arg-type]
    _check_bones(pose, where)
    return pose


def _poses(table: _Table, where: str, step_count: int) -> tuple[Pose, ...]:
    """Every step is done in exactly one pose, and exactly one pose is the main picture."""
    raw = table.tables("pose")
    if not raw:
        raise ValueError(f"{where}: field 'pose' is empty")
    poses = tuple(_pose(p, f"{where}, pose {n}", step_count) for n, p in enumerate(raw, 1))
    shown_in: dict[int, int] = {}
    for number, pose in enumerate(poses, 1):
        for step in pose.steps:
            if step in shown_in:
                raise ValueError(
                    f"{where}, pose {number}: step {step} is already shown by pose {shown_in[step]}"
                )
            shown_in[step] = number
    unshown = [step for step in range(1, step_count + 1) if step not in shown_in]
    if unshown:
        raise ValueError(f"{where}: no pose shows step {unshown[0]}")
    mains = sum(pose.main for pose in poses)
    if mains != 1:
        raise ValueError(f"{where}: exactly one pose must have main = true, not {mains}")
    return poses


def _stretch(data: object, number: int, pictured: bool = True) -> Stretch:
    """A stretch; without ``pictured`` (the user's own) its poses may be left out: it is shown
    on a plain card then."""
    table = _Table(data, f"stretch #{number}")
    stretch_id = table.text("id")
    where = table.where = f"stretch {stretch_id!r}"
    steps = tuple(table.texts("steps", non_empty=True))
    stretch = Stretch(
        id=stretch_id,
        name=table.text("name"),
        targets=table.text("targets"),
        steps=steps,
        cue=table.text("cue"),
        dose=_dose(table, where),
        sides=table.text("sides", choices=SIDES),  # type: ignore[arg-type]
        position=table.text("position", choices=POSITIONS),  # type: ignore[arg-type]
        needs=tuple(table.texts("needs", choices=NEEDS)),
        how=table.text("how"),
        poses=_poses(table, where, len(steps)) if pictured or table.has("pose") else (),
        side_cue=_side_cue(table),
    )
    table.finish()
    return stretch


def _side_cue(table: _Table) -> str:
    """How a stretch done on each side says the side: "{side} knee down"."""
    cue = table.text("side_cue", default="{side} side")
    rest = cue.replace("{side}", "", 1)
    if "{side}" not in cue or "{" in rest or "}" in rest:
        raise ValueError(f"{table.where}: field 'side_cue' must hold {{side}} once, not {cue!r}")
    return cue


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
    cue, then = table.text("cue", default=""), table.text("then", default="")
    table.finish()
    return RoutineStep.for_stretch(stretch, side, reps, hold, rest, cue, then)  # type: ignore[arg-type]


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


def parse_catalogue_text(text: str, origin: str, shipped: Catalogue | None = None) -> Catalogue:
    """Build a catalogue from TOML text; any problem is a ValueError naming origin and culprit.

    With ``shipped``, the text is the user's own file: it adds stretches (poses optional) and
    routines, which may use the shipped stretches too; it may hold either alone, and its ids
    must be new. The result is both catalogues in one, the shipped stretches first.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{origin}: not valid TOML: {error}") from None
    own = shipped is not None
    taken = shipped or Catalogue({}, {})
    try:
        top = _Table(data, "catalogue")
        if own and not (top.has("stretch") or top.has("routine")):
            raise ValueError("no [[stretch]] and no [[routine]]: nothing to add")
        stretches: dict[str, Stretch] = {}
        for number, raw in enumerate(_listed(top, "stretch", own), 1):
            stretch = _stretch(raw, number, pictured=not own)
            _check_new(stretch.id, "stretch", stretches, taken.stretches)
            stretches[stretch.id] = stretch
        usable = taken.stretches | stretches
        routines: dict[str, Routine] = {}
        for number, raw in enumerate(_listed(top, "routine", own), 1):
            routine = _routine(raw, number, usable)
            _check_new(routine.id, "routine", routines, taken.routines)
            routines[routine.id] = routine
        top.finish()
    except ValueError as error:
        raise ValueError(f"{origin}: {error}") from None
    return Catalogue(usable, taken.routines | routines)


def _listed(top: _Table, key: str, optional: bool) -> list[object]:
    """The ``[[key]]`` tables; none when the file may leave them out and does."""
    return top.tables(key) if top.has(key) or not optional else []


def _check_new(item_id: str, kind: str, seen: dict[str, Any], shipped: dict[str, Any]) -> None:
    if item_id in shipped:
        raise ValueError(f"{kind} {item_id!r}: psoas ships one by that id; give yours another")
    if item_id in seen:
        raise ValueError(f"{kind} {item_id!r}: the id is used twice")


def parse_catalogue(text: str, origin: str = "catalogue.toml") -> Catalogue:
    """Build a catalogue from TOML text; any problem is a ValueError naming origin and culprit."""
    return parse_catalogue_text(text, origin)


def load_catalogue(path: str | os.PathLike[str] | None = None) -> Catalogue:
    """The catalogue shipped with psoas, or the one in ``path`` (for tests and experiments)."""
    if path is None:
        text = package_data(PACKAGED.removeprefix("data/")).read_text(encoding="utf-8")
        return parse_catalogue(text, PACKAGED)
    return parse_catalogue(Path(path).read_text(encoding="utf-8"), os.fspath(path))


def with_own(shipped: Catalogue, text: str, origin: str) -> Catalogue:
    """The shipped catalogue and the user's own stretches and routines (``text``, read from
    ``origin``) in one; a ValueError naming the file and the culprit for any problem."""
    return parse_catalogue_text(text, origin, shipped)
