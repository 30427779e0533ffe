"""The config: defaults, the example, and one clear line for every mistake."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminder.config import (
    Config,
    ConfigError,
    example_text,
    find_config,
    load_config,
    parse_config,
    write_example,
)

ROOT = Path(__file__).resolve().parent.parent
IDS = ["bridge", "half-kneeling", "standing", "low-lunge-twist", "raised-foot"]


def parse(text: str) -> Config:
    return parse_config(text, "cfg.toml", IDS, desk_ids=["standing"])


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as raised:
        parse(text)
    message = str(raised.value)
    assert message.startswith("cfg.toml: ") and "\n" not in message, message
    return message


def test_an_empty_file_and_the_example_both_give_the_defaults():
    assert parse("") == Config()
    assert parse(example_text()) == Config()


def test_values_are_read():
    config = parse(
        "sit_minutes = 45\nbreak_minutes = 0.5\nrepeat_minutes = 0\nsnooze_minutes = [10]\n"
        'idle_source = "none"\n[hours]\ndays = ["Sat", "sun"]\nstart = "07:30"\nend = 13:00:00\n'
        '[stretches]\nplace = "desk"\nexclude = ["bridge"]\n'
    )
    assert (config.sit_seconds, config.break_seconds, config.repeat_seconds) == (2700, 30, 0)
    assert config.snooze_minutes == (10,) and config.idle_source == "none"
    assert config.hours.days == {5, 6}
    assert (config.hours.start, config.hours.end) == (time(7, 30), time(13))
    assert (config.place, config.exclude) == ("desk", ("bridge",))
    assert parse("sound = true").sound is True and parse("").sound is False


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("sit_minute = 30", ["unknown key 'sit_minute'", "did you mean 'sit_minutes'"]),
        ("[hour]\nstart = '09:00'", ["unknown key 'hour'", "did you mean 'hours'"]),
        ("[hours]\nstrat = '09:00'", ["'hours.strat'", "did you mean 'start'"]),
        ('sit_minutes = "abc"', ['sit_minutes = "abc"', "number of minutes, at least 0.05"]),
        ("sit_minutes = true", ["sit_minutes = true"]),
        ("sit_minutes = 0", ["sit_minutes = 0", "at least 0.05 (3 seconds)"]),
        ("repeat_minutes = -1", ["repeat_minutes = -1", "0 (never) or"]),
        ("break_minutes = nan", ["break_minutes = nan"]),
        ("sit_minutes = 1e9", ["sit_minutes", "at most"]),
        ("snooze_minutes = []", ["snooze_minutes", "list of minutes"]),
        ("snooze_minutes = [5, 5]", ["snooze_minutes", "once"]),
        ("snooze_minutes = [5, 5.000001]", ["5 and 5.000001 both read 5 min", "once"]),
        ("snooze_minutes = [60, 60.4]", ["60 and 60.4 both read 1 h", "once"]),
        ("routine_pace = 0", ["routine_pace = 0", "0.01 to 10"]),
        ('sound = "yes"', ['sound = "yes"', "must be true or false"]),
        ("sound = 1", ["sound = 1", "must be true or false"]),
        ('idle_source = "x12"', ['idle_source = "x12"', "did you mean 'x11'"]),
        ('[hours]\nstart = "9am"', ['hours.start = "9am"', '"HH:MM"']),
        ('[hours]\nstart = "24:00"', ["hours.start", '"23:59"']),
        ('[hours]\nend = "24:01"', ["hours.end", '"24:00"']),
        ('[hours]\nstart = "09:00\\n"', ["hours.start", '"HH:MM"']),
        ('[hours]\ndays = ["mun"]', ["hours.days", '"mun"', "did you mean"]),
        ('[hours]\ndays = ["mon", "mon"]', ["hours.days", "twice"]),
        ('hours = "9-5"', ["hours", "must be a table"]),
        ('[stretches]\nplace = "office"', ["stretches.place", "anywhere, desk"]),
        ('[stretches]\nexclude = ["brige"]', ["stretches.exclude", "did you mean 'bridge'"]),
        ('[stretches]\nplace = "desk"\nexclude = ["standing"]', ["nothing to suggest"]),
        ("sit_minutes = 60\nsit_minutes = 30", ["not valid TOML", "overwrite"]),
        ("sit_minutes = [", ["end of the file", "not valid TOML"]),
        ('sit_minutes = "a\\nb"', ['"a\\nb"']),
    ],
)
def test_every_mistake_is_one_line_naming_file_key_and_what_is_allowed(text, parts):
    message = error_of(text)
    for part in parts:
        assert part in message, (part, message)


def test_working_hours_can_be_all_day_or_end_at_midnight():
    all_day = parse('[hours]\ndays = ["sat", "sun"]\nstart = "00:00"\nend = "00:00"')
    assert all_day.hours.describe() == "sat, sun all day"
    assert all_day.hours.is_open(datetime(2024, 1, 6, 23, 59, 59))  # a Saturday
    assert all_day.hours.is_open(datetime(2024, 1, 7, 0, 0))
    assert parse('[hours]\nstart = "00:00"\nend = "24:00"').hours.describe() == "mon-fri all day"
    evening = parse('[hours]\nstart = "18:00"\nend = "24:00"').hours
    assert evening.describe() == "mon-fri 18:00-24:00"
    assert evening.is_open(datetime(2024, 1, 1, 23, 59)) and not evening.is_open(
        datetime(2024, 1, 2, 0, 0)
    )


def test_files(tmp_path):
    assert load_config(None) == Config()
    with pytest.raises(ConfigError, match="no such config file"):
        find_config(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00sit")
    with pytest.raises(ConfigError, match="not a text file"):
        load_config(binary)


def test_write_example_never_overwrites(tmp_path):
    target = tmp_path / "deep" / "config.toml"
    write_example(target)
    assert target.read_text() == example_text()
    target.write_text("sit_minutes = 30\n")
    with pytest.raises(ConfigError, match="already exists"):
        write_example(target)
    assert target.read_text() == "sit_minutes = 30\n"


_values = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=12),
        st.sampled_from(["09:00", "mon", "desk", "bridge", "x11"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_keys = st.sampled_from(
    [
        "sit_minutes",
        "break_minutes",
        "repeat_minutes",
        "snooze_minutes",
        "idle_source",
        "hours",
        "stretches",
        "days",
        "start",
        "end",
        "place",
        "exclude",
        "sit_minute",
    ]
)


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {float("inf"): "inf", float("-inf"): "-inf"}.get(
            value, "nan" if value != value else repr(value)
        )
    if isinstance(value, str):
        return '"' + value.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_toml(v)}' for k, v in value.items()) + "}"
    return str(value)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=5))
def test_structured_random_configs_give_a_config_or_one_line(data):
    text = "\n".join(f"{key} = {_toml(value)}" for key, value in data.items())
    try:
        parse(text)
    except ConfigError as error:
        assert str(error).startswith("cfg.toml: ") and "\n" not in str(error)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.binary().map(lambda b: b.decode("utf-8", errors="replace"))))
def test_arbitrary_text_gives_a_config_or_one_line(text):
    try:
        parse(text)
    except ConfigError as error:
        assert str(error).startswith("cfg.toml: ") and "\n" not in str(error)
