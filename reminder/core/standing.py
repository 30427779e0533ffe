"""Standing at a sit-stand desk: the posture the user says they take ("I'll stand"), when psoas
suggests a change, and what ends it when the user forgets to say they sat down.

The idle source cannot tell sitting from standing (input goes on either way), so standing is
what the user says, and the figures are kept honest for them: a standing spell ends at a natural
break (dated from the last input), at the end of the working day, or when the screen locks or
the machine sleeps, whichever comes first. Whatever ended it, the user is taken to sit from then.
"""

from __future__ import annotations

from dataclasses import dataclass

from reminder.core.hours import WorkingHours
from reminder.core.timebase import Calendar, Moment


@dataclass
class Standing:
    """The user stands since ``since`` (steady time)."""

    since: float
    closes: float  # steady: the end of the working day it began in (or, outside hours, the next)
    suggested: bool = False  # psoas has suggested sitting down or moving (once a spell)

    @classmethod
    def starting(cls, now: Moment, hours: WorkingHours, calendar: Calendar) -> Standing:
        """A spell beginning ``now``, closed at the end of the working day at the latest."""
        closes = calendar.epoch(hours.closes_after(calendar.local(now.epoch)))
        return cls(now.t, now.t + (closes - now.epoch))

    def suggestion_due(self, limit: float) -> float | None:
        """When to suggest sitting down or moving (steady); None once it has been."""
        return None if self.suggested else self.since + limit
