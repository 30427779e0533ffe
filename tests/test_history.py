"""The history: events round-trip, day figures add up, the chart shows them, nothing is lost."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import get_args

import pytest
from conftest import make_config, play_events
from e2e import in_process
from PIL import Image

from reminder.config import settings_for
from reminder.core import commands as cmd
from reminder.core import events as ev
from reminder.core.sitting import SittingCore
from reminder.core.stats import day_stats
from reminder.core.timebase import FixedCalendar, Moment
from reminder.history.keeper import BackgroundWriter, HistoryKeeper
from reminder.history.store import HistoryStore
from reminder.pictures.chart import LONGEST, SAT, STOOD, draw_week
from reminder.system.clock import SystemCalendar

ROOT = Path(__file__).resolve().parent.parent
CAL = FixedCalendar()


def at(day: int, hour: float) -> float:
    return CAL.epoch(datetime(2024, 1, day)) + hour * 3600


ONE_OF_EACH = [
    ev.PromptShown(at(1, 10), "bridge", 3600.0, 0),
    ev.StretchAsked(at(1, 9.5), "bridge"),
    ev.PromptHeld(at(1, 9.9), "call", 3000.0),
    ev.HoldEnded(at(1, 9.95), "call", 180.0),
    ev.SittingSpan(at(1, 9), at(1, 10.1)),
    ev.BreakTaken(at(1, 10.1), at(1, 10.2), "natural"),
    ev.StoodUp(at(1, 10.3)),
    ev.StandingLong(at(1, 10.8), 1800.0),
    ev.StandingSpan(at(1, 10.3), at(1, 10.9), "sit"),
    ev.WeeklyNote(at(1, 9), "2024-01-01", 1.4, 2.6, 4440.0, "desk"),
    ev.Snoozed(at(1, 11), 5.0),
    ev.Skipped(at(1, 12)),
    ev.Paused(at(1, 13), at(1, 14)),
    ev.Resumed(at(1, 14)),
    ev.Slept(at(1, 15), at(1, 16)),
    ev.RoutineStarted(at(1, 17), "desk", 135.0),
    ev.RoutineStepStarted(at(1, 17), "desk", 0, 4, "standing", "left", 30.0, 5.0),
    ev.RoutinePaused(at(1, 17.01), "desk", 0),
    ev.RoutineResumed(at(1, 17.02), "desk", 0),
    ev.RoutineFinished(at(1, 17.1), "desk"),
    ev.RoutineCancelled(at(1, 18), "floor", 2),
]


def test_every_event_kind_round_trips(tmp_path):
    # Every kind the core can report, so a new one cannot slip past this test unrecorded; a
    # refusal alone is not kept (nothing happened).
    assert {type(e) for e in ONE_OF_EACH} == set(get_args(ev.Event)) - {ev.CommandRefused}
    assert set(ev.EVENT_TYPES.values()) == set(ev.RECORDED) == {type(e) for e in ONE_OF_EACH}
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.record(ONE_OF_EACH)
    assert sorted(store.events(), key=repr) == sorted(ONE_OF_EACH, key=repr)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == 1


class _Clock:
    """The clock a keeper reads to save the sitting clock: one fixed moment."""

    def now(self) -> Moment:
        return Moment(1000.0, at(1, 9))


def test_a_refusal_is_never_recorded_and_old_refusals_are_passed_over(tmp_path, catalogue):
    store = HistoryStore(tmp_path / "h.sqlite3")
    core = SittingCore(settings_for(make_config("", catalogue), catalogue), CAL, catalogue)
    refused = core.command(Moment(1000.0, at(1, 9)), cmd.Snooze())
    assert [type(e) for e in refused] == [ev.CommandRefused]  # away: nothing to snooze
    keeper = HistoryKeeper(BackgroundWriter(store), core, _Clock(), CAL, catalogue)
    keeper.seen([*refused, ev.Skipped(at(1, 9))], core.status(_Clock().now()))
    keeper.close()
    # A history written before refusals were said rather than kept holds a routine-refused row.
    store.db.execute(
        "INSERT INTO events (kind, at, data) VALUES ('routine-refused', ?, ?)",
        (at(1, 9), json.dumps({"at": at(1, 9), "routine": "floor", "running": "desk", "step": 0})),
    )
    store.db.commit()
    assert store.events() == [ev.Skipped(at(1, 9))]


def test_day_figures_add_up_and_a_sit_across_midnight_is_split(catalogue):
    events = [
        ev.SittingSpan(at(1, 9), at(1, 10)),
        ev.PromptShown(at(1, 10), "bridge", 3600, 0),
        ev.Snoozed(at(1, 10.05), 5),
        ev.BreakTaken(at(1, 10.2), at(1, 10.2), "done", "bridge"),
        ev.SittingSpan(at(1, 10.2), at(1, 10.7)),
        ev.BreakTaken(at(1, 10.7), at(1, 11), "natural"),
        ev.Skipped(at(1, 12)),
        ev.RoutineFinished(at(1, 15), "desk"),
        ev.SittingSpan(at(1, 23), at(2, 1.5)),  # 1 h on the 1st, 1.5 h on the 2nd
    ]
    first, second = day_stats(events, CAL, date(2024, 1, 1), date(2024, 1, 2), catalogue)
    assert first.sat_seconds == 3600 + 1800 + 3600
    assert second.sat_seconds == 5400
    assert first.longest_sit_seconds == 3600
    assert second.longest_sit_seconds == 2.5 * 3600  # the whole sit, on the day it ended
    assert (first.breaks_natural, first.breaks_prompted) == (1, 1)
    assert (first.prompts, first.snoozes, first.skips, first.routines_done) == (1, 1, 1, 1)
    assert first.stretches_done == {"bridge": 1, "standing": 1}
    assert second.to_dict()["sat_minutes"] == 90


def test_a_routine_is_a_break_after_a_prompt_and_a_walk_away_a_natural_one(catalogue):
    events = play_events("""
        09:00 active
        10:01 routine desk
        10:30 away
        10:40 active
        11:00 end
    """)
    assert [e.how for e in events if isinstance(e, ev.BreakTaken)] == ["routine", "natural"]
    (day,) = day_stats(events, CAL, date(2024, 1, 1), date(2024, 1, 1), catalogue)
    assert (day.breaks_natural, day.breaks_prompted) == (1, 1)
    assert (day.prompts, day.routines_done) == (1, 1)
    assert day.stretches_done == {"standing": 1}  # the desk routine's one stretch
    assert (day.to_dict()["breaks_natural"], day.to_dict()["breaks_after_prompt"]) == (1, 1)


def test_daylight_saving_days_have_their_real_length(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        calendar = SystemCalendar()
        start = datetime(2024, 3, 30, 23, 0).timestamp()
        # From 23:00 on the 30th to 04:00 on the 31st: 5 clock hours but 4 real ones.
        end = datetime(2024, 3, 31, 4, 0).timestamp()
        first, second = day_stats(
            [ev.SittingSpan(start, end)], calendar, date(2024, 3, 30), date(2024, 3, 31)
        )
        assert (first.sat_seconds, second.sat_seconds) == (3600, 3 * 3600)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_the_chart_has_bars_where_the_sitting_was(catalogue):
    events = [
        ev.SittingSpan(at(1, 9), at(1, 11)),
        ev.SittingSpan(at(1, 13), at(1, 13.5)),
        ev.BreakTaken(at(1, 11), at(1, 11.5), "natural"),
    ]
    days = day_stats(events, CAL, date(2024, 1, 1), date(2024, 1, 7), catalogue)
    image = draw_week(days, CAL)
    assert image.size[0] == 1000 and image.size[1] > 300
    assert image.getbbox() is not None
    colours = {image.getpixel((x, 70 + 24)) for x in range(130, 830)}
    assert LONGEST in colours and SAT in colours  # Monday: the long sit and the short one
    empty = {image.getpixel((x, 70 + 48 * 3 + 24)) for x in range(130, 830)}
    assert SAT not in empty and LONGEST not in empty  # Thursday: nothing sat
    assert STOOD not in colours  # no standing, no standing bar


def test_the_chart_shows_standing_apart_from_sitting(catalogue):
    events = [
        ev.SittingSpan(at(1, 9), at(1, 10)),
        ev.StoodUp(at(1, 10)),
        ev.StandingSpan(at(1, 10), at(1, 11), "sit"),
        ev.SittingSpan(at(1, 11), at(1, 12)),
    ]
    days = day_stats(events, CAL, date(2024, 1, 1), date(2024, 1, 7), catalogue)
    image = draw_week(days, CAL)
    row = 70 + 24
    stood = [x for x in range(130, 830) if image.getpixel((x, row)) == STOOD]
    sat = [x for x in range(130, 830) if image.getpixel((x, row)) in (SAT, LONGEST)]
    assert stood and sat and not set(stood) & set(sat)
    assert min(stood) >= max(x for x in sat if x < min(stood)) and max(stood) < max(sat)
    assert image.getpixel((min(stood) + 5, 70 + 10)) != STOOD  # a thinner bar than sitting


def test_a_corrupt_history_is_kept_aside_and_a_new_one_started(tmp_path, caplog):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = HistoryStore(path)
    store.record([ev.Skipped(1.0)])
    aside = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    assert "kept it as" in caplog.text
    assert store.events() == [ev.Skipped(1.0)]


class FlakyStore:
    """A store whose disk is full for the first two writes."""

    busy_timeout = 0.0

    def __init__(self) -> None:
        self.failures = 2
        self.written: list = []

    def wait_when_busy(self, seconds: float) -> None:
        pass

    def record(self, events):
        if self.failures:
            self.failures -= 1
            raise sqlite3.OperationalError("database or disk is full")
        self.written += list(events)

    def save_state(self, key, value):
        pass


def test_events_wait_in_memory_while_the_disk_is_full(caplog):
    store = FlakyStore()
    writer = BackgroundWriter(store)
    for n in range(3):
        writer.record([ev.Skipped(float(n))])
    writer.close()
    assert store.written == [ev.Skipped(0.0), ev.Skipped(1.0), ev.Skipped(2.0)]
    assert caplog.text.count("cannot write the history") == 1
    assert "written again" in caplog.text


WRITER = """
import sys, time
from reminder.core import commands as cmd
from reminder.core import events as ev
from reminder.history.store import HistoryStore
store = HistoryStore(__import__("pathlib").Path(sys.argv[1]))
n = 0
while True:
    store.record([ev.Skipped(float(n)), ev.Snoozed(float(n), 5.0)])
    n += 1
    if n == 50:
        print("writing", flush=True)
"""


@pytest.mark.slow
def test_kill_9_while_writing_leaves_a_readable_history(tmp_path):
    path = tmp_path / "history.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout.readline().strip() == "writing"
    time.sleep(0.3)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    store = HistoryStore(path)
    events = store.events()
    assert len(events) >= 100 and len(events) % 2 == 0  # whole batches only
    assert not [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]


def test_a_restart_within_a_break_carries_the_sitting_clock_on(catalogue):
    settings = settings_for(make_config("", catalogue), catalogue)
    before = SittingCore(settings, CAL, catalogue)
    before.observe(Moment(1000.0, at(1, 9)), 0)
    before.observe(Moment(1000.0 + 1200, at(1, 9) + 1200), 0)
    saved = json.loads(json.dumps(before.snapshot(Moment(1000.0 + 1200, at(1, 9) + 1200))))

    after = SittingCore(settings, CAL, catalogue)  # a new process: a new steady clock
    back = Moment(50.0, at(1, 9) + 1200 + 120)
    assert after.restore(back, saved) == []
    assert after.status(back).sitting_seconds == 1320
    assert after.status(back).next_prompt == at(1, 10)

    late = SittingCore(settings, CAL, catalogue)
    # Longer than a break: the sit ended at the last input, and the clock starts afresh.
    closed = late.restore(Moment(50.0, at(1, 9) + 1200 + 301), saved)
    assert closed == [ev.SittingSpan(at(1, 9), at(1, 9) + 1200)]
    assert late.status(Moment(50.0, at(1, 9) + 1501)).state == "away"


@pytest.mark.slow
def test_stats_and_export_from_the_command_line(tmp_path):
    store = HistoryStore(tmp_path / "data" / "psoas" / "history.sqlite3")
    now = time.time()
    store.record(
        [ev.SittingSpan(now - 4000, now - 400), ev.BreakTaken(now - 400, now - 100, "natural")]
    )
    store.close()

    days = json.loads(in_process("stats", "--days", "2", "--json").stdout)
    assert len(days) == 2 and days[-1]["breaks_natural"] + days[0]["breaks_natural"] == 1
    assert round(sum(d["sat_minutes"] for d in days)) == 60
    chart = tmp_path / "week.png"
    shown = in_process("stats", "--chart", str(chart))
    assert shown.returncode == 0 and shown.stdout == f"Chart of this week: {chart}\n"
    assert "longest" in in_process("stats").stdout
    assert Image.open(chart).size[0] == 1000
    csv_text = in_process("export").stdout.splitlines()  # CSV is its one format: no option
    assert in_process("export", "--csv").stdout.splitlines() == csv_text  # still taken
    assert csv_text[0] == "time,kind,details" and len(csv_text) == 3
    rows = list(csv.DictReader(csv_text))
    span = json.loads(rows[0]["details"])  # its moments as local times, as the time column is
    assert (
        span["start"]
        == rows[0]["time"]
        == datetime.fromtimestamp(now - 4000).isoformat(timespec="seconds")
    )
    assert span["end"] == datetime.fromtimestamp(now - 400).isoformat(timespec="seconds")
    wrong_chart = str(tmp_path / "week.txt")
    for option, value, allowed in (
        ("--days", "zero", "1 to 3660"),
        ("--chart", wrong_chart, "PNG"),
    ):
        bad = in_process("stats", option, value)
        assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
        assert value in bad.stderr and allowed in bad.stderr  # the culprit and what is allowed
    assert not (tmp_path / "week.txt").exists()
