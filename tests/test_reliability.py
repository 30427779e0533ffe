"""Attacks on psoas: broken input by the thousand, parts that vanish, signals at random moments."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import resource
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, desktop_fixture, wait_until  # noqa: F401
from e2e import (
    choose,
    choose_in_panel,
    icon_on_screen,
    keys_to,
    log_events,
    model_menu,
    open_menu,
    psoas,
    start_headless,
    start_psoas,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reminder.cli import main


def run_cli(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    return code, err.getvalue()


# Thousands of examples per run; tmp_path is shared between examples, which is fine here.
fuzzed = settings(
    max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

_toml_bits = st.sampled_from(
    [
        "sit_minutes",
        "break_minutes",
        "repeat_minutes",
        "snooze_minutes",
        "[hours]",
        "[stretches]",
        "days",
        "start",
        "end",
        "place",
        "exclude",
        "idle_source",
        "routine_pace",
        "=",
        " = ",
        "\n",
        '"',
        "'",
        "[",
        "]",
        "{",
        "}",
        ",",
        "0",
        "-1",
        "1e400",
        "nan",
        "true",
        '"09:00"',
        '"mon"',
        "0.5",
        "[5, 15]",
        "#",
        "\x00",
        "é",
        "\\u0000",
    ]
)


@fuzzed
@given(st.lists(_toml_bits, max_size=30).map("".join))
def test_thousands_of_broken_configs_give_one_line_and_exit_2(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    code, err = run_cli("config", "check", str(path))
    if code != 0:
        assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
        assert str(path) in err


_scenario_bits = st.sampled_from(
    [
        "09:00",
        "10:30:15",
        "25:00",
        "9am",
        "active",
        "away",
        "lock",
        "unlock",
        "suspend",
        "resume",
        "snooze",
        "done",
        "skip",
        "routine",
        "desk",
        "yoga",
        "pause",
        "30",
        "-4",
        "resume-reminders",
        "end",
        "date",
        "2026-11-24",
        "2026-02-30",
        " ",
        "\n",
        "#",
        "\t",
    ]
)


@fuzzed
@given(st.lists(_scenario_bits, max_size=25).map(" ".join))
def test_thousands_of_broken_scenarios_give_one_line_and_exit_2(tmp_path, text):
    path = tmp_path / "day.txt"
    path.write_text(text)
    code, err = run_cli("simulate", str(path))
    if code != 0:
        assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
        assert str(path) in err


FAST = (
    'sit_minutes = 0.05\nrepeat_minutes = 0.05\nbreak_minutes = 10\nidle_source = "none"\n'
    + EVERY_DAY
)


@pytest.mark.desktop
def test_the_notification_server_vanishes_and_returns_without_lost_prompts(desktop: Desktop):
    desktop.start_dunst()
    psoas = start_psoas(desktop, FAST, "--headless")
    desktop.wait_for_notifications(2, 30, "Time to stretch")
    desktop.stop_dunst()
    wait_until(
        lambda: "Time to stretch" in psoas.stderr_text().split("failed")[-1],
        30,
        "a prompt in the terminal while the server is gone",
    )
    desktop.start_dunst()
    before = len(desktop.notifications())
    wait_until(lambda: len(desktop.notifications()) > before, 30, "prompts back on the desktop")
    psoas.terminate()
    assert psoas.finish(timeout=15) == 0
    output = psoas.stderr_text()
    assert output.count("desktop notifications failed") == 1
    assert output.count("desktop notifications work again") == 1
    # Every prompt the core made reached the desktop or the terminal: none lost, none doubled.
    prompts = len(log_events(desktop, "PromptShown"))
    on_desktop = len([n for n in desktop.notifications() if "Time to stretch" in n["summary"]])
    in_terminal = output.count("psoas: Time to stretch")
    assert on_desktop + in_terminal == prompts


@pytest.mark.desktop
def test_the_tray_panel_restarts_and_the_item_comes_back(desktop: Desktop):
    """The StatusNotifierItem panel (watcher and host) killed and started again, as a desktop
    restarts its panel: psoas goes on, its item registers with the new watcher, the new panel
    draws it, and its menu still quits psoas."""
    desktop.start_sni_host()
    desktop.start_dunst()
    process = start_psoas(desktop, FAST)
    wait_until(lambda: desktop.sni_items(), 15, "the item on the panel")
    desktop.wait_for_notifications(1, 30, "Time to stretch")
    for part in (desktop.sni_host, desktop.sni_watcher):
        part.kill()
        part.wait()
    desktop.sni_host = desktop.sni_watcher = None
    count = len(desktop.notifications())
    desktop.wait_for_notifications(count + 2, 30, "")  # prompts go on
    assert process.poll() is None
    desktop.start_sni_host()
    wait_until(lambda: desktop.sni_items(), 15, "the item on the new panel")
    icon_on_screen(desktop, "sni-after-panel-restart")
    choose_in_panel(desktop, "Quit")
    assert process.finish(timeout=15) == 0
    assert "Traceback" not in process.stderr_text()


@pytest.mark.desktop
def test_the_xembed_tray_host_restarts_and_a_new_icon_docks(desktop: Desktop, catalogue):
    desktop.start_tray_host()
    desktop.start_dunst()
    process = start_psoas(desktop, FAST)
    desktop.find_window("psoas")
    first_icon = icon_windows(desktop)
    desktop.wait_for_notifications(1, 30, "Time to stretch")
    for part in desktop.processes:
        if part.args[0] == "trayer":
            part.kill()
            part.wait()
    desktop.start_tray_host()
    count = len(desktop.notifications())
    desktop.wait_for_notifications(count + 2, 30, "")  # prompts go on
    assert process.poll() is None
    # A new icon docks in the new tray host, and its menu answers: Quit ends psoas.
    wait_until(lambda: icon_windows(desktop) - first_icon, 15, "the icon in the new trayer")
    entries = model_menu(desktop, catalogue, FAST)
    open_menu(desktop)
    choose(desktop, *keys_to(entries, "Quit"))
    assert process.finish(timeout=15) == 0


@pytest.mark.desktop
def test_a_frozen_notification_server_never_holds_up_the_tray_daemon(desktop: Desktop):
    """dunst stopped with SIGSTOP (it takes calls and never answers) while the tray daemon is
    asked for routines and its status: every answer comes at once, the daemon lives on, and
    once dunst runs again the prompts reach it again. This once aborted on heap corruption."""
    desktop.start_tray_host()
    dunst = desktop.start_dunst()
    process = start_psoas(desktop, FAST)
    desktop.find_window("psoas")
    desktop.wait_for_notifications(1, 30, "Time to stretch")
    os.kill(dunst.pid, signal.SIGSTOP)
    try:
        for args in (("routine", "desk"), ("routine", "floor"), ("status", "--json")) * 3:
            asked = time.monotonic()
            answer = psoas(desktop.env, *args, timeout=10)
            assert answer.returncode == 0, (args, answer.stderr)
            assert time.monotonic() - asked < 3, (args, time.monotonic() - asked)
        assert json.loads(psoas(desktop.env, "status", "--json").stdout)["routine"] == "floor"
        wait_until(lambda: "Step " in process.stderr_text(), 15, "steps in the terminal")
        status = json.loads(psoas(desktop.env, "status", "--json").stdout)
        assert status["notifier"] == "terminal"  # each note waited half a second, no more
    finally:
        os.kill(dunst.pid, signal.SIGCONT)
    before = len(desktop.notifications())
    wait_until(lambda: len(desktop.notifications()) > before, 60, "notifications back on dunst")
    assert process.poll() is None
    assert psoas(desktop.env, "quit").returncode == 0
    assert process.finish(timeout=15) == 0
    assert "Traceback" not in process.stderr_text() and "malloc" not in process.stderr_text()


@pytest.mark.desktop
def test_the_session_bus_going_away_costs_the_popups_not_the_reminder(desktop: Desktop):
    desktop.start_dunst()
    process = start_psoas(desktop, FAST, "--headless")
    desktop.wait_for_notifications(1, 30, "Time to stretch")
    (bus,) = [p for p in desktop.processes if p.args[0] == "dbus-daemon"]
    bus.kill()
    bus.wait(5)
    wait_until(lambda: "lost the D-Bus session bus" in process.stderr_text(), 15, "the loss said")
    wait_until(
        lambda: "psoas: Time to stretch" in process.stderr_text(), 30, "prompts in the terminal"
    )
    assert process.poll() is None
    status = json.loads(psoas(desktop.env, "status", "--json").stdout)
    assert status["notifier"] == "terminal"
    assert psoas(desktop.env, "quit").returncode == 0
    assert process.finish(timeout=15) == 0
    output = process.stderr_text()
    assert output.count("lost the D-Bus session bus") == 1 and "Traceback" not in output, output


def icon_windows(desk: Desktop) -> set[str]:
    """The visible psoas tray icon windows now."""
    return set(desk.run("xdotool", "search", "--onlyvisible", "--class", "psoas").stdout.split())


def quiet_home(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment with its own home and no desktop: psoas runs headless and prints prompts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "DBUS_", "DISPLAY"))}
    return env | {
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(tmp_path),
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/none",
        **extra,
    }


def test_an_unwritable_data_folder_costs_the_history_not_the_reminder(tmp_path):
    (tmp_path / "data").write_text("a file where the data folder should be")
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    env = quiet_home(
        tmp_path, XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state")
    )
    daemon = start_headless(config, env)
    time.sleep(8)
    daemon.terminate()
    _, err = daemon.communicate(timeout=15)
    assert daemon.returncode == 0, err
    assert err.count("no history this time") == 1
    assert err.count("Time to stretch") >= 2


def test_a_full_disk_loses_no_prompt_and_no_history(tmp_path):
    """The file size limit stands in for a full disk: every write to the history and the log
    fails (EFBIG) until it is lifted, which a real full disk would do with ENOSPC."""
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    daemon = start_headless(config, quiet_home(tmp_path))
    database = tmp_path / ".local" / "share" / "psoas" / "history.sqlite3"
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(daemon.stderr), daemon=True)
    reader.start()

    def prompts() -> int:
        return sum("Time to stretch" in line for line in list(lines))

    wait_until(prompts, 15, "the first prompt")
    time.sleep(0.5)  # let the history take it
    resource.prlimit(daemon.pid, resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))
    full_from = prompts()
    wait_until(lambda: prompts() >= full_from + 3, 20, "prompts while the disk is full")
    assert daemon.poll() is None
    resource.prlimit(daemon.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)
    wait_until(
        lambda: any("history is written again" in line for line in list(lines)),
        20,
        "the history written again",
    )
    daemon.terminate()
    daemon.wait(timeout=15)
    reader.join(5)
    err = "".join(lines)
    assert daemon.returncode == 0, err
    assert "Traceback" not in err and "Logging error" not in err
    assert err.count("cannot write the history") == 1
    assert err.count("cannot write the log file") == 1
    assert err.count("is written again") == 2  # the log file, then the history
    with sqlite3.connect(database) as db:
        recorded = db.execute("SELECT count(*) FROM events WHERE kind = 'prompt'").fetchone()
    assert recorded[0] == prompts()  # every prompt shown is in the history


def test_signals_at_random_moments_leave_the_history_consistent(tmp_path):
    config = tmp_path / "fast.toml"
    config.write_text(
        'sit_minutes = 0.05\nrepeat_minutes = 0.05\nidle_source = "none"\n' + EVERY_DAY
    )
    env = quiet_home(tmp_path)
    rng = random.Random(5)
    database = tmp_path / ".local" / "share" / "psoas" / "history.sqlite3"
    seen = 0
    stops = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP] * 2  # HUP: a logout, a closed terminal
    rng.shuffle(stops)
    for round_, stop in enumerate(stops):
        daemon = start_headless(config, env)
        time.sleep(rng.uniform(0.3, 2.5))
        daemon.send_signal(stop)
        _, err = daemon.communicate(timeout=15)
        assert daemon.returncode == 0, (round_, err)
        assert "Traceback" not in err
        if database.exists():
            with sqlite3.connect(database) as db:
                assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
                count = db.execute("SELECT count(*) FROM events").fetchone()[0]
            assert count >= seen  # nothing recorded earlier went missing
            seen = count
    assert seen > 0
