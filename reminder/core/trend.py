"""Week by week, the figures the studies watch: bouts of an hour or more per working day, the
longest bout, and how many first prompts were answered. Pure: it is given the days."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reminder.core.stats import DayStats


@dataclass(frozen=True)
class Week:
    """Some days taken together (a calendar week, or the four before this one)."""

    first: date
    last: date
    working_days: int  # working days with any sitting: the days the averages are over
    bouts_over_60: int
    longest_seconds: float
    prompts: int
    answered: int

    @property
    def bouts_per_day(self) -> float | None:
        return self.bouts_over_60 / self.working_days if self.working_days else None

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.prompts if self.prompts else None


def combine(days: Sequence[DayStats], working: Collection[int]) -> Week:
    """The days from first to last as one stretch of time; ``working``: weekday numbers (0 Mon)."""
    counted = [d for d in days if d.day.weekday() in working and d.sat_seconds > 0]
    return Week(
        first=days[0].day,
        last=days[-1].day,
        working_days=len(counted),
        bouts_over_60=sum(d.bouts_over_60 for d in counted),
        longest_seconds=max((d.longest_sit_seconds for d in days), default=0.0),
        prompts=sum(d.prompts for d in days),
        answered=sum(d.prompts_answered for d in days),
    )


def weeks(days: Sequence[DayStats], working: Collection[int]) -> list[Week]:
    """Calendar weeks (Monday to Sunday), oldest first, from consecutive days."""
    by_week: dict[date, list[DayStats]] = {}
    for day in days:
        by_week.setdefault(day.day - timedelta(days=day.day.weekday()), []).append(day)
    return [combine(group, working) for _, group in sorted(by_week.items())]


def this_week_and_before(
    days: Sequence[DayStats], working: Collection[int], today: date
) -> tuple[Week, Week] | None:
    """This week so far, and the four weeks before it; None without days for both."""
    monday = today - timedelta(days=today.weekday())
    now = [d for d in days if monday <= d.day <= today]
    before = [d for d in days if monday - timedelta(weeks=4) <= d.day < monday]
    if not now or not before:
        return None
    return combine(now, working), combine(before, working)


def trend_first_day(today: date) -> date:
    """The first day :func:`this_week_and_before` needs: four Mondays before this week's."""
    return today - timedelta(days=today.weekday()) - timedelta(weeks=4)
