"""A soak: the real daemon and its tray for two minutes, minutes shrunk to seconds, a fake user.

Every prompt the core made must have reached the notification server, and the daemon's memory must
stay flat once it has settled.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, wait_until
from e2e import recorded, start_psoas

from reminder.core import events as ev

pytestmark = pytest.mark.desktop

SOAK_SECONDS = 120
CONFIG = (
    'sit_minutes = 0.1\nbreak_minutes = 0.05\nrepeat_minutes = 0.05\nidle_source = "x11"\n'
    "routine_pace = 0.02\n" + EVERY_DAY
)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_two_minutes_of_a_scripted_day(desktop: Desktop):
    desktop.start_tray_host()
    desktop.start_dunst()
    stop = threading.Event()

    def user() -> None:
        """Works 20 s at a time, then steps away for 5 s (longer than the 3 s break)."""
        x = 100
        while not stop.is_set():
            working_until = time.monotonic() + 20
            while time.monotonic() < working_until and not stop.is_set():
                x = 140 if x == 100 else 100
                desktop.move_pointer(x, 400)
                time.sleep(1)
            stop.wait(5)

    worker = threading.Thread(target=user, daemon=True)
    worker.start()
    psoas = start_psoas(desktop, CONFIG)
    try:
        desktop.find_window("psoas")
        wait_until(lambda: recorded(desktop, ev.PromptShown), 30, "the first prompt", process=psoas)
        settled = rss_kib(psoas.pid)
        time.sleep(SOAK_SECONDS)
        grown = rss_kib(psoas.pid) - settled
        stop.set()
        psoas.terminate()
        assert psoas.finish(timeout=15) == 0
    finally:
        stop.set()
    prompts = recorded(desktop, ev.PromptShown)
    breaks = recorded(desktop, ev.BreakTaken)
    shown = [n for n in desktop.notifications() if n["summary"].startswith("Time to stretch")]
    assert len(prompts) >= 10 and len(breaks) >= 3
    assert len(shown) == len(prompts)  # every prompt accounted for
    assert grown < 4096, f"RSS grew {grown} KiB in {SOAK_SECONDS} s"
