"""A routine step's words say what the user will really do at their routine pace: the popup, the
terminal countdown and ``psoas simulate`` agree. Each step reads as a person would say it: what to
do now, on which side, for how long; then, on a line of its own, what comes next."""

from __future__ import annotations

import asyncio
import io
import json

import pytest
from conftest import EVERY_DAY, make_config, play, play_events
from e2e import in_process

from reminder.cli.routine import run_in_terminal
from reminder.config import settings_for
from reminder.control.protocol import Request
from reminder.core import events as ev
from reminder.core.commands import StartRoutine
from reminder.core.sitting import SittingCore
from reminder.core.status import State, Status
from reminder.idle import NoIdleSource
from reminder.notify import Outbox, TerminalNotifier
from reminder.runtime.daemon import Daemon
from reminder.runtime.requests import ControlHandler
from reminder.system.clock import SystemCalendar, SystemClock
from reminder.tray.menu import MenuState, build_menu, find
from reminder.words import answer, notification_for, terminal_routine_start

DAY = "09:00 active\n09:10 routine {}\n10:00 end"


def step_texts(routine: str, pace: float, catalogue) -> list[tuple[str, str]]:
    """(title, body) of each step notification of a routine played at ``pace``."""
    events = play_events(DAY.format(routine), f"routine_pace = {pace}", catalogue)
    steps = [e for e in events if isinstance(e, ev.RoutineStepStarted)]
    texts = [notification_for(step, catalogue) for step in steps]
    assert steps and all(texts)
    return texts  # type: ignore[return-value]


def test_each_step_says_what_to_do_now_then_what_comes_next(catalogue):
    texts = step_texts("desk", 1, catalogue)
    how = catalogue.stretch("standing").how
    assert texts[0] == (
        "Step 1 of 4: Standing hip flexor stretch, left side",
        f"Left foot back. {how} Hold 30 s.\nThen rest 5 s and switch sides.",
    )
    assert texts[1][1] == (
        f"Right foot back. {how} Hold 30 s.\nThen take 5 s to shake out your legs and switch sides."
    )
    assert texts[3][1] == f"Right foot back. {how} Hold 30 s.\nLast step: then back to work."


def test_moving_reps_holds_and_the_next_stretch_are_said_plainly(catalogue):
    bodies = [body for _, body in step_texts("floor", 1, catalogue)]
    bridge = catalogue.stretch("bridge").how
    assert bodies[0] == (
        f"{bridge} 12 reps, lifting and lowering at an even pace: about 36 s.\n"
        "Then rest 15 s and do the same again."
    )
    assert bodies[1].endswith("\nThen rest 15 s; next: Half-kneeling hip flexor stretch.")
    assert bodies[2].startswith("Left knee down. Kneel on one knee")
    assert "Hold 10 s, 4 times.\n" in bodies[2]
    assert bodies[3].endswith("\nThen take 10 s to stand up; next: Low lunge with twist.")
    assert bodies[-1].endswith("\nLast step: then you are done.")
    for body in bodies:  # two parts: now, then next; never the old run-on sentence
        now, after = body.split("\n")
        assert after.startswith(("Then ", "Last step: ", "Next: ")), body
        assert "Then " not in now and "and first set" not in body and "done: back" not in body


def test_a_quick_pace_says_the_short_holds_and_rests_it_gives(catalogue):
    bodies = [body for _, body in step_texts("desk", 0.1, catalogue)]
    assert all("Hold 3 s.\n" in body for body in bodies), bodies
    assert bodies[0].endswith("\nThen rest 0.5 s and switch sides.")
    assert not any("Hold 30 s" in body or "rest 5 s" in body for body in bodies)


def test_a_gentle_pace_says_the_longer_holds_rests_and_moving_reps(catalogue):
    bodies = [body for _, body in step_texts("floor", 1.5, catalogue)]
    # 12 moving bridges at 3 s each take 36 s as written, 54 s at 1.5; the reps stay 12.
    assert "12 reps, lifting and lowering at an even pace: about 54 s.\n" in bodies[0]
    assert bodies[0].endswith("\nThen rest 22 s and do the same again.")
    # 4 holds of 10 s as written: 15 s each at 1.5, and the 5 s rest is 7.5 s.
    assert "Hold 15 s, 4 times.\nThen rest 7.5 s and switch sides." in bodies[2]


def test_the_notification_and_simulate_tell_the_same_times(catalogue):
    records = play(DAY.format("desk"), "routine_pace = 0.2", catalogue)
    steps = [r for r in records if r["kind"] == "routine-step"]
    bodies = [body for _, body in step_texts("desk", 0.2, catalogue)]
    for record, body in zip(steps, bodies, strict=True):
        assert f"Hold {record['seconds']:g} s." in body, (record, body)
        if record["rest_seconds"]:
            rest = f"{record['rest_seconds']:g} s"
            assert f"rest {rest}" in body or f"take {rest} to" in body, (record, body)


@pytest.mark.slow
def test_the_terminal_countdown_says_the_paced_holds(catalogue):
    out = io.StringIO()
    finished = run_in_terminal(
        catalogue.routine("desk"), catalogue, 0.004, keys=io.StringIO(), out=out
    )
    assert finished
    assert out.getvalue().count("Hold 0.12 s.") == 4, out.getvalue()
    assert "Hold 30 s" not in out.getvalue()


@pytest.mark.slow
def test_the_terminal_says_each_step_as_the_popup_does(catalogue):
    out = io.StringIO()
    assert run_in_terminal(catalogue.routine("floor"), catalogue, 0.01, io.StringIO(), out)
    shown = out.getvalue()
    for title, body in step_texts("floor", 0.01, catalogue):
        lines = "".join(f"  {line}\n" for line in body.splitlines())
        assert f"{title}\n{lines}" in shown, (title, shown)


class _Nobody:
    def __getattr__(self, name: str):
        return lambda *args: None


def test_one_routine_length_at_the_users_pace_everywhere(catalogue, tmp_path):
    """psoas routines, the tray's menu, the answer to psoas routine and the terminal all give
    the length the user will get: at routine_pace = 0.05, the 2 min 15 s desk break is 6.8 s."""
    config = tmp_path / "fast.toml"
    config.write_text("routine_pace = 0.05\n")
    listed = in_process("routines", "--config", str(config))
    assert listed.returncode == 0, listed.stderr
    assert "Desk break [desk] · 6.8 s\n" in listed.stdout
    assert "2 min 15 s" not in listed.stdout
    assert "1 x 1.5 s hold" in listed.stdout  # the steps too, not only the total
    data = json.loads(in_process("routines", "--json", "--config", str(config)).stdout)
    assert data["routine_pace"] == 0.05
    assert data["routines"][0]["seconds_at_your_pace"] == 135 * 0.05

    state = MenuState("sitting", "status", None, "Bridge")
    menu = build_menu(state, catalogue, (5,), 0.05, _Nobody())
    assert find(menu, "routine/desk").label == "Desk break (6.8 s)"

    started = play_events(DAY.format("desk"), "routine_pace = 0.05", catalogue)
    (start,) = [e for e in started if isinstance(e, ev.RoutineStarted)]
    status = Status(State.ROUTINE, 0.0, None, None, None, "desk")
    assert (
        answer(StartRoutine("desk"), [start], status, start.at, catalogue)
        == "Desk break started: 4 steps, 6.8 s"
    )
    assert terminal_routine_start(catalogue.routine("desk"), 0.05, keys=False) == (
        "Desk break: 4 steps, 6.8 s."
    )


def test_a_second_routine_is_refused_in_one_line_and_the_first_goes_on(catalogue):
    async def answers() -> list[dict]:
        config = make_config('idle_source = "none"\n' + EVERY_DAY, catalogue)
        core = SittingCore(settings_for(config, catalogue), SystemCalendar(), catalogue)
        daemon = Daemon(
            core, SystemClock(), NoIdleSource(), Outbox(TerminalNotifier(io.StringIO())), catalogue
        )
        handler = ControlHandler(daemon, catalogue, dict)
        running = asyncio.get_running_loop().create_task(daemon.run())
        said = [await handler.carry_out(Request("routine", name=name)) for name in ("desk",) * 2]
        said.append(await handler.carry_out(Request("routine", name="floor")))
        said.append({"routine": core.status(SystemClock().now()).routine})
        daemon.stop()
        await asyncio.wait_for(running, 5)
        return said

    started, again, other, status = asyncio.run(answers())
    assert started == {"ok": True, "said": "Desk break started: 4 steps, 2 min 15 s"}
    assert again == {"ok": False, "error": "Desk break is under way already (step 1 of 4)"}
    assert other == {
        "ok": False,
        "error": "Desk break is under way (step 1 of 4); to start Floor session instead, stop "
        "it first: psoas routine --stop",
    }
    assert status == {"routine": "desk"}


def test_moving_on_says_which_step_and_the_last_one_says_the_routine_is_done(catalogue):
    async def answers() -> list[str]:
        config = make_config('idle_source = "none"\n' + EVERY_DAY, catalogue)
        core = SittingCore(settings_for(config, catalogue), SystemCalendar(), catalogue)
        daemon = Daemon(
            core, SystemClock(), NoIdleSource(), Outbox(TerminalNotifier(io.StringIO())), catalogue
        )
        handler = ControlHandler(daemon, catalogue, dict)
        running = asyncio.get_running_loop().create_task(daemon.run())
        said = [(await handler.carry_out(Request("routine", name="desk")))["said"]]
        for _ in range(4):
            said.append((await handler.carry_out(Request("skip-step")))["said"])
        daemon.stop()
        await asyncio.wait_for(running, 5)
        return said

    said = asyncio.run(answers())
    assert said[1:4] == ["On to step 2 of 4", "On to step 3 of 4", "On to step 4 of 4"]
    assert said[4].startswith("Desk break done: next prompt at "), said
