"""What the user can ask of the core, from the tray, the command line or a notification button."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Snooze:
    minutes: float | None = None  # None: the default snooze


@dataclass(frozen=True)
class Done:
    """I stretched."""


@dataclass(frozen=True)
class StretchNow:
    """Show this sit's stretch now, as the user asked: not a prompt, nothing falls due."""


@dataclass(frozen=True)
class Skip:
    """Not this time: start the clock again without a break."""


@dataclass(frozen=True)
class Stand:
    """I'll stand (at a sit-stand desk): the sitting clock stops while the user stands."""


@dataclass(frozen=True)
class Sit:
    """I sat down again: standing ends and the sitting clock starts from zero."""


@dataclass(frozen=True)
class Pause:
    minutes: float | None = None  # None: until working hours start on a later day


@dataclass(frozen=True)
class ResumeReminders:
    pass


@dataclass(frozen=True)
class StartRoutine:
    routine: str


@dataclass(frozen=True)
class CancelRoutine:
    pass


@dataclass(frozen=True)
class PauseRoutine:
    pass


@dataclass(frozen=True)
class ResumeRoutine:
    pass


@dataclass(frozen=True)
class SkipStep:
    pass


Command = (
    Snooze
    | StretchNow
    | Done
    | Skip
    | Stand
    | Sit
    | Pause
    | ResumeReminders
    | StartRoutine
    | CancelRoutine
    | PauseRoutine
    | ResumeRoutine
    | SkipStep
)


#: The words for commands, as the control channel, notification buttons and scenario files use them.
NAMED: dict[str, type[Command]] = {
    "snooze": Snooze,
    "stretch-now": StretchNow,
    "done": Done,
    "skip": Skip,
    "stand": Stand,
    "sit": Sit,
    "pause": Pause,
    "resume": ResumeReminders,
    "routine": StartRoutine,
    "cancel-routine": CancelRoutine,
    "pause-routine": PauseRoutine,
    "resume-routine": ResumeRoutine,
    "skip-step": SkipStep,
}


def named(name: str, minutes: float | None = None, routine: str = "desk") -> Command:
    """The command a word names, with its argument where it takes one (KeyError if none)."""
    kind = NAMED[name]
    if kind in (Snooze, Pause):
        return kind(minutes)
    if kind is StartRoutine:
        return StartRoutine(routine)
    return kind()
