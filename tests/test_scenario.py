"""Scenario files: well-formed days parse, every malformed line is named, nothing tracebacks."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminder.replay.scenario import DEFAULT_DAY, EVENTS, ScenarioError, parse_scenario

ROUTINES = ["desk", "floor", "warm-up", "cool-down"]


def parse(text: str):
    return parse_scenario(text, "day.txt", ROUTINES)


def test_a_full_day_parses_with_comments_seconds_and_a_date():
    scenario = parse(
        "# my Tuesday\n"
        "date 2026-11-24\n"
        "09:00 active   # in\n"
        "\n"
        "10:00:30 snooze 7.5\n"
        "10:20 routine floor\n"
        "12:00 pause 30\n"
        "18:00 end\n"
    )
    assert scenario.day == date(2026, 11, 24)
    assert [(e.seconds, e.name, e.arg, e.line) for e in scenario.events] == [
        (9 * 3600, "active", None, 3),
        (10 * 3600 + 30, "snooze", "7.5", 5),
        (10 * 3600 + 1200, "routine", "floor", 6),
        (12 * 3600, "pause", "30", 7),
        (18 * 3600, "end", None, 8),
    ]


def test_the_default_day_is_a_monday():
    assert parse("09:00 active\n10:00 end").day == DEFAULT_DAY
    assert DEFAULT_DAY.weekday() == 0


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("9am active\n10:00 end", ["line 1", "'9am'", "HH:MM"]),
        ("09:00 active\n09:61 away\n10:00 end", ["line 2", "'09:61'"]),
        ("09:00 actve\n10:00 end", ["line 1", "'actve'", "did you mean 'active'"]),
        ("09:00 active\n08:00 away\n10:00 end", ["line 2", "time order"]),
        ("09:00 active\n09:30 pause\n10:00 end", ["line 2", "'pause' needs"]),
        ("09:00 active\n09:30 pause soon\n10:00 end", ["line 2", "'soon'"]),
        ("09:00 active\n09:30 snooze -5\n10:00 end", ["line 2", "'-5'"]),
        ("09:00 active\n09:30 snooze nan\n10:00 end", ["line 2", "'nan'"]),
        ("09:00 active\n09:30 routine yoga\n10:00 end", ["line 2", "'yoga'", "desk"]),
        ("09:00 active extra\n10:00 end", ["line 1", "too many"]),
        ("09:00 active\n10:00 resume\n11:00 end", ["line 2", "without a 'suspend'"]),
        ("09:00 suspend\n09:30 snooze\n11:00 end", ["line 2", "suspended"]),
        ("09:00 active\n09:10 unlock\n11:00 end", ["line 2", "without a 'lock'"]),
        ("09:00 active\n10:00 end\n10:30 away", ["line 3", "follow 'end'"]),
        ("09:00 active\n10:00 away", ["last event must be 'end'"]),
        ("# nothing\n", ["no events"]),
        ("date 2026-01-02\n09:00 active\ndate 2026-01-01\n10:00 end", ["line 3", "not after"]),
        ("date 2026-01-02\ndate 2026-01-03\n10:00 end", ["line 2", "without events"]),
        ("09:00 active\ndate 2026-01-01\n10:00 end", ["line 2", "366 days at most"]),
        ("date 2026-02-30\n09:00 active\n10:00 end", ["line 1", "'2026-02-30'"]),
        ("09:00\n10:00 end", ["line 1", "an event must follow"]),
    ],
)
def test_each_mistake_is_one_line_naming_the_file_and_line(text, named):
    with pytest.raises(ScenarioError) as raised:
        parse(text)
    message = str(raised.value)
    assert message.startswith("day.txt")
    assert "\n" not in message
    for part in named:
        assert part in message, (part, message)


_line = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda h, m, name, arg: f"{h:02d}:{m:02d} {name} {arg}".strip(),
        st.integers(-1, 30),
        st.integers(0, 70),
        st.sampled_from([*EVENTS, "date", "bogus"]),
        st.one_of(st.just(""), st.text(max_size=8), st.floats().map(str)),
    ),
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.lists(_line, max_size=12))
def test_no_scenario_text_ever_escapes_as_anything_but_a_scenario_error(lines):
    try:
        parse("\n".join(lines))
    except ScenarioError as error:
        assert str(error).startswith("day.txt") and "\n" not in str(error)
