"""Buttons on a real notification server: dunst invokes them, the daemon acts as the menu would.

dunst shows a notification's actions in its context menu, which it draws with a dmenu-like
program; here that program is a two-line script that picks the button named in a file, so the
test presses a button through dunst itself (``dunstctl action``), not by faking the signal.
"""

from __future__ import annotations

import itertools

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, desktop_fixture, wait_until  # noqa: F401
from e2e import log_events, start_psoas

pytestmark = pytest.mark.desktop

CONFIG = (
    "sit_minutes = 0.1\nrepeat_minutes = 0.1\nbreak_minutes = 10\nsnooze_minutes = [0.15]\n"
    'routine_pace = 0.05\nidle_source = "none"\n' + EVERY_DAY
)


def press(desk: Desktop, label: str) -> None:
    (desk.root / "pick").write_text(label)
    done = desk.run("dunstctl", "action", "0")
    assert done.returncode == 0, done.stderr


def test_prompt_buttons_snooze_and_repeats_and_steps_replace_each_other(desktop: Desktop):
    picker = desktop.root / "picker.sh"
    picker.write_text(f'#!/bin/sh\ngrep -m1 -F "$(cat {desktop.root / "pick"})"\n')
    picker.chmod(0o755)
    desktop.start_dunst(global_settings=f"    dmenu = {picker}\n")
    start_psoas(desktop, CONFIG, "--headless")

    first = desktop.wait_for_notifications(1, 30, "Time to stretch")[0]
    assert first["actions"][::2] == ["done", "snooze", "routine"]
    # Unanswered, it repeats six seconds later: in place of the first, not beside it.
    second = desktop.wait_for_notifications(2, 30, "Time to stretch")[1]
    assert second["replaces_id"] == first["id"]

    press(desktop, "Snooze")
    snoozed = wait_until(lambda: log_events(desktop, "Snoozed"), 15, "the snooze button")
    assert float(snoozed[0]["minutes"]) == 0.15

    # The prompt after the snooze takes the place of the earlier popup if that is still up
    # (else it is new: the earlier one expired or was closed).
    third = desktop.wait_for_notifications(3, 60, "Time to stretch")[2]
    assert third["replaces_id"] in (0, second["id"])
    assert float(log_events(desktop, "PromptShown")[2]["at"]) - float(snoozed[0]["at"]) >= 8
    # The routine button: steps arrive, each replacing the one before.
    press(desktop, "Desk routine")
    desktop.wait_for_notifications(1, 60, "Desk break: done")
    steps = [n for n in desktop.notifications() if n["summary"].startswith(("Step ", "Desk break"))]
    assert steps[0]["replaces_id"] == 0
    assert all(b["replaces_id"] == a["id"] for a, b in itertools.pairwise(steps))
