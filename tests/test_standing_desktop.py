"""A sit-stand desk on a real desktop: dunst shows the prompt with "I'll stand", the button is
pressed through dunst itself, the running psoas records the standing, suggests a change after
standing_minutes, and "I sat down" on that note ends the spell."""

from __future__ import annotations

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, wait_until
from e2e import recorded, start_psoas, status
from test_notify_actions import press, start_pressable_dunst

from reminder.core import events as ev

pytestmark = pytest.mark.desktop

CONFIG = (
    'sit_minutes = 0.1\nrepeat_minutes = 0\nbreak_minutes = 10\nidle_source = "none"\n'
    + EVERY_DAY
    + "[desk]\nstanding = true\nstanding_minutes = 0.15\n"
)


def test_a_prompt_offers_i_will_stand_and_the_daemon_records_it(desktop: Desktop):
    start_pressable_dunst(desktop)
    psoas = start_psoas(desktop, CONFIG, "--headless")

    prompt = desktop.wait_for_notifications(1, 30, "Time to stretch", psoas)[0]
    assert prompt["actions"][::2] == ["done", "stand", "snooze", "routine"]
    assert "I'll stand" in prompt["actions"][1::2]
    press(desktop, "I'll stand")
    (stood,) = wait_until(lambda: recorded(desktop, ev.StoodUp), 15, "standing", process=psoas)
    assert status(desktop.env)["state"] == "standing"

    # After standing_minutes (9 s) the one suggestion, with its button to say one sat down.
    (long,) = desktop.wait_for_notifications(1, 30, "You have stood for", psoas)
    assert long["actions"][::2] == ["sit"]
    press(desktop, "I sat down")
    (span,) = wait_until(
        lambda: recorded(desktop, ev.StandingSpan), 15, "the standing span", process=psoas
    )
    assert span.ended == "sit" and abs(span.start - stood.at) < 0.01  # steady to wall: rounding
    assert span.end - span.start >= 9
    assert status(desktop.env)["state"] == "sitting"
    (suggested,) = recorded(desktop, ev.StandingLong)
    assert 8.9 <= suggested.at - stood.at < 15
