"""Minutes have one floor everywhere they are given: 0.05 (3 seconds), so no setting can prompt
several times a second, while fractional minutes stay usable for trying psoas out."""

from __future__ import annotations

import pytest
from e2e import NOT_RUNNING, in_process

from reminder.config import ConfigError, parse_config
from reminder.control.protocol import ControlError, checked_minutes
from reminder.limits import MAX_MINUTES, MIN_MINUTES, MINUTES_ALLOWED, parse_duration
from reminder.replay.scenario import ScenarioError, parse_scenario

TOO_SHORT = ["0.001", "0.049"]
ALLOWED = "at least 0.05 (3 seconds)"


def test_the_floor_is_three_seconds_and_says_so():
    assert round(MIN_MINUTES * 60, 9) == 3
    assert MINUTES_ALLOWED.startswith(ALLOWED)
    least, seconds = f"{MIN_MINUTES:g}", f"{MIN_MINUTES * 60:g}"
    assert f"at least {least} ({seconds} seconds) and at most {MAX_MINUTES} (a week)" == (
        MINUTES_ALLOWED
    )


@pytest.mark.parametrize("value", TOO_SHORT)
@pytest.mark.parametrize(
    "template",
    [
        "sit_minutes = {}",
        "break_minutes = {}",
        "repeat_minutes = {}",
        "snooze_minutes = [5, {}]",
    ],
)
def test_config_minutes_below_the_floor_are_refused(template, value):
    with pytest.raises(ConfigError) as raised:
        parse_config(template.format(value), "cfg.toml")
    message = str(raised.value)
    key = template.split(" ")[0]
    assert message.startswith(f"cfg.toml: {key} = ") and ALLOWED in message, message


def test_config_minutes_at_the_floor_and_a_repeat_of_zero_are_taken():
    config = parse_config(
        "sit_minutes = 0.05\nbreak_minutes = 0.05\nrepeat_minutes = 0\nsnooze_minutes = [0.05]",
        "cfg.toml",
    )
    assert (config.sit_seconds, config.break_seconds) == pytest.approx((3, 3))
    assert config.repeat_minutes == 0 and config.snooze_minutes == (0.05,)
    assert parse_config("repeat_minutes = 0.05", "cfg.toml").repeat_seconds == pytest.approx(3)
    with pytest.raises(ConfigError, match=r"repeat_minutes = 0\.001: must be 0 \(never\)"):
        parse_config("repeat_minutes = 0.001", "cfg.toml")


@pytest.mark.parametrize("event", ["snooze", "pause"])
def test_scenario_minutes_below_the_floor_are_refused(event):
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(f"09:00 active\n09:30 {event} 0.01\n10:00 end\n", "day.txt", ["desk"])
    assert "day.txt: line 2" in str(raised.value) and "'0.01'" in str(raised.value)
    assert ALLOWED in str(raised.value)
    day = parse_scenario(f"09:00 active\n09:30 {event} 0.05\n10:00 end\n", "day.txt", ["desk"])
    assert day.events[1].arg == "0.05"


def test_pause_durations_below_the_floor_are_refused():
    assert parse_duration("0.05") == pytest.approx(0.05)
    for text in ("0.01", "0.001m", "0.0001h"):
        with pytest.raises(ValueError) as raised:
            parse_duration(text)
        assert str(raised.value).startswith(f"'{text}' is less than 3 seconds: in minutes")
        assert ALLOWED in str(raised.value)
    with pytest.raises(ValueError, match=r"^'8d' is not a duration"):
        parse_duration("8d")
    with pytest.raises(ValueError, match=r"^'169h' is more than a week: .*at most 10080"):
        parse_duration("169h")


def test_the_control_channel_refuses_minutes_below_the_floor():
    assert checked_minutes(0.05) == pytest.approx(0.05)
    for value in (0.001, 0, -1, 10081):
        with pytest.raises(ControlError, match=r"'minutes' must be at least 0\.05 \(3 seconds\)"):
            checked_minutes(value)


def test_the_command_line_refuses_them_before_looking_for_a_running_psoas():
    for args in (["snooze", "0.01"], ["pause", "0.01"]):
        result = in_process(*args)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "'0.01'" in lines[0] and ALLOWED in lines[0], lines
    # At the floor the command is fine: it only finds no psoas to send it to.
    assert in_process("snooze", "0.05").stderr.strip() == NOT_RUNNING


def test_durations_take_the_decimal_forms_the_old_minutes_did_in_every_place():
    for text, minutes in ((".5", 0.5), ("15.", 15.0), ("1.5h", 90.0), ("2.h", 120.0)):
        assert parse_duration(text) == pytest.approx(minutes)
        day = parse_scenario(f"09:00 active\n09:30 pause {text}\n10:00 end\n", "d.txt", ["desk"])
        assert day.events[1].arg == text


def test_a_scenario_snooze_until_tomorrow_is_refused_without_pointing_at_the_command_line():
    with pytest.raises(ScenarioError) as raised:
        parse_scenario("09:00 active\n09:30 snooze tomorrow\n10:00 end\n", "d.txt", ["desk"])
    assert "d.txt: line 2: snooze 'tomorrow': a snooze is a duration" in str(raised.value)
    assert "psoas pause" not in str(raised.value)
    with pytest.raises(ValueError, match="'psoas pause tomorrow' holds prompts back"):
        parse_duration("tomorrow", "snooze", tomorrow=False)
