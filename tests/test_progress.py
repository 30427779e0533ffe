"""Progress as the studies measure it: bouts of sitting, prompts answered, the trend over weeks;
and the picture that travels with a prompt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import EVERY_DAY, play
from e2e import ROOT, start_psoas
from PIL import Image

from reminder import words
from reminder.core import events as ev
from reminder.core.stats import day_stats
from reminder.core.timebase import FixedCalendar
from reminder.core.trend import this_week_and_before, weeks
from reminder.pictures.chart import draw_trend

CAL = FixedCalendar()
ARTIFACTS = ROOT / "tests" / "artifacts"

#: A day built by hand: a 95-minute bout with an ignored prompt, two bouts of 40 minutes, and a
#: bout of 49 minutes whose prompt is answered after 4 minutes (sit 45, repeat 10, break 5).
DAY = """
08:00 active
09:35 away
09:45 active
10:25 away
10:35 active
11:15 away
11:25 active
12:14 done
12:15 away
12:30 end
"""
CONFIG = "sit_minutes = 45\nrepeat_minutes = 10\nbreak_minutes = 5\n" + EVERY_DAY


def test_a_hand_built_day_has_the_bouts_and_answers_it_was_built_with():
    (stats,) = [r for r in play(DAY, CONFIG, stats=True) if r["kind"] == "stats"]
    assert stats["longest_sit_minutes"] == 95.0
    assert (stats["bouts_over_30"], stats["bouts_over_60"]) == (4, 1)
    assert (stats["prompts"], stats["prompts_answered"]) == (2, 1)
    assert stats["answer_rate"] == 0.5 and stats["minutes_to_answer_median"] == 4.0
    assert stats["repeats"] == 5  # 08:55 to 09:35: repeats of the ignored prompt, not counted


@pytest.mark.slow
def test_psoas_simulate_stats_prints_the_same_figures_as_psoas_stats(tmp_path):
    scenario = tmp_path / "day.txt"
    scenario.write_text(DAY)
    config = tmp_path / "psoas.toml"
    config.write_text(CONFIG)
    command = [sys.executable, "-m", "reminder", "simulate", str(scenario), "--stats"]
    done = subprocess.run(
        [*command, "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ,
        check=True,
    )
    *notifications, last = [json.loads(line) for line in done.stdout.splitlines()]
    assert last["kind"] == "stats" and last["bouts_over_60"] == 1
    assert all(n["kind"] != "stats" for n in notifications)
    assert set(last) >= {
        "bouts_over_30",
        "bouts_over_60",
        "longest_sit_minutes",
        "prompts",
        "prompts_answered",
        "answer_rate",
        "minutes_to_answer_median",
    }


def test_a_day_without_prompts_has_no_rate_and_no_median():
    (stats,) = [r for r in play("09:00 active\n09:20 away\n10:00 end\n", CONFIG, stats=True)][-1:]
    assert stats["prompts"] == 0 and stats["answer_rate"] is None
    assert stats["minutes_to_answer_median"] is None


def test_a_skip_does_not_end_a_bout_but_a_done_does():
    skip = play("09:00 active\n09:50 skip\n10:30 away\n11:00 end\n", CONFIG, stats=True)[-1]
    done = play("09:00 active\n09:50 done\n10:30 away\n11:00 end\n", CONFIG, stats=True)[-1]
    assert skip["longest_sit_minutes"] == 90.0 and skip["bouts_over_60"] == 1
    assert done["longest_sit_minutes"] == 50.0 and done["bouts_over_60"] == 0


def generated_weeks(today: date, calendar: FixedCalendar = CAL) -> list[ev.Event]:
    """Five weeks of working days: four weeks of three long bouts a day and few answers, then
    this week of one long bout a day, each prompt answered within minutes."""
    events: list[ev.Event] = []
    monday = today - timedelta(days=today.weekday())
    for back in range(28, 0, -1):
        day = monday - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for hour in (9, 11, 14):  # three bouts of 72 minutes, their prompts ignored
            start = calendar.epoch(
                datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)
            )
            events += [
                ev.SittingSpan(start, start + 72 * 60),
                ev.PromptShown(start + 60 * 60, "bridge", 3600, 0),
                ev.BreakTaken(start + 72 * 60, start + 80 * 60, "natural"),
            ]
    for offset in range(today.weekday() + 1):
        day = monday + timedelta(days=offset)
        start = calendar.epoch(datetime.combine(day, datetime.min.time()) + timedelta(hours=9))
        events += [
            ev.SittingSpan(start, start + 62 * 60),  # one long bout, answered after 2 min
            ev.PromptShown(start + 60 * 60, "bridge", 3600, 0),
            ev.BreakTaken(start + 62 * 60, start + 62 * 60, "done", "bridge"),
            ev.SittingSpan(start + 70 * 60, start + 100 * 60),
            ev.BreakTaken(start + 100 * 60, start + 110 * 60, "natural"),
        ]
    return events


def test_the_trend_sets_this_week_against_the_four_before():
    today = date(2026, 11, 26)  # a Thursday
    days = day_stats(generated_weeks(today), CAL, today - timedelta(days=40), today)
    now, before = this_week_and_before(days, range(5), today)
    assert (now.bouts_per_day, before.bouts_per_day) == (1.0, 3.0)
    assert (now.longest_seconds, before.longest_seconds) == (62 * 60, 72 * 60)
    assert (now.answer_rate, before.answer_rate) == (1.0, 0.0)
    assert words.trend_lines(now, before) == [
        "Bouts of an hour or more: 1 a day this week, 3 a day in the four weeks before.",
        "Longest bout: 1 h 02 min this week, 1 h 12 min before.",
        "Prompts answered within 10 min: 100% this week, 0% before.",
    ]


def test_the_trend_chart_draws_each_week(tmp_path):
    today = date(2026, 11, 26)
    days = day_stats(generated_weeks(today), CAL, today - timedelta(days=34), today)
    picture = draw_trend(weeks(days, range(5))[-5:])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    picture.save(ARTIFACTS / "trend-chart.png")
    width, height = picture.size
    assert (width, height) == (1000, 420)
    # Four tall bars and one short one, in the bar colour; and the answer line's dots.
    from reminder.pictures.chart import PROMPTED, SAT

    colours = Image.Image.getcolors(picture.convert("RGB"), maxcolors=1 << 16)
    present = {colour for _, colour in colours}
    assert SAT in present and PROMPTED in present


@pytest.mark.slow
def test_psoas_stats_prints_the_trend_and_draws_it(tmp_path):
    from reminder.history.store import HistoryStore
    from reminder.system.clock import SystemCalendar

    today = date.today()
    store = HistoryStore(Path(os.environ["XDG_DATA_HOME"]) / "psoas" / "history.sqlite3")
    store.record(generated_weeks(today, SystemCalendar()))
    store.close()
    week_days = '[hours]\ndays = ["mon", "tue", "wed", "thu", "fri"]\n'
    config = tmp_path / "psoas.toml"
    config.write_text(week_days)
    chart = tmp_path / "trend.png"

    def stats(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reminder", "stats", "--config", str(config), *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=os.environ,
        )

    done = stats("--chart", str(chart), "--weeks", "6")
    assert done.returncode == 0, done.stderr
    assert Image.open(chart).size == (1000, 420)
    assert done.stdout == f"Chart of the last 6 weeks: {chart}\n"  # the picture, not the table
    table = stats()
    if today.weekday() < 5:  # this week has working days with sitting in it
        assert "Bouts of an hour or more: 1 a day this week, 3 a day in the four" in table.stdout
    refused = stats("--weeks", "6")
    assert refused.returncode == 2 and "--chart" in refused.stderr


@pytest.mark.desktop
def test_a_prompt_reaches_dunst_with_the_picture_of_its_stretch(desktop, catalogue):
    desktop.start_dunst()
    config = 'sit_minutes = 0.05\nrepeat_minutes = 0\nidle_source = "none"\n' + EVERY_DAY
    process = start_psoas(desktop, config, "--headless")
    prompt = desktop.wait_for_notifications(1, 30, "Time to stretch")[0]
    image = Path(prompt["hints"]["image-path"])
    named = [s for s in catalogue.stretches.values() if s.name in prompt["summary"]]
    assert len(named) == 1 and image.is_file()
    assert image.name.startswith(f"{named[0].id}-") and Image.open(image).size[1] >= 128
    process.terminate()
    assert process.finish(timeout=15) == 0


def test_the_today_line_says_the_longest_bout():
    day = day_stats(
        [ev.SittingSpan(0, 3900), ev.BreakTaken(3900, 4200, "natural"), ev.SittingSpan(4200, 5000)],
        CAL,
        date(1970, 1, 1),
        date(1970, 1, 1),
    )[0]
    assert (
        words.today_line(day) == "Today: sat 1 h 18 min, longest 1 h 05 min, 1 break, 0 stretches"
    )


def test_a_new_user_is_told_there_is_no_history_yet_and_empty_weeks_say_dash():
    from e2e import in_process

    shown = in_process("stats")
    assert shown.returncode == 0 and shown.stdout == words.NO_HISTORY_YET + "\n"
    assert json.loads(in_process("stats", "--json").stdout)[0]["sat_minutes"] == 0
    today = date(2026, 11, 26)  # a Thursday; psoas first ran on Monday
    start = CAL.epoch(datetime(2026, 11, 23, 9, 0))
    spans = [ev.SittingSpan(start, start + 600)]
    days = day_stats(spans, CAL, today - timedelta(days=31), today)
    now, before = this_week_and_before(days, range(5), today)
    assert words.trend_lines(now, before)[1] == "Longest bout: 10 min this week, - before."


def test_the_stats_table_fits_80_columns_and_an_empty_week_says_none():
    from dataclasses import replace

    (empty,) = day_stats([], CAL, date(2026, 11, 23), date(2026, 11, 23))
    busy = replace(
        empty,
        sat_seconds=10 * 3600 + 300,
        longest_sit_seconds=10 * 3600,
        bouts_over_30=12,
        bouts_over_60=10,
        breaks_natural=25,
        breaks_prompted=14,
        prompts=12,
        prompts_answered=12,
        snoozes=3,
    )
    table = words.stats_table([busy, empty])
    assert max(map(len, table.splitlines())) <= 80, table
    assert "10 h 05 min" in table and "12 (100%)" in table
    assert "These 2 days: 3 snoozes, 0 routines done. Stretches done: none." in table
    from reminder.core.trend import Week

    calm = Week(date(2026, 11, 23), date(2026, 11, 27), 5, 0, 50 * 60, 4, 4)
    long = Week(date(2026, 10, 26), date(2026, 11, 20), 20, 48, 90 * 60, 20, 10)
    assert words.trend_lines(calm, long)[0] == (
        "Bouts of an hour or more: none this week, 2.4 a day in the four weeks before."
    )
