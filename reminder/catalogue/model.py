"""The stretches psoas suggests and the guided routines built from them: the model.

The data lives in ``reminder/data/catalogue.toml`` so the words can change without touching code;
this module loads it, checks it strictly (a typo in the data should fail loudly, naming the
culprit), and works out what the file never states: how long each routine step and routine lasts.
Nothing is cached at import: call :func:`load_catalogue` and pass the result around.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from reminder.catalogue.pose import Pose
from reminder.language import N_, _, ngettext
from reminder.units import duration
from reminder.units import number as said_number

CREDITS = N_(
    """\
Stretches and doses follow the article "Stretching this little muscle can make knee and back pain
go away", which quotes the physical therapists Kristen Lettenberger (DPT, CSCS) and Winnie Yu
(DPT, CPT) of Bespoke Treatments, New York City. The wording here is psoas's own.
psoas offers general pointers and is not medical advice. Pain means ease off and leave that
stretch for today; pain that lingers is one for a clinician."""
)


def credits() -> str:
    """The credits in the user's language (the article's title stays as it was published)."""
    return _(CREDITS)


Side = Literal["left", "right"]
Sides = Literal["together", "each"]
Position = Literal["lying", "kneeling", "standing", "lunge"]

SIDES: tuple[str, ...] = ("together", "each")
POSITIONS: tuple[str, ...] = ("lying", "kneeling", "standing", "lunge")
NEEDS: tuple[str, ...] = ("floor", "raised surface")
PLACES: tuple[str, ...] = ("anywhere", "desk")


def number_text(value: float) -> str:
    """30.0 -> '30', 2.5 -> '2.5' ('2,5' in German): numbers as a person writes them."""
    return said_number(value)


# ----- the model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    """A number or range from a dose, and whether the article gave it.

    Keeping ``sourced`` next to the number lets the product show honestly which figures are the
    therapists' and which are psoas's own defaults where the article says nothing.
    """

    low: float
    high: float
    sourced: bool

    def __post_init__(self) -> None:
        if not 0 < self.low <= self.high:
            raise ValueError(f"a quantity needs 0 < low <= high, not {self.low}..{self.high}")

    def __str__(self) -> str:
        if self.low == self.high:
            return number_text(self.low)
        return f"{number_text(self.low)}-{number_text(self.high)}"

    def to_dict(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high, "sourced": self.sourced}


@dataclass(frozen=True)
class Dose:
    """How much of a stretch to do, as the article (or psoas, where it is silent) prescribes.

    ``seconds_per_rep`` is never from the article: it is psoas's own tempo, needed to time moving
    reps (those without a hold) inside a routine.
    """

    sets: Quantity | None
    reps: Quantity | None
    hold_seconds: Quantity | None
    seconds_per_rep: float

    def text(self, sides: str) -> str:
        """'2-3 sets of 10-12 reps', 'Hold 30 s, 2 times, each side'."""
        parts = []
        if self.hold_seconds is not None:
            parts.append(_("hold {seconds} s").format(seconds=self.hold_seconds))
            if self.reps is not None and self.reps.high != 1:
                parts.append(_("{reps} times").format(reps=self.reps))
        elif self.reps is not None:
            reps = ngettext("{reps} rep", "{reps} reps", 1 if self.reps.high == 1 else 2)
            parts.append(reps.format(reps=self.reps))
        if self.sets is not None and parts:
            parts[-1] = _("{sets} sets of {what}").format(sets=self.sets, what=parts[-1])
        if sides == "each":
            parts.append(_("each side"))
        text = ", ".join(parts)
        return text[:1].upper() + text[1:]

    def quantities(self) -> dict[str, Quantity]:
        """The numbers this dose gives, by field name (absent ones left out)."""
        named = {"sets": self.sets, "reps": self.reps, "hold_seconds": self.hold_seconds}
        return {name: q for name, q in named.items() if q is not None}

    def to_dict(self) -> dict[str, Any]:
        return {
            "sets": self.sets.to_dict() if self.sets else None,
            "reps": self.reps.to_dict() if self.reps else None,
            "hold_seconds": self.hold_seconds.to_dict() if self.hold_seconds else None,
            # The tempo is always psoas's own: say so in the same shape as the other numbers.
            "seconds_per_rep": {"value": self.seconds_per_rep, "sourced": False},
        }


@dataclass(frozen=True)
class Stretch:
    """One stretch: enough to do it from a notification (``summary``) or a terminal (steps, cue).

    ``how`` is the one-sentence version of ``steps`` used where space is short. ``poses`` are
    the positions its pictures show (``reminder.pose``): each names the steps done in it, and one
    is the main pose that stands for the whole stretch.
    """

    id: str
    name: str
    targets: str
    steps: tuple[str, ...]
    cue: str
    dose: Dose
    sides: Sides
    position: Position
    needs: tuple[str, ...]
    how: str
    poses: tuple[Pose, ...] = ()
    #: Which side a routine step works, as one says it: "{side} knee down" (filled with "left"
    #: or "right"). Only stretches done on each side use it.
    side_cue: str = "{side} side"

    @property
    def needs_floor(self) -> bool:
        return "floor" in self.needs

    @property
    def desk_friendly(self) -> bool:
        """Doable in office clothes beside the chair: nothing to lie or kneel on."""
        return not self.needs_floor

    def dose_text(self) -> str:
        return self.dose.text(self.sides)

    @property
    def main_pose(self) -> int:
        """The number (from 1) of the pose that pictures the stretch itself."""
        for number, pose in enumerate(self.poses, 1):
            if pose.main:
                return number
        raise ValueError(f"stretch {self.id!r} has no main pose")

    def pose_for_step(self, step: int) -> int:
        """The number (from 1) of the pose in which step ``step`` (from 1) is done."""
        for number, pose in enumerate(self.poses, 1):
            if step in pose.steps:
                return number
        raise ValueError(f"stretch {self.id!r} has no step {step} (it has {len(self.steps)})")

    def summary(self) -> str:
        """The notification body: how to do it in a sentence, then the dose."""
        return f"{self.how} {self.dose_text()}."

    def side_words(self, side: str) -> str:
        """'Left knee down': which side, in the words this stretch's side is said in (each
        language says the whole of it: 'left' agrees with the knee or the foot)."""
        words = _(self.side_cue.format(side=side))
        return words[:1].upper() + words[1:]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "targets": self.targets,
            "how": self.how,
            "steps": list(self.steps),
            "cue": self.cue,
            "dose": self.dose.to_dict(),
            "sides": self.sides,
            "position": self.position,
            "needs": list(self.needs),
            "needs_floor": self.needs_floor,
            "desk_friendly": self.desk_friendly,
            "summary": self.summary(),
            "poses": [pose.to_dict() for pose in self.poses],
            "side_cue": self.side_cue,
        }


@dataclass(frozen=True)
class RoutineStep:
    """One timed step of a routine.

    ``work_seconds`` is worked out when the catalogue loads (reps times the hold, or times the
    stretch's tempo for moving reps), so the routine runner needs no catalogue and the data file
    never states a length that could disagree with its reps. ``cue`` says how to move through
    the reps ("easing into the stretch and back out"); ``then`` what to do in the rest that
    follows ("stand up"), or after the last step ("back to work").
    """

    stretch: str
    side: Side | None
    reps: int
    hold_seconds: float | None
    rest_seconds: float
    cue: str
    then: str
    work_seconds: float

    @classmethod
    def for_stretch(
        cls,
        stretch: Stretch,
        side: Side | None,
        reps: int,
        hold_seconds: float | None,
        rest_seconds: float,
        cue: str = "",
        then: str = "",
    ) -> RoutineStep:
        """A step with its work time computed from the stretch's tempo."""
        per_rep = hold_seconds if hold_seconds is not None else stretch.dose.seconds_per_rep
        work = reps * per_rep
        return cls(stretch.id, side, reps, hold_seconds, rest_seconds, cue, then, work)

    @property
    def total_seconds(self) -> float:
        return self.work_seconds + self.rest_seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "stretch": self.stretch,
            "side": self.side,
            "reps": self.reps,
            "hold_seconds": self.hold_seconds,
            "rest_seconds": self.rest_seconds,
            "cue": self.cue,
            "then": self.then,
            "work_seconds": self.work_seconds,
            "total_seconds": self.total_seconds,
        }


@dataclass(frozen=True)
class Routine:
    """A guided sequence of steps; its length is always the sum of its steps."""

    id: str
    name: str
    purpose: str
    steps: tuple[RoutineStep, ...]

    @property
    def total_seconds(self) -> float:
        return sum(step.total_seconds for step in self.steps)

    @property
    def minutes(self) -> int:
        """Whole minutes, for a label such as 'about 2 min'."""
        return round(self.total_seconds / 60)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "purpose": self.purpose,
            "steps": [step.to_dict() for step in self.steps],
            "total_seconds": self.total_seconds,
            "minutes": self.minutes,
            "length": duration(self.total_seconds, exact=True),
        }


@dataclass(frozen=True)
class Catalogue:
    """Every stretch (in the article's order) and every routine, looked up by id."""

    stretches: dict[str, Stretch]
    routines: dict[str, Routine]

    def in_language(self) -> Catalogue:
        """The same catalogue in the user's language: each stretch's and routine's words, as
        the catalogue's translations give them (ids, numbers and poses as they are)."""

        def say(text: str) -> str:
            return _(text) if text else text

        stretches = {
            key: replace(
                s,
                name=say(s.name),
                targets=say(s.targets),
                how=say(s.how),
                steps=tuple(map(say, s.steps)),
                cue=say(s.cue),
            )
            for key, s in self.stretches.items()
        }
        routines = {
            key: replace(
                r,
                name=say(r.name),
                purpose=say(r.purpose),
                steps=tuple(replace(st, cue=say(st.cue), then=say(st.then)) for st in r.steps),
            )
            for key, r in self.routines.items()
        }
        return Catalogue(stretches, routines)

    def take_words(self, other: Catalogue) -> None:
        """Say what ``other`` says (the same catalogue in another language), in place: every
        part of a running psoas that holds this catalogue speaks the new language at once."""
        self.stretches.update(other.stretches)
        self.routines.update(other.routines)

    def stretch(self, stretch_id: str) -> Stretch:
        try:
            return self.stretches[stretch_id]
        except KeyError:
            raise KeyError(
                f"no stretch {stretch_id!r} (known: {', '.join(self.stretches)})"
            ) from None

    def routine(self, routine_id: str) -> Routine:
        try:
            return self.routines[routine_id]
        except KeyError:
            raise KeyError(
                f"no routine {routine_id!r} (known: {', '.join(self.routines)})"
            ) from None

    def allowed(self, place: str, exclude: Iterable[str] = ()) -> list[Stretch]:
        """The stretches that may be suggested: all of them "anywhere", only no-floor ones at the
        "desk"; minus the excluded ids. Unknown places or ids are errors, not silently ignored."""
        if place not in PLACES:
            raise ValueError(f"place must be one of {', '.join(PLACES)}, not {place!r}")
        excluded = set(exclude)
        unknown = sorted(excluded - self.stretches.keys())
        if unknown:
            raise ValueError(f"unknown stretch id(s) to exclude: {', '.join(unknown)}")
        return [
            s
            for s in self.stretches.values()
            if s.id not in excluded and (place == "anywhere" or s.desk_friendly)
        ]

    def to_dict(self) -> dict[str, Any]:
        """Everything, for JSON: stored fields, sourced flags, computed lengths and the credits."""
        return {
            "stretches": [s.to_dict() for s in self.stretches.values()],
            "routines": [r.to_dict() for r in self.routines.values()],
            "credits": credits(),
        }
