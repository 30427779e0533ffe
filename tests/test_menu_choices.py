"""A config ``psoas config check`` accepts runs: the check and the tray's menu agree on what
"the same choice" is. Two snooze choices are the same when they read the same in the menu (its
items are keyed by what they say, so a panel's click reaches the one the user saw)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from reminder.config import ConfigError, parse_config
from reminder.core.status import State, Status
from reminder.limits import MAX_MINUTES, MIN_MINUTES
from reminder.replay.scenario import parse_scenario
from reminder.replay.simulate import run_scenario
from reminder.tray.menu import Item
from reminder.tray.model import TrayModel

IDS = ["bridge", "half-kneeling", "standing", "low-lunge-twist", "raised-foot"]

_minutes = st.one_of(
    st.floats(MIN_MINUTES, MAX_MINUTES),
    st.floats(MIN_MINUTES, 2),  # seconds and tenths of seconds
    st.floats(4.9, 5.1),  # around a whole minute, where rounding decides
    st.floats(59.5, 60.5),  # around an hour
    st.integers(1, 120),
    st.sampled_from([5, 5.000001, 5.008333, 5.0083337, 0.05, 0.0500001, 60, 60.4]),
)


def keys(items: tuple[Item, ...]) -> list[str]:
    return [key for item in items for key in (item.key, *keys(item.children))]


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(
    snoozes=st.lists(_minutes, min_size=1, max_size=5),
    pace=st.floats(0.01, 10),
    state=st.sampled_from(list(State)),
)
def test_any_snooze_choices_the_check_accepts_make_a_menu_with_one_item_each(
    snoozes, pace, state, catalogue
):
    text = f"snooze_minutes = [{', '.join(map(repr, snoozes))}]\nroutine_pace = {pace!r}\n"
    try:
        config = parse_config(text, "cfg.toml", IDS)
    except ConfigError as error:
        assert "snooze_minutes" in str(error) and "once" in str(error), error
        return
    model = TrayModel(catalogue, config, lambda: Path("cfg.toml"), Path("week.png"))
    model.status = Status(state, 600.0, None, None, "bridge")
    menu = model.menu()
    found = keys(menu)
    assert [key for key, n in Counter(found).items() if n > 1] == [], text
    snooze = next((item for item in menu if item.key == "snooze"), None)
    if snooze is not None:  # not during a routine
        labels = [item.label for item in snooze.children]
        assert len(labels) == len(set(labels)) == len(snoozes), (text, labels)


_anything_allowed = st.fixed_dictionaries(
    {},
    optional={
        "sit_minutes": _minutes,
        "break_minutes": _minutes,
        "repeat_minutes": st.one_of(st.just(0), _minutes),
        "snooze_minutes": st.lists(_minutes, min_size=1, max_size=4),
        "routine_pace": st.floats(0.01, 10),
        "idle_source": st.sampled_from(["auto", "none", "x11"]),
    },
)
_tables = st.fixed_dictionaries(
    {},
    optional={
        "hours": st.fixed_dictionaries(
            {},
            optional={
                "days": st.lists(st.sampled_from(["mon", "sat", "sun"]), min_size=1, max_size=3),
                "start": st.sampled_from(["00:00", "09:00", "23:59"]),
                "end": st.sampled_from(["00:00", "09:00", "17:30", "24:00"]),
            },
        ),
        "stretches": st.fixed_dictionaries(
            {},
            optional={
                "place": st.sampled_from(["anywhere", "desk"]),
                "exclude": st.lists(st.sampled_from(IDS), max_size=5),
            },
        ),
        "quiet": st.fixed_dictionaries(
            {}, optional={"when": st.lists(st.sampled_from(["call", "dnd"]), max_size=2)}
        ),
    },
)


def _toml(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml, value)) + "]"
    return repr(value)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(top=_anything_allowed, tables=_tables)
def test_any_config_the_check_accepts_runs_a_day_and_builds_its_menu(top, tables, catalogue):
    """Every key at once: whatever passes the check builds the tray's menu in every state and
    drives the daemon's core through a day (as ``psoas simulate`` does)."""
    lines = [f"{key} = {_toml(value)}" for key, value in top.items()]
    for table, values in tables.items():
        lines += [f"[{table}]", *(f"{key} = {_toml(value)}" for key, value in values.items())]
    text = "\n".join(lines) + "\n"
    try:
        desk = [stretch.id for stretch in catalogue.allowed("desk", ())]
        config = parse_config(text, "cfg.toml", list(catalogue.stretches), desk)
    except ConfigError as error:
        assert "\n" not in str(error)
        event("refused")
        return
    event("accepted")
    model = TrayModel(catalogue, config, lambda: Path("cfg.toml"), Path("week.png"))
    for state in State:
        model.status = Status(state, 600.0, None, None, "bridge")
        found = keys(model.menu())
        assert len(found) == len(set(found)), text
    scenario = parse_scenario(DAY, "day.txt", list(catalogue.routines))
    run_scenario(scenario, config, catalogue, close=True)


DAY = "date 2026-11-28\n09:00 active\n09:10 busy call\n09:20 snooze\n09:25 free\n09:40 end\n"
