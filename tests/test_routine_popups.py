"""A routine's popups on a real notification server (dunst) and a real StatusNotifierItem panel:
each step offers Pause (Resume while paused), Next step and Stop, pressed through dunst itself;
a routine stopped takes its last popup down, whether stopped from the panel, the command line or
the popup's own button.

dunst shows a notification's actions in a context menu drawn by a dmenu-like program; here that
program is a two-line script that picks the button named in a file (as in test_notify_actions).
"""

from __future__ import annotations

import json

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, wait_until
from e2e import choose_in_panel, daemon_log, psoas, start_psoas
from test_notify_actions import press, start_pressable_dunst

pytestmark = pytest.mark.desktop

#: No prompt for an hour; routines as written (the desk break's steps last 35 s, the popups 20 s).
CONFIG = 'sit_minutes = 60\nidle_source = "none"\n' + EVERY_DAY


def on_screen(desk: Desktop) -> int:
    """How many popups dunst shows now."""
    return int(desk.run("dunstctl", "count", "displayed").stdout)


def routine_status(desk: Desktop) -> dict:
    status = json.loads(psoas(desk.env, "status", "--json").stdout)
    return {"routine": status["routine"], "summary": status["summary"]}


def test_the_step_buttons_pause_resume_move_on_and_stop(desktop: Desktop):
    start_pressable_dunst(desktop)
    process = start_psoas(desktop, CONFIG, "--headless")
    wait_until(lambda: psoas(desktop.env, "status").returncode == 0, 20, "psoas", process=process)
    assert psoas(desktop.env, "routine", "desk").returncode == 0

    first = desktop.wait_for_notifications(1, 15, "Step 1 of 4", process)[0]
    assert list(zip(first["actions"][::2], first["actions"][1::2], strict=True)) == [
        ("pause-routine", "Pause"),
        ("skip-step", "Next step"),
        ("cancel-routine", "Stop"),
    ]

    press(desktop, "Pause")
    paused = desktop.wait_for_notifications(1, 10, "paused at step 1 of 4", process)[0]
    assert paused["actions"][::2] == ["resume-routine", "skip-step", "cancel-routine"]
    assert routine_status(desktop)["summary"] == "Desk break: paused at step 1 of 4."

    press(desktop, "Resume")
    again = desktop.wait_for_notifications(2, 10, "Step 1 of 4", process)[1]
    assert again["body"] == first["body"] and again["actions"] == first["actions"]
    wait_until(
        lambda: routine_status(desktop)["summary"] == "Desk break: step 1 of 4.",
        10,
        "resumed",
        process=process,
    )

    press(desktop, "Next step")
    desktop.wait_for_notifications(1, 10, "Step 2 of 4", process)

    press(desktop, "Stop")
    wait_until(lambda: routine_status(desktop)["routine"] is None, 10, "stopped", process=process)
    wait_until(lambda: on_screen(desktop) == 0, 10, "no popup left", process=process)


def test_stopping_a_routine_takes_its_last_popup_down(desktop: Desktop):
    """From the command line, then from the panel's menu: the step's popup goes at once, not
    when its timeout ends (20 s), and never stays up beside the next prompt."""
    desktop.start_sni_host()
    desktop.start_dunst()
    process = start_psoas(desktop, CONFIG)
    wait_until(lambda: desktop.sni_items(), 15, "psoas's item on the panel", process=process)

    assert psoas(desktop.env, "routine", "desk").returncode == 0
    step = desktop.wait_for_notifications(1, 15, "Step 1 of 4", process)[0]
    assert on_screen(desktop) == 1
    stopped = psoas(desktop.env, "routine", "--stop")
    assert stopped.returncode == 0 and stopped.stdout.startswith("Routine stopped"), stopped
    wait_until(lambda: on_screen(desktop) == 0, 5, "the step's popup taken down", process=process)
    assert step["id"] in [s["args"][0] for s in desktop.bus_signals("NotificationClosed")]

    choose_in_panel(desktop, "Start routine", "Desk break")
    desktop.wait_for_notifications(2, 15, "Step 1 of 4", process)
    wait_until(lambda: on_screen(desktop) == 1, 5, "the new step's popup", process=process)
    choose_in_panel(desktop, "Stop routine")
    wait_until(lambda: on_screen(desktop) == 0, 5, "the popup taken down", process=process)
    assert routine_status(desktop)["routine"] is None
    log = daemon_log(desktop).read_text()  # what happened, in readable lines
    assert log.count(" routine-cancel at ") == 2 and "RoutineCancelled(" not in log
