"""Real sitting detection: a fake user moves a real X pointer while ``psoas run`` watches.

Minutes are shrunk to seconds: a prompt after 6 s of sitting, a break after 3 s without input.
"""

from __future__ import annotations

import threading
import time

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, desktop_fixture, wait_until  # noqa: F401
from e2e import log_events, start_psoas

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
        first = wait_until(lambda: log_events(desktop, "PromptShown"), 30, "the first prompt")[0]
        assert 6 <= float(first["sitting_seconds"]) < 8
        assert "idle source x11" in psoas.stderr_text()

        # The user stops for longer than a break (3 s), then comes back.
        user.active.clear()
        wait_until(lambda: desktop.idle_ms() > 4500, 15, "an idle stretch longer than a break")
        user.active.set()
        returned = time.time()
        taken = wait_until(lambda: log_events(desktop, "BreakTaken"), 15, "the break")[0]
        assert taken["how"] == "'natural'"
        assert float(taken["end"]) - float(taken["start"]) >= 3

        # A full sitting time after the return, the next prompt, counted from zero.
        prompts = wait_until(
            lambda: (p := log_events(desktop, "PromptShown"))[1:] and p, 30, "the second prompt"
        )
        assert 6 <= float(prompts[1]["sitting_seconds"]) < 8
        assert float(prompts[1]["at"]) >= returned + 5
        desktop.wait_for_notifications(2, 15, "Time to stretch")
        psoas.terminate()
        assert psoas.finish(timeout=15) == 0
    finally:
        user.done.set()
