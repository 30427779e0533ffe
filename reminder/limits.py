"""The range of every number of minutes a user gives psoas, wherever it is given.

The config file, ``psoas snooze`` and ``psoas pause``, a scenario's ``snooze`` and ``pause`` and
the control channel all check minutes against these, so one setting cannot be refused in one place
and taken in another.
"""

from __future__ import annotations

import math

#: 3 seconds. Fractional minutes stay usable for trying psoas out (``sit_minutes = 0.2``), but
#: nothing can prompt several times a second: every prompt is shown and written to the history.
MIN_MINUTES = 0.05

#: A week: anything longer is surely a slip of the keyboard.
MAX_MINUTES = 7 * 24 * 60

#: What is allowed, in words, for the messages that refuse a number of minutes.
MINUTES_ALLOWED = (
    f"at least {MIN_MINUTES:g} ({MIN_MINUTES * 60:g} seconds) and at most {MAX_MINUTES} (a week)"
)


def minutes_allowed(minutes: float) -> bool:
    """Whether a number of minutes is within the limits (NaN and infinities are not)."""
    return math.isfinite(minutes) and MIN_MINUTES <= minutes <= MAX_MINUTES
