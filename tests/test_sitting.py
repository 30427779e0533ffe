"""The sitting-clock contract, played through the real core on a simulated day."""

from __future__ import annotations

import itertools
import textwrap
from datetime import datetime, time

from conftest import EVERY_DAY, make_config, play, play_events, prompts

from reminder.core import events as ev
from reminder.core.timebase import FixedCalendar
from reminder.replay.scenario import DEFAULT_DAY, parse_scenario
from reminder.replay.simulate import run_scenario

NO_REPEAT = "repeat_minutes = 0"
MIDNIGHT = FixedCalendar().epoch(datetime.combine(DEFAULT_DAY, time()))  # of the played days


def test_an_hour_of_sitting_brings_a_prompt_then_repeats_while_unanswered():
    day = play("""
        09:00 active
        10:25 end
    """)
    assert prompts(day) == [("10:00:00", 60), ("10:10:00", 70), ("10:20:00", 80)]
    assert [r["repeat"] for r in day] == [0, 1, 2]


def test_no_input_for_break_minutes_is_a_break_and_the_clock_starts_again():
    day = play(
        """
        09:00 active
        09:40 away
        09:45 active
        11:00 end
        """,
        NO_REPEAT,
    )
    # The break was dated from the last input (09:40); sitting restarted on return at 09:45.
    assert prompts(day) == [("10:45:00", 60)]


def test_a_pause_shorter_than_a_break_counts_as_sitting():
    day = play(
        """
        09:00 active
        09:40 away
        09:44:59 active
        10:30 end
        """,
        NO_REPEAT,
    )
    assert prompts(day) == [("10:00:00", 60)]


def test_a_break_taken_away_from_the_desk_is_recorded_as_natural():
    events = play_events("""
        09:00 active
        09:20 away
        09:50 active
        09:55 end
    """)
    breaks = [e for e in events if isinstance(e, ev.BreakTaken)]
    spans = [e for e in events if isinstance(e, ev.SittingSpan)]
    assert [(b.how, (b.end - b.start) / 60) for b in breaks] == [("natural", 30)]
    assert [(s.end - s.start) / 60 for s in spans] == [20]


def test_snooze_moves_the_next_prompt_and_sitting_keeps_counting():
    day = play(
        """
        09:00 active
        10:02 snooze 15
        10:30 end
        """,
        NO_REPEAT,
    )
    assert prompts(day) == [("10:00:00", 60), ("10:17:00", 77)]


def test_snooze_without_minutes_uses_the_first_choice():
    day = play(
        """
        09:00 active
        10:01 snooze
        10:30 end
        """,
        "repeat_minutes = 0\nsnooze_minutes = [7, 20]",
    )
    assert prompts(day) == [("10:00:00", 60), ("10:08:00", 68)]


def test_skip_and_done_start_the_clock_again():
    for answer in ("skip", "done"):
        day = play(
            f"""
            09:00 active
            10:03 {answer}
            11:30 end
            """,
            NO_REPEAT,
        )
        assert prompts(day) == [("10:00:00", 60), ("11:03:00", 60)], answer


def test_done_is_recorded_as_a_break_taken_and_skip_is_not():
    done = play_events("09:00 active\n10:03 done\n10:10 end")
    skipped = play_events("09:00 active\n10:03 skip\n10:10 end")
    assert [e.how for e in done if isinstance(e, ev.BreakTaken)] == ["done"]
    assert not [e for e in skipped if isinstance(e, ev.BreakTaken)]
    assert len([e for e in skipped if isinstance(e, ev.Skipped)]) == 1


def test_a_prompt_due_before_working_hours_waits_for_the_start():
    day = play(
        """
        07:30 active
        09:05 end
        """,
        NO_REPEAT,
    )
    assert prompts(day) == [("09:00:00", 90)]


def test_no_prompt_after_hours_but_tracking_goes_on():
    day = play("""
        17:30 active
        19:00 end
    """)
    assert prompts(day) == []


def test_weekend_has_no_prompts_unless_the_days_say_so():
    weekend = "date 2024-01-06\n09:00 active\n12:00 end"  # a Saturday
    assert prompts(play(weekend)) == []
    every_day = '[hours]\ndays = ["mon","tue","wed","thu","fri","sat","sun"]'
    assert prompts(play(weekend, "repeat_minutes = 0\n" + every_day)) == [("10:00:00", 60)]


def test_overnight_hours_prompt_after_midnight():
    config = """
        repeat_minutes = 0
        [hours]
        days = ["mon"]
        start = "22:00"
        end = "06:00"
    """
    day = play("date 2024-01-01\n00:30 active\n03:00 end", config)  # Monday 00:30: Sunday's window
    assert prompts(day) == []
    day = play("date 2024-01-02\n00:30 active\n03:00 end", config)  # Tuesday 00:30: Monday's window
    assert prompts(day) == [("01:30:00", 60)]


def test_pause_holds_prompts_and_one_due_during_it_fires_when_it_ends():
    day = play(
        """
        09:00 active
        09:30 pause 60
        11:00 end
        """,
        NO_REPEAT,
    )
    assert prompts(day) == [("10:30:00", 90)]


def test_resume_reminders_ends_a_pause_at_once():
    day = play(
        """
        09:00 active
        09:30 pause 120
        10:15 resume-reminders
        11:00 end
        """,
        NO_REPEAT,
    )
    assert prompts(day) == [("10:15:00", 75)]


def test_suspend_counts_as_away_from_its_start():
    day = play(
        """
        09:00 active
        09:30 suspend
        09:50 resume
        11:00 end
        """,
        NO_REPEAT,
    )
    assert prompts(day) == [("10:50:00", 60)]


def test_waking_up_never_brings_a_prompt_by_itself():
    # A short sleep over the due time: still sitting, but the prompt waits a moment after waking.
    day = play(
        """
        09:00 active
        09:58 suspend
        10:01 resume
        10:30 end
        """,
        NO_REPEAT,
    )
    assert len(prompts(day)) == 1
    assert prompts(day)[0][0] > "10:01:00"


def test_a_locked_screen_counts_as_away_from_the_moment_it_locked():
    day = play(
        """
        09:00 active
        09:30 lock
        09:50 unlock
        11:00 end
        """,
        NO_REPEAT,
    )
    assert prompts(day) == [("10:50:00", 60)]


def test_no_prompt_on_a_locked_screen():
    day = play(
        """
        09:00 active
        09:58 lock
        10:01 unlock
        10:30 end
        """,
        NO_REPEAT,
    )
    assert prompts(day) == [("10:01:00", 61)]


def test_consecutive_sits_never_name_the_same_stretch(catalogue):
    # A sit of 10 minutes, answered 2 minutes after its prompt: forty sits in a day.
    times = (divmod(9 * 60 + 12 * n, 60) for n in range(1, 40))
    answers = "\n".join(f"{hour:02d}:{minute:02d} done" for hour, minute in times)
    day = play(f"09:00 active\n{answers}\n17:00 end", "sit_minutes = 10")
    named = [r["stretch"] for r in day if r["kind"] == "prompt"]
    assert len(named) == 40 and all(r["repeat"] == 0 for r in day if r["kind"] == "prompt")
    assert all(a != b for a, b in itertools.pairwise(named))
    assert set(named) == set(catalogue.stretches)


def test_a_sit_names_one_stretch_its_repeats_and_a_snoozed_prompt_name_it_again():
    day = play("""
        09:00 active
        10:25 done
        11:26 snooze 15
        11:45 skip
        12:50 away
        13:00 active
        14:05 end
    """)
    sits = [
        [(r["time"], r["repeat"]) for r in day if r["stretch"] == stretch]
        for stretch in dict.fromkeys(r["stretch"] for r in day)
    ]
    assert sits == [
        [("10:00:00", 0), ("10:10:00", 1), ("10:20:00", 2)],
        [("11:25:00", 0), ("11:41:00", 1)],  # the snoozed prompt comes back with its stretch
        [("12:45:00", 0)],  # a skip starts a new sit, and so does a break
        [("14:00:00", 0)],
    ]
    assert [r["time"] for r in day if r["kind"] == "prompt"] == [
        time for sit in sits for time, _ in sit
    ]


def test_a_stretch_asked_for_is_shown_but_is_no_prompt(catalogue):
    # Stretch now (the tray's, or a click on the icon) names this sit's stretch; it is not a
    # prompt: the prompt still comes at the sitting time, first of its sit, and names it too.
    day = play(
        """
        09:00 active
        09:30 stretch-now
        09:31 stretch-now
        10:05 stretch-now
        10:09 done
        11:15 end
        """,
        stats=True,
    )
    shown = [(r["time"], r["kind"], r["stretch"], r.get("repeat")) for r in day[:-1]]
    first, second = shown[0][2], shown[-1][2]
    assert shown == [
        ("09:30:00", "stretch-asked", first, None),
        ("09:31:00", "stretch-asked", first, None),
        ("10:00:00", "prompt", first, 0),
        ("10:05:00", "stretch-asked", first, None),
        ("11:09:00", "prompt", second, 0),
    ]
    assert second != first
    stats = day[-1]
    assert (stats["prompts"], stats["repeats"], stats["stretches_asked"]) == (2, 0, 3)
    assert (stats["prompts_answered"], stats["answer_rate"]) == (1, 0.5)
    assert stats["stretches_done"] == {first: 1}  # "I stretched" credits the stretch shown


def test_desk_place_names_only_desk_stretches_and_exclude_is_obeyed(catalogue):
    desk = play("09:00 active\n12:00 end", '[stretches]\nplace = "desk"')
    assert {r["stretch"] for r in desk} == {s.id for s in catalogue.allowed("desk", ())}
    everywhere = play("09:00 active\n17:00 end", '[stretches]\nexclude = ["bridge"]')
    assert "bridge" not in {r["stretch"] for r in everywhere}


def test_fractional_minutes_run_a_day_in_seconds():
    day = play(
        """
        09:00 active
        09:01 end
        """,
        "sit_minutes = 0.2\nbreak_minutes = 0.1\nrepeat_minutes = 0.1",
    )
    assert prompts(day)[:3] == [("09:00:12", 0.2), ("09:00:18", 0.3), ("09:00:24", 0.4)]


def test_a_finished_routine_steps_through_and_resets_the_clock():
    day = play(
        """
        09:00 active
        10:01 routine desk
        12:00 end
        """,
        NO_REPEAT,
    )
    # The desk routine: the standing stretch, left and right twice, each a 30 s hold and a 5 s
    # rest (none after the last): steps 35 s apart, 2 min 15 s in all.
    steps = [
        (r["time"], r["step"], r["stretch"], r["side"]) for r in day if r["kind"] == "routine-step"
    ]
    assert steps == [
        ("10:01:00", 1, "standing", "left"),
        ("10:01:35", 2, "standing", "right"),
        ("10:02:10", 3, "standing", "left"),
        ("10:02:45", 4, "standing", "right"),
    ]
    assert [r["time"] for r in day if r["kind"] == "routine-done"] == ["10:03:15"]
    # The clock started again from zero when the routine ended: a full sit later, the prompt.
    assert prompts(day) == [("10:00:00", 60), ("11:03:15", 60)]


def test_routine_pace_stretches_or_shrinks_every_step():
    day = play("09:00 active\n09:10 routine desk\n10:00 end", "routine_pace = 0.2")
    # A fifth of each 30 s hold and 5 s rest: 6 s and 1 s, so steps 7 s apart and 27 s in all.
    steps = [
        (r["time"], r["seconds"], r["rest_seconds"]) for r in day if r["kind"] == "routine-step"
    ]
    assert steps == [
        ("09:10:00", 6.0, 1.0),
        ("09:10:07", 6.0, 1.0),
        ("09:10:14", 6.0, 1.0),
        ("09:10:21", 6.0, 0.0),
    ]
    assert [r["time"] for r in day if r["kind"] == "routine-done"] == ["09:10:27"]


def test_routine_steps_arrive_at_their_times():
    day = play("09:00 active\n09:10 routine floor\n10:00 end")
    # The floor session, each step's reps x (hold, else the stretch's tempo) + rest: bridges
    # 12 x 3 s + 15 twice (51 s each); half-kneeling 4 x 10 s + 5, + 10 (45, 50); low lunge
    # 2 x 20 s + 5, + 10 (45, 50); raised foot 3 x 10 s + 5, + 0 (35, 30): 5 min 57 s.
    assert [(r["time"], r["kind"]) for r in day] == [
        ("09:10:00", "routine-step"),
        ("09:10:51", "routine-step"),
        ("09:11:42", "routine-step"),
        ("09:12:27", "routine-step"),
        ("09:13:17", "routine-step"),
        ("09:14:02", "routine-step"),
        ("09:14:52", "routine-step"),
        ("09:15:27", "routine-step"),
        ("09:15:57", "routine-done"),
    ]


def test_a_routine_stopped_after_a_full_break_was_a_break_and_one_stopped_sooner_was_not():
    day = """
        09:00 active
        10:01 routine floor
        {stop} cancel-routine
        {end} end
    """
    # Stopped five minutes in (of the floor session's 5 min 57 s): that was a break, the
    # clock starts again, and the next prompt comes a full sit later.
    long = play_events(day.format(stop="10:06", end="11:10"))
    assert [e.steps_done for e in long if isinstance(e, ev.RoutineCancelled)] == [7]
    taken = [(e.how, e.start - MIDNIGHT, e.end - MIDNIGHT) for e in long if e.kind == "break"]
    assert taken == [("routine", 10 * 3600 + 60, 10 * 3600 + 360)]
    assert prompts(play(day.format(stop="10:06", end="11:10"))) == [
        ("10:00:00", 60),
        ("11:06:00", 60),
    ]
    # A second sooner: no break; the sit from 09:00 goes on and the unanswered prompt comes
    # back a repeat time (10 min) after the routine stopped.
    short = play_events(day.format(stop="10:05:59", end="10:20"))
    assert not [e for e in short if isinstance(e, ev.BreakTaken)]
    again = [r for r in play(day.format(stop="10:05:59", end="10:20")) if r["kind"] == "prompt"]
    assert [(r["time"], r["sitting_minutes"], r["repeat"]) for r in again] == [
        ("10:00:00", 60, 0),
        ("10:15:59", 75.98, 1),
    ]


def test_a_desktop_that_tells_of_returns_gives_the_same_day_with_fewer_looks(catalogue):
    """Told of returns (Wayland), the core stops looking while the user is away; whatever the
    day, it reports what it reports when it must look every fifth of a break."""
    days = [
        "09:00 active\n10:30 away\n10:50 active\n12:10 away\n13:00 active\n15:00 end\n",
        "09:00 active\n10:02 snooze 5\n10:20 away\n10:24 active\n11:40 lock\n12:30 unlock\n"
        "14:00 end\n",
        "08:55 away\n09:00 active\n09:30 routine desk\n09:45 away\n11:00 suspend\n11:30 resume\n"
        "12:45 skip\n13:20 busy call\n13:50 free\n14:10 away\n15:00 end\n",
    ]
    config = make_config("break_minutes = 4\n" + EVERY_DAY, catalogue)
    for text in days:
        scenario = parse_scenario(textwrap.dedent(text), "day.txt", list(catalogue.routines))
        asked = run_scenario(scenario, config, catalogue)
        told = run_scenario(scenario, config, catalogue, returns_told=True)
        assert told == asked, text
