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
    """Show the suggested stretch now, without waiting for the sitting time."""


@dataclass(frozen=True)
class Skip:
    """Not this time: start the clock again without a break."""


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
    | Pause
    | ResumeReminders
    | StartRoutine
    | CancelRoutine
    | PauseRoutine
    | ResumeRoutine
    | SkipStep
)
