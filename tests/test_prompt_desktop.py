"""The prompt as a user lives it, on a real desktop: Xvfb, a private bus, dunst, and psoas's icon
on a StatusNotifierItem panel (status-notifier-watcher and gtk-sni-tray-standalone), clicked as a
person clicks it. What psoas did is read back from what crossed the bus to the notification
server, the panel's own copy of the menu, ``psoas status --json`` and the history.
"""

from __future__ import annotations

import json
import re
import time

import e2e
import pytest
from conftest import EVERY_DAY
from desktop import Desktop, wait_until
from e2e import (
    choose_in_panel,
    click_in_menu,
    daemon_log,
    icon_on_screen,
    psoas,
    recorded,
    sni_menu,
    start_psoas,
)
from fake_notifier import FakeNotifier

from reminder.core import events as ev

pytestmark = pytest.mark.desktop

#: A prompt after 9 s of sitting, repeated every 6 s; no break while the test runs.
QUICK = "sit_minutes = 0.15\nrepeat_minutes = 0.1\nbreak_minutes = 10\n" + EVERY_DAY
#: The same prompt, never repeated: it stays alone on screen until it is answered.
ONCE = QUICK.replace("repeat_minutes = 0.1", "repeat_minutes = 0")
#: What NotificationClosed gives as its reason: the server's own timeout; a CloseNotification.
EXPIRED, CLOSED_BY_CALL = 1, 3


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


# ----- a prompt stays until it is answered -----------------------------------------------------


def closed(desk: Desktop, notification_id: int) -> list[int]:
    """The reasons the server gave for closing that notification."""
    return [
        s["args"][1]
        for s in desk.bus_signals("NotificationClosed")
        if s["args"][0] == notification_id
    ]


def test_on_dunst_a_prompt_stays_on_screen_until_it_is_answered(desktop: Desktop):
    desktop.start_dunst()
    process = start_psoas(desktop, ONCE, "--headless")
    (prompt,) = desktop.wait_for_notifications(1, 30, "Time to stretch", process)
    assert prompt["expire_timeout"] == 0  # never expires
    assert "resident" not in prompt["hints"]  # dunst keeps no notifications once closed
    time.sleep(max(0.0, prompt["time"] + 21 - time.time()))  # past psoas's old 20 s timeout
    assert desktop.run("dunstctl", "count", "displayed").stdout.strip() == "1"
    assert closed(desktop, prompt["id"]) == []
    desktop.screenshot("prompt-stays-on-dunst")
    assert psoas(desktop.env, "done").returncode == 0
    wait_until(lambda: closed(desktop, prompt["id"]), 10, "the answered prompt taken down")
    assert closed(desktop, prompt["id"]) == [CLOSED_BY_CALL]  # by psoas, not by a timeout
    assert desktop.run("dunstctl", "count", "displayed").stdout.strip() == "0"


def test_pausing_reminders_takes_the_prompt_down(desktop: Desktop):
    desktop.start_dunst()
    process = start_psoas(desktop, ONCE, "--headless")
    (prompt,) = desktop.wait_for_notifications(1, 30, "Time to stretch", process)
    assert psoas(desktop.env, "pause", "30m").returncode == 0
    wait_until(lambda: closed(desktop, prompt["id"]), 10, "the prompt taken down")
    assert status(desktop)["state"] == "paused"


def test_a_server_that_takes_prompts_down_by_itself_is_said_in_the_log_status_and_doctor(
    desktop: Desktop,
):
    # A dunst rule of the user's that gives psoas's notes 2 s, whatever psoas asks.
    rule = "[psoas]\n    appname = psoas\n    override_dbus_timeout = 2\n"
    desktop.start_dunst(rules=rule)
    process = start_psoas(desktop, QUICK, "--headless")
    first, repeat = desktop.wait_for_notifications(2, 40, "Time to stretch", process)
    wait_until(lambda: closed(desktop, repeat["id"]), 10, "the repeat taken down")
    assert closed(desktop, first["id"]) == closed(desktop, repeat["id"]) == [EXPIRED]
    dropped = re.compile(r"took a prompt down by itself after (\d|1\d|2\.\d) s")
    warnings = [
        line for line in daemon_log(desktop).read_text().splitlines() if dropped.search(line)
    ]
    assert len(warnings) == 1, warnings  # once, not at every prompt
    assert "WARNING" in warnings[0] and "tray icon" in warnings[0]
    said = psoas(desktop.env, "status").stdout
    assert re.search(r"^the notification server: it " + dropped.pattern, said, re.M), said
    shortfalls = status(desktop)["notifier_shortfalls"]
    assert dropped.search(shortfalls["persistence"]), shortfalls
    doctor = json.loads(psoas(desktop.env, "doctor", "--json").stdout)
    (part,) = [p for p in doctor["parts"] if p["name"] == "notifications"]
    assert part["verdict"] == "limited" and dropped.search(part["detail"]), part
    assert "override_dbus_timeout" in part["advice"]


def test_on_a_server_that_keeps_notifications_a_click_on_the_prompt_does_not_dismiss_it(
    desktop: Desktop,
):
    """GNOME's notification-daemon offers persistence: psoas sends the prompt as resident, so a
    click on it (the server's "default" action, which psoas does not take as an answer) hides
    the bubble but the server keeps the prompt (in its list, as GNOME Shell keeps one in its
    message list); without resident the click dismisses it for good. The answer takes it down."""
    desktop.start_notification_daemon()
    process = start_psoas(desktop, ONCE, "--headless")
    (prompt,) = desktop.wait_for_notifications(1, 30, "Time to stretch", process)
    assert (prompt["expire_timeout"], prompt["hints"].get("resident")) == (0, True)
    x, y, width, height = desktop.find_window("notification-daemon")
    desktop.click(x + width // 3, y + height // 3)  # on its words, not on a button
    wait_until(lambda: desktop.bus_signals("ActionInvoked"), 10, "the click on the prompt")
    time.sleep(1)
    desktop.screenshot("prompt-clicked-on-notification-daemon")
    assert closed(desktop, prompt["id"]) == []
    assert status(desktop)["state"] == "due"
    assert psoas(desktop.env, "done").returncode == 0
    wait_until(lambda: closed(desktop, prompt["id"]), 10, "the answered prompt taken down")
    assert closed(desktop, prompt["id"]) == [CLOSED_BY_CALL]


def test_a_prompt_out_when_the_server_restarts_is_shown_again_on_the_new_one(desktop: Desktop):
    desktop.start_dunst()
    process = start_psoas(desktop, ONCE, "--headless")
    (prompt,) = desktop.wait_for_notifications(1, 30, "Time to stretch", process)
    desktop.stop_dunst()  # as a user's dunst is restarted to read its config again
    desktop.start_dunst()
    again = desktop.wait_for_notifications(2, 10, "Time to stretch", process)[-1]
    assert (again["summary"], again["body"]) == (prompt["summary"], prompt["body"])
    assert desktop.run("dunstctl", "count", "displayed").stdout.strip() == "1"
    assert psoas(desktop.env, "done").returncode == 0
    wait_until(lambda: closed(desktop, again["id"]), 10, "the answered prompt taken down")
    desktop.stop_dunst()
    desktop.start_dunst()
    time.sleep(2)  # an answered prompt is not brought back
    assert len(desktop.notifications()) == 2


def test_a_click_on_the_prompt_itself_is_no_answer_and_its_buttons_still_count(
    private_bus: Desktop,
):
    """Where a clicked prompt stays up (resident), the server says "default" for the click; a
    button pressed afterwards must still be obeyed."""
    with FakeNotifier(private_bus.bus_address) as server:
        process = start_psoas(private_bus, ONCE, "--headless")
        wait_until(lambda: server.received, 30, "the prompt", process=process)
        prompt = server.received[0]["id"]
        server.signal("ActionInvoked", "us", [prompt, "default"])
        time.sleep(1)
        assert status(private_bus)["state"] == "due"
        server.signal("ActionInvoked", "us", [prompt, "done"])
        wait_until(lambda: recorded(private_bus, ev.BreakTaken), 10, "the button's answer")
        assert status(private_bus)["state"] == "sitting"


# ----- sound -----------------------------------------------------------------------------------

SOUND = "sound = true\nroutine_pace = 0.05\n"


def test_sound_comes_with_a_prompt_from_a_server_that_plays_sounds_and_with_nothing_else(
    desktop: Desktop,
):
    desktop.start_sni_host()
    desktop.start_notification_daemon()
    process = start_psoas(desktop, SOUND + ONCE.replace("0.15", "0.3", 1))  # a prompt at 18 s
    wait_until(lambda: desktop.sni_items(), 15, "psoas's item on the panel", process=process)
    wait_until(lambda: e2e.status(desktop.env), 15, "psoas to answer", process=process)
    click_in_menu(desktop, "Stretch now")
    desktop.wait_for_notifications(1, 10, "Stretch now", process)
    (prompt,) = desktop.wait_for_notifications(1, 30, "Time to stretch", process)
    assert psoas(desktop.env, "routine", "desk").returncode == 0
    desktop.wait_for_notifications(1, 30, "Step 2 of", process)
    sounding = [n["summary"] for n in desktop.notifications() if "sound-name" in n["hints"]]
    assert sounding == [prompt["summary"]]
    assert prompt["hints"]["sound-name"] == "message-new-instant"
    assert "sound" not in status(desktop)["notifier_shortfalls"]


def test_sound_asked_of_a_server_that_plays_none_is_said_once(desktop: Desktop):
    desktop.start_dunst()
    process = start_psoas(desktop, SOUND + QUICK, "--headless")
    notes = desktop.wait_for_notifications(2, 40, "Time to stretch", process)
    assert all("sound-name" not in note["hints"] for note in notes)  # dunst offers no sound
    silent = "the notification server plays no sounds"
    lines = daemon_log(desktop).read_text().splitlines()
    assert len([line for line in lines if silent in line]) == 1
    assert "the notification server: it plays no sounds" in psoas(desktop.env, "status").stdout
    config = str(desktop.home / "psoas.toml")  # the file start_psoas wrote
    doctor = json.loads(psoas(desktop.env, "doctor", "--json", "--config", config).stdout)
    (part,) = [p for p in doctor["parts"] if p["name"] == "notifications"]
    assert part["verdict"] == "limited" and "sound = true in your config" in part["detail"]
