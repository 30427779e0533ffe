"""Per-day figures from the history: time sat, bouts, breaks, prompts and how they were answered.

Pure: it is given the events and a calendar. Sitting spans that cross midnight are split at the
local midnight (daylight saving included, since the calendar places midnight), so each day gets
the minutes it really had.

Two figures follow the studies of prompts against long sitting, which found that prompts change
the long stretches more than the total, and that people answer them less as months pass:

* a **bout** is one sit between two breaks (natural, after a prompt, or a routine); a skip or a
  restart of psoas does not end one. A bout counts whole for the day it ended.
* a first prompt (not a repeat) is **answered** when a break of any kind starts within ten
  minutes of it; the minutes it took are kept.

A stretch the user asked for (the tray's Stretch now) is no prompt: it is counted on its own,
and in none of the prompt figures.

At a sit-stand desk, time standing is counted apart (neither sat nor a break), split at midnight
like sitting, and so are the **sit-stand switches**, the figure the desk studies report: each
change of posture the user tells, sitting to standing and standing to sitting. Standing up ends
a bout, and answers a prompt as a break does.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from reminder.core import events as ev
from reminder.core.routine_run import Routines
from reminder.core.timebase import Calendar

#: A first prompt counts as answered when a break starts this soon after it.
ANSWER_WINDOW = 10 * 60.0
#: Sits closer than this are one bout (two spans split only by rounding, a skip, a restart).
_JOIN = 1.0


@dataclass
class DayStats:
    day: date
    sat_seconds: float = 0.0
    longest_sit_seconds: float = 0.0  # the longest bout that ended that day
    longest_sit_start: float | None = None  # epoch
    bouts_over_30: int = 0  # bouts of 30 minutes or more that ended that day
    bouts_over_60: int = 0  # ... and of 60 minutes or more
    breaks_natural: int = 0
    breaks_prompted: int = 0  # after a prompt: "I stretched" or a routine
    prompts: int = 0  # first prompts: a repeat of an unanswered one is not counted again
    repeats: int = 0
    prompts_answered: int = 0
    answer_minutes: list[float] = field(default_factory=list)
    prompts_held: int = 0  # prompts that waited while the user was busy
    held_seconds: float = 0.0  # how long they waited, in all
    snoozes: int = 0
    skips: int = 0
    stretches_asked: int = 0  # Stretch now: shown when the user asked, not prompted
    routines_done: int = 0
    stretches_done: Counter[str] = field(default_factory=Counter)
    standing_seconds: float = 0.0  # at a sit-stand desk
    sit_stand_switches: int = 0  # changes of posture: sitting to standing, standing to sitting
    spans: list[tuple[float, float]] = field(default_factory=list)  # epoch, clipped to the day
    standing_spans: list[tuple[float, float]] = field(default_factory=list)  # the same, standing
    breaks: list[tuple[float, str]] = field(default_factory=list)  # epoch, how

    @property
    def answer_rate(self) -> float | None:
        return self.prompts_answered / self.prompts if self.prompts else None

    @property
    def minutes_to_answer_median(self) -> float | None:
        return median(self.answer_minutes)

    def to_dict(self) -> dict[str, Any]:
        rate, to_answer = self.answer_rate, self.minutes_to_answer_median
        return {
            "day": self.day.isoformat(),
            "sat_minutes": round(self.sat_seconds / 60, 1),
            "longest_sit_minutes": round(self.longest_sit_seconds / 60, 1),
            "bouts_over_30": self.bouts_over_30,
            "bouts_over_60": self.bouts_over_60,
            "breaks_natural": self.breaks_natural,
            "breaks_after_prompt": self.breaks_prompted,
            "prompts": self.prompts,
            "repeats": self.repeats,
            "prompts_answered": self.prompts_answered,
            "answer_rate": None if rate is None else round(rate, 3),
            "minutes_to_answer_median": None if to_answer is None else round(to_answer, 1),
            "prompts_held": self.prompts_held,
            "minutes_held": round(self.held_seconds / 60, 1),
            "snoozes": self.snoozes,
            "skips": self.skips,
            "stretches_asked": self.stretches_asked,
            "routines_done": self.routines_done,
            "stretches_done": dict(sorted(self.stretches_done.items())),
            "standing_minutes": round(self.standing_seconds / 60, 1),
            "sit_stand_switches": self.sit_stand_switches,
        }


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


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

    def by_day(start: float, end: float) -> list[tuple[DayStats, float, float]]:
        """A span cut at each midnight: the day each piece falls in, and the piece."""
        pieces, cut = [], start
        while cut < end:
            piece_end = min(end, midnight_after(cut))
            if target := day_of(cut):
                pieces.append((target, cut, piece_end))
            cut = piece_end
        return pieces

    ordered = sorted(events, key=ev.event_time)
    prompts = [(e.at, e.stretch) for e in ordered if isinstance(e, ev.PromptShown)]
    prompt_times = [at for at, _ in prompts]
    # What answers a prompt: a break of any kind, or standing up at the desk.
    break_starts = sorted(
        e.start if isinstance(e, ev.BreakTaken) else e.at
        for e in ordered
        if isinstance(e, ev.BreakTaken | ev.StoodUp)
    )

    def answered(taken: ev.BreakTaken) -> str | None:
        """The stretch a "done" break credits: the one its prompt named. Records from before
        breaks named it give the last prompt shown before the break ended."""
        if taken.stretch is not None or taken.start == taken.end:
            return taken.stretch
        shown = bisect.bisect_right(prompt_times, taken.end)  # prompts shown before it ended
        return prompts[shown - 1][1] if shown else None

    for start, end in _bouts(ordered):
        if target := day_of(end):
            length = end - start
            target.bouts_over_30 += length >= 30 * 60
            target.bouts_over_60 += length >= 60 * 60
            if length > target.longest_sit_seconds:
                target.longest_sit_seconds, target.longest_sit_start = length, start

    for event in ordered:
        match event:
            case ev.SittingSpan(start=start, end=end) if end > start:
                for target, cut, piece_end in by_day(start, end):
                    target.sat_seconds += piece_end - cut
                    target.spans.append((cut, piece_end))
            case ev.StandingSpan(start=start, end=end, ended=ended):
                for target, cut, piece_end in by_day(start, end):
                    target.standing_seconds += piece_end - cut
                    target.standing_spans.append((cut, piece_end))
                if ended == "sit" and (target := day_of(end)):
                    target.sit_stand_switches += 1
            case ev.StoodUp(at=at):
                if target := day_of(at):
                    target.sit_stand_switches += 1
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
            case ev.PromptShown(at=at, held_seconds=held, repeat=repeat):
                if target := day_of(at):
                    target.held_seconds += held
                    if repeat:
                        target.repeats += 1
                        continue
                    target.prompts += 1
                    waited = _answer_after(at, break_starts)
                    if waited is not None:
                        target.prompts_answered += 1
                        target.answer_minutes.append(waited / 60)
            case ev.PromptHeld(at=at):
                if target := day_of(at):
                    target.prompts_held += 1
            case ev.HoldEnded(at=at, held_seconds=held):
                if target := day_of(at):
                    target.held_seconds += held
            case ev.Snoozed(at=at):
                if target := day_of(at):
                    target.snoozes += 1
            case ev.Skipped(at=at):
                if target := day_of(at):
                    target.skips += 1
            case ev.StretchAsked(at=at):
                if target := day_of(at):
                    target.stretches_asked += 1
            case ev.RoutineFinished(at=at, routine=routine):
                if target := day_of(at):
                    target.routines_done += 1
                    for stretch in _stretches_of(routines, routine):
                        target.stretches_done[stretch] += 1
    return list(days.values())


def _bouts(ordered: list[ev.Event]) -> list[tuple[float, float]]:
    """The bouts: sitting spans joined when nothing but a skip or a restart parted them (a
    break or standing up ends one)."""
    bouts: list[tuple[float, float]] = []
    current: tuple[float, float] | None = None
    for event in ordered:
        if isinstance(event, ev.BreakTaken | ev.StoodUp) and current is not None:
            bouts.append(current)
            current = None
        elif isinstance(event, ev.SittingSpan) and event.end > event.start:
            if current is not None and event.start - current[1] < _JOIN:
                current = (current[0], max(current[1], event.end))
            else:
                if current is not None:
                    bouts.append(current)
                current = (event.start, event.end)
    if current is not None:
        bouts.append(current)
    return bouts


def _answer_after(at: float, break_starts: list[float]) -> float | None:
    """Seconds from a prompt to the first break that started within the answer window."""
    first = bisect.bisect_left(break_starts, at)  # the first break to start at or after it
    if first < len(break_starts) and break_starts[first] <= at + ANSWER_WINDOW:
        return break_starts[first] - at
    return None


def _stretches_of(routines: Routines | None, routine_id: str) -> set[str]:
    """The stretches a finished routine went through (none if it is not known any more)."""
    if routines is None:
        return set()
    try:
        return {step.stretch for step in routines.routine(routine_id).steps}
    except KeyError:
        return set()
