"""The weekly word on progress: once a week, at the start of the first working day, one note
on how last week went against the week before, from the figures psoas already keeps.

Prompts alone fade after about six months unless people see what they gain (Stephenson 2017,
Mainsbridge 2018): the note says what changed in the figures the studies watch (sits of an hour
or more per working day, the longest sit), and nothing when there is nothing to compare. No
streaks, no scolding. When the answer rate has fallen three weeks running, the prompts are
becoming wallpaper: the note suggests one change, that once (a fourth week of falling says
nothing more).

Set by the calendar and driven like the sitting clock (:mod:`reminder.core.step`): the note for
a week is due when its first working day starts; a psoas that was not running then (or slept
through it) gives it at its next look in that week's working hours, never twice (the history
holds the notes given) and never in a later week. Pure: the driver hands it the events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from reminder.core import events as ev
from reminder.core.hours import WorkingHours
from reminder.core.routine_run import Routines
from reminder.core.stats import day_stats
from reminder.core.timebase import Calendar, Moment
from reminder.core.trend import Week, weeks

#: The weeks of events kept to work the note out: last week, the one before, and the answer
#: rates of the three before that (a fall three weeks running needs four rates, and a fifth
#: says whether it was falling already).
WEEKS_KEPT = 6

#: What the note may suggest when the answer rate has fallen three weeks running.
SUGGESTIONS = ("sit_minutes", "desk", "routine")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class WeeklyNotes:
    """When the week's note is due, and the note itself (see the module's docstring)."""

    hours: WorkingHours
    calendar: Calendar
    routines: Routines | None = None
    enabled: bool = True
    sit_minutes: float = 60
    place: str = "anywhere"
    events: list[ev.Event] = field(default_factory=list)  # the last weeks', oldest first
    noted: date | None = None  # the Monday of the last week a note was looked at for
    ready: bool = True  # False until the driver has handed over the last weeks' events

    def reconfigure(self, fresh: WeeklyNotes) -> None:
        """The config changed: its hours and choices count from now on; what was seen stays."""
        self.hours, self.enabled = fresh.hours, fresh.enabled
        self.sit_minutes, self.place = fresh.sit_minutes, fresh.place

    def remember(self, events: Iterable[ev.Event]) -> None:
        """What happened (the history at the start, then each step's events); a note given
        marks its week as noted."""
        for event in events:
            self.events.append(event)
            if isinstance(event, ev.WeeklyNote):
                week = date.fromisoformat(event.week)
                self.noted = max(self.noted or week, week)

    def due(self, now: Moment) -> float | None:
        """When (steady) the next note is due: the first working-day start of this week, or of
        the next once this week's is noted; a start already past, at the next look in working
        hours this week."""
        if not self.enabled or not self.ready:
            return None
        local = self.calendar.local(now.epoch)
        monday = monday_of(local.date())
        if self.noted is not None and self.noted >= monday:
            monday = self.noted + timedelta(weeks=1)
        first = self.hours.first_start_from(datetime.combine(monday, time()))
        due = self.hours.next_open(max(first, local)) if first <= local else first
        return now.t + (self.calendar.epoch(due) - now.epoch)

    def look(self, now: Moment) -> list[ev.Event]:
        """The note, if one is due now and there is something to say; the week is noted
        either way (a note with nothing to compare is no note)."""
        due = self.due(now)
        if due is None or due > now.t:
            return []
        monday = monday_of(self.calendar.local(now.epoch).date())
        self.noted = monday
        self._forget_before(monday - timedelta(weeks=WEEKS_KEPT))
        note = self.note_for(monday, now.epoch)
        return [note] if note is not None else []

    def note_for(self, monday: date, at: float) -> ev.WeeklyNote | None:
        """The note for the week of ``monday``: last week against the one before."""
        first = monday - timedelta(weeks=WEEKS_KEPT - 1)
        days = day_stats(
            self.events, self.calendar, first, monday - timedelta(days=1), self.routines
        )
        by_week = weeks(days, self.hours.days)
        last, before = by_week[-1], by_week[-2]
        if not last.working_days or not before.working_days:
            return None  # nothing to compare
        assert last.bouts_per_day is not None and before.bouts_per_day is not None
        return ev.WeeklyNote(
            at=at,
            week=monday.isoformat(),
            bouts_per_day=round(last.bouts_per_day, 1),
            before_bouts_per_day=round(before.bouts_per_day, 1),
            longest_seconds=last.longest_seconds,
            suggestion=self._suggestion(by_week),
        )

    def _suggestion(self, by_week: Sequence[Week]) -> str | None:
        """One change to try when the answer rate fell three weeks running (and not four)."""
        rates = [week.answer_rate for week in by_week[-5:]]
        falling = [a is not None and b is not None and b < a for a, b in pairwise(rates)]
        if falling[-3:] != [True, True, True] or (len(falling) > 3 and falling[-4]):
            return None
        if self.place != "desk":
            return "desk"  # stretches that need no floor are easier to say yes to
        if self.sit_minutes < 90:
            return "sit_minutes"  # fewer prompts, each one kept
        return "routine"

    def _forget_before(self, day: date) -> None:
        start = self.calendar.epoch(datetime.combine(day, time()))
        self.events = [e for e in self.events if ev.event_time(e) >= start]
