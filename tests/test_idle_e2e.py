"""Real sitting detection: a fake user moves a real X pointer while ``psoas run`` watches.

Minutes are shrunk to seconds: a prompt after 6 s of sitting, a break after 3 s without input.
"""

from __future__ import annotations

import threading
import time

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, wait_until
from e2e import recorded, start_psoas, status

from reminder.core import events as ev

pytestmark = pytest.mark.desktop

CONFIG = (
    'sit_minutes = 0.1\nbreak_minutes = 0.05\nrepeat_minutes = 0\nidle_source = "x11"\n' + EVERY_DAY
)


class User:
    """Moves the pointer by 20 px every second while ``active`` is set."""

    def __init__(self, desk: Desktop) -> None:
        self.desk = desk
        self.active = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._play, daemon=True)

    def _play(self) -> None:
        x = 100
        while not self.done.is_set():
            if self.active.is_set():
                x = 120 if x == 100 else 100
                self.desk.move_pointer(x, 300)
            time.sleep(1)


def test_sitting_is_measured_from_real_input_and_a_break_resets_it(desktop: Desktop):
    desktop.start_dunst()
    user = User(desktop)
    user.active.set()
    user.thread.start()
    try:
        wait_until(lambda: desktop.idle_ms() < 1500, 10, "the pointer to move")
        psoas = start_psoas(desktop, CONFIG, "--headless")
        first = wait_until(
            lambda: recorded(desktop, ev.PromptShown), 30, "the first prompt", process=psoas
        )[0]
        assert 6 <= first.sitting_seconds < 8
        assert status(desktop.env)["idle_source"] == "x11"

        # The user stops for longer than a break (3 s), then comes back.
        user.active.clear()
        wait_until(lambda: desktop.idle_ms() > 4500, 15, "an idle stretch longer than a break")
        user.active.set()
        returned = time.time()
        taken = wait_until(
            lambda: recorded(desktop, ev.BreakTaken), 15, "the break", process=psoas
        )[0]
        assert taken.how == "natural"
        assert taken.end - taken.start >= 3

        # A full sitting time after the return, the next prompt, counted from zero.
        prompts = wait_until(
            lambda: (p := recorded(desktop, ev.PromptShown))[1:] and p,
            30,
            "the second prompt",
            process=psoas,
        )
        assert 6 <= prompts[1].sitting_seconds < 8
        assert prompts[1].at >= returned + 5
        desktop.wait_for_notifications(2, 15, "Time to stretch", psoas)
        psoas.terminate()
        assert psoas.finish(timeout=15) == 0
    finally:
        user.done.set()
