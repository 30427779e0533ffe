"""The command line end to end, through a real subprocess, as a user runs it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from e2e import psoas, start_headless


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """An environment with a private home: no config, logs and cache in tmp, no desktop."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_", "DISPLAY"))}
    env.pop("WAYLAND_DISPLAY", None)
    env |= {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-bus",
        "PYTHONUNBUFFERED": "1",
    }
    return env


def assert_one_line_error(result: subprocess.CompletedProcess[str], *names: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for name in names:
        assert name in lines[0], (name, lines[0])


def test_help_explains_every_command(home):
    top = psoas(home, "--help")
    assert top.returncode == 0
    for command in ("run", "simulate", "stretches", "routines", "config"):
        assert command in top.stdout
        sub = psoas(home, command, "--help")
        assert sub.returncode == 0 and len(sub.stdout.splitlines()) > 3, command
    assert "not medical advice" in top.stdout


def test_simulate_prints_a_json_line_per_notification(home, tmp_path):
    scenario = tmp_path / "day.txt"
    scenario.write_text("# a morning\n09:00 active\n10:05 done\n11:06 end\n")
    result = psoas(home, "simulate", str(scenario))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["time"], r["kind"], r["sitting_minutes"]) for r in records] == [
        ("10:00:00", "prompt", 60),
        ("11:05:00", "prompt", 60),
    ]
    assert records[0]["stretch"] != records[1]["stretch"]


def test_simulate_uses_the_config_given(home, tmp_path):
    scenario = tmp_path / "day.txt"
    scenario.write_text("09:00 active\n09:30 end\n")
    config = tmp_path / "quick.toml"
    config.write_text("sit_minutes = 20\nrepeat_minutes = 0\n")
    result = psoas(home, "simulate", str(scenario), "--config", str(config))
    assert [json.loads(line)["time"] for line in result.stdout.splitlines()] == ["09:20:00"]


def test_a_malformed_scenario_line_is_named(home, tmp_path):
    scenario = tmp_path / "day.txt"
    scenario.write_text("09:00 active\n09:10 sleep\n10:00 end\n")
    assert_one_line_error(psoas(home, "simulate", str(scenario)), "day.txt", "line 2", "sleep")
    scenario.write_text("09:00 active\n25:10 away\n")
    assert_one_line_error(psoas(home, "simulate", str(scenario)), "line 2", "25:10")


def test_a_broken_config_is_one_line_and_exit_2(home, tmp_path):
    scenario = tmp_path / "day.txt"
    scenario.write_text("09:00 active\n10:00 end\n")
    config = tmp_path / "bad.toml"
    config.write_text("sit_minute = 30\n")
    result = psoas(home, "simulate", str(scenario), "--config", str(config))
    assert_one_line_error(result, "bad.toml", "sit_minute", "sit_minutes")
    assert_one_line_error(psoas(home, "config", "check", str(config)), "bad.toml")
    missing = tmp_path / "nope.toml"
    assert_one_line_error(psoas(home, "run", "--headless", "--config", str(missing)), "nope.toml")


def test_usage_mistakes_are_one_line_and_exit_2(home):
    assert_one_line_error(psoas(home, "simulate"), "SCENARIO")
    assert_one_line_error(psoas(home, "frobnicate"), "frobnicate")
    assert_one_line_error(psoas(home, "config"), "init")


def test_config_init_writes_the_example_once_and_check_accepts_it(home, tmp_path):
    path = psoas(home, "config", "path").stdout.strip()
    assert path.startswith(str(tmp_path / "config"))
    first = psoas(home, "config", "init")
    assert first.returncode == 0 and Path(path).exists()
    Path(path).write_text(Path(path).read_text() + "\n# mine\n")
    again = psoas(home, "config", "init")
    assert again.returncode != 0 and "exist" in again.stderr
    assert Path(path).read_text().endswith("# mine\n")  # never overwritten
    check = psoas(home, "config", "check")
    assert check.returncode == 0 and "sit 60 min" in check.stdout


def test_stretches_and_routines_as_json_carry_every_field(home, catalogue):
    stretches = json.loads(psoas(home, "stretches", "--json").stdout)
    assert [s["id"] for s in stretches["stretches"]] == list(catalogue.stretches)
    assert "Lettenberger" in stretches["credits"]
    routines = json.loads(psoas(home, "routines", "--json").stdout)
    assert {r["id"] for r in routines["routines"]} >= {"desk", "floor", "warm-up", "cool-down"}
    text = psoas(home, "stretches").stdout
    assert all(s.name in text for s in catalogue.stretches.values())
    assert "not medical advice" in text


def test_headless_daemon_falls_back_to_the_terminal_and_stops_on_sigterm(home, tmp_path):
    config = tmp_path / "fast.toml"
    config.write_text(
        'sit_minutes = 0.05\nbreak_minutes = 1\nrepeat_minutes = 0.05\nidle_source = "none"\n'
        + EVERY_DAY
    )
    process = start_headless(config, home)
    try:
        deadline = time.monotonic() + 30
        log = tmp_path / "state" / "psoas" / "log" / "psoas.log"
        while time.monotonic() < deadline:
            if log.exists() and log.read_text().count("PromptShown") >= 2:
                break
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    # No session bus at all: said once, then the prompts come to the terminal.
    assert stderr.count("to the terminal") == 1, stderr
    assert stderr.count("Time to stretch") >= 2
    assert "stopped" in log.read_text()
