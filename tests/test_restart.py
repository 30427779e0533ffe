"""The sitting clock over a restart: carried on within a break, else the sit before is recorded.

The core tests run a day in milliseconds; the last one kills a real ``psoas run`` with SIGKILL.
"""

from __future__ import annotations

import json
import math
import os
import signal
import time
from datetime import datetime

import pytest
from conftest import EVERY_DAY, make_config
from desktop_processes import wait_until
from e2e import psoas, recorded, saved_clock, start_headless, stop
from hypothesis import given, settings
from hypothesis import strategies as st

from reminder.catalogue.loader import load_catalogue
from reminder.cli.main import main
from reminder.config import settings_for
from reminder.core import events as ev
from reminder.core.commands import CancelRoutine, Snooze, StartRoutine
from reminder.core.saved import saved_sit
from reminder.core.sitting import SittingCore
from reminder.core.timebase import FixedCalendar, Moment
from reminder.history.store import HistoryStore

MONDAY = FixedCalendar().epoch(datetime(2024, 1, 1))  # sit 60, break 5, repeat 10 (the defaults)


def hm(text: str) -> float:
    """Epoch seconds of HH:MM on the test Monday."""
    hours, minutes = text.split(":")
    return MONDAY + int(hours) * 3600 + int(minutes) * 60


class Run:
    """One psoas process: a core of its own and a steady clock of its own (it starts near zero)."""

    def __init__(self, catalogue) -> None:
        settings_ = settings_for(make_config("", catalogue), catalogue)
        self.core = SittingCore(settings_, FixedCalendar(), catalogue)
        self.zero: float | None = None
        self.events: list = []

    def at(self, epoch: float) -> Moment:
        if self.zero is None:
            self.zero = epoch - 3.0
        return Moment(epoch - self.zero, epoch)

    def sit(self, start: str, end: str) -> None:
        """At the keyboard from ``start`` to ``end``, read once a minute."""
        for t in range(int(hm(start)), int(hm(end)) + 1, 60):
            self.events += self.core.observe(self.at(t), 0)

    def away(self, since: str, until: str) -> None:
        """No input since ``since``, read once a minute until ``until``."""
        for t in range(int(hm(since)) + 60, int(hm(until)) + 1, 60):
            self.events += self.core.observe(self.at(t), t - hm(since))

    def snapshot(self, when: str) -> dict:
        """The snapshot as the store keeps it: through JSON."""
        return json.loads(json.dumps(self.core.snapshot(self.at(hm(when)))))

    def restore(self, when: str, saved: object) -> list:
        return self.core.restore(self.at(hm(when)), saved)

    def status(self, when: str):
        return self.core.status(self.at(hm(when)))


def of(kind: type, events: list) -> list:
    return [e for e in events if isinstance(e, kind)]


def test_a_prompt_a_stopped_routine_put_back_keeps_its_time_across_a_restart(catalogue):
    """Sitting since 09:00 (the prompt due at 10:00), a routine started at 09:55 and stopped at
    once puts the prompt back to 10:05, the repeat time from then; a restart keeps 10:05 rather
    than working out 10:00 again from the sitting time. (Found by tests/test_core_machine.py.)"""
    first = Run(catalogue)
    first.sit("09:00", "09:55")
    now = first.at(hm("09:55"))
    first.core.command(now, StartRoutine("desk"))
    first.core.command(now, CancelRoutine())
    assert first.status("09:55").next_prompt == hm("10:05")
    second = Run(catalogue)
    assert second.restore("09:55", first.snapshot("09:55")) == []
    assert second.status("09:55").next_prompt == hm("10:05")


def test_a_restart_within_a_break_carries_the_sit_on(catalogue):
    first = Run(catalogue)
    first.sit("09:00", "09:30")
    saved = first.snapshot("09:30")  # then killed

    second = Run(catalogue)
    assert second.restore("09:33", saved) == []
    assert second.status("09:33").sitting_seconds == 33 * 60
    second.sit("09:33", "10:00")
    assert [p.sitting_seconds for p in of(ev.PromptShown, second.events)] == [3600]
    second.away("10:05", "10:15")
    assert of(ev.SittingSpan, second.events) == [ev.SittingSpan(hm("09:00"), hm("10:05"))]


def test_a_restart_within_a_break_keeps_the_count_of_unanswered_prompts(catalogue):
    first = Run(catalogue)
    first.sit("09:00", "10:05")  # the prompt at 10:00 goes unanswered
    prompted = [(p.sitting_seconds, p.repeat) for p in of(ev.PromptShown, first.events)]
    assert prompted == [(3600, 0)]
    saved = first.snapshot("10:05")  # then killed

    second = Run(catalogue)
    assert second.restore("10:06", saved) == []
    assert second.status("10:06").state == "due"  # that prompt is still out
    second.sit("10:06", "10:20")
    # Its repeats every 10 minutes say they are the first and second repeat, not a new prompt.
    repeats = [(p.sitting_seconds, p.repeat) for p in of(ev.PromptShown, second.events)]
    assert repeats == [(70 * 60, 1), (80 * 60, 2)]


def test_a_restart_with_a_new_sitting_time_prompts_by_the_new_one(catalogue):
    first = Run(catalogue)  # sit_minutes = 60
    first.sit("09:00", "09:10")
    saved = first.snapshot("09:10")  # quit, the config edited to 20 minutes, started again

    second = Run(catalogue)
    second.core.reconfigure(settings_for(make_config("sit_minutes = 20", catalogue), catalogue))
    assert second.restore("09:11", saved) == []
    assert second.status("09:11").next_prompt == hm("09:20")
    second.sit("09:11", "09:25")
    assert [p.sitting_seconds for p in of(ev.PromptShown, second.events)] == [20 * 60]


def test_a_restart_keeps_a_snoozed_prompt_at_the_time_it_was_put_off_to(catalogue):
    first = Run(catalogue)
    first.sit("09:00", "10:01")  # the prompt at 10:00
    first.core.command(first.at(hm("10:01")), Snooze(15))  # until 10:16
    saved = first.snapshot("10:02")

    second = Run(catalogue)
    second.core.reconfigure(settings_for(make_config("sit_minutes = 20", catalogue), catalogue))
    assert second.restore("10:03", saved) == []
    second.sit("10:03", "10:20")
    assert [round(p.sitting_seconds) for p in of(ev.PromptShown, second.events)] == [76 * 60]


def test_a_restart_after_a_long_gap_records_the_sit_up_to_the_last_input(catalogue):
    first = Run(catalogue)
    first.sit("09:00", "09:40")
    first.away("09:40", "09:43")
    saved = first.snapshot("09:43")  # read at 09:43, last input 09:40; then killed
    assert of(ev.SittingSpan, first.events) == []

    second = Run(catalogue)
    assert second.restore("11:00", saved) == [ev.SittingSpan(hm("09:00"), hm("09:40"))]
    assert second.status("11:00").state == "away"  # the clock starts afresh
    second.sit("11:00", "11:30")
    assert second.status("11:30").sitting_seconds == 30 * 60


def test_a_snapshot_taken_during_a_routine_keeps_the_sit_before_it(catalogue):
    first = Run(catalogue)
    first.sit("09:00", "09:50")
    first.events += first.core.command(first.at(hm("09:50")), StartRoutine("desk"))
    first.events += first.core.observe(first.at(hm("09:51")), 0)
    assert first.status("09:51").state == "routine"
    saved = first.snapshot("09:51")  # killed in the middle of the routine

    late = Run(catalogue)
    assert late.restore("11:00", saved) == [ev.SittingSpan(hm("09:00"), hm("09:50"))]
    assert late.status("11:00").state == "away"

    # Back within a break of the routine's start: as after a routine stopped early, the sit goes
    # on, and the prompt does not come back at once.
    soon = Run(catalogue)
    assert soon.restore("09:53", saved) == []
    assert soon.status("09:53").sitting_seconds == 53 * 60
    soon.sit("09:53", "10:00")
    assert of(ev.PromptShown, soon.events) == []


def test_a_restart_after_a_lock_records_the_sit_up_to_the_lock(catalogue):
    first = Run(catalogue)
    first.sit("09:00", "09:20")
    first.core.observe(first.at(hm("09:21")), 0, locked=True)
    first.core.observe(first.at(hm("09:24")), 0, locked=True)  # idle counters lie under a lock
    saved = first.snapshot("09:24")

    assert Run(catalogue).restore("10:00", saved) == [ev.SittingSpan(hm("09:00"), hm("09:21"))]


# Each would be within a break of 09:31 if it were believed.
GARBAGE: list[object] = [
    None,
    [],
    "a snapshot",
    42,
    {},
    {"saved": "yesterday", "span_start": hm("09:00"), "last_input": hm("09:29")},
    {"saved": math.nan, "span_start": hm("09:00"), "last_input": hm("09:29")},
    {"saved": math.inf, "span_start": hm("09:00"), "last_input": hm("09:29")},
    {"saved": True, "span_start": True, "last_input": True},
    {"saved": hm("09:30"), "span_start": hm("09:00")},  # no last input: no end to believe
    {"saved": hm("09:30"), "span_start": hm("09:00"), "last_input": None},
    {"saved": hm("09:30"), "span_start": hm("09:40"), "last_input": hm("09:29")},
    {"saved": hm("11:00"), "span_start": hm("09:00"), "last_input": hm("09:29")},  # future
    {"saved": hm("09:30"), "span_start": -1e300, "last_input": hm("09:29")},
    {
        "saved": hm("09:30"),
        "span_start": hm("09:00"),
        "last_input": hm("09:29"),
        "routine_started": "then",
    },
    {
        "saved": hm("09:30"),
        "span_start": hm("09:00"),
        "last_input": hm("09:29"),
        "routine_started": hm("08:00"),
    },
    {
        "saved": hm("09:30"),
        "span_start": hm("09:00"),
        "last_input": hm("09:29"),
        "routine_started": hm("09:40"),
    },
    {"saved": -5.0, "span_start": -10.0, "last_input": -6.0},
]


@pytest.mark.parametrize("saved", GARBAGE, ids=range(len(GARBAGE)))
def test_a_garbage_snapshot_changes_nothing_and_invents_no_sit(catalogue, saved):
    for back in ("09:31", "10:00"):  # within a break of it, and long after
        run = Run(catalogue)
        assert run.restore(back, saved) == []
        assert run.status(back).state == "away"
        assert saved_sit(saved, hm(back)) is None
        run.sit(back, "10:30")  # and the clock works as ever
        assert run.status("10:30").sitting_seconds == hm("10:30") - hm(back)


def test_a_snapshot_with_some_garbage_keeps_what_it_can(catalogue):
    saved = {
        "saved": hm("09:30"),
        "span_start": hm("09:00"),
        "last_input": hm("09:29"),
        "next_prompt": 1e300,  # beyond any snooze: the prompt is due an hour into the sit
        "prompts": "many",
        "last_stretch": 7,
    }
    run = Run(catalogue)
    assert run.restore("09:31", saved) == []
    assert run.status("09:31").next_prompt == hm("10:00")
    run.sit("09:31", "10:00")
    assert len(of(ev.PromptShown, run.events)) == 1


CATALOGUE = load_catalogue()
_KEYS = ("saved", "span_start", "last_input", "next_prompt", "prompts", "routine_started")
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=3),
    st.floats(),  # NaN and infinities included
    st.floats(hm("08:00"), hm("12:00")),
)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(_KEYS), _VALUES), st.sampled_from(["09:31", "11:00"]))
def test_any_snapshot_restores_without_a_crash_and_only_a_sit_it_holds(saved, back):
    run = Run(CATALOGUE)
    closed = run.restore(back, saved)
    for span in closed:
        assert isinstance(span, ev.SittingSpan)
        assert saved["span_start"] == span.start < span.end <= min(saved["saved"], hm(back))
    run.status(back)
    run.core.next_wakeup(run.at(hm(back)))
    run.sit(back, "12:00")
    run.status("12:00")


# ----- stats and the sit still going on -----------------------------------------------------


def test_stats_count_the_sit_so_far_up_to_the_last_input_and_only_once(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    now = time.time()
    store = HistoryStore(tmp_path / "psoas" / "history.sqlite3")
    # Sitting for 40 minutes, the last input 20 minutes ago, the clock saved 3 minutes later.
    live = {"saved": now - 1020, "span_start": now - 3600, "last_input": now - 1200}
    store.save_state("sitting", live)

    def sat_minutes() -> float:
        assert main(["stats", "--days", "2", "--json"]) == 0
        return sum(day["sat_minutes"] for day in json.loads(capsys.readouterr().out))

    assert sat_minutes() == pytest.approx(40, abs=0.15)
    # A restart records that sit before it saves its own clock: it is not counted twice.
    store.record([ev.SittingSpan(now - 3600, now - 1200)])
    assert sat_minutes() == pytest.approx(40, abs=0.15)
    store.close()


# ----- a real psoas, killed -------------------------------------------------------------------


@pytest.mark.slow
def test_a_sit_survives_kill_9_and_is_recorded_at_the_next_start(private_env, tmp_path):
    config = tmp_path / "fast.toml"
    # Every running second counts as sitting; a break is 3 s.
    config.write_text('idle_source = "none"\nbreak_minutes = 0.05\n' + EVERY_DAY)
    # A minute's sit that a psoas saved as it stopped a moment ago: the next one carries it on
    # (it starts within a break of it), and saves the clock again after its first look.
    now = time.time()
    store = HistoryStore(private_env.history)
    store.save_state(
        "sitting",
        {"saved": now, "span_start": now - 60, "last_input": now, "next_prompt": now + 600},
    )
    store.close()
    first = start_headless(config)
    try:
        wait_until(
            lambda: saved_clock(private_env.data).get("saved", now) > now,
            20,
            "the sitting clock saved by the running psoas",
            process=first,
        )
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    killed = saved_clock(private_env.data)
    assert killed["span_start"] == pytest.approx(now - 60, abs=0.01)  # carried on
    assert killed["last_input"] > now  # up to the killed psoas's own last look

    # Started again longer than a break after that last look.
    wait_until(lambda: time.time() > killed["last_input"] + 3.5, 10, "a break to pass")
    second = start_headless(config)

    def spans() -> list[tuple[float, float]]:
        return [(s.start, s.end) for s in recorded(private_env.data, ev.SittingSpan)]

    try:
        wait_until(spans, 20, "the killed run's sit recorded", process=second)
    finally:
        assert stop(second) == 0, second.stderr_text()
    # The sit of the killed run, from its start to the last moment it was seen sitting.
    assert spans() == [(killed["span_start"], killed["last_input"])]
    stats = psoas(private_env.env, "stats", "--days", "2", "--json")
    assert stats.returncode == 0, stats.stderr
    sat = sum(day["sat_minutes"] for day in json.loads(stats.stdout))
    assert sat == pytest.approx((killed["last_input"] - killed["span_start"]) / 60, abs=0.1)
