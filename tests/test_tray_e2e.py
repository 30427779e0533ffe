"""The real program in a real tray, clicked as a person would, on a private virtual desktop.

Xvfb + trayer (the tray host) + a private D-Bus + dunst (the notification server); ``psoas run``
with minutes shrunk to seconds. The menu is opened with a real right-click on the icon and driven
with the keyboard, as GTK menus allow; what dunst received is read back from dunst itself.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, wait_until
from e2e import (
    choose,
    choose_in_panel,
    daemon_log,
    icon_on_screen,
    keys_to,
    model_menu,
    open_menu,
    psoas,
    sni_menu,
    start_psoas,
)

from reminder.words import duration

pytestmark = pytest.mark.desktop

FAST = (
    "sit_minutes = 0.1\n"  # a prompt after 6 s of sitting
    "repeat_minutes = 0\n"  # never repeated: a second prompt can only come from the snooze
    "snooze_minutes = [0.15, 1]\n"  # the default snooze is 9 s
    "routine_pace = 0.05\n"  # the 2-minute desk routine in about 7 s
    "break_minutes = 10\n" + EVERY_DAY
)


def test_prompt_snooze_routine_and_quit_from_an_xembed_tray(desktop: Desktop, catalogue):
    """pystray on trayer (an XEmbed-only panel), with the xembed extra installed."""
    desktop.start_tray_host()
    desktop.start_dunst()
    process = start_psoas(desktop, FAST)
    desktop.find_window("psoas")
    desktop.screenshot("tray-icon")

    def status() -> dict:
        return json.loads(psoas(desktop.env, "status", "--json").stdout)

    def menu(*labels: str) -> None:
        entries = model_menu(desktop, catalogue, FAST)
        open_menu(desktop)
        choose(desktop, *keys_to(entries, *labels))

    assert status()["tray"].startswith("pystray")
    # The prompt reaches the notification server and names a stretch.
    first = desktop.wait_for_notifications(1, 30, "Time to stretch", process)[0]
    names = {s.name for s in catalogue.stretches.values()}
    assert any(name in first["summary"] for name in names), first
    assert first["appname"] == "psoas" and first["icon"].endswith(".png")

    # Snooze > its first choice: the next prompt moves 9 s on, and comes then.
    menu("Snooze", duration(0.15 * 60, exact=True))
    wait_until(
        lambda: status()["state"] == "snoozed", 10, "the snooze from the menu", process=process
    )
    due = datetime.fromisoformat(status()["next_prompt"]).timestamp() - time.time()
    assert 0 < due <= 0.15 * 60 + 1, due
    desktop.wait_for_notifications(2, 30, "Time to stretch", process)

    # Start routine > Desk break: each step arrives in order, then the end of the routine.
    menu("Start routine", catalogue.routine("desk").name)
    desk_routine = catalogue.routine("desk")
    done = desktop.wait_for_notifications(1, 60, f"{desk_routine.name}: done", process)
    received = desktop.notifications()
    steps = [n for n in received if n["summary"].startswith("Step ")]
    count = len(desk_routine.steps)
    assert [n["summary"].split(":")[0] for n in steps] == [
        f"Step {i} of {count}" for i in range(1, count + 1)
    ]
    assert received.index(done[0]) > max(received.index(n) for n in steps)

    # Quit: the program ends cleanly.
    menu("Quit")
    assert process.finish(timeout=15) == 0
    assert "stopped" in daemon_log(desktop).read_text()
    said = process.stderr_text()
    assert "Traceback" not in said
    # Only psoas's own lines reach the terminal: none of the toolkit's (Gdk-CRITICAL...).
    assert not re.search(r"\b(Gdk|Gtk|GLib)[-\w]*-(CRITICAL|WARNING|Message)", said), said


def test_on_a_status_notifier_panel_the_menu_snoozes_runs_a_routine_and_quits(
    desktop: Desktop, catalogue
):
    """The Linux tray: psoas's StatusNotifierItem on a real panel (status-notifier-watcher and
    gtk-sni-tray-standalone), its menu read from the bus and clicked by label as a person would;
    what each click did is read back from ``psoas status --json``."""
    desktop.start_sni_host()
    desktop.start_dunst()
    process = start_psoas(desktop, FAST)
    wait_until(lambda: desktop.sni_items(), 15, "psoas's item on the panel", process=process)
    _, box = icon_on_screen(desktop, "sni-psoas-icon")
    assert box[2] - box[0] <= 32

    def status() -> dict:
        return json.loads(psoas(desktop.env, "status", "--json").stdout)

    assert status()["tray"] == "StatusNotifierItem"
    desktop.wait_for_notifications(1, 30, "Time to stretch", process)
    choose_in_panel(desktop, "Snooze", duration(0.15 * 60, exact=True))
    wait_until(
        lambda: status()["state"] == "snoozed", 10, "the snooze from the menu", process=process
    )

    choose_in_panel(desktop, "Start routine", catalogue.routine("desk").name)
    wait_until(
        lambda: status()["routine"] == "desk", 10, "the routine from the menu", process=process
    )
    choose_in_panel(desktop, "Pause routine")
    wait_until(
        lambda: "paused" in desktop_tooltip(desktop), 10, "the routine paused", process=process
    )
    choose_in_panel(desktop, "Stop routine")
    wait_until(lambda: status()["routine"] is None, 10, "the routine stopped", process=process)

    choose_in_panel(desktop, "Quit")
    assert process.finish(timeout=15) == 0
    assert "Traceback" not in process.stderr_text()


def desktop_tooltip(desk: Desktop) -> str:
    """The item's tooltip text as the panel reads it."""
    (name,) = desk.sni_items()
    done = desk.run(
        "dbus-send",
        "--session",
        "--print-reply",
        f"--dest={name}",
        "/StatusNotifierItem",
        "org.freedesktop.DBus.Properties.Get",
        "string:org.kde.StatusNotifierItem",
        "string:ToolTip",
    )
    return done.stdout


def test_without_a_tray_host_it_says_so_once_and_shows_when_a_panel_starts(desktop: Desktop):
    desktop.start_dunst()  # a notification server, but nothing to show a tray icon
    process = start_psoas(desktop, FAST)
    desktop.wait_for_notifications(1, 30, "Time to stretch", process)
    wait_until(
        lambda: "no tray host" in process.stderr_text(), 10, "'no tray host' said", process=process
    )
    desktop.start_sni_host()
    wait_until(lambda: desktop.sni_items(), 15, "the item on the new panel", process=process)
    icon_on_screen(desktop, "sni-late-panel")
    wait_until(
        lambda: "a tray host is here" in process.stderr_text(),
        10,
        "the icon said back",
        process=process,
    )
    process.terminate()
    assert process.finish(timeout=15) == 0, process.stderr_text()[-3000:]
    output = process.stderr_text()
    assert output.count("no tray host") == 1 and "Traceback" not in output


def test_snooze_choices_the_check_accepts_run_on_the_panel_each_its_own_item(
    desktop: Desktop, tmp_path
):
    """Two snooze choices a hair apart: ``psoas config check`` accepts them, as they read
    differently (5 min and 5 min 1 s); psoas runs with its tray on a StatusNotifierItem panel
    and shows both, and each does what it says. (Once, both were keyed 'snooze/5.00833' and
    psoas run died building its menu.)"""
    text = "snooze_minutes = [5.008333, 5.0083337]\nsit_minutes = 60\n" + EVERY_DAY
    config = tmp_path / "near.toml"
    config.write_text(text)
    checked = psoas(desktop.env, "config", "check", str(config))
    assert checked.returncode == 0, checked.stderr
    desktop.start_sni_host()
    process = start_psoas(desktop, text)
    wait_until(lambda: desktop.sni_items(), 15, "psoas's item on the panel", process=process)
    (snooze,) = [entry for entry in sni_menu(desktop) if entry.label == "Snooze"]
    assert [entry.label for entry in snooze.children] == ["5 min", "5 min 1 s"]
    choose_in_panel(desktop, "Snooze", "5 min 1 s")

    def snoozed_for() -> float | None:
        status = json.loads(psoas(desktop.env, "status", "--json").stdout)
        if status["state"] != "snoozed" or status["next_prompt"] is None:
            return None
        return datetime.fromisoformat(status["next_prompt"]).timestamp() - time.time()

    left = wait_until(snoozed_for, 10, "the snooze from the menu", process=process)
    assert 290 < left <= 301, left  # 5.0083337 minutes, give or take the click
    choose_in_panel(desktop, "Quit")
    assert process.finish(timeout=15) == 0
    assert "Traceback" not in process.stderr_text()
