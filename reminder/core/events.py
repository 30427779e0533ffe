"""What the core says happened: plain records, no behaviour.

The daemon turns some of them into notifications, the history store keeps all of them, and
``psoas simulate`` prints the ones a user would see. Times are wall-clock epoch seconds so that a
record means the same thing after a restart; durations were measured on a clock that never jumps.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, get_args


@dataclass(frozen=True)
class PromptShown:
    """Time to stretch: the user has sat ``sitting_seconds`` and is offered ``stretch``."""

    kind: ClassVar[str] = "prompt"
    at: float
    stretch: str
    sitting_seconds: float
    repeat: int  # 0 for the first prompt of a sitting span, then 1, 2, ... while unanswered
    held_seconds: float = 0.0  # how long it waited for the user to be free
    held_for: str | None = None  # why it waited: "call", "dnd", "fullscreen", "camera", "apps"


@dataclass(frozen=True)
class StretchAsked:
    """The user asked to see a stretch (the tray's Stretch now, a click on the icon), and was
    shown ``stretch``: the one this sit names. It is not a prompt: nothing falls due or goes
    unanswered, and it counts in no prompt figure."""

    kind: ClassVar[str] = "stretch-asked"
    at: float
    stretch: str


@dataclass(frozen=True)
class PromptHeld:
    """A prompt fell due while the user was busy: nothing was shown; it comes once they are
    free (a PromptShown with the same reason in ``held_for``)."""

    kind: ClassVar[str] = "held"
    at: float
    reason: str
    sitting_seconds: float


@dataclass(frozen=True)
class HoldEnded:
    """A held prompt stopped waiting without being shown: a break, a lock or a sleep, an
    answer, a snooze or a pause, a routine, the end of working hours or psoas stopping ended
    it. Its time held counts as a shown one's does (PromptShown.held_seconds)."""

    kind: ClassVar[str] = "hold-end"
    at: float
    reason: str
    held_seconds: float


@dataclass(frozen=True)
class SittingSpan:
    """A stretch of continuous sitting, closed by a break, a stretch or a skip."""

    kind: ClassVar[str] = "sitting"
    start: float
    end: float


@dataclass(frozen=True)
class BreakTaken:
    """The sitting clock went back to zero because the user moved.

    ``how`` is "natural" (no input for break_minutes), "done" (the user says they stretched) or
    "routine" (a guided routine ran to the end, or was stopped after lasting a full break). A
    "done" break is dated when the user said so, and names the stretch the prompt it answers
    named (None when no prompt was out).
    """

    kind: ClassVar[str] = "break"
    start: float
    end: float
    how: str
    stretch: str | None = None


@dataclass(frozen=True)
class StoodUp:
    """The user stands at their sit-stand desk from ``at`` (I'll stand): the sit under way ends
    there, and so does a prompt that was out (standing answers it)."""

    kind: ClassVar[str] = "stand"
    at: float


@dataclass(frozen=True)
class StandingSpan:
    """A stretch of standing at the desk: neither sitting nor a break. ``ended`` says what ended
    it: "sit" (the user said they sat down), "break" (away for break_minutes, dated from the last
    input), "lock", "suspend", "hours" (the end of the working day), "done" or "routine" (a
    stretch or a routine), "stop" (psoas stopped for longer than a break), "config" (the desk
    was taken out of the config)."""

    kind: ClassVar[str] = "standing"
    start: float
    end: float
    ended: str


@dataclass(frozen=True)
class StandingLong:
    """The user has stood ``standing_seconds``: psoas suggests sitting down or moving, once."""

    kind: ClassVar[str] = "standing-long"
    at: float
    standing_seconds: float


@dataclass(frozen=True)
class WeeklyNote:
    """The weekly word on progress (reminder.core.weekly), for the week of the Monday ``week``
    (ISO): last week's sits of an hour or more per working day against the week before's, last
    week's longest sit, and one change to try (a key of weekly.SUGGESTIONS) when the answer
    rate fell three weeks running."""

    kind: ClassVar[str] = "weekly-note"
    at: float
    week: str
    bouts_per_day: float
    before_bouts_per_day: float
    longest_seconds: float
    suggestion: str | None = None


@dataclass(frozen=True)
class Snoozed:
    kind: ClassVar[str] = "snooze"
    at: float
    minutes: float


@dataclass(frozen=True)
class Skipped:
    kind: ClassVar[str] = "skip"
    at: float


@dataclass(frozen=True)
class Paused:
    """Prompts are held back until ``until`` (epoch seconds); tracking goes on."""

    kind: ClassVar[str] = "pause"
    at: float
    until: float


@dataclass(frozen=True)
class Resumed:
    kind: ClassVar[str] = "resume"
    at: float


@dataclass(frozen=True)
class Slept:
    """The machine was suspended; that time counts as away."""

    kind: ClassVar[str] = "suspend"
    start: float
    end: float


@dataclass(frozen=True)
class RoutineStarted:
    """A guided routine begins; ``seconds`` is how long it lasts at the user's routine pace
    (0 in records from before it was kept)."""

    kind: ClassVar[str] = "routine-start"
    at: float
    routine: str
    seconds: float = 0.0


@dataclass(frozen=True)
class RoutineStepStarted:
    """One step of a guided routine begins: what to do, which side, for how long."""

    kind: ClassVar[str] = "routine-step"
    at: float
    routine: str
    index: int  # 0-based
    count: int
    stretch: str
    side: str | None
    seconds: float  # work time of the step, rest excluded
    rest_seconds: float


@dataclass(frozen=True)
class RoutinePaused:
    """The routine under way waits, at step ``step`` (0-based), until it is resumed."""

    kind: ClassVar[str] = "routine-pause"
    at: float
    routine: str
    step: int


@dataclass(frozen=True)
class RoutineResumed:
    kind: ClassVar[str] = "routine-resume"
    at: float
    routine: str
    step: int


@dataclass(frozen=True)
class RoutineFinished:
    kind: ClassVar[str] = "routine-done"
    at: float
    routine: str


@dataclass(frozen=True)
class RoutineCancelled:
    kind: ClassVar[str] = "routine-cancel"
    at: float
    routine: str
    steps_done: int


class Refusal(StrEnum):
    """Why a command did nothing: a small closed set, which the answer's words say."""

    AWAY = "away"  # no sit under way (a break, a lock): no prompt to snooze
    OFF_HOURS = "off-hours"  # outside working hours, no prompt out: nothing to snooze
    IN_ROUTINE = "in-routine"  # a routine is under way: no snooze, no stretch, no second one
    NO_ROUTINE = "no-routine"  # no routine to pause, resume, move on or stop
    NOT_PAUSED = "not-paused"  # nothing paused to resume (the reminders, or the routine)
    PAUSED_ALREADY = "paused-already"  # the routine waits already
    NO_DESK = "no-desk"  # "I'll stand" from a user the config gives no sit-stand desk
    STANDING = "standing"  # standing: no second stand, no sitting clock to skip or snooze
    NOT_STANDING = "not-standing"  # "I sat down" from a user not standing


@dataclass(frozen=True)
class CommandRefused:
    """The user asked for ``command`` (its name) and nothing changed, for ``reason``: said to
    whoever asked and to the log, never recorded (the history keeps what happened to the sitting,
    and this did not happen; a routine asked for while one is under way, say, leaves the one under
    way going on)."""

    kind: ClassVar[str] = "refused"
    at: float
    command: str
    reason: Refusal


Event = (
    PromptShown
    | StretchAsked
    | PromptHeld
    | HoldEnded
    | SittingSpan
    | BreakTaken
    | StoodUp
    | StandingSpan
    | StandingLong
    | WeeklyNote
    | Snoozed
    | Skipped
    | Paused
    | Resumed
    | Slept
    | RoutineStarted
    | RoutineStepStarted
    | RoutinePaused
    | RoutineResumed
    | RoutineFinished
    | RoutineCancelled
    | CommandRefused
)

#: The events a user sees as a notification of their own (a routine resumed shows its step
#: again: see the daemon).
NOTIFYING = (
    PromptShown,
    StretchAsked,
    StandingLong,
    WeeklyNote,
    RoutineStepStarted,
    RoutinePaused,
    RoutineFinished,
)


#: The events the history keeps: every one but a refusal, which changed nothing.
RECORDED: tuple[type[Event], ...] = tuple(
    cls for cls in get_args(Event) if cls is not CommandRefused
)

#: Every kind of event the history keeps, by the name it stores it under: all it records, so a
#: new kind can never be left out of what the history reads back.
EVENT_TYPES: dict[str, type[Event]] = {cls.kind: cls for cls in RECORDED}


#: The fields that are moments (wall-clock epoch seconds); every other number is a duration or a
#: count. What reads events out (the CSV export, the log) says these as times of day.
MOMENTS = ("at", "start", "end", "until")


def event_time(event: Event) -> float:
    """When an event happened: its ``at``, or the start of a span."""
    when = getattr(event, "at", None)
    return event.start if when is None else when  # type: ignore[union-attr]
