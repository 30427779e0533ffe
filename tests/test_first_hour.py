"""What a new user meets in the first hour: each answer credited to the stretch it answers,
answered popups taken down, config edits picked up while psoas runs, one line for every command,
a first line that says what psoas will do, and words a careful writer would use."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import time
from datetime import datetime
from pathlib import Path

import pytest
from conftest import EVERY_DAY, make_config, play_events
from desktop import Desktop, wait_until
from e2e import psoas, start_headless, start_psoas
from tray_doubles import connected

from reminder import words
from reminder.config import settings_for
from reminder.control.protocol import Request
from reminder.core import events as ev
from reminder.core.commands import Snooze
from reminder.core.sitting import SittingCore
from reminder.core.stats import day_stats
from reminder.core.timebase import FixedCalendar, Moment
from reminder.idle import NoIdleSource
from reminder.notify import Outbox, TerminalNotifier
from reminder.runtime.daemon import Daemon
from reminder.runtime.requests import ControlHandler
from reminder.system.clock import SystemCalendar, SystemClock
from reminder.tray.model import TrayModel

CAL = FixedCalendar()


FAST = 'sit_minutes = 0.05\nrepeat_minutes = 0\nbreak_minutes = 10\nidle_source = "none"\n'


# ----- 1. "I stretched" credits the stretch the prompt named --------------------------------


def test_done_credits_exactly_the_stretch_each_prompt_named(catalogue):
    events = play_events(
        """
        09:00 active
        10:05 done
        11:10 done
        12:00 away
        13:00 active
        14:10 done
        15:00 end
        """,
        "repeat_minutes = 0\n" + EVERY_DAY,
    )
    named = [e.stretch for e in events if isinstance(e, ev.PromptShown)]
    assert len(named) == 3 and len(set(named[:2])) == 2  # consecutive prompts differ
    (day,) = day_stats(events, CAL, datetime(2024, 1, 1).date(), datetime(2024, 1, 1).date())
    assert dict(day.stretches_done) == {name: named.count(name) for name in set(named)}
    answers = [e for e in events if isinstance(e, ev.BreakTaken) and e.how == "done"]
    assert [a.stretch for a in answers] == named
    assert all(a.start == a.end for a in answers)  # dated when the user said so


def test_done_with_no_prompt_out_credits_none_and_old_records_still_count(catalogue):
    events = play_events("09:00 active\n09:20 done\n18:00 end\n", EVERY_DAY)
    (answer,) = [e for e in events if isinstance(e, ev.BreakTaken)]
    assert answer.stretch is None
    # A record from before breaks named their stretch: dated from the start of the sit, it
    # credits the last prompt before it ended.
    old = [
        ev.PromptShown(CAL.epoch(datetime(2024, 1, 1, 10)), "bridge", 3600, 0),
        ev.BreakTaken(
            CAL.epoch(datetime(2024, 1, 1, 9)), CAL.epoch(datetime(2024, 1, 1, 10, 3)), "done"
        ),
    ]
    (day,) = day_stats(old, CAL, datetime(2024, 1, 1).date(), datetime(2024, 1, 1).date())
    assert dict(day.stretches_done) == {"bridge": 1}


@pytest.mark.slow
def test_psoas_done_after_a_prompt_shows_in_stats_as_that_stretch(tmp_path):
    config = tmp_path / "psoas.toml"
    config.write_text(FAST + EVERY_DAY)
    env = dict(os.environ)
    daemon = start_headless(config, env)
    try:
        wait_until(lambda: _prompts(env), 20, "a prompt in the history")
        said = psoas(env, "done")
        assert said.returncode == 0 and said.stdout.startswith("Noted, you stretched ("), said
    finally:
        psoas(env, "quit")
        daemon.wait(15)
    (prompted,) = _prompts(env)[:1]
    (today,) = json.loads(psoas(env, "stats", "--days", "1", "--json").stdout)
    assert today["stretches_done"] == {prompted: 1}


def _prompts(env: dict[str, str]) -> list[str]:
    rows = csv.DictReader(io.StringIO(psoas(env, "export", "--csv").stdout))
    return [json.loads(row["details"])["stretch"] for row in rows if row["kind"] == "prompt"]


# ----- 2. an answered prompt's popup is taken down; quitting takes down every one ------------


@pytest.mark.desktop
def test_answering_closes_the_prompt_and_quitting_closes_every_popup(desktop: Desktop):
    desktop.start_dunst()
    process = start_psoas(desktop, FAST + EVERY_DAY, "--headless")
    first = desktop.wait_for_notifications(1, 30, "Time to stretch")[0]
    assert psoas(desktop.env, "done").returncode == 0
    wait_until(lambda: _closed(desktop) == [first["id"]], 10, "the answered prompt closed")
    second = desktop.wait_for_notifications(2, 30, "Time to stretch")[1]
    assert psoas(desktop.env, "routine", "desk").returncode == 0  # closes the second prompt
    step = desktop.wait_for_notifications(1, 30, "Step 1 of")[0]
    assert psoas(desktop.env, "quit").returncode == 0
    assert process.finish(timeout=15) == 0
    closed = _closed(desktop)
    assert closed[:2] == [first["id"], second["id"]] and step["id"] in closed[2:]


def _closed(desk: Desktop) -> list[int]:
    """The ids psoas asked the server to close, in order."""
    return [
        record["args"][0]
        for record in desk.bus_log.records()
        if record["type"] == "call" and record["member"] == "CloseNotification"
    ]


# ----- 3. a saved config is picked up while psoas runs -------------------------------------


@pytest.mark.slow
def test_a_saved_config_is_read_again_and_a_broken_one_keeps_the_old(tmp_path):
    config = tmp_path / "psoas.toml"
    config.write_text('sit_minutes = 60\nidle_source = "none"\n' + EVERY_DAY)
    env = dict(os.environ)
    daemon = start_headless(config, env)

    def status() -> dict:
        done = psoas(env, "status", "--json")
        return json.loads(done.stdout) if done.returncode == 0 else {}

    try:
        wait_until(status, 20, "psoas to answer")
        first = datetime.fromisoformat(status()["next_prompt"]).timestamp()
        assert first - time.time() > 50 * 60
        config.write_text('sit_minutes = 30\nidle_source = "none"\n' + EVERY_DAY)
        moved = wait_until(
            lambda: datetime.fromisoformat(status()["next_prompt"]).timestamp() < first - 25 * 60,
            5,
            "the new sitting time in the status",
        )
        assert moved and status()["config"]["problem"] is None
        config.write_text('sit_minutes = "soon"\nidle_source = "none"\n' + EVERY_DAY)
        problem = wait_until(lambda: status()["config"]["problem"], 5, "the problem said")
        assert "sit_minutes" in problem and str(config) in problem
        # The config that ran goes on: the prompt is still half an hour after the start.
        assert datetime.fromisoformat(status()["next_prompt"]).timestamp() < first - 25 * 60
        assert "not applied" in psoas(env, "status").stdout
    finally:
        psoas(env, "quit")
        daemon.wait(15)
    err = daemon.stderr_text()
    # Said once in the log's line, and once as a notification (here, in the terminal).
    assert err.count("psoas goes on with the config it had") == 1
    assert err.count(words.CONFIG_NOT_APPLIED) == 1
    log = (Path(env["XDG_STATE_HOME"]) / "psoas" / "log" / "psoas.log").read_text()
    assert "config read again" in log


# ----- 5. Open config where nothing opens it ------------------------------------------------


def test_open_config_with_no_application_says_where_the_file_is(tmp_path, monkeypatch, caplog):
    opener = tmp_path / "bin" / "xdg-open"
    opener.parent.mkdir()
    opener.write_text("#!/bin/sh\necho 'xdg-open: no method available' >&2\nexit 3\n")
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", f"{opener.parent}:{os.environ['PATH']}")
    config_file = tmp_path / "config" / "config.toml"
    model = TrayModel(_catalogue(), make_config(""), lambda: config_file, tmp_path / "week.png")

    async def play() -> list[tuple[str, str]]:
        told = connected(model)
        await model._open_config()
        return told

    told = asyncio.run(play())
    assert config_file.exists()  # written from the example first
    (_, body) = told[0]
    assert str(config_file) in body and "exit status 3" in body
    assert caplog.text.count("cannot open the config file") == 1
    assert "no method available" not in caplog.text.split("cannot open")[1].splitlines()[0]


def _catalogue():
    from reminder.catalogue.loader import load_catalogue

    return load_catalogue()


# ----- 6. every command says in one line what it did ----------------------------------------


@pytest.mark.slow
def test_each_command_answers_in_one_line(tmp_path):
    config = tmp_path / "psoas.toml"
    config.write_text('sit_minutes = 60\nidle_source = "none"\n' + EVERY_DAY)
    env = dict(os.environ)
    daemon = start_headless(config, env)
    try:
        wait_until(lambda: psoas(env, "status").returncode == 0, 20, "psoas to answer")
        expected = [
            (("snooze", "15"), "Snoozed: next prompt at "),
            (("done",), "Noted, you stretched: the clock starts again, next prompt at "),
            (("skip",), "Skipped: the clock starts again, next prompt at "),
            (("pause", "30m"), "Paused: no prompts until "),
            (("resume",), "Reminders on again: next prompt at "),
            (("resume",), "Nothing to resume: reminders are not paused"),
            (("routine", "desk"), "Desk break started: 4 steps, 2 min 15 s"),
            (("snooze",), "Nothing to snooze: a routine is under way"),
            (("routine", "--pause"), "Routine paused"),
            (("routine", "--stop"), "Routine stopped: next prompt at "),
            (("routine", "--next"), "Nothing to skip: no routine is under way"),
            (("routine", "--pause"), "Nothing to pause: no routine is under way"),
        ]
        for args, start in expected:
            done = psoas(env, *args)
            assert done.returncode == 0, (args, done.stderr)
            assert done.stdout.startswith(start) and done.stdout.count("\n") == 1, (args, done)
        quitting = psoas(env, "quit")
        assert quitting.stdout == f"Stopping psoas (pid {daemon.pid})\n"
    finally:
        daemon.wait(15)


def test_a_routine_paused_already_is_said_to_be_so_and_one_going_on_too(catalogue):
    """psoas routine --pause twice, then --resume twice: each answer says what it found."""

    async def answers() -> list[str]:
        config = make_config('idle_source = "none"\n' + EVERY_DAY, catalogue)
        core = SittingCore(settings_for(config, catalogue), SystemCalendar(), catalogue)
        outbox = Outbox(TerminalNotifier(io.StringIO()))
        daemon = Daemon(core, SystemClock(), NoIdleSource(), outbox, catalogue)
        handler = ControlHandler(daemon, catalogue, dict)
        running = asyncio.get_running_loop().create_task(daemon.run())
        said = []
        for command in ("routine", "pause-routine", "pause-routine", "resume-routine"):
            said.append((await handler.carry_out(Request(command)))["said"])
        said.append((await handler.carry_out(Request("resume-routine")))["said"])
        daemon.stop()
        await asyncio.wait_for(running, 5)
        return said

    assert asyncio.run(answers()) == [
        "Desk break started: 4 steps, 2 min 15 s",
        "Routine paused at step 1 of 4: psoas routine --resume goes on with it",
        "Already paused at step 1 of 4: psoas routine --resume goes on with it",
        "Routine resumed at step 1 of 4",
        "Nothing to resume: the routine is not paused",
    ]


def test_snooze_outside_working_hours_says_when_the_next_prompt_can_be(catalogue):
    from reminder.core.status import State, Status

    monday_9 = datetime(2026, 11, 30, 9, 0).timestamp()
    friday_evening = datetime(2026, 11, 27, 20, 0).timestamp()
    status = Status(State.OFF_HOURS, 600, monday_9, None, "bridge")
    refused = ev.CommandRefused(friday_evening, "snooze", ev.Refusal.OFF_HOURS)
    said = words.answer(Snooze(), [refused], status, friday_evening, catalogue)
    assert said == "Nothing to snooze: no prompt before Mon 09:00"


# ----- 7. the first line of psoas run -------------------------------------------------------


@pytest.mark.slow
def test_psoas_run_starts_by_saying_what_it_will_do(tmp_path):
    tomorrow = datetime.fromtimestamp(time.time() + 86400).strftime("%a").lower()
    config = tmp_path / "psoas.toml"
    config.write_text(f'idle_source = "none"\n[hours]\ndays = ["{tomorrow}"]\n')
    daemon = start_headless(config, dict(os.environ))
    try:
        first = wait_until(
            lambda: daemon.stderr_text().partition("\n")[0] if "\n" in daemon.stderr_text() else "",
            15,
            "the first line",
            process=daemon,
        )
    finally:
        daemon.terminate()
        daemon.wait(15)
    assert first.startswith(
        f"psoas is running: a prompt after 1 h of sitting, {tomorrow.title()} 09:00-18:00 "
        "(now outside those hours; next from tomorrow 09:00)"
    ), first


# ----- 8. words ------------------------------------------------------------------------------


def test_words_a_careful_writer_would_use(catalogue):
    from reminder.core.status import State, Status

    now = datetime(2026, 11, 27, 10, 0).timestamp()
    sitting = Status(State.SITTING, 42 * 60, now + 18 * 60, None, "bridge")
    assert words.summary(sitting, now, catalogue) == "Sitting for 42 min; next prompt at 10:18."
    prompt = ev.PromptShown(now, "bridge", 3600 + 5 * 60, 0)
    _, body = words.notification_for(prompt, catalogue)
    assert body.startswith("You have been sitting for 1 h 05 min. ")
    assert words.duration(3600) == "1 h" and words.duration(3660) == "1 h 01 min"
    table = words.stats_table(
        day_stats([], CAL, datetime(2024, 1, 1).date(), datetime(2024, 1, 1).date())
    )
    assert "stretched: breaks after a prompt" in table and "prompts:" in table


def test_the_log_says_each_event_in_one_readable_line():
    now = datetime(2026, 11, 27, 10, 17, 3).timestamp()
    prompt = ev.PromptShown(now, "bridge", 3900.0, 1, 120.0, "call")
    assert words.log_line(prompt, now) == (
        "prompt at 10:17:03: stretch bridge, sitting 1 h 05 min, repeat 1, held 2 min, "
        "held for call"
    )
    first = ev.PromptShown(now, "bridge", 3600.0, 0)  # nothing held: no held fields
    assert words.log_line(first, now) == "prompt at 10:17:03: stretch bridge, sitting 1 h, repeat 0"
    yesterday = ev.SittingSpan(now - 86400, now - 86400 + 600)  # not today: with its day
    assert words.log_line(yesterday, now) == "sitting 2026-11-26 10:17:03-2026-11-26 10:27:03"
    paused = ev.Paused(now, now + 1800)
    assert words.log_line(paused, now) == "pause at 10:17:03: until 10:47:03"
    step = ev.RoutineStepStarted(now, "desk", 0, 4, "standing", "left", 30.0, 5.0)
    assert words.log_line(step, now) == (
        "routine-step at 10:17:03: routine desk, step 1 of 4, stretch standing, side left, "
        "lasting 30 s, rest 5 s"
    )
    refused = ev.CommandRefused(now, "snooze", ev.Refusal.AWAY)
    assert words.log_line(refused, now) == "refused at 10:17:03: command snooze, reason away"


def test_status_names_the_stretch_on_screen_and_whole_seconds(catalogue):
    """A repeat names the stretch of the prompt it repeats; status, and Stretch now, name it."""
    config = make_config("sit_minutes = 0.05\nrepeat_minutes = 0.05\n" + EVERY_DAY, catalogue)
    core = SittingCore(settings_for(config, catalogue), CAL, catalogue)
    shown = []
    for t in range(0, 8):
        events = core.observe(Moment(t, 1e9 + t), 0)
        shown += [e.stretch for e in events if isinstance(e, ev.PromptShown)]
    assert len(shown) == 2 and shown[0] == shown[1]  # the first prompt and one repeat
    status = core.status(Moment(7.062, 1e9 + 7.062))
    assert status.prompted_stretch == shown[-1] == status.next_stretch
    said = words.summary(status, 1e9 + 7.062, catalogue)
    assert said == f"Sitting for 7 s; time to stretch: {catalogue.stretch(shown[-1]).name}."
