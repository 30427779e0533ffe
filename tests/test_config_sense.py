"""Settings allowed one by one that make no sense together: ``psoas config check``, the start and
a reload each warn, naming both settings; psoas still runs on them as written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop_processes import wait_until
from e2e import in_process, psoas, start_headless, status

from reminder import words
from reminder.config import DEFAULTS, example_text, parse_config
from reminder.config.sense import config_warnings


def warnings_for(text: str) -> list[str]:
    return config_warnings(parse_config(text, "psoas.toml"))


def test_the_defaults_and_the_example_file_make_sense():
    assert config_warnings(DEFAULTS) == []
    assert warnings_for(example_text()) == []
    assert warnings_for("") == []


def test_config_check_warns_of_a_break_longer_than_the_sitting_and_still_says_ok(tmp_path):
    """The issue's own case: accepted before without a word."""
    config = tmp_path / "psoas.toml"
    config.write_text("break_minutes = 90\nsit_minutes = 30\n")
    checked = in_process("config", "check", str(config))
    assert checked.returncode == 0  # a warning, not a refusal
    assert checked.stdout.splitlines()[0] == f"{config}: ok"
    assert checked.stderr == (
        f"psoas: {config}: warning: break_minutes = 90 is not shorter than sit_minutes = 30: "
        "only a pause of 1 h 30 min counts as a break, so a prompt comes every 30 min however "
        "often you get up\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # break against sit: equal is already too long; just under is fine.
        ("sit_minutes = 30\nbreak_minutes = 30\n", ["break_minutes = 30 is not shorter than"]),
        ("sit_minutes = 30\nbreak_minutes = 29\n", []),
        (
            "sit_minutes = 3\n",
            [
                "break_minutes = 5 (the default) is not shorter than sit_minutes = 3",
                "repeat_minutes = 10 (the default) is longer than sit_minutes = 3",
                "snooze_minutes = [5, 15, 30] (the default) has 5, 15 and 30, longer than",
            ],
        ),
        # an unanswered prompt coming back later than a skipped one would
        (
            "repeat_minutes = 90\n",
            ["repeat_minutes = 90 is longer than sit_minutes = 60 (the default): a prompt left"],
        ),
        ("repeat_minutes = 60\n", []),
        ("repeat_minutes = 0\nsit_minutes = 1\nbreak_minutes = 0.5\nsnooze_minutes = [1]\n", []),
        # snoozes that put a prompt off for longer than a skip
        (
            "snooze_minutes = [5, 90, 120]\n",
            ["snooze_minutes = [5, 90, 120] has 90 and 120, longer than sit_minutes = 60"],
        ),
        ("snooze_minutes = [5, 60]\n", []),
        # working hours shorter than the sitting that brings a prompt
        (
            '[hours]\nstart = "09:00"\nend = "09:30"\n',
            ['hours.start = "09:00" (the default) and hours.end = "09:30" leave 30 min of'],
        ),
        ('[hours]\nstart = "23:30"\nend = "00:15"\n', ['hours.end = "00:15" leave 45 min of']),
        ('[hours]\nstart = "22:00"\nend = "06:00"\n', []),  # a night shift
        ('[hours]\nstart = "09:00"\nend = "09:00"\n', []),  # equal: all day
        # programs named that nothing looks for
        (
            '[quiet]\napps = ["zoom"]\nwhen = ["dnd", "call"]\n',
            ['quiet.apps = ["zoom"] but quiet.when = ["dnd", "call"] leaves out "apps"'],
        ),
        ('[quiet]\napps = ["zoom"]\nwhen = ["apps"]\n', []),
        ('[quiet]\nwhen = ["dnd"]\n', []),  # no apps named: nothing lost
    ],
)
def test_each_pair_that_works_against_the_other_is_named(text, expected):
    found = warnings_for(text)
    assert len(found) == len(expected), found
    for warning, start in zip(found, expected, strict=True):
        assert start in warning, warning
        assert "\n" not in warning


def test_several_at_once_each_get_a_line():
    found = warnings_for("sit_minutes = 10\nbreak_minutes = 20\nrepeat_minutes = 30\n")
    assert [w.split(" is ")[0].split(" has ")[0] for w in found] == [
        "break_minutes = 20",
        "repeat_minutes = 30",
        "snooze_minutes = [5, 15, 30] (the default)",
    ]
    assert "has 15 and 30, longer than sit_minutes = 10: those snoozes put" in found[2]


@pytest.mark.slow
def test_psoas_run_warns_at_start_and_a_reload_warns_of_what_is_new(tmp_path):
    config = tmp_path / "psoas.toml"
    sane = 'idle_source = "none"\n' + EVERY_DAY
    config.write_text("sit_minutes = 30\nbreak_minutes = 90\n" + sane)
    env = dict(os.environ)
    daemon = start_headless(config, env)
    break_warning = f"psoas: {config}: warning: break_minutes = 90 is not shorter than"
    try:
        wait_until(lambda: status(env), 20, "psoas to answer", process=daemon)
        assert daemon.stderr_text().count(break_warning) == 1
        said = status(env)["config"]["warnings"]
        assert len(said) == 1 and said[0].startswith("break_minutes = 90 is not shorter")
        assert "config warning: break_minutes = 90 is not shorter" in psoas(env, "status").stdout

        # An edit that leaves the clash as it was: applied, nothing said again.
        config.write_text("sit_minutes = 30\nbreak_minutes = 90\nroutine_pace = 2\n" + sane)
        wait_until(lambda: _log(env).count("config read again") == 1, 5, "the edit applied")
        # One that adds a clash: that one is said, in the log and as a notification.
        config.write_text("sit_minutes = 30\nbreak_minutes = 90\nrepeat_minutes = 45\n" + sane)
        repeat_warning = f"psoas: {config}: warning: repeat_minutes = 45 is longer than"
        wait_until(lambda: repeat_warning in daemon.stderr_text(), 5, "the new warning")
        # Put right: psoas status has no warning left.
        config.write_text("sit_minutes = 30\n" + sane)
        wait_until(lambda: status(env)["config"]["warnings"] == [], 5, "the warnings gone")
    finally:
        psoas(env, "quit")
        daemon.wait(15)
    err = daemon.stderr_text()
    assert err.count(break_warning) == 1
    assert err.count(repeat_warning) == 1
    assert err.count(words.CONFIG_WARNINGS) == 1  # the notification, here in the terminal


def _log(env: dict[str, str]) -> str:
    path = Path(env["XDG_STATE_HOME"]) / "psoas" / "log" / "psoas.log"
    return path.read_text() if path.exists() else ""
