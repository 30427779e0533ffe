"""The core driven by hand: clock jumps, daylight saving, wake-up cadence, commands and status."""

from __future__ import annotations

import os
import time
from datetime import datetime

import pytest
from conftest import EVERY_DAY, make_config

from reminder.clock import SystemCalendar
from reminder.config import settings_for
from reminder.core import commands as cmd
from reminder.core import events as ev
from reminder.core.sitting import SittingCore
from reminder.core.timebase import FixedCalendar, Moment

MONDAY_9 = FixedCalendar().epoch(datetime(2024, 1, 1, 9, 0))


def make_core(catalogue, text: str = "", calendar=None) -> SittingCore:
    config = make_config(text, catalogue)
    return SittingCore(settings_for(config, catalogue), calendar or FixedCalendar(), catalogue)


def at(minutes: float, wall_shift: float = 0.0) -> Moment:
    t = MONDAY_9 + minutes * 60
    return Moment(t, t + wall_shift)


def test_a_wall_clock_set_back_changes_nothing_measured(catalogue):
    core = make_core(catalogue, "repeat_minutes = 0")
    core.observe(at(0), 0)
    core.observe(at(30), 0)
    # Someone sets the wall clock back an hour: durations come from the steady clock.
    shown = core.observe(at(60, wall_shift=-3600), 0)
    prompts = [e for e in shown if isinstance(e, ev.PromptShown)]
    assert [p.sitting_seconds for p in prompts] == [3600]
    assert core.status(at(61, wall_shift=-3600)).sitting_seconds == 61 * 60


def test_a_steady_clock_that_runs_backwards_never_gives_negative_sitting(catalogue):
    core = make_core(catalogue)
    core.observe(at(10), 0)
    core.observe(at(5), 0)
    assert core.status(at(5)).sitting_seconds >= 0


def test_daylight_saving_does_not_double_or_drop_sitting(catalogue, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        calendar = SystemCalendar()
        # 2024-03-31 02:00 CET jumps to 03:00 CEST; hours open all day, every day.
        start = datetime(2024, 3, 31, 1, 30).timestamp()
        core = make_core(catalogue, "repeat_minutes = 0\n" + EVERY_DAY, calendar)
        core.observe(Moment(0, start), 0)
        shown = []
        for minute in range(1, 62):
            shown += core.observe(Moment(minute * 60, start + minute * 60), 0)
        prompts = [e for e in shown if isinstance(e, ev.PromptShown)]
        assert [p.sitting_seconds for p in prompts] == [3600]
        assert calendar.local(prompts[0].at).hour == 3  # 01:30 CET + 60 min = 03:30 CEST
    finally:
        os.environ.pop("TZ", None)
        time.tzset()


def test_while_sitting_the_core_wakes_only_when_a_break_or_prompt_can_fall_due(catalogue):
    core = make_core(catalogue)
    core.observe(at(0), 0)
    wakeups = []
    now = at(0)
    while now.t < at(50).t:
        wake = core.next_wakeup(now)
        assert wake is not None and wake > now.t
        wakeups.append(wake)
        now = Moment(wake, wake)
        core.observe(now, 0)
    # With a 5-minute break, a busy user needs one look every 5 minutes: 10 in 50 minutes.
    assert len(wakeups) == 10


def test_status_tells_the_state_in_order(catalogue):
    core = make_core(catalogue, "repeat_minutes = 0")
    assert core.status(at(0)).state == "away"
    core.observe(at(0), 0)
    status = core.status(at(1))
    assert (status.state, status.sitting_seconds) == ("sitting", 60)
    assert status.next_prompt == at(60).epoch
    core.observe(at(60), 0)
    assert core.status(at(61)).state == "due"
    core.command(at(61), cmd.Snooze(5))
    assert core.status(at(62)).state == "snoozed"
    assert core.status(at(62)).next_prompt == at(66).epoch
    core.command(at(62), cmd.Pause(30))
    assert core.status(at(63)).state == "paused"
    core.command(at(63), cmd.StartRoutine("desk"))
    assert core.status(at(63.5)).state == "routine"


def test_cancelling_a_routine_early_is_not_a_break(catalogue):
    core = make_core(catalogue, "repeat_minutes = 10")
    core.observe(at(0), 0)
    core.observe(at(60), 0)
    out = core.command(at(61), cmd.StartRoutine("floor"))
    out += core.command(at(62), cmd.CancelRoutine())
    assert [e.kind for e in out if isinstance(e, ev.RoutineCancelled)] == ["routine-cancel"]
    assert not [e for e in out if isinstance(e, ev.BreakTaken)]
    status = core.status(at(62))
    assert status.sitting_seconds == 62 * 60
    assert status.next_prompt == at(72).epoch


def test_a_routine_can_be_paused_and_skipped(catalogue):
    core = make_core(catalogue)
    core.observe(at(0), 0)
    routine = catalogue.routine("floor")
    core.command(at(1), cmd.StartRoutine("floor"))
    core.command(at(1), cmd.PauseRoutine())
    assert core.next_wakeup(at(1)) is None or core.next_wakeup(at(1)) > at(1).t
    core.command(at(3), cmd.ResumeRoutine())
    out = core.command(at(3), cmd.SkipStep())
    steps = [e for e in out if isinstance(e, ev.RoutineStepStarted)]
    assert [s.index for s in steps] == [1]
    assert len(routine.steps) > 2


@pytest.mark.parametrize("idle", [0.0, 1e9])
def test_the_first_reading_decides_whether_the_user_is_here(catalogue, idle):
    core = make_core(catalogue)
    out = core.observe(at(0), idle)
    assert core.status(at(0)).state == ("sitting" if idle == 0 else "away")
    assert not [e for e in out if isinstance(e, ev.SittingSpan)]


def test_all_day_hours_let_prompts_run_on_through_midnight(catalogue):
    core = make_core(
        catalogue,
        "sit_minutes = 0.05\nrepeat_minutes = 0.05\n"
        '[hours]\ndays = ["mon", "tue"]\nstart = "00:00"\nend = "00:00"\n',
    )
    start = FixedCalendar().epoch(datetime(2024, 1, 1, 23, 59))  # Monday, a minute to midnight
    shown = []
    for half_second in range(240):  # to 00:01 on Tuesday
        now = Moment(start + half_second / 2, start + half_second / 2)
        shown += [e.at - start for e in core.observe(now, 0) if isinstance(e, ev.PromptShown)]
    assert shown == [3.0 * n for n in range(1, 40)]  # every 3 s, midnight included
