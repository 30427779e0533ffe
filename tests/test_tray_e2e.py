"""The real program in a real tray, clicked as a person would, on a private virtual desktop.

Xvfb + trayer (the tray host) + a private D-Bus + dunst (the notification server); ``psoas run``
with minutes shrunk to seconds. The menu is opened with a real right-click on the icon and driven
with the keyboard, as GTK menus allow; what dunst received is read back from dunst itself.
"""

from __future__ import annotations

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, desktop_fixture, wait_until  # noqa: F401
from e2e import choose, daemon_log, log_events, open_menu, start_psoas

pytestmark = pytest.mark.desktop

FAST = (
    "sit_minutes = 0.1\n"  # a prompt after 6 s of sitting
    "repeat_minutes = 0\n"  # never repeated: a second prompt can only come from the snooze
    "snooze_minutes = [0.15, 1]\n"  # the default snooze is 9 s
    "routine_pace = 0.05\n"  # the 2-minute desk routine in about 7 s
    "break_minutes = 10\n" + EVERY_DAY
)


def test_prompt_snooze_routine_and_quit_from_the_tray(desktop: Desktop, catalogue):
    desktop.start_tray_host()
    desktop.start_dunst()
    psoas = start_psoas(desktop, FAST)
    desktop.find_window("psoas")
    desktop.screenshot("tray-icon")

    # The prompt reaches the notification server and names a stretch.
    first = desktop.wait_for_notifications(1, 30, "Time to stretch")[0]
    names = {s.name for s in catalogue.stretches.values()}
    assert any(name in first["summary"] for name in names), first
    assert first["appname"] == "psoas" and first["icon"].endswith(".png")

    # Right-click, Snooze > the first choice: a second prompt comes a snooze later.
    open_menu(desktop)
    desktop.screenshot("tray-menu")
    choose(desktop, "Down", "Down", "Down", "Right", "Return")
    snoozed = wait_until(lambda: log_events(desktop, "Snoozed"), 10, "the snooze")
    assert float(snoozed[0]["minutes"]) == 0.15
    desktop.wait_for_notifications(2, 30, "Time to stretch")
    prompts = log_events(desktop, "PromptShown")
    assert len(prompts) == 2
    waited = float(prompts[1]["at"]) - float(snoozed[0]["at"])
    assert 0.15 * 60 - 1 <= waited <= 0.15 * 60 + 5, waited

    # Start routine > Desk break: each step arrives in order, then the end of the routine.
    open_menu(desktop)
    choose(desktop, "Down", "Down", "Down", "Down", "Right")
    desktop.screenshot("tray-routines")
    choose(desktop, "Return")
    desk_routine = catalogue.routine("desk")
    done = desktop.wait_for_notifications(1, 60, f"{desk_routine.name}: done")
    received = desktop.notifications()
    steps = [n for n in received if n["summary"].startswith("Step ")]
    count = len(desk_routine.steps)
    assert [n["summary"].split(":")[0] for n in steps] == [
        f"Step {i} of {count}" for i in range(1, count + 1)
    ]
    assert received.index(done[0]) > max(received.index(n) for n in steps)

    # Quit: the program ends cleanly.
    open_menu(desktop)
    choose(desktop, "Up", "Return")
    assert psoas.finish(timeout=15) == 0
    assert "stopped" in daemon_log(desktop).read_text()
    assert "Traceback" not in psoas.stderr_text()


def test_without_a_tray_host_it_runs_headless_and_says_so(desktop: Desktop):
    desktop.start_dunst()  # a notification server, but nothing to show a tray icon
    psoas = start_psoas(desktop, FAST)
    desktop.wait_for_notifications(1, 30, "Time to stretch")
    psoas.terminate()
    assert psoas.finish(timeout=15) == 0, psoas.stderr_text()[-3000:]
    output = psoas.stderr_text()
    assert output.count("no tray icon: no system tray on this desktop") == 1
    assert "running headless" in output
