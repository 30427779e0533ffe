"""Per-day figures from the history: time sat, longest sit, breaks, prompts, stretches done.

Pure: it is given the events and a calendar. Sitting spans that cross midnight are split at the
local midnight (daylight saving included, since the calendar places midnight), so each day gets
the minutes it really had; the longest sit counts whole for the day the sit ended.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from reminder.core import events as ev
from reminder.core.routine_run import Routines
from reminder.core.timebase import Calendar


@dataclass
class DayStats:
    day: date
    sat_seconds: float = 0.0
    longest_sit_seconds: float = 0.0
    longest_sit_start: float | None = None  # epoch
    breaks_natural: int = 0
    breaks_prompted: int = 0  # after a prompt: "I stretched" or a routine
    prompts: int = 0
    prompts_held: int = 0  # prompts that waited while the user was busy
    held_seconds: float = 0.0  # how long they waited, in all
    snoozes: int = 0
    skips: int = 0
    routines_done: int = 0
    stretches_done: Counter[str] = field(default_factory=Counter)
    spans: list[tuple[float, float]] = field(default_factory=list)  # epoch, clipped to the day
    breaks: list[tuple[float, str]] = field(default_factory=list)  # epoch, how

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "sat_minutes": round(self.sat_seconds / 60, 1),
            "longest_sit_minutes": round(self.longest_sit_seconds / 60, 1),
            "breaks_natural": self.breaks_natural,
            "breaks_after_prompt": self.breaks_prompted,
            "prompts": self.prompts,
            "prompts_held": self.prompts_held,
            "minutes_held": round(self.held_seconds / 60, 1),
            "snoozes": self.snoozes,
            "skips": self.skips,
            "routines_done": self.routines_done,
            "stretches_done": dict(sorted(self.stretches_done.items())),
        }


def day_stats(
    events: list[ev.Event],
    calendar: Calendar,
    first: date,
    last: date,
    routines: Routines | None = None,
) -> list[DayStats]:
    """One DayStats per day from ``first`` to ``last`` (inclusive), in order."""
    days = {
        first + timedelta(n): DayStats(first + timedelta(n)) for n in range((last - first).days + 1)
    }

    def day_of(epoch: float) -> DayStats | None:
        return days.get(calendar.local(epoch).date())

    def midnight_after(epoch: float) -> float:
        following = calendar.local(epoch).date() + timedelta(days=1)
        return calendar.epoch(datetime.combine(following, time()))

    ordered = sorted(events, key=ev.event_time)
    prompts = [(e.at, e.stretch) for e in ordered if isinstance(e, ev.PromptShown)]

    def answered(taken: ev.BreakTaken) -> str | None:
        """The stretch a "done" break credits: the one its prompt named. Records from before
        breaks named it give the last prompt shown before the break ended."""
        if taken.stretch is not None or taken.start == taken.end:
            return taken.stretch
        earlier = [stretch for at, stretch in prompts if at <= taken.end]
        return earlier[-1] if earlier else None

    for event in ordered:
        match event:
            case ev.SittingSpan(start=start, end=end) if end > start:
                ended = day_of(end)
                if ended and end - start > ended.longest_sit_seconds:
                    ended.longest_sit_seconds, ended.longest_sit_start = end - start, start
                cut = start
                while cut < end:
                    piece_end = min(end, midnight_after(cut))
                    target = day_of(cut)
                    if target:
                        target.sat_seconds += piece_end - cut
                        target.spans.append((cut, piece_end))
                    cut = piece_end
            case ev.BreakTaken(how=how, end=end):
                target = day_of(end)
                if target:
                    if how == "natural":
                        target.breaks_natural += 1
                    else:
                        target.breaks_prompted += 1
                    target.breaks.append((end, how))
                    credited = answered(event) if how == "done" else None
                    if credited:
                        target.stretches_done[credited] += 1
            case ev.PromptShown(at=at, held_seconds=held):
                if target := day_of(at):
                    target.prompts += 1
                    target.held_seconds += held
            case ev.PromptHeld(at=at):
                if target := day_of(at):
                    target.prompts_held += 1
            case ev.Snoozed(at=at):
                if target := day_of(at):
                    target.snoozes += 1
            case ev.Skipped(at=at):
                if target := day_of(at):
                    target.skips += 1
            case ev.RoutineFinished(at=at, routine=routine):
                if target := day_of(at):
                    target.routines_done += 1
                    for stretch in _stretches_of(routines, routine):
                        target.stretches_done[stretch] += 1
    return list(days.values())


def _stretches_of(routines: Routines | None, routine_id: str) -> set[str]:
    """The stretches a finished routine went through (none if it is not known any more)."""
    if routines is None:
        return set()
    try:
        return {step.stretch for step in routines.routine(routine_id).steps}
    except KeyError:
        return set()
