"""Reading back a snapshot of the sitting clock: what a restart may believe, and the sit it holds.

A snapshot comes from a file that a crash, a full disk or a hand may have left in any state, so
every value is checked before the core trusts it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reminder.core import events as ev

#: A sit a snapshot says lasted longer than this is not believed (nor recorded).
_LONGEST_SIT = 31 * 24 * 3600.0
#: The furthest a wanted prompt can lie after a snapshot (snooze and repeat allow a week at most).
_FURTHEST_PROMPT = 8 * 24 * 3600.0


def _finite(value: object) -> float | None:
    """A number read back from a snapshot, or None (a bool, a string, NaN or infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


#: The furthest a pause can end after a snapshot ("until tomorrow" from a Friday: a weekend).
_FURTHEST_PAUSE = 8 * 24 * 3600.0


def saved_pause_end(saved: object, now: float, key: str = "paused_until") -> float | None:
    """When the pause in a snapshot ends (epoch), if it has not ended by ``now``; else None.
    ``key`` names another such quiet time (``no_prompt_before``: the grace after a wake)."""
    if not isinstance(saved, dict):
        return None
    at, until = _finite(saved.get("saved")), _finite(saved.get(key))
    if at is None or until is None or not 0 < at <= now < until <= at + _FURTHEST_PAUSE:
        return None
    return until


@dataclass(frozen=True)
class SavedSit:
    """The sit a snapshot holds: from ``start`` to its last known moment ``end``."""

    saved: float
    start: float
    end: float  # the last input seen, or the start of the routine that stopped the sit
    next_prompt: float | None
    prompts: int
    parked: bool  # a routine was running: the sit stopped when it began
    snoozed: bool = False  # the next prompt is one the user put off, not the sitting time's
    held: tuple[float, str] | None = None  # a due prompt waiting for the user: since, why
    put_off: bool = False  # a routine stopped early put the next prompt back: its time stands

    @classmethod
    def read(cls, saved: object, now: float) -> SavedSit | None:
        """The sit in a snapshot taken by ``now`` (epoch), or None when there is none, or its
        times do not hang together: missing, not numbers, out of order, or from the future."""
        if not isinstance(saved, dict):
            return None
        at, start = _finite(saved.get("saved")), _finite(saved.get("span_start"))
        if at is None or start is None or not 0 < at <= now or not at - _LONGEST_SIT <= start <= at:
            return None
        parked = saved.get("routine_started") is not None
        if parked:
            end = _finite(saved["routine_started"])
        else:
            last_input = _finite(saved.get("last_input"))
            end = None if last_input is None else min(max(last_input, start), at)
        if end is None or not start <= end <= at:
            return None
        prompts = saved.get("prompts")
        if isinstance(prompts, bool) or not isinstance(prompts, int) or prompts < 0:
            prompts = 0
        wanted = _finite(saved.get("next_prompt"))
        if wanted is not None and not start <= wanted <= at + _FURTHEST_PROMPT:
            wanted = None
        since, why = _finite(saved.get("held_since")), saved.get("held_for")
        held = (since, why) if since is not None and start <= since <= at and why else None
        snoozed, put_off = saved.get("snoozed") is True, saved.get("put_off") is True
        return cls(at, start, end, wanted, prompts, parked, snoozed, held, put_off)

    def span(self) -> ev.SittingSpan | None:
        """The sit as a record, if it lasted at all."""
        return ev.SittingSpan(self.start, self.end) if self.end > self.start else None

    def records(self) -> list[ev.Event]:
        """What a stop that lasted longer than a break implies: the sit, ended at its last known
        moment, and a prompt held then, its hold ended there too."""
        span = self.span()
        out: list[ev.Event] = [span] if span else []
        if self.held is not None:
            since, why = self.held
            out.append(ev.HoldEnded(max(self.end, since), why, max(0.0, self.end - since)))
        return out


@dataclass(frozen=True)
class SavedStanding:
    """The standing spell a snapshot holds: from ``start`` to its last known moment ``end``."""

    saved: float
    start: float
    end: float  # the last input seen while standing (never before the spell began)
    closes: float | None  # the end of the working day it began in
    suggested: bool

    @classmethod
    def read(cls, saved: object, now: float) -> SavedStanding | None:
        """The spell in a snapshot taken by ``now`` (epoch), or None when there is none or its
        times do not hang together."""
        if not isinstance(saved, dict):
            return None
        at, start = _finite(saved.get("saved")), _finite(saved.get("standing_since"))
        if at is None or start is None or not 0 < at <= now or not at - _LONGEST_SIT <= start <= at:
            return None
        last_input = _finite(saved.get("last_input"))
        end = start if last_input is None else min(max(last_input, start), at)
        closes = _finite(saved.get("standing_closes"))
        if closes is not None and not start <= closes <= at + _FURTHEST_PROMPT:
            closes = None
        return cls(at, start, end, closes, saved.get("standing_suggested") is True)

    def record(self, ended: str = "stop") -> ev.StandingSpan:
        """The spell as a record, ended at its last known moment (or at the end of its working
        day, if that came first)."""
        end = self.end if self.closes is None else min(self.end, max(self.closes, self.start))
        return ev.StandingSpan(self.start, end, "hours" if end < self.end else ended)


def saved_records(saved: object, now: float) -> list[ev.Event]:
    """What a snapshot holds for the history once its sit (or standing spell) is over
    (:meth:`SavedSit.records`, :meth:`SavedStanding.record`); nothing if it holds none to be
    believed."""
    sit = SavedSit.read(saved, now)
    standing = SavedStanding.read(saved, now)
    return (sit.records() if sit else []) + ([standing.record()] if standing else [])


def saved_standing(saved: object, now: float) -> ev.StandingSpan | None:
    """The standing spell a snapshot holds, up to the last input seen; None if none."""
    standing = SavedStanding.read(saved, now)
    return standing.record() if standing else None


def saved_sit(saved: object, now: float) -> ev.SittingSpan | None:
    """The sit a snapshot holds, from its start to the last input seen (or to the routine that
    stopped it), never later than the snapshot; None if it holds none, or none to be believed.

    ``now`` (epoch) is when it is read: a snapshot from after it is not believed.
    """
    sit = SavedSit.read(saved, now)
    return sit.span() if sit else None
