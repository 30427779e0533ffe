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
import time
from functools import partial
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, wait_until
from e2e import (
    choose,
    choose_in_panel,
    history,
    icon_on_screen,
    in_process,
    keys_to,
    model_menu,
    open_menu,
    psoas,
    recorded,
    saved_clock,
    start_headless,
    start_psoas,
    stop,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reminder.catalogue.loader import load_catalogue
from reminder.cli.main import main
from reminder.config import ConfigError, load_config
from reminder.core import events as ev
from reminder.replay.scenario import ScenarioError, load_scenario

CATALOGUE = load_catalogue()
STRETCH_IDS = list(CATALOGUE.stretches)
DESK_IDS = [stretch.id for stretch in CATALOGUE.allowed("desk", ())]
ROUTINE_IDS = list(CATALOGUE.routines)


def run_cli(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    return code, err.getvalue()


# Broken files by the thousand go to the loaders (what reads a file the user names, a few
# milliseconds each); a few dozen of them go through the whole command line, which adds only the
# wiring of a loader's error to one line on stderr and exit status 2. tmp_path is shared between
# the examples of a test, which is fine here: each writes its file afresh.
thousands = settings(
    max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
dozens = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
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


_broken_configs = st.lists(_toml_bits, max_size=30).map("".join)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


@pytest.mark.slow
@thousands
@given(_broken_configs)
def test_thousands_of_broken_configs_are_one_line_naming_the_file(tmp_path, text):
    path = _write(tmp_path / "config.toml", text)
    try:
        load_config(path, stretch_ids=STRETCH_IDS, desk_ids=DESK_IDS)
    except ConfigError as error:
        assert str(error).startswith(f"{path}: ") and "\n" not in str(error), str(error)


@pytest.mark.slow
@dozens
@given(_broken_configs)
def test_a_broken_config_on_the_command_line_is_one_line_and_exit_2(tmp_path, text):
    path = _write(tmp_path / "config.toml", text)
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


_broken_scenarios = st.lists(_scenario_bits, max_size=25).map(" ".join)


@pytest.mark.slow
@thousands
@given(_broken_scenarios)
def test_thousands_of_broken_scenarios_are_one_line_naming_the_file(tmp_path, text):
    path = _write(tmp_path / "day.txt", text)
    try:
        load_scenario(path, ROUTINE_IDS)
    except ScenarioError as error:
        assert str(error).startswith(f"{path}") and "\n" not in str(error), str(error)


@pytest.mark.slow
@dozens
@given(_broken_scenarios)
def test_a_broken_scenario_on_the_command_line_is_one_line_and_exit_2(tmp_path, text):
    path = _write(tmp_path / "day.txt", text)
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
    desktop.wait_for_notifications(2, 30, "Time to stretch", psoas)
    desktop.stop_dunst()
    wait_until(
        lambda: "Time to stretch" in psoas.stderr_text().split("failed")[-1],
        30,
        "a prompt in the terminal while the server is gone",
        process=psoas,
    )
    desktop.start_dunst()
    before = len(desktop.notifications())
    wait_until(
        lambda: len(desktop.notifications()) > before,
        30,
        "prompts back on the desktop",
        process=psoas,
    )
    psoas.terminate()
    assert psoas.finish(timeout=15) == 0
    output = psoas.stderr_text()
    assert output.count("desktop notifications failed") == 1
    assert output.count("desktop notifications work again") == 1
    # Every prompt the core made (each is in the history) reached the desktop or the terminal:
    # none lost, none doubled. The one still out when the server came back is shown on it again.
    prompts = len(recorded(desktop, ev.PromptShown))
    on_desktop = len([n for n in desktop.notifications() if "Time to stretch" in n["summary"]])
    in_terminal = output.count("psoas: Time to stretch")
    again = output.count("a new notification server: 'Time to stretch")
    assert again <= 1, output  # none, if a new prompt was on its way to the new server
    assert on_desktop + in_terminal == prompts + again


@pytest.mark.desktop
def test_the_tray_panel_restarts_and_the_item_comes_back(desktop: Desktop):
    """The StatusNotifierItem panel (watcher and host) killed and started again, as a desktop
    restarts its panel: psoas goes on, its item registers with the new watcher, the new panel
    draws it, and its menu still quits psoas."""
    desktop.start_sni_host()
    desktop.start_dunst()
    process = start_psoas(desktop, FAST)
    wait_until(lambda: desktop.sni_items(), 15, "the item on the panel", process=process)
    desktop.wait_for_notifications(1, 30, "Time to stretch", process)
    for part in (desktop.sni_host, desktop.sni_watcher):
        part.kill()
        part.wait()
    desktop.sni_host = desktop.sni_watcher = None
    count = len(desktop.notifications())
    desktop.wait_for_notifications(count + 2, 30, "", process)  # prompts go on
    assert process.poll() is None
    desktop.start_sni_host()
    wait_until(lambda: desktop.sni_items(), 15, "the item on the new panel", process=process)
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
    desktop.wait_for_notifications(1, 30, "Time to stretch", process)
    for part in desktop.processes:
        if part.args[0] == "trayer":
            part.kill()
            part.wait()
    desktop.start_tray_host()
    count = len(desktop.notifications())
    desktop.wait_for_notifications(count + 2, 30, "", process)  # prompts go on
    assert process.poll() is None
    # A new icon docks in the new tray host, and its menu answers: Quit ends psoas.
    wait_until(
        lambda: icon_windows(desktop) - first_icon,
        15,
        "the icon in the new trayer",
        process=process,
    )
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
    desktop.wait_for_notifications(1, 30, "Time to stretch", process)
    os.kill(dunst.pid, signal.SIGSTOP)
    try:
        # Routines started and stopped (one runs at a time), the last one left running.
        round_ = [("routine", "desk"), ("routine", "--stop"), ("routine", "floor"), ("status",)]
        for args in [*round_, ("routine", "--stop")] * 2 + round_:
            asked = time.monotonic()
            answer = psoas(desktop.env, *args, timeout=10)
            assert answer.returncode == 0, (args, answer.stderr)
            assert time.monotonic() - asked < 3, (args, time.monotonic() - asked)
        asked = time.monotonic()
        refused = psoas(desktop.env, "routine", "desk", timeout=10)  # one is under way
        assert refused.returncode == 1 and time.monotonic() - asked < 3, refused
        assert json.loads(psoas(desktop.env, "status", "--json").stdout)["routine"] == "floor"
        wait_until(  # the terminal's own lines ("psoas: Step 1 of 4: ..."), not the log's
            lambda: "psoas: Step " in process.stderr_text(),
            15,
            "steps in the terminal",
            process=process,
        )
        status = json.loads(psoas(desktop.env, "status", "--json").stdout)
        assert status["notifier"] == "terminal"  # each note waited 1 s, then 5 s aside, no more
    finally:
        os.kill(dunst.pid, signal.SIGCONT)
    before = len(desktop.notifications())
    wait_until(
        lambda: len(desktop.notifications()) > before,
        60,
        "notifications back on dunst",
        process=process,
    )
    assert process.poll() is None
    assert psoas(desktop.env, "quit").returncode == 0
    assert process.finish(timeout=15) == 0
    assert "Traceback" not in process.stderr_text() and "malloc" not in process.stderr_text()


@pytest.mark.desktop
def test_the_session_bus_going_away_costs_the_popups_not_the_reminder(desktop: Desktop):
    desktop.start_dunst()
    process = start_psoas(desktop, FAST, "--headless")
    desktop.wait_for_notifications(1, 30, "Time to stretch", process)
    (bus,) = [p for p in desktop.processes if p.args[0] == "dbus-daemon"]
    bus.kill()
    bus.wait(5)
    wait_until(
        lambda: "lost the D-Bus session bus" in process.stderr_text(),
        15,
        "the loss said",
        process=process,
    )
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


@pytest.mark.slow
def test_on_a_bare_machine_psoas_notifies_in_the_terminal_and_stops_on_sigterm(
    private_env, tmp_path
):
    """No session bus and no data folder it can create: each loss is said once, and the
    reminder goes on in the terminal, prompts and commands alike, until SIGTERM stops it."""
    private_env.data.write_text("a file where the data folder should be")
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    daemon = start_headless(config)
    try:
        wait_until(
            lambda: "Time to stretch" in daemon.stderr_text(), 30, "a prompt", process=daemon
        )
        # A second notification at once, not 3 s later: a routine's first step.
        assert in_process("routine", "desk").returncode == 0
        wait_until(lambda: "Step 1 of 4" in daemon.stderr_text(), 10, "a step", process=daemon)
    finally:
        code = stop(daemon)
    err = daemon.stderr_text()
    assert code == 0, err
    assert "Traceback" not in err
    assert err.count("to the terminal") == 1, err  # no session bus
    assert err.count("no history this time") == 1, err
    assert "psoas: Time to stretch" in err and "psoas: Step 1 of 4" in err
    assert "stopped" in private_env.log.read_text()


@pytest.mark.slow
def test_without_a_session_bus_psoas_run_says_in_one_line_all_it_costs(private_env, tmp_path):
    """psoas run wants a tray; with no session bus the line says there is none and where the
    notifications go, once, without the connection's own error; no idle source is its own line."""
    config = tmp_path / "psoas.toml"
    config.write_text("sit_minutes = 60\n")
    daemon = start_headless(config, tray=True)
    sock = private_env.runtime / "psoas" / "psoas.sock"
    try:
        wait_until(sock.exists, 20, "the control socket", process=daemon)
    finally:
        code = stop(daemon)
    lines = daemon.stderr_text().splitlines()
    assert code == 0, lines
    assert [line for line in lines if "bus" in line or "tray" in line or "Errno" in line] == [
        "psoas: no D-Bus session bus: no tray icon, and notifications go to the terminal"
    ]
    assert lines.count("psoas: no idle source: every minute psoas runs counts as sitting") == 1
    assert "no such file" in private_env.log.read_text().lower()  # the cause, in the log file


@pytest.mark.slow
def test_a_full_disk_loses_no_prompt_and_no_history(private_env, tmp_path):
    """The file size limit stands in for a full disk: every write to the history and the log
    fails (EFBIG) until it is lifted, which a real full disk would do with ENOSPC."""
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    # What it says goes through a pipe: a file would fill up with the rest.
    daemon = start_headless(config, piped=True)

    # The history written once (the sitting clock saved after the first look), then the disk fills.
    wait_until(lambda: saved_clock(private_env.data), 15, "the first write", process=daemon)
    resource.prlimit(daemon.pid, resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))
    wait_until(lambda: "Time to stretch" in daemon.stderr_text(), 20, "a prompt", process=daemon)
    assert in_process("pause", "1").returncode == 0  # another event to keep while it is full
    resource.prlimit(daemon.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)
    assert in_process("snooze", "5").returncode == 0  # something to write now, with the rest
    wait_until(
        lambda: daemon.stderr_text().count("is written again") == 2,
        20,
        "the log and the history written again",
        process=daemon,
    )
    assert stop(daemon) == 0, daemon.stderr_text()
    err = daemon.stderr_text()
    assert "Traceback" not in err and "Logging error" not in err
    assert err.count("cannot write the history") == 1
    assert err.count("cannot write the log file") == 1
    assert err.count("is written again") == 2  # the log file, then the history
    # Every prompt shown is in the history, and so is everything else said while it was full.
    assert len(recorded(private_env.data, ev.PromptShown)) == err.count("Time to stretch") >= 1
    assert [type(e) for e in history(private_env.data)][-2:] == [ev.Paused, ev.Snoozed]


def catches(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has a handler of its own for ``signum`` (its SigCgt mask)."""
    try:
        status_lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return False
    caught = next((line.split()[1] for line in status_lines if line.startswith("SigCgt:")), "0")
    return bool(int(caught, 16) >> (signum - 1) & 1)


@pytest.mark.slow
def test_signals_at_random_moments_leave_the_history_consistent(private_env, tmp_path):
    config = tmp_path / "fast.toml"
    config.write_text(
        'sit_minutes = 0.05\nrepeat_minutes = 0.05\nidle_source = "none"\n' + EVERY_DAY
    )
    rng = random.Random(5)
    database = private_env.history
    seen = 0
    stops = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP] * 2  # HUP: a logout, a closed terminal
    rng.shuffle(stops)
    for round_, stop_with in enumerate(stops):
        daemon = start_headless(config)
        # From the moment psoas takes the signal (before that, Python's start is the kernel's
        # to end), then at a random moment of its loading or running.
        wait_until(partial(catches, daemon.pid, stop_with), 15, "psoas to take the signal")
        time.sleep(rng.uniform(0.0, 2.2))
        code = stop(daemon, stop_with)
        err = daemon.stderr_text()
        assert code == 0, (round_, err)
        assert "Traceback" not in err
        if database.exists():
            with sqlite3.connect(database) as db:
                assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
                count = db.execute("SELECT count(*) FROM events").fetchone()[0]
            assert count >= seen  # nothing recorded earlier went missing
            seen = count
    assert seen > 0
