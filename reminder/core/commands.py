"""What the user can ask of the core, and the one table of their names.

The tray's menu, a notification's buttons, the command line, the control channel and scenario
files all say a command by the name this table gives it, with the argument it gives: each builds
its own surface from :data:`COMMANDS`, so a name, an argument or a default (the desk routine) is
written here and nowhere else.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

#: The routine a routine command starts when none is named.
DEFAULT_ROUTINE = "desk"


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
    routine: str = DEFAULT_ROUTINE


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

#: What a command's one argument is: a number of minutes, or a routine's id.
Argument = Literal["minutes", "routine"]


@dataclass(frozen=True)
class CommandSpec:
    """A command as every surface names it: its word, what it builds, what it takes."""

    name: str
    kind: type[Command]

    @property
    def argument(self) -> Argument | None:
        """The one argument it takes (the command's only field), if any."""
        fields = dataclasses.fields(self.kind)
        return fields[0].name if fields else None  # type: ignore[return-value]

    @property
    def default(self) -> object:
        """The argument's value when none is given (None: the config's, or "until tomorrow")."""
        fields = dataclasses.fields(self.kind)
        return fields[0].default if fields else None


#: Every command, by its name, in the order help texts list them.
COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        CommandSpec("stretch-now", StretchNow),
        CommandSpec("snooze", Snooze),
        CommandSpec("done", Done),
        CommandSpec("skip", Skip),
        CommandSpec("stand", Stand),
        CommandSpec("sit", Sit),
        CommandSpec("pause", Pause),
        CommandSpec("resume", ResumeReminders),
        CommandSpec("routine", StartRoutine),
        CommandSpec("pause-routine", PauseRoutine),
        CommandSpec("resume-routine", ResumeRoutine),
        CommandSpec("skip-step", SkipStep),
        CommandSpec("cancel-routine", CancelRoutine),
    )
}

_BY_KIND: dict[type[Command], CommandSpec] = {spec.kind: spec for spec in COMMANDS.values()}


def spec_of(kind: type[Command]) -> CommandSpec:
    """The table's entry for a kind of command."""
    return _BY_KIND[kind]


def name_of(kind: type[Command]) -> str:
    """The word for a kind of command ('snooze'), as every surface says it."""
    return _BY_KIND[kind].name


def named(name: str, argument: float | str | None = None) -> Command:
    """The command a word names, with its argument where it takes one and one is given (else
    the command's default); KeyError for a word that names none."""
    spec = COMMANDS[name]
    if argument is None or spec.argument is None:
        return spec.kind()
    return spec.kind(argument)  # type: ignore[call-arg]
