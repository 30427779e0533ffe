"""The core driven by hand: clock jumps, daylight saving, wake-up cadence, commands and status."""

from __future__ import annotations

import os
import time
from datetime import datetime

import pytest
from conftest import EVERY_DAY, make_config

from reminder.config import settings_for
from reminder.core import commands as cmd
from reminder.core import events as ev
from reminder.core.sitting import SittingCore
from reminder.core.timebase import FixedCalendar, Moment
from reminder.system.clock import SystemCalendar

MONDAY_9 = FixedCalendar().epoch(datetime(2024, 1, 1, 9, 0))


def make_core(catalogue, text: str = "", calendar=None) -> SittingCore:
    config = make_config(text, catalogue)
    return SittingCore(settings_for(config, catalogue), calendar or FixedCalendar(), catalogue)


def at(minutes: float, wall_shift: float = 0.0) -> Moment:
    t = MONDAY_9 + minutes * 60
    return Moment(t, t + wall_shift)


def second(seconds: float) -> Moment:
    """``seconds`` after 09:00 on the test Monday (steady and wall clock alike)."""
    return Moment(MONDAY_9 + seconds, MONDAY_9 + seconds)


def woken(core: SittingCore, now: Moment, until: float, idle=lambda s: 0.0) -> list:
    """Wake the core whenever it asks, as the daemon does, up to ``until`` seconds after 09:00;
    ``idle(s)`` is what the idle source says at ``s`` seconds. (wake-up seconds, events) each."""
    looks = []
    while (wake := core.next_wakeup(now)) is not None and wake - MONDAY_9 <= until:
        assert not looks or wake > now.t, f"woken at {wake - MONDAY_9} s again, nothing done"
        now = Moment(wake, wake)
        looks.append((wake - MONDAY_9, core.observe(now, idle(wake - MONDAY_9))))
    return looks


def test_a_wall_clock_set_back_changes_nothing_measured(catalogue):
    core = make_core(catalogue, "repeat_minutes = 0")
    core.observe(at(0), 0)
    core.observe(at(30), 0)
    # Someone sets the wall clock back an hour: durations come from the steady clock.
    shown = core.observe(at(60, wall_shift=-3600), 0)
    prompts = [e for e in shown if isinstance(e, ev.PromptShown)]
    assert [p.sitting_seconds for p in prompts] == [3600]
    assert core.status(at(61, wall_shift=-3600)).sitting_seconds == 61 * 60


def test_a_steady_clock_that_runs_backwards_is_held_where_it_was(catalogue):
    core = make_core(catalogue)
    core.observe(at(10), 0)
    # The steady clock steps back five minutes: the core stays at the latest time it saw.
    assert core.observe(at(5), 0) == []
    assert core.status(at(5)).sitting_seconds == 0  # not -300
    core.observe(at(12), 0)
    assert core.status(at(12)).sitting_seconds == 2 * 60

    core = make_core(catalogue)
    core.observe(at(0), 0)
    core.observe(at(10), 0)
    core.observe(at(5), 0)
    assert core.status(at(5)).sitting_seconds == 10 * 60  # not 5 minutes
    assert core.next_wakeup(at(5)) == at(15).t  # a break after the input seen at 10


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
        wakeups.append(wake)
        now = Moment(wake, wake)
        core.observe(now, 0)
    # With a 5-minute break, a busy user needs one look every 5 minutes (the prompt at 60 is
    # further off): 10 looks in 50 minutes, each a break after the input seen at the one before.
    assert wakeups == [at(minutes).t for minutes in range(5, 55, 5)]


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


def steps(events: list) -> list[tuple[int, float]]:
    """(index, epoch) of each routine step that started."""
    return [(e.index, e.at) for e in events if isinstance(e, ev.RoutineStepStarted)]


def test_a_paused_routine_waits_and_a_skip_moves_on_at_once(catalogue):
    core = make_core(catalogue)
    core.observe(at(0), 0)
    assert steps(core.command(at(1), cmd.StartRoutine("floor"))) == [(0, at(1).epoch)]
    core.command(at(1.5), cmd.PauseRoutine())
    assert core.next_wakeup(at(1.5)) is None  # nothing can happen while it is paused
    assert core.status(at(2)).routine_paused is True
    assert core.observe(at(3), 0) == []  # the step's 51 s went by: still on step 1, paused
    # Skipping moves on to step 2 at once (and ends the pause); its 51 s start now.
    assert steps(core.command(at(3), cmd.SkipStep())) == [(1, at(3).epoch)]
    assert core.status(at(3)).routine_paused is False
    assert core.next_wakeup(at(3)) == at(3).t + 51  # 12 bridges at 3 s, then 15 s rest


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


def test_a_resumed_routine_goes_on_where_it_was_later_by_the_pause(catalogue):
    core = make_core(catalogue)
    core.observe(second(0), 0)
    # The desk routine: four steps of 35, 35, 35 and 30 s (holds of 30 s, rests of 5 s).
    events = core.command(second(60), cmd.StartRoutine("desk"))
    events += core.command(second(70), cmd.PauseRoutine())
    assert woken(core, second(70), 1000) == []  # paused: it never asks to be woken
    events += core.command(second(130), cmd.ResumeRoutine())  # a minute later
    assert core.status(second(130)).routine_paused is False
    events += [e for _, found in woken(core, second(130), 1000) for e in found]
    # Step 1 took its 35 s plus the minute's pause; every later step is a minute later too.
    assert steps(events) == [(0, second(60).epoch)] + [
        (index, second(60 + 60 + start).epoch) for index, start in ((1, 35), (2, 70), (3, 105))
    ]
    finished = [e for e in events if isinstance(e, ev.RoutineFinished)]
    assert [e.at for e in finished] == [second(60 + 60 + 135).epoch]
    taken = [e for e in events if isinstance(e, ev.BreakTaken)]
    assert taken == [ev.BreakTaken(second(60).epoch, second(255).epoch, "routine")]


def test_while_the_user_is_away_the_core_looks_every_fifth_of_a_break(catalogue):
    """break_minutes = 1: the core looks for the user's return every 12 s (a fifth of it), so
    a user who comes back and goes on typing is seen back, and the break dated, within 12 s."""
    core = make_core(catalogue, "break_minutes = 1")
    core.observe(second(0), 0)

    def idle(at: float) -> float:  # the last input at 10 s; back at 200 s, typing from then on
        return at - 10 if at < 200 else 0.0

    looks = woken(core, second(0), 260, idle)
    # At 60 s the last input was at 10; at 70 s a full break had passed: away since 10.
    assert [at for at, _ in looks][:2] == [60, 70]
    assert [ev.SittingSpan(second(0).epoch, second(10).epoch)] == looks[1][1]
    # From then on, a look every 12 s until one sees the user back, at 202 s.
    away = [at for at, _ in looks if 70 <= at <= 202]
    assert away == list(range(70, 203, 12))
    taken = [e for _, found in looks for e in found if isinstance(e, ev.BreakTaken)]
    assert taken == [ev.BreakTaken(second(10).epoch, second(202).epoch, "natural")]


def test_told_of_returns_the_core_does_not_look_while_the_user_is_away(catalogue):
    """A desktop that says the moment input comes back (Wayland): an absence costs no looks.
    The break is then dated by the look the return brings, and only a pause's end, or a locked
    screen that must be seen to open, is looked at meanwhile."""
    core = make_core(catalogue, "break_minutes = 1")
    core.observe(second(0), 0, returns_told=True)
    core.observe(second(60), 50, returns_told=True)  # the last input at 10 s
    left = core.observe(second(70), 60, returns_told=True)
    assert left == [ev.SittingSpan(second(0).epoch, second(10).epoch)]
    assert core.next_wakeup(second(70)) is None  # nothing can happen until the user is back

    back = core.observe(second(500), 0, returns_told=True)  # the look the return brought
    assert back == [ev.BreakTaken(second(10).epoch, second(500).epoch, "natural")]
    assert core.next_wakeup(second(500)) == second(560).t  # sitting: a break can come again

    # Away and paused: the pause's end is the one look.
    core.observe(second(600), 100, returns_told=True)
    core.command(second(600), cmd.Pause(30))
    assert core.next_wakeup(second(600)) == second(600 + 30 * 60).t

    # Away behind a locked screen: looked at as before, to see it open.
    locked = make_core(catalogue, "break_minutes = 1")
    locked.observe(second(0), 0, returns_told=True)
    locked.observe(second(5), 0, locked=True, returns_told=True)
    locked.observe(second(65), 60, locked=True, returns_told=True)
    assert locked.status(second(65)).state == "away"
    assert locked.next_wakeup(second(65)) == second(65 + 12).t

    # A source that can only be asked keeps the looks every fifth of a break.
    asked = make_core(catalogue, "break_minutes = 1")
    asked.observe(second(0), 0)
    asked.observe(second(70), 70)
    assert asked.next_wakeup(second(70)) == second(82).t


def test_a_routine_asked_for_while_one_runs_is_refused_and_the_one_under_way_goes_on(catalogue):
    core = make_core(catalogue)
    core.observe(second(0), 0)
    core.command(second(60), cmd.StartRoutine("desk"))
    woken(core, second(60), 100)  # steps 1 and 2 (at 60 s and 95 s)
    refused = core.command(second(100), cmd.StartRoutine("floor"))
    assert refused == [ev.CommandRefused(second(100).epoch, "routine", ev.Refusal.IN_ROUTINE)]
    status = core.status(second(100))
    assert (status.routine, status.routine_step) == ("desk", 1)  # not back to its first step
    again = core.command(second(101), cmd.StartRoutine("desk"))
    assert [(type(e), e.reason) for e in again] == [(ev.CommandRefused, ev.Refusal.IN_ROUTINE)]
    later = [e for _, found in woken(core, second(101), 1000) for e in found]
    assert [e.kind for e in later if isinstance(e, ev.RoutineFinished)] == ["routine-done"]


def test_pausing_and_resuming_a_routine_say_so_once(catalogue):
    core = make_core(catalogue, "routine_pace = 0.5")
    core.observe(second(0), 0)
    started = core.command(second(10), cmd.StartRoutine("desk"))
    assert [e for e in started if isinstance(e, ev.RoutineStarted)] == [
        ev.RoutineStarted(second(10).epoch, "desk", 67.5)  # 2 min 15 s at half pace
    ]
    assert core.command(second(11), cmd.PauseRoutine()) == [
        ev.RoutinePaused(second(11).epoch, "desk", 0)
    ]
    assert core.command(second(12), cmd.PauseRoutine()) == [
        ev.CommandRefused(second(12).epoch, "pause-routine", ev.Refusal.PAUSED_ALREADY)
    ]
    assert core.command(second(13), cmd.ResumeRoutine()) == [
        ev.RoutineResumed(second(13).epoch, "desk", 0)
    ]
    assert core.command(second(14), cmd.ResumeRoutine()) == [
        ev.CommandRefused(second(14).epoch, "resume-routine", ev.Refusal.NOT_PAUSED)
    ]


def test_stretch_now_shows_the_sits_stretch_and_changes_nothing_else(catalogue):
    core = make_core(catalogue, "repeat_minutes = 10")
    core.observe(at(0), 0)
    before = core.status(at(30))
    (asked,) = core.command(at(30), cmd.StretchNow())
    assert asked == ev.StretchAsked(at(30).epoch, before.next_stretch)
    after = core.status(at(30))
    assert (after.state, after.prompted_stretch) == ("sitting", None)
    assert after.next_prompt == at(60).epoch
    assert after.sitting_seconds == 30 * 60  # not "sitting for 1 s"
    assert after.next_stretch == asked.stretch  # the menu, the prompt to come: the same one
    (prompt,) = core.observe(at(60), 0)
    assert (prompt.stretch, prompt.repeat) == (asked.stretch, 0)
    (again,) = core.command(at(61), cmd.StretchNow())
    assert again.stretch == prompt.stretch and core.status(at(61)).state == "due"
    _, taken = core.command(at(62), cmd.Done())
    assert taken == ev.BreakTaken(at(62).epoch, at(62).epoch, "done", prompt.stretch)
    assert core.status(at(62)).next_stretch != prompt.stretch  # a new sit: the next in turn
    core.command(at(63), cmd.StartRoutine("desk"))
    # A routine shows its own steps.
    assert core.command(at(63.1), cmd.StretchNow()) == [
        ev.CommandRefused(at(63.1).epoch, "stretch-now", ev.Refusal.IN_ROUTINE)
    ]


def test_a_restart_keeps_the_stretch_the_sit_named(catalogue):
    core = make_core(catalogue, "repeat_minutes = 10")
    core.observe(at(0), 0)
    (prompt,) = core.observe(at(60), 0)
    saved = core.snapshot(at(60))
    again = make_core(catalogue, "repeat_minutes = 10")
    assert again.restore(at(61), saved) == []
    (repeat,) = again.observe(at(70), 0)
    assert (repeat.stretch, repeat.repeat) == (prompt.stretch, 1)
    # A snapshot of an older psoas has no "stretch": a prompt out named its last one.
    older = {key: value for key, value in saved.items() if key != "stretch"}
    third = make_core(catalogue, "repeat_minutes = 10")
    assert third.restore(at(61), older) == []
    (repeat,) = third.observe(at(70), 0)
    assert (repeat.stretch, repeat.repeat) == (prompt.stretch, 1)


def test_outside_working_hours_a_snooze_puts_off_a_prompt_out_and_refuses_when_none_is(catalogue):
    """Hours end at 10:00. A prompt out at 09:40 can still be put off at 10:05 (it answers the
    prompt, which stays up until it is); at 10:30 with no prompt out there is nothing to snooze."""
    hours = '[hours]\nstart = "09:00"\nend = "10:00"\n'
    core = make_core(catalogue, "sit_minutes = 40\nrepeat_minutes = 0\n" + hours)
    core.observe(at(0), 0)
    (shown,) = core.observe(at(40), 0)
    assert isinstance(shown, ev.PromptShown)
    assert core.status(at(65)).state == "off-hours"
    (snoozed,) = core.command(at(65), cmd.Snooze(5))
    assert snoozed == ev.Snoozed(at(65).epoch, 5)
    core.command(at(66), cmd.Skip())  # a new sit, no prompt out
    assert core.command(at(90), cmd.Snooze(5)) == [
        ev.CommandRefused(at(90).epoch, "snooze", ev.Refusal.OFF_HOURS)
    ]
    away = make_core(catalogue)
    assert away.command(at(0), cmd.Snooze(5)) == [
        ev.CommandRefused(at(0).epoch, "snooze", ev.Refusal.AWAY)
    ]
