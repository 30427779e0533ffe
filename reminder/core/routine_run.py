"""The guided-routine runner: which step is on at a given time, with pause, skip and cancel.

Pure: it is told the time and answers; the core asks it what changed and when to look again.
Times are on the core's steady clock (seconds that never jump).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from typing import Protocol


class Step(Protocol):
    """What the runner needs of a routine's step (the catalogue's RoutineStep is one)."""

    stretch: str
    side: str | None

    @property
    def work_seconds(self) -> float: ...

    @property
    def rest_seconds(self) -> float: ...

    @property
    def total_seconds(self) -> float: ...


class Routine(Protocol):
    """What the runner needs of a routine (the catalogue's Routine is one)."""

    id: str

    @property
    def steps(self) -> Sequence[Step]: ...


class Routines(Protocol):
    """Where the core finds a routine by its id (the catalogue)."""

    def routine(self, routine_id: str) -> Routine: ...


class RoutineRun:
    """One run of a routine, from its first step to its end."""

    def __init__(self, routine: Routine, started: float, pace: float = 1.0) -> None:
        self.routine = routine
        self.started = started
        self.pace = pace  # every step's length is multiplied by this (the user's routine_pace)
        self._starts = (0.0, *accumulate(step.total_seconds * pace for step in routine.steps))
        self._shift = 0.0  # time added by pauses and removed by skips
        self._announced = -1  # index of the last step already reported as started
        self._paused_at: float | None = None

    @property
    def step_count(self) -> int:
        return len(self.routine.steps)

    @property
    def current_index(self) -> int:
        """The step on now (the last one announced), -1 before the first."""
        return self._announced

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def step_seconds(self, index: int) -> tuple[float, float]:
        """The work and the rest of step ``index`` at this run's pace: what the user really does."""
        step = self.routine.steps[index]
        return step.work_seconds * self.pace, step.rest_seconds * self.pace

    def step_start(self, index: int) -> float:
        """When step ``index`` starts (``step_count`` gives the end of the routine)."""
        return self.started + self._shift + self._starts[index]

    @property
    def ends(self) -> float:
        return self.step_start(self.step_count)

    def advance(self, now: float) -> tuple[list[int], bool]:
        """The steps that have started since the last call, and whether the routine is over."""
        if self.paused:
            return [], False
        begun = []
        while self._announced + 1 < self.step_count and self.step_start(self._announced + 1) <= now:
            self._announced += 1
            begun.append(self._announced)
        return begun, self.ends <= now

    def next_change(self) -> float | None:
        """When the next step starts or the routine ends; None while paused."""
        if self.paused:
            return None
        return self.step_start(min(self._announced + 1, self.step_count))

    def pause(self, now: float) -> None:
        if self._paused_at is None:
            self._paused_at = now

    def resume(self, now: float) -> None:
        if self._paused_at is not None:
            self._shift += now - self._paused_at
            self._paused_at = None

    def skip_step(self, now: float) -> None:
        """Move straight on to the next step (or the end)."""
        self.resume(now)
        following = min(self._announced + 1, self.step_count)
        self._shift -= self.step_start(following) - now

    def step_progress(self, now: float) -> float:
        """How far through the step on now (its work and its rest), from 0 to 1: the terminal's
        bar, beside the seconds left in the step."""
        index = self._announced
        if index < 0:
            return 0.0
        start, end = self.step_start(index), self.step_start(index + 1)
        at = self._paused_at if self._paused_at is not None else now
        return 1.0 if end <= start else min(1.0, max(0.0, (at - start) / (end - start)))

    def progress(self, now: float) -> float:
        """How far through the routine, from 0 to 1, for the tray icon."""
        total = self._starts[-1]
        if total <= 0:
            return 1.0
        at = (self._paused_at if self._paused_at is not None else now) - self.started - self._shift
        return min(1.0, max(0.0, at / total))
