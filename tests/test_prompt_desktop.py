"""The prompt as a user lives it, on a real desktop: Xvfb, a private bus, dunst, and psoas's icon
on a StatusNotifierItem panel (status-notifier-watcher and gtk-sni-tray-standalone), clicked as a
person clicks it. What psoas did is read back from what crossed the bus to the notification
server, the panel's own copy of the menu, ``psoas status --json`` and the history.
"""

from __future__ import annotations

import json

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, wait_until
from e2e import (
    choose_in_panel,
    icon_on_screen,
    psoas,
    recorded,
    sni_menu,
    start_psoas,
)

from reminder.core import events as ev

pytestmark = pytest.mark.desktop

#: A prompt after 9 s of sitting, repeated every 6 s; no break while the test runs.
QUICK = "sit_minutes = 0.15\nrepeat_minutes = 0.1\nbreak_minutes = 10\n" + EVERY_DAY


def status(desk: Desktop) -> dict:
    return json.loads(psoas(desk.env, "status", "--json").stdout)


def stretch_named(title: str, catalogue) -> str:
    """The id of the stretch a notification's title names."""
    (found,) = [s.id for s in catalogue.stretches.values() if title.endswith(f": {s.name}")]
    return found


def start_on_panel(desk: Desktop, config: str):
    desk.start_sni_host()
    desk.start_dunst()
    process = start_psoas(desk, config)
    wait_until(lambda: desk.sni_items(), 15, "psoas's item on the panel", process=process)
    return process


def test_a_prompt_its_repeat_the_menu_status_and_history_name_one_stretch(
    desktop: Desktop, catalogue
):
    process = start_on_panel(desktop, QUICK)
    first, repeat = desktop.wait_for_notifications(2, 40, "Time to stretch", process)
    stretch = stretch_named(first["summary"], catalogue)
    name = catalogue.stretch(stretch).name
    assert repeat["summary"] == f"Time to stretch (again): {name}"
    assert repeat["replaces_id"] == first["id"]  # the same prompt again, in the same place
    # The panel's menu offers the stretch on screen, and so does psoas status.
    labels = [entry.label for entry in sni_menu(desktop)]
    assert f"Stretch now: {name}" in labels, labels
    now = status(desktop)
    assert (now["state"], now["prompted_stretch"], now["next_stretch"]) == ("due", stretch, stretch)
    assert now["summary"].endswith(f"time to stretch: {name}.")
    assert psoas(desktop.env, "done").returncode == 0
    shown = recorded(desktop, ev.PromptShown)
    assert len(shown) >= 2 and {prompt.stretch for prompt in shown} == {stretch}
    wait_until(lambda: recorded(desktop, ev.BreakTaken), 10, "the break in the history")
    (taken,) = recorded(desktop, ev.BreakTaken)
    assert (taken.how, taken.stretch) == ("done", stretch)
    assert "Traceback" not in process.stderr_text()


def test_stretch_now_and_a_click_on_the_icon_show_a_stretch_and_are_no_prompt(
    desktop: Desktop, catalogue
):
    # The prompt comes after 30 s: the user asks for a stretch before it.
    process = start_on_panel(desktop, QUICK.replace("0.15", "0.5", 1))
    _, box = icon_on_screen(desktop, "prompt-asked-icon")
    desktop.click((box[0] + box[2]) // 2, (box[1] + box[3]) // 2, button=1)  # a left click
    (asked,) = desktop.wait_for_notifications(1, 10, "Stretch now", process)
    choose_in_panel(desktop, "Stretch now")
    again = desktop.wait_for_notifications(2, 10, "Stretch now", process)[-1]
    stretch = stretch_named(asked["summary"], catalogue)
    shown = catalogue.stretch(stretch)
    for note in (asked, again):
        assert (note["summary"], note["body"]) == (f"Stretch now: {shown.name}", shown.summary())
        assert note["actions"][::2] == ["done", "routine"]  # nothing to snooze
    assert again["replaces_id"] == asked["id"]
    now = status(desktop)
    assert (now["state"], now["prompted_stretch"]) == ("sitting", None)
    assert not recorded(desktop, ev.PromptShown)
    assert [e.stretch for e in recorded(desktop, ev.StretchAsked)] == [stretch, stretch]

    # The prompt still comes at the sitting time: the first of its sit, naming that stretch.
    (prompt,) = desktop.wait_for_notifications(1, 40, "Time to stretch", process)
    assert prompt["summary"] == f"Time to stretch: {shown.name}"
    assert prompt["body"].startswith("You have been sitting for 3")  # 30 s, not "1 s"
    assert [e.repeat for e in recorded(desktop, ev.PromptShown)] == [0]
    (day,) = json.loads(psoas(desktop.env, "stats", "--days", "1", "--json").stdout)
    assert (day["prompts"], day["repeats"], day["stretches_asked"]) == (1, 0, 2)
    assert "Traceback" not in process.stderr_text()
