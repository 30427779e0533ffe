"""Buttons on a real notification server: dunst invokes them, the daemon acts as the menu would.

dunst shows a notification's actions in its context menu, which it draws with a dmenu-like
program; here that program is a two-line script that picks the button named in a file, so the
test presses a button through dunst itself (``dunstctl action``), not by faking the signal.
"""

from __future__ import annotations

import itertools

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, wait_until
from e2e import recorded, start_psoas

from reminder.core import events as ev

pytestmark = pytest.mark.desktop

CONFIG = (
    "sit_minutes = 0.1\nrepeat_minutes = 0.1\nbreak_minutes = 10\nsnooze_minutes = [0.15]\n"
    'routine_pace = 0.05\nidle_source = "none"\n' + EVERY_DAY
)


def start_pressable_dunst(desk: Desktop) -> None:
    """dunst with a menu program that picks the button :func:`press` names."""
    picker = desk.root / "picker.sh"
    picker.write_text(f'#!/bin/sh\ngrep -m1 -F "$(cat {desk.root / "pick"})"\n')
    picker.chmod(0o755)
    desk.start_dunst(global_settings=f"    dmenu = {picker}\n")


def press(desk: Desktop, label: str) -> None:
    (desk.root / "pick").write_text(label)
    done = desk.run("dunstctl", "action", "0")
    assert done.returncode == 0, done.stderr


def test_prompt_buttons_snooze_and_repeats_and_steps_replace_each_other(desktop: Desktop):
    start_pressable_dunst(desktop)
    psoas = start_psoas(desktop, CONFIG, "--headless")

    first = desktop.wait_for_notifications(1, 30, "Time to stretch", psoas)[0]
    assert first["actions"][::2] == ["done", "snooze", "routine"]
    # Unanswered, it repeats six seconds later: in place of the first, not beside it.
    second = desktop.wait_for_notifications(2, 30, "Time to stretch", psoas)[1]
    assert second["replaces_id"] == first["id"]

    # The Snooze button: the history has the snooze, with the first snooze choice (9 s).
    press(desktop, "Snooze")
    snoozed = wait_until(
        lambda: recorded(desktop, ev.Snoozed), 15, "the snooze button", process=psoas
    )
    assert [s.minutes for s in snoozed] == [0.15]

    # The prompt after the snooze takes the place of the earlier popup if that is still up
    # (else it is new: the earlier one expired or was closed).
    third = desktop.wait_for_notifications(3, 60, "Time to stretch", psoas)[2]
    assert third["replaces_id"] in (0, second["id"])
    after_snooze = recorded(desktop, ev.PromptShown)[2].at - snoozed[0].at
    assert 8.9 <= after_snooze < 12, after_snooze
    # The routine button: steps arrive, each replacing the one before.
    press(desktop, "Desk routine")
    desktop.wait_for_notifications(1, 60, "Desk break: done", psoas)
    steps = [n for n in desktop.notifications() if n["summary"].startswith(("Step ", "Desk break"))]
    assert steps[0]["replaces_id"] == 0
    assert all(b["replaces_id"] == a["id"] for a, b in itertools.pairwise(steps))
