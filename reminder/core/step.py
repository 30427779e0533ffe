"""One step of the sitting clock, as every driver takes it: a look at the user, then what the
user asked, then when to look again.

The daemon takes it on the real clock (reminder/runtime/daemon.py), the replay on a virtual one
(reminder/replay/simulate.py), and the core's state-machine tests on theirs: so what the contract
tests check is what users run. A driver brings what only it can read (idle seconds, the lock, a
sleep, and, only when :func:`busy_matters` says so, the busy signals); the rest is here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from reminder.core import events as ev
from reminder.core.commands import Command
from reminder.core.sitting import SittingCore
from reminder.core.status import Busy, Status
from reminder.core.timebase import Moment
from reminder.core.weekly import WeeklyNotes


@dataclass(frozen=True)
class Reading:
    """What one look at the user found."""

    idle: float | None  # seconds since the last input; None: nothing can see input
    locked: bool = False
    slept_since: float | None = None  # the steady time the machine went to sleep, just woken
    returns_told: bool = False  # the idle source says the moment input comes back


@dataclass(frozen=True)
class Step:
    """What a step brought: what the look found, what the command led to (a refusal, when it
    changed nothing), and the state just before and after the command (its answer's words
    come from the state after)."""

    seen: list[ev.Event]
    answer: list[ev.Event] = field(default_factory=list)
    before: Status | None = None
    after: Status | None = None

    @property
    def events(self) -> list[ev.Event]:
        return self.seen + self.answer


def busy_matters(core: SittingCore, now: Moment, reading: Reading) -> bool:
    """Whether this look should ask the busy signals (a prompt due or waiting, a break about to
    come): they are never asked otherwise."""
    return core.busy_matters(now, reading.idle, reading.locked)


def take_step(
    core: SittingCore,
    now: Moment,
    reading: Reading,
    busy: Busy,
    command: Command | None = None,
    notes: WeeklyNotes | None = None,
) -> Step:
    """Look (``busy`` is what the signals said, when :func:`busy_matters` had them asked, else
    NOT_ASKED), then give the weekly note if it is due (``notes``), then carry out ``command``,
    if any."""
    seen = core.observe(
        now,
        reading.idle,
        locked=reading.locked,
        slept_since=reading.slept_since,
        busy=busy,
        returns_told=reading.returns_told,
    )
    if notes is not None:
        seen += notes.look(now)
    if command is None:
        step = Step(seen)
    else:
        before = core.status(now)
        answer = core.command(now, command)
        step = Step(seen, answer, before, core.status(now))
    if notes is not None:
        notes.remember(step.events)
    return step


def next_look(
    core: SittingCore,
    now: Moment,
    wishes: Iterable[float | None] = (),
    notes: WeeklyNotes | None = None,
) -> float | None:
    """When to look again (steady time): the earliest of the core's wake-up, the weekly note's
    and the other parts' wishes (the tray's ring moving a notch, a lost idle source's retry),
    never before now; None when nothing can happen."""
    weekly = notes.due(now) if notes is not None else None
    times = [t for t in (core.next_wakeup(now), weekly, *wishes) if t is not None]
    return max(min(times), now.t) if times else None
