"""Replay a scenario through the real core on a simulated clock (``psoas simulate``).

A simulated user plays the scenario's events; the core is woken exactly when it asks to be, as the
daemon would wake it, so what comes out is what the daemon would have shown that day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from reminder.catalogue.model import Catalogue
from reminder.config import Config, settings_for, weekly_notes_for
from reminder.core import commands as cmd
from reminder.core import events as ev
from reminder.core.observer import Observer
from reminder.core.saved import saved_records
from reminder.core.sitting import SittingCore
from reminder.core.stats import day_stats
from reminder.core.status import NOT_ASKED, Busy, Status
from reminder.core.step import Reading, busy_matters, next_look, take_step
from reminder.core.timebase import FixedCalendar, Moment
from reminder.core.weekly import WeeklyNotes
from reminder.replay.scenario import Scenario, ScenarioEvent, command_of


@dataclass
class _User:
    """The simulated person: when they last touched the computer, and whether they still are."""

    active: bool = False
    last_input: float = -math.inf
    locked: bool = False
    asleep_since: float | None = None
    busy: str | None = None  # why they should not be interrupted now (a call...), if they are
    quiet: bool = True  # whether busy signals are looked at at all (the config's [quiet] when)
    returns_told: bool = False  # the desktop says when input returns (Wayland): looked at then
    notes: WeeklyNotes | None = None  # the weekly word on progress, as the daemon gives it

    def idle(self, t: float) -> float:
        if self.active and not self.locked:
            return 0.0
        return t - self.last_input if math.isfinite(self.last_input) else 1e9

    def look(
        self,
        core: SittingCore,
        now: Moment,
        command: cmd.Command | None = None,
        **reading: Any,
    ) -> list[ev.Event]:
        """The daemon's step (reminder.core.step): a look at the user, idle time and lock, and,
        only when a prompt is due or a break would come, whether they are busy; then
        ``command``, if the scenario's line gives one."""
        seen = Reading(
            reading.pop("idle", self.idle(now.t)),
            reading.pop("locked", self.locked),
            reading.pop("slept_since", None),
            self.returns_told,
        )
        busy = Busy(self.busy) if self.quiet and busy_matters(core, now, seen) else NOT_ASKED
        return take_step(core, now, seen, busy, command, self.notes).events


def run_scenario(
    scenario: Scenario,
    config: Config,
    catalogue: Catalogue,
    observers: Sequence[Observer] = (),
    close: bool = False,
    returns_told: bool = False,
) -> list[ev.Event]:
    """Every event the core reports over the scenario's day, in order.

    ``observers`` follow the day as they follow the daemon (the tray's model, say): they are
    told what happened and woken when they ask, so a day counts the tray's wake-ups too. With
    ``close``, the sit still going on at the end of the day is recorded too, as a stopping
    psoas records it. With ``returns_told``, the idle source is one that says when input
    returns (Wayland's): every scenario event is a look, so the return is seen when it comes.
    """
    calendar = FixedCalendar()
    midnight = calendar.epoch(datetime.combine(scenario.day, time()))
    core = SittingCore(settings_for(config, catalogue), calendar, catalogue)
    notes = weekly_notes_for(config, calendar, catalogue)
    user = _User(quiet=bool(config.quiet.when), returns_told=returns_told, notes=notes)
    out: list[ev.Event] = []

    def moment(seconds: float) -> Moment:
        return Moment(midnight + seconds, midnight + seconds)

    now = scenario.events[0].seconds
    for event in scenario.events:
        woken_at = None
        # Nothing happens before the scenario's first line: no one is there to look at.
        while user.asleep_since is None and event is not scenario.events[0]:
            # Wake the core whenever it asked to be woken before this event, as the daemon would.
            at = moment(now)
            wake = next_look(core, at, (each.next_wakeup(at.t) for each in observers), notes)
            if wake is None or wake - midnight > event.seconds:
                break
            now = max(wake - midnight, now)
            if now == woken_at:
                raise RuntimeError(f"the core asked to be woken at {now} again without progress")
            woken_at = now
            at = moment(now)
            seen = user.look(core, at)
            _tell(observers, seen, core.status(at))
            out += seen
        now = event.seconds
        seen = _play(event, core, user, moment(now))
        _tell(observers, seen, core.status(moment(now)))
        out += seen
    if close:
        end = moment(now)
        out += saved_records(core.snapshot(end), end.epoch)
    return out


def _tell(observers: Sequence[Observer], events: list[ev.Event], status: Status) -> None:
    for observer in observers:
        observer.seen(events, status)


def _play(event: ScenarioEvent, core: SittingCore, user: _User, now: Moment) -> list[ev.Event]:
    t = now.t
    match event.name:
        case "active" | "unlock":
            user.active, user.last_input, user.locked = True, t, False
        case "away":
            user.active, user.last_input = False, t
        case "lock":
            if user.active:
                user.last_input = t
            user.locked = True
            return user.look(core, now, locked=True)
        case "suspend":
            out = user.look(core, now)
            user.asleep_since = t
            return out
        case "resume":
            slept = user.asleep_since
            user.asleep_since, user.active, user.last_input, user.locked = None, True, t, False
            return user.look(core, now, idle=0.0, slept_since=slept)
        case "stand" | "sit":  # at the desk, working on (only the posture changes)
            user.active, user.last_input = True, t
        case "busy":
            user.busy = event.arg
        case "free":
            user.busy = None
        case "end":
            return user.look(core, now)
    return user.look(core, now, command_of(event))


def notification_record(
    event: ev.Event, midnight: float, first: date | None = None
) -> dict[str, object] | None:
    """The JSON line ``psoas simulate`` prints for an event the user would see, else None;
    with ``first`` (a scenario of several days, from ``first``), its date too."""
    if not isinstance(event, ev.NOTIFYING):
        return None
    at = round(event.at - midnight)
    days, at = divmod(at, 86400)
    clock = f"{at // 3600:02d}:{at % 3600 // 60:02d}:{at % 60:02d}"
    record: dict[str, object] = {"time": clock, "kind": event.kind}
    if first is not None:
        record = {"date": (first + timedelta(days=days)).isoformat()} | record
    match event:
        case ev.PromptShown():
            record |= {
                "stretch": event.stretch,
                "sitting_minutes": round(event.sitting_seconds / 60, 2),
                "repeat": event.repeat,
            }
            if event.held_for is not None:
                record |= {
                    "held_for": event.held_for,
                    "held_minutes": round(event.held_seconds / 60, 2),
                }
        case ev.StretchAsked():
            record["stretch"] = event.stretch
        case ev.StandingLong():
            record["standing_minutes"] = round(event.standing_seconds / 60, 2)
        case ev.WeeklyNote():
            record |= {
                "week": event.week,
                "bouts_over_60_per_day": event.bouts_per_day,
                "before": event.before_bouts_per_day,
                "longest_sit_minutes": round(event.longest_seconds / 60),
                "suggestion": event.suggestion,
            }
        case ev.RoutineStepStarted():
            record |= {
                "routine": event.routine,
                "step": event.index + 1,
                "of": event.count,
                "stretch": event.stretch,
                "side": event.side,
                "seconds": round(event.seconds, 1),
                "rest_seconds": round(event.rest_seconds, 1),
            }
        case ev.RoutinePaused():
            record |= {"routine": event.routine, "step": event.step + 1}
        case ev.RoutineFinished():
            record["routine"] = event.routine
    return record


def simulate(
    scenario: Scenario, config: Config, catalogue: Catalogue, stats: bool = False
) -> list[dict[str, object]]:
    """The notifications of the scenario's days, as ``psoas simulate`` prints them (each with
    its date when there are several days); with ``stats``, then each day's figures, worked out
    by the same code as ``psoas stats``."""
    calendar = FixedCalendar()
    midnight = calendar.epoch(datetime.combine(scenario.day, time()))
    events = run_scenario(scenario, config, catalogue, close=stats)
    first = scenario.day if scenario.last_day is not None else None
    records = [
        r for r in (notification_record(e, midnight, first) for e in events) if r is not None
    ]
    if stats:
        days = day_stats(events, calendar, scenario.day, scenario.days[-1], catalogue)
        records += [{"kind": "stats"} | day.to_dict() for day in days]
    return records
