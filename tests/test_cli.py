"""The command line as a user runs it: ``main()`` in process for the one-shot commands, a real
process for ``python -m reminder`` itself. The daemon runs as a real process in
test_reliability.py (on a bare machine), test_control.py and test_restart.py."""

from __future__ import annotations

import gc
import json
import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest
from e2e import in_process, psoas

from reminder.config import TABLES, TOP_KEYS, example_text, parse_config
from reminder.replay.scenario import EVENTS, parse_scenario


def assert_one_line_error(result: subprocess.CompletedProcess[str], *names: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for name in names:
        assert name in lines[0], (name, lines[0])


@pytest.mark.slow
def test_help_explains_every_command(env):
    top = psoas(env, "--help")  # python -m reminder, as a user starts it
    assert top.returncode == 0, top.stderr
    for command in ("run", "simulate", "stretches", "routines", "config"):
        assert command in top.stdout
        sub = in_process(command, "--help")
        assert sub.returncode == 0 and len(sub.stdout.splitlines()) > 3, command
    assert "not medical advice" in top.stdout


def test_simulate_prints_a_json_line_per_notification(tmp_path):
    scenario = tmp_path / "day.txt"
    scenario.write_text("# a morning\n09:00 active\n10:05 done\n11:06 end\n")
    result = in_process("simulate", str(scenario))
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["time"], r["kind"], r["sitting_minutes"]) for r in records] == [
        ("10:00:00", "prompt", 60),
        ("11:05:00", "prompt", 60),
    ]
    assert records[0]["stretch"] != records[1]["stretch"]


def test_simulate_help_lists_every_event_a_scenario_may_use():
    text = in_process("simulate", "--help").stdout
    assert "events:" in text, text
    section = text.split("events:", 1)[1].split("\n\n", 1)[0]
    listed = re.findall(r"^  ([a-z-]+)(?: (\[?[A-Z]+\]?))?  ", section, re.MULTILINE)
    assert [name for name, _ in listed] == list(EVENTS)
    assert {"cancel-routine", "free"} <= {name for name, _ in listed}
    assert ("busy", "REASON") in listed
    # Each event, written as the help shows it, is one the parser takes.
    sample = {"DURATION": "1h30m", "NAME": "floor", "REASON": "call"}
    first = {"unlock": "lock", "resume": "suspend"}  # what must come before them
    for name, arg in listed:
        word = sample[arg.strip("[]")] if arg else ""
        lines = ["09:00 active", f"09:05 {first.get(name, 'active')}", f"09:10 {name} {word}"]
        lines += [] if name == "end" else ["10:00 end"]
        said = parse_scenario("\n".join(lines), "day.txt", ["floor"]).events[2]
        assert (said.name, said.arg) == (name, word or None)


def test_a_scenario_writes_durations_as_the_command_line_does(tmp_path):
    config = tmp_path / "quick.toml"
    config.write_text("sit_minutes = 20\nrepeat_minutes = 0\n")
    prompts = {}
    for pause in ("1h30m", "90", "1.5h", "90m"):
        scenario = tmp_path / "day.txt"
        scenario.write_text(f"09:00 active\n09:10 pause {pause}\n12:00 end\n")
        result = in_process("simulate", str(scenario), "--config", str(config))
        assert result.returncode == 0, result.stderr
        prompts[pause] = [json.loads(line)["time"] for line in result.stdout.splitlines()]
    assert len({tuple(times) for times in prompts.values()}) == 1, prompts
    assert min(prompts["90"]) >= "10:40:00"  # held back until the pause ends, not at 09:20
    scenario.write_text("09:00 active\n09:10 pause 8d\n12:00 end\n")
    refused = in_process("simulate", str(scenario), "--config", str(config))
    assert refused.returncode == 2
    assert refused.stderr.strip().endswith(
        "line 2: pause '8d' is not a duration; write e.g. 30m, 2h, 1h30m, 45 (minutes)"
    )


def test_simulate_uses_the_config_given(tmp_path):
    scenario = tmp_path / "day.txt"
    scenario.write_text("09:00 active\n09:30 end\n")
    config = tmp_path / "quick.toml"
    config.write_text("sit_minutes = 20\nrepeat_minutes = 0\n")
    result = in_process("simulate", str(scenario), "--config", str(config))
    assert [json.loads(line)["time"] for line in result.stdout.splitlines()] == ["09:20:00"]


def test_a_malformed_scenario_line_is_named(tmp_path):
    scenario = tmp_path / "day.txt"
    scenario.write_text("09:00 active\n09:10 sleep\n10:00 end\n")
    assert_one_line_error(in_process("simulate", str(scenario)), "day.txt", "line 2", "sleep")
    scenario.write_text("09:00 active\n25:10 away\n")
    assert_one_line_error(in_process("simulate", str(scenario)), "line 2", "25:10")


def test_a_broken_config_is_one_line_and_exit_2(tmp_path):
    scenario = tmp_path / "day.txt"
    scenario.write_text("09:00 active\n10:00 end\n")
    config = tmp_path / "bad.toml"
    config.write_text("sit_minute = 30\n")
    result = in_process("simulate", str(scenario), "--config", str(config))
    assert_one_line_error(result, "bad.toml", "sit_minute", "sit_minutes")
    assert_one_line_error(in_process("config", "check", str(config)), "bad.toml")
    missing = tmp_path / "nope.toml"
    assert_one_line_error(in_process("run", "--headless", "--config", str(missing)), "nope.toml")
    assert gc.isenabled()  # off while psoas loads to run, and on again when it does not start


def test_usage_mistakes_are_one_line_and_exit_2():
    assert_one_line_error(in_process("simulate"), "SCENARIO")
    assert_one_line_error(in_process("frobnicate"), "frobnicate")
    assert_one_line_error(in_process("config"), "init")


@pytest.mark.slow
def test_config_init_writes_the_example_once_and_check_accepts_it(tmp_path):
    path = in_process("config", "path").stdout.strip()
    assert path.startswith(str(tmp_path / "config"))
    first = in_process("config", "init")
    assert first.returncode == 0 and Path(path).exists()
    # It tells what the file is for where it is, never to copy it where it already is.
    header = Path(path).read_text().split("\n\n")[0]
    assert "copy" not in header.lower() and "psoas config check" in header, header
    Path(path).write_text(Path(path).read_text() + "\n# mine\n")
    again = in_process("config", "init")
    assert again.returncode != 0 and "exist" in again.stderr
    assert Path(path).read_text().endswith("# mine\n")  # never overwritten
    check = in_process("config", "check")
    assert check.returncode == 0 and "sit_minutes = 60" in check.stdout
    elsewhere = tmp_path / "my config.toml"
    written = in_process("config", "init", "--config", str(elsewhere))
    assert written.stdout.strip().endswith(f"psoas config check '{elsewhere}'")  # that file
    assert in_process("config", "check", str(elsewhere)).returncode == 0


@pytest.mark.slow
def test_the_hint_for_a_missing_config_file_creates_that_very_file(tmp_path):
    for missing in (
        tmp_path / "my cfg" / "work.toml",
        Path(in_process("config", "path").stdout.strip()),
    ):
        result = in_process("config", "check", str(missing))
        assert_one_line_error(result, str(missing), "no such config file")
        hint = re.search(r"\(create it: (psoas .*)\)$", result.stderr.strip())
        assert hint, result.stderr
        command = shlex.split(hint[1])
        assert in_process(*command[1:]).returncode == 0, command  # as the user would follow it
        assert in_process("config", "check", str(missing)).stdout.startswith(f"{missing}: ok")


def _keys(table: dict, prefix: str = "") -> list[str]:
    """Every key of a TOML document, dotted: 'sit_minutes', 'quiet.apps'."""
    return [
        found
        for key, value in table.items()
        for found in (
            _keys(value, f"{prefix}{key}.") if isinstance(value, dict) else [prefix + key]
        )
    ]


def test_config_check_shows_every_setting_and_they_read_back_as_the_same_config(tmp_path):
    example = Path(__file__).parent.parent / "config.example.toml"
    mine = tmp_path / "mine.toml"
    mine.write_text(
        'sit_minutes = 0.5\nroutine_pace = 1.5\nsnooze_minutes = [7.5]\n[hours]\nend = "24:00"\n'
        '[stretches]\nplace = "desk"\nexclude = ["raised-foot"]\n'
        '[quiet]\nwhen = ["call"]\napps = ["zoom", "teams"]\nrecheck_minutes = 0.25\n'
    )
    every = {*TOP_KEYS, *(f"{table}.{key}" for table, keys in TABLES.items() for key in keys)}
    assert set(_keys(tomllib.loads(example.read_text()))) == every
    assert example.read_text() == example_text()  # the shipped copy `psoas config init` writes
    for path in (example, mine):
        result = in_process("config", "check", str(path))
        assert result.returncode == 0, result.stderr
        first, *lines = result.stdout.splitlines()
        assert first == f"{path}: ok"
        shown = "\n".join(line.strip() for line in lines)
        assert set(_keys(tomllib.loads(shown))) == every, shown
        # What it shows is what the file sets: read as a config file, it is the same config.
        assert parse_config(shown, "shown") == parse_config(path.read_text(), "file"), shown
    marked = {line.split()[0] for line in lines if line.endswith("# default")}
    assert marked == {
        "break_minutes",
        "repeat_minutes",
        "idle_source",
        "sound",
        "language",
        "hours.days",
        "hours.start",
        "stretches.file",
        "desk.standing",
        "desk.standing_minutes",
        "coach.weekly_note",
    }


def test_stretches_and_routines_as_json_carry_every_field(catalogue):
    stretches = json.loads(in_process("stretches", "--json").stdout)
    assert [s["id"] for s in stretches["stretches"]] == list(catalogue.stretches)
    assert "Lettenberger" in stretches["credits"]
    routines = json.loads(in_process("routines", "--json").stdout)
    assert [r["id"] for r in routines["routines"]] == ["desk", "floor", "warm-up", "cool-down"]
    assert routines["routines"][0]["total_seconds"] == 135  # 4 holds of 30 s and 3 rests of 5 s
    text = in_process("stretches").stdout
    assert all(s.name in text for s in catalogue.stretches.values())
    assert "not medical advice" in text


def test_config_commands_say_what_they_did_in_a_sentence(tmp_path):
    none = in_process("config", "check")
    assert none.stdout.splitlines()[0] == (
        "No config file: psoas runs on the defaults (psoas config init writes one to edit)"
    )
    path = in_process("config", "path").stdout.strip()
    written = in_process("config", "init")
    assert written.stdout == f"Wrote {path}: edit it, then check it with psoas config check\n"
