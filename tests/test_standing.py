"""A sit-stand desk, played through the real core on replayed days: standing stops the sitting
clock and is counted apart; whatever the user forgets to say, the figures stay honest."""

from __future__ import annotations

import textwrap
from datetime import datetime, time

import pytest
from conftest import make_config, play, prompts

from reminder.catalogue.loader import load_catalogue
from reminder.config import settings_for
from reminder.core import commands as cmd
from reminder.core import events as ev
from reminder.core.sitting import SittingCore
from reminder.core.status import State
from reminder.core.timebase import FixedCalendar, Moment
from reminder.replay.scenario import DEFAULT_DAY, parse_scenario
from reminder.replay.simulate import run_scenario

DESK = "repeat_minutes = 0\n[desk]\nstanding = true\n"
MIDNIGHT = FixedCalendar().epoch(datetime.combine(DEFAULT_DAY, time()))


def hm(text: str) -> float:
    hours, minutes = text.split(":")
    return MIDNIGHT + int(hours) * 3600 + int(minutes) * 60


def play_events(scenario: str, config: str = DESK) -> list[ev.Event]:
    """Every event of the replayed day, the sit (or spell) still going on at its end recorded
    as a stopping psoas records it."""
    catalogue = load_catalogue()
    parsed = parse_scenario(textwrap.dedent(scenario), "day.txt", list(catalogue.routines))
    return run_scenario(parsed, make_config(config, catalogue), catalogue, close=True)


def stats_of(scenario: str, config: str = DESK) -> dict:
    (day,) = [r for r in play(scenario, config, stats=True) if r["kind"] == "stats"]
    return day


def of(kind, events):
    return [event for event in events if isinstance(event, kind)]


def test_standing_stops_the_sitting_clock_and_counts_minutes_and_switches():
    day = stats_of("""
        09:00 active
        09:40 stand
        10:10 sit
        11:00 stand
        11:20 sit
        12:00 end
    """)
    # Sat 09:00-09:40, 10:10-11:00, 11:20-12:00; stood 30 + 20 min; four changes of posture.
    assert (day["sat_minutes"], day["standing_minutes"], day["sit_stand_switches"]) == (
        130,
        50,
        4,
    )
    # Standing ends a bout: three bouts, none of an hour, no prompt (no sit reached 60 min).
    assert (day["longest_sit_minutes"], day["bouts_over_30"], day["prompts"]) == (50, 3, 0)
    assert day["breaks_natural"] == 0  # standing is no break


def test_sitting_down_starts_the_clock_from_zero():
    day = play(
        """
        09:00 active
        09:50 stand
        10:00 sit
        11:30 end
        """,
        DESK,
    )
    assert prompts(day) == [("11:00:00", 60)]  # an hour after sitting down, not at 10:10


def test_i_will_stand_answers_the_prompt_that_is_out():
    events = play_events(
        """
        09:00 active
        10:03 stand
        10:40 sit
        11:00 end
        """,
        DESK.replace("repeat_minutes = 0", "repeat_minutes = 10"),
    )
    assert [p.at for p in of(ev.PromptShown, events)] == [hm("10:00")]  # no repeat at 10:10
    day = stats_of("09:00 active\n10:03 stand\n11:00 end")
    assert (day["prompts"], day["prompts_answered"], day["minutes_to_answer_median"]) == (1, 1, 3)


def test_a_natural_break_ends_standing_at_the_last_input():
    events = play_events(
        """
        09:00 active
        09:30 stand
        10:00 away
        10:20 active
        11:00 end
        """,
        DESK,
    )
    assert of(ev.StandingSpan, events) == [ev.StandingSpan(hm("09:30"), hm("10:00"), "break")]
    (taken,) = of(ev.BreakTaken, events)
    assert (taken.start, taken.end, taken.how) == (hm("10:00"), hm("10:20"), "natural")
    assert of(ev.SittingSpan, events)[-1].start == hm("10:20")  # back: sitting again


@pytest.mark.parametrize(
    ("lines", "ended", "at"),
    [
        ("10:00 lock\n10:30 unlock", "lock", "10:00"),
        ("10:00 suspend\n10:30 resume", "suspend", "10:00"),
    ],
)
def test_a_lock_or_a_sleep_ends_standing_where_it_began(lines: str, ended: str, at: str):
    events = play_events(f"09:00 active\n09:30 stand\n{lines}\n11:00 end", DESK)
    assert of(ev.StandingSpan, events) == [ev.StandingSpan(hm("09:30"), hm(at), ended)]
    assert of(ev.SittingSpan, events)[-1].start == hm("10:30")  # a break, then a new sit


def test_a_short_lock_ends_standing_and_the_user_sits_on():
    events = play_events("09:00 active\n09:30 stand\n10:00 lock\n10:02 unlock\n11:00 end", DESK)
    assert of(ev.StandingSpan, events) == [ev.StandingSpan(hm("09:30"), hm("10:00"), "lock")]
    assert not of(ev.BreakTaken, events)  # two minutes locked is no break
    day = stats_of("09:00 active\n09:30 stand\n10:00 lock\n10:02 unlock\n11:00 end")
    assert (day["sat_minutes"], day["standing_minutes"], day["sit_stand_switches"]) == (90, 30, 1)


def test_the_end_of_the_working_day_ends_standing_forgotten():
    events = play_events("16:00 active\n17:00 stand\n19:00 end", DESK)
    assert of(ev.StandingSpan, events) == [ev.StandingSpan(hm("17:00"), hm("18:00"), "hours")]
    assert of(ev.SittingSpan, events)[-1].start == hm("18:00")  # still typing: sitting after


def test_after_standing_minutes_psoas_suggests_a_change_once():
    day = play(
        """
        09:00 active
        09:10 stand
        10:30 sit
        10:40 stand
        11:00 end
        """,
        DESK + "standing_minutes = 20\n",
    )
    suggested = [r for r in day if r["kind"] == "standing-long"]
    assert suggested == [
        {"time": "09:30:00", "kind": "standing-long", "standing_minutes": 20.0},
        {"time": "11:00:00", "kind": "standing-long", "standing_minutes": 20.0},
    ]


def test_the_suggestion_waits_for_a_call_to_end_and_for_a_pause():
    day = play(
        """
        09:00 active
        09:10 stand
        09:30 busy call
        09:50 free
        10:30 end
        """,
        DESK + "standing_minutes = 30\n",
    )
    (suggested,) = [r for r in day if r["kind"] == "standing-long"]
    assert suggested["time"] in ("09:50:00", "09:51:00", "09:52:00")  # at the next look, free
    paused = play(
        "09:00 active\n09:10 stand\n09:20 pause 1h\n11:00 end", DESK + "standing_minutes = 30\n"
    )
    assert [r["time"] for r in paused if r["kind"] == "standing-long"] == ["10:20:00"]


def test_stand_needs_a_desk_in_the_config_and_sit_needs_standing():
    events = play_events("09:00 active\n09:30 stand\n09:40 sit\n10:00 end", "")
    assert not of(ev.StoodUp, events) and not of(ev.StandingSpan, events)
    sitting = of(ev.SittingSpan, play_events("09:00 active\n09:30 sit\n10:00 end", DESK))
    assert sitting == [ev.SittingSpan(hm("09:00"), hm("10:00"))]  # a sit while sitting: no change


def test_standing_while_seen_away_takes_the_user_back_first():
    events = play_events("09:00 active\n09:30 away\n10:00 stand\n10:30 sit\n11:00 end")
    (taken,) = of(ev.BreakTaken, events)
    assert (taken.start, taken.end) == (hm("09:30"), hm("10:00"))
    assert of(ev.StandingSpan, events) == [ev.StandingSpan(hm("10:00"), hm("10:30"), "sit")]


def test_a_restart_within_a_break_carries_standing_on_and_a_longer_stop_records_it():
    config = make_config(DESK)
    catalogue = load_catalogue()

    def core() -> SittingCore:
        return SittingCore(settings_for(config, catalogue), FixedCalendar(), catalogue)

    def moment(text: str) -> Moment:
        return Moment(hm(text), hm(text))

    first = core()
    first.observe(moment("09:00"), 0)
    first.command(moment("09:30"), cmd.Stand())
    first.observe(moment("09:50"), 0)
    saved = first.snapshot(moment("09:50"))
    again = core()
    assert again.restore(moment("09:52"), saved) == []
    status = again.status(moment("09:52"))
    assert (status.state, status.standing_since) == (State.STANDING, hm("09:30"))
    later = core()
    assert later.restore(moment("11:00"), saved) == [
        ev.StandingSpan(hm("09:30"), hm("09:50"), "stop")
    ]
    assert later.status(moment("11:00")).state == State.AWAY


def test_a_snooze_while_standing_is_refused_as_standing_not_away():
    from reminder.core.status import Status
    from reminder.words import refusal

    events = play_events("09:00 active\n09:30 stand\n09:31 snooze\n10:00 end")
    (refused,) = of(ev.CommandRefused, events)
    assert (refused.command, refused.reason) == ("snooze", ev.Refusal.STANDING)
    standing = Status(State.STANDING, 0.0, None, None, None, standing_since=hm("09:30"))
    said = refusal(cmd.Snooze(), refused.reason, standing, hm("09:31"), load_catalogue())
    assert said == "Nothing to snooze: you are standing, and the sitting clock is stopped"
