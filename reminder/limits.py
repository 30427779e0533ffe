"""The range of every number of minutes a user gives psoas, wherever it is given.

The config file, ``psoas snooze`` and ``psoas pause``, a scenario's ``snooze`` and ``pause`` and
the control channel all check minutes against these, so one setting cannot be refused in one place
and taken in another.
"""

from __future__ import annotations

import math
import re

from reminder.core.commands import Snooze, name_of
from reminder.language import N_

#: 3 seconds. Fractional minutes stay usable for trying psoas out (``sit_minutes = 0.2``), but
#: nothing can prompt several times a second: every prompt is shown and written to the history.
MIN_MINUTES = 0.05

#: A week: anything longer is surely a slip of the keyboard.
MAX_MINUTES = 7 * 24 * 60

#: What is allowed, in words, for the messages that refuse a number of minutes.
#: Written out (not made of the numbers) so a catalogue can say it; tests/test_limits.py checks
#: that it says the numbers above.
MINUTES_ALLOWED = N_("at least 0.05 (3 seconds) and at most 10080 (a week)")


def minutes_allowed(minutes: float) -> bool:
    """Whether a number of minutes is within the limits (NaN and infinities are not)."""
    return math.isfinite(minutes) and MIN_MINUTES <= minutes <= MAX_MINUTES


#: A duration as a user writes it: '30m', '2h', '1h30m', '45' (minutes), '0.5'.
_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"  # 15, 1.5, .5 and 15.
_DURATION = re.compile(rf"^(?:{_NUMBER}h)?(?:{_NUMBER}m?)?$")


def parse_duration(
    text: str, what: str = "pause", tomorrow: bool = True, command_line: bool = True
) -> float | None:
    """Minutes in '30m', '2h', '1h30m', '45' (minutes), as ``psoas pause`` and ``psoas snooze``
    take them; None for 'tomorrow' where ``tomorrow`` allows it (a pause); else ValueError, one
    line naming the text and what ``what`` (pause, snooze) may be (with ``command_line``, where
    to turn for a snooze until tomorrow)."""
    word = text.strip().lower()
    forms = "e.g. 30m, 2h, 1h30m, 45 (minutes)" + (" or tomorrow" if tomorrow else "")
    if word == "tomorrow":
        if tomorrow:
            return None
        hint = ""
        if command_line and what == name_of(Snooze):
            hint = "; 'psoas pause tomorrow' holds prompts back until tomorrow"
        raise ValueError(f"{text!r}: a {what} is a duration, {forms}{hint}")
    match = _DURATION.match(word)
    if word and match and (match[1] or match[2]):
        minutes = float(match[1] or 0) * 60 + float(match[2] or 0)
        if minutes_allowed(minutes):
            return minutes
        side = "less than 3 seconds" if minutes < MIN_MINUTES else "more than a week"
        or_tomorrow = ", or tomorrow" if tomorrow else ""
        raise ValueError(
            f"{text!r} is {side}: in minutes a {what} is {MINUTES_ALLOWED}{or_tomorrow}"
        )
    raise ValueError(f"{text!r} is not a duration; write {forms}")
