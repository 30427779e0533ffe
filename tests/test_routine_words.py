"""A routine step's words say what the user will really do at their routine pace: the popup, the
terminal countdown and ``psoas simulate`` agree."""

from __future__ import annotations

import io

from conftest import play, play_events

from reminder.core import events as ev
from reminder.terminal_routine import run_in_terminal
from reminder.words import notification_for

DAY = "09:00 active\n09:10 routine {}\n10:00 end"


def step_texts(routine: str, pace: float, catalogue) -> list[tuple[str, str]]:
    """(title, body) of each step notification of a routine played at ``pace``."""
    events = play_events(DAY.format(routine), f"routine_pace = {pace}", catalogue)
    steps = [e for e in events if isinstance(e, ev.RoutineStepStarted)]
    texts = [notification_for(step, catalogue) for step in steps]
    assert steps and all(texts)
    return texts  # type: ignore[return-value]


def test_a_quick_pace_says_the_short_holds_and_rests_it_gives(catalogue):
    bodies = [body for _, body in step_texts("desk", 0.1, catalogue)]
    assert all("Hold 3 s." in body for body in bodies), bodies
    assert "Then rest 0.5 s and switch sides." in bodies[0]
    assert not any("Hold 30 s" in body or "rest 5 s" in body for body in bodies)


def test_a_gentle_pace_says_the_longer_holds_rests_and_moving_reps(catalogue):
    bodies = [body for _, body in step_texts("floor", 1.5, catalogue)]
    # 12 moving bridges at 3 s each take 36 s as written, 54 s at 1.5; the reps stay 12.
    assert "12 reps, moving in and out slowly (about 54 s). Then rest 22 s" in bodies[0]
    # 4 holds of 10 s as written: 15 s each at 1.5, and the 5 s rest is 7.5 s.
    assert "Hold 15 s, 4 reps. Then rest 7.5 s and switch sides." in bodies[2]


def test_the_notification_and_simulate_tell_the_same_times(catalogue):
    records = play(DAY.format("desk"), "routine_pace = 0.2", catalogue)
    steps = [r for r in records if r["kind"] == "routine-step"]
    bodies = [body for _, body in step_texts("desk", 0.2, catalogue)]
    for record, body in zip(steps, bodies, strict=True):
        assert f"Hold {record['seconds']:g} s." in body, (record, body)
        if record["rest_seconds"]:
            assert f"rest {record['rest_seconds']:g} s" in body, (record, body)


def test_the_terminal_countdown_says_the_paced_holds(catalogue):
    out = io.StringIO()
    finished = run_in_terminal(
        catalogue.routine("desk"), catalogue, 0.004, keys=io.StringIO(), out=out
    )
    assert finished
    assert out.getvalue().count("Hold 0.12 s.") == 4, out.getvalue()
    assert "Hold 30 s" not in out.getvalue()
