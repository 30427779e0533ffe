"""Never interrupting a call, a presentation or a film: prompts that fall due while the user is
busy wait, come once they are free, and busy time counts as sitting. Played through the real core
on replayed days; the signals themselves are tested for real in test_busy.py."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import EVERY_DAY, make_config, play, play_events
from desktop import wait_until
from e2e import in_process, psoas, recorded, start_headless, start_psoas
from test_adapters import Recorder, SettlingDaemon, VirtualClock

from reminder import words
from reminder.config import ConfigError, settings_for
from reminder.core import events as ev
from reminder.core.commands import ResumeReminders
from reminder.core.sitting import SittingCore
from reminder.core.status import State
from reminder.idle import NoIdleSource
from reminder.notify import Outbox
from reminder.system.clock import SystemCalendar


def prompts(day: str, config: str = EVERY_DAY) -> list[tuple[str, float, str | None]]:
    return [
        (r["time"], r["sitting_minutes"], r.get("held_for"))
        for r in play(day, config)
        if r["kind"] == "prompt"
    ]


def test_a_prompt_due_on_a_call_comes_when_it_ends_saying_how_long_you_sat():
    day = "09:00 active\n09:50 busy call\n10:40 free\n10:45 done\n11:00 end\n"
    assert prompts(day) == [("10:40:00", 100.0, "call")]
    (held,) = [e for e in play_events(day, EVERY_DAY) if isinstance(e, ev.PromptHeld)]
    assert (held.reason, held.sitting_seconds) == ("call", 3600)


def test_repeats_that_fall_due_while_busy_collapse_into_one_prompt():
    day = "09:00 active\n09:55 busy fullscreen\n11:10 free\n11:15 done\n11:30 end\n"
    assert prompts(day) == [("11:10:00", 130.0, "fullscreen")]


def test_a_prompt_is_shown_at_the_first_look_after_the_user_is_free():
    # Free at 10:41, between two looks (10:40, 10:42): the prompt comes at the next look.
    day = "09:00 active\n09:50 busy call\n10:41 free\n10:45 done\n11:00 end\n"
    assert [p[:2] for p in prompts(day)] == [("10:41:00", 101.0)]
    slow = "[quiet]\nrecheck_minutes = 10\n" + EVERY_DAY
    day = "09:00 active\n09:50 busy call\n10:35:00 free\n10:50 done\n11:00 end\n"
    assert prompts(day, slow)[0][:2] == ("10:35:00", 95.0)


def test_time_busy_without_input_is_sitting_and_a_break_counts_from_its_end():
    events = play_events(
        "09:00 active\n09:30 busy fullscreen\n09:31 away\n10:30 free\n11:00 end\n", EVERY_DAY
    )
    spans = [e for e in events if isinstance(e, ev.SittingSpan)]
    breaks = [e for e in events if isinstance(e, ev.BreakTaken)]
    start = min(e.start for e in spans)
    assert [(round(e.start - start), round(e.end - start)) for e in spans] == [(0, 90 * 60)]
    assert breaks == []  # the break is still under way at 11:00; none before 10:30 + 5 min
    assert prompts("09:00 active\n09:30 busy fullscreen\n09:31 away\n10:30 free\n11:00 end\n") == [
        ("10:30:00", 90.0, "fullscreen")
    ]


def test_a_held_prompt_whose_moment_passes_outside_working_hours_waits_for_them():
    hours = '[hours]\ndays = ["mon", "tue"]\nstart = "09:00"\nend = "10:30"\n'
    day = "09:00 active\n09:50 busy call\n11:00 free\n12:00 end\n"
    assert prompts(day, hours) == []
    held = [e for e in play_events(day, hours) if isinstance(e, ev.PromptHeld)]
    assert len(held) == 1


def test_a_held_prompt_snoozed_is_snoozed_not_held_and_comes_saying_nothing_of_the_call():
    day = "09:00 active\n09:50 busy call\n10:10 snooze 30\n10:15 free\n11:00 end\n"
    assert prompts(day)[0] == ("10:40:00", 100.0, None)  # when the snooze ends, no call named


def test_a_held_prompt_moved_by_a_new_sit_time_no_longer_waits(catalogue):
    from reminder.core.status import Busy
    from reminder.core.timebase import Moment

    config = make_config("sit_minutes = 1\n" + EVERY_DAY, catalogue)
    core = SittingCore(settings_for(config, catalogue), SystemCalendar(), catalogue)
    start = time.time()
    core.observe(Moment(0.0, start), 0.0)
    core.observe(Moment(61.0, start + 61), 0.0, busy=Busy("call"))
    assert core.status(Moment(62.0, start + 62)).state == State.HELD
    longer = make_config("sit_minutes = 60\n" + EVERY_DAY, catalogue)
    core.reconfigure(settings_for(longer, catalogue))
    core.observe(Moment(70.0, start + 70), 0.0, busy=Busy(None))
    status = core.status(Moment(71.0, start + 71))
    assert (status.state, status.held_for) == (State.SITTING, None)


def test_without_quiet_signals_nothing_is_held():
    day = "09:00 active\n09:50 busy call\n10:40 free\n10:45 done\n11:00 end\n"
    never = "[quiet]\nwhen = []\n" + EVERY_DAY
    assert prompts(day, never)[0] == ("10:00:00", 60.0, None)


def test_the_quiet_config_is_checked_like_every_key():
    assert make_config("[quiet]\nwhen = ['call']\napps = ['zoom']\n").quiet.apps == ("zoom",)
    for text, culprit in (
        ("[quiet]\nwhen = ['meeting']\n", '"meeting" is not one of dnd, fullscreen, call, apps'),
        ("[quiet]\nwhen = 'call'\n", "quiet.when"),
        ("[quiet]\napps = ['/usr/bin/zoom']\n", 'quiet.apps: "/usr/bin/zoom": a program.s name'),
        ("[quiet]\napps = ['zoom', 'zoom']\n", "quiet.apps = .*: each may appear once"),
        ("[quiet]\napps = ['zoom', 3]\n", "quiet.apps: 3 is not a program name"),
        ("[quiet]\nrecheck_minutes = 0\n", "quiet.recheck_minutes = 0"),
        ("[quiet]\nrechek_minutes = 2\n", "did you mean 'recheck_minutes'"),
    ):
        with pytest.raises(ConfigError, match=culprit):
            make_config(text)


def test_the_status_says_why_and_since_when_a_prompt_waits(catalogue):
    config = make_config("sit_minutes = 1\n" + EVERY_DAY, catalogue)
    core = SittingCore(settings_for(config, catalogue), SystemCalendar(), catalogue)
    from reminder.core.status import Busy
    from reminder.core.timebase import Moment

    start = time.time()
    core.observe(Moment(0.0, start), 0.0)
    core.observe(Moment(61.0, start + 61), 0.0, busy=Busy("call"))
    status = core.status(Moment(62.0, start + 62))
    assert (status.state, status.held_for, status.held_since) == (State.HELD, "call", start + 61)
    assert words.held_line(status, start + 62).startswith("on a call since ")
    said = words.summary(status, start + 62, catalogue)
    assert said.startswith("Sitting for 1 min; a prompt waits until you are free: on a call since")


class CountingBusy:
    def __init__(self, reason: str | None = None) -> None:
        self.reason, self.asked = reason, 0

    async def check(self) -> str | None:
        self.asked += 1
        return self.reason

    def close(self) -> None:
        return None


def test_the_daemon_asks_nothing_while_nothing_is_due_and_rechecks_while_held(catalogue):
    """Forty minutes of sitting (the prompt after sixty): not one look at the busy signals.
    Then on a call from the prompt: a look every two minutes while it waits, and no prompt."""

    async def play_day() -> tuple[int, int, Recorder]:
        shown, clock, busy = Recorder(), VirtualClock(time.time()), CountingBusy()
        config = make_config("sit_minutes = 60\n" + EVERY_DAY, catalogue)
        core = SittingCore(settings_for(config, catalogue), SystemCalendar(), catalogue)
        outbox = Outbox(shown)
        daemon = SettlingDaemon(core, clock, NoIdleSource(), outbox, catalogue, busy=busy)
        outbox.start()
        task = asyncio.get_running_loop().create_task(daemon.run())
        await clock.advance(40 * 60, daemon)
        quiet = busy.asked
        busy.reason = "call"
        await clock.advance(30 * 60, daemon)  # due at 60, held: looks at 60, 62, 64, 66, 68
        asked = busy.asked
        daemon.stop()
        await asyncio.wait_for(task, 5)
        await outbox.drain(1)
        return quiet, asked, shown

    quiet, asked, shown = asyncio.run(play_day())
    assert quiet == 0
    assert asked == 5 and shown.shown == []


@pytest.mark.desktop
def test_with_dunst_paused_nothing_is_sent_and_the_prompt_comes_once_it_is_not(desktop):
    """dunst's do-not-disturb on the test's own bus: the real psoas sends no Notify while it is
    on, says why in its status, and brings the prompt at the first look after it is off."""
    desktop.start_dunst()
    assert desktop.run("dunstctl", "set-paused", "true").returncode == 0
    config = (
        'sit_minutes = 0.05\nrepeat_minutes = 0.05\nidle_source = "none"\n'
        '[quiet]\nwhen = ["dnd"]\nrecheck_minutes = 0.05\n' + EVERY_DAY
    )
    process = start_psoas(desktop, config, "--headless")

    def status() -> dict:
        done = psoas(desktop.env, "status", "--json")
        return json.loads(done.stdout) if done.returncode == 0 else {}

    held = wait_until(lambda: status().get("held"), 20, "the prompt held")
    assert held["reason"] == "dnd" and held["since"]
    said = psoas(desktop.env, "status").stdout
    assert said.count("a prompt waits until you are free: do not disturb since ") == 1
    # The prompt fell due at 3 s of sitting and its repeat at 6 s: once psoas's own sitting
    # clock is past 9 s (0.15 min, said as 0.2), the repeat has fallen due and a look at the
    # signals came after it, and still nothing is sent.
    wait_until(lambda: status().get("sitting_minutes", 0) >= 0.2, 20, "the repeat's moment")
    assert desktop.notification_attempts() == []
    assert desktop.run("dunstctl", "set-paused", "false").returncode == 0
    shown = desktop.wait_for_notifications(1, 10, "Time to stretch")[0]
    assert shown["body"].startswith("You sat through it: ")
    assert status()["held"] is None
    assert psoas(desktop.env, "quit").returncode == 0
    assert process.finish(timeout=15) == 0


@pytest.mark.desktop
@pytest.mark.parametrize("session_bus", [True, False], ids=["plain X", "no session bus"])
def test_a_signal_that_cannot_look_says_so_in_one_short_line_once(desktop, session_bus):
    """A plain X session (no window manager, no sound server), with and without a session bus:
    each busy signal that cannot look leaves one short line in the log however many prompts come;
    why it cannot is for psoas doctor (and -v)."""
    config = desktop.home / "psoas.toml"
    config.write_text(
        'sit_minutes = 0.05\nrepeat_minutes = 0.05\nidle_source = "none"\n' + EVERY_DAY
    )
    env = desktop.env | {"PULSE_SERVER": f"unix:{desktop.root}/no-sound-server"}
    if not session_bus:
        env.pop("DBUS_SESSION_BUS_ADDRESS")
    else:
        desktop.start_dunst()
    process = start_headless(config, env)
    log = desktop.home / "state" / "psoas" / "log" / "psoas.log"
    wait_until(
        lambda: len(recorded(desktop, ev.PromptShown)) >= 3, 30, "3 prompts", process=process
    )
    assert psoas(env, "quit").returncode == 0 and process.finish(15) == 0
    busy = [
        line.split(": ", 1)[1] for line in log.read_text().splitlines() if "reminder.busy" in line
    ]
    short = "here: prompts do not wait for it (psoas doctor says why)"
    parts = ["a window is fullscreen", "you are in a call"]
    if not session_bus:
        parts.insert(0, "do-not-disturb is on")
    assert sorted(busy) == sorted(f"cannot tell whether {part} {short}" for part in parts), busy


# ----- how long a prompt was held, whatever ended the hold ------------------------------------


def held_figures(day: str, config: str) -> tuple[int, float]:
    """``prompts_held`` and ``minutes_held`` from ``psoas simulate --stats`` on ``day``."""
    folder = Path(tempfile.mkdtemp())
    (folder / "day.txt").write_text(day)
    (folder / "psoas.toml").write_text(config)
    day_file, config_file = str(folder / "day.txt"), str(folder / "psoas.toml")
    done = in_process("simulate", day_file, "--config", config_file, "--stats")
    stats = json.loads(done.stdout.splitlines()[-1]) if done.returncode == 0 else done.stderr
    shutil.rmtree(folder)
    return stats["prompts_held"], stats["minutes_held"]


@pytest.mark.slow
def test_a_hold_ended_by_a_locked_screen_counts_until_the_lock(tmp_path):
    """The day of the report: a prompt held by a call from 10:00, the screen locked at 10:30
    for half an hour. Held thirty minutes, though it was never shown."""
    day = tmp_path / "day.txt"
    day.write_text("09:00 active\n09:50 busy call\n10:30 lock\n11:00 unlock\n11:10 end\n")
    config = tmp_path / "psoas.toml"
    config.write_text("sit_minutes = 60\n" + EVERY_DAY)
    done = psoas(os.environ.copy(), "simulate", str(day), "--config", str(config), "--stats")
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout.splitlines()[-1])
    assert (stats["prompts_held"], stats["minutes_held"]) == (1, 30.0)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("ending", "minutes"),
    [
        ("10:20 free\n10:25 done", 20.0),  # shown once free: as before
        ("10:20 snooze 30\n10:21 free", 20.0),
        ("10:20 pause 30\n10:21 free", 20.0),
        ("10:20 done\n10:21 free", 20.0),
        ("10:20 skip\n10:21 free", 20.0),
        ("10:20 routine desk\n10:21 free", 20.0),
        ("10:20 lock\n10:40 unlock\n10:41 free", 20.0),  # a lock that lasted a break
    ],
)
def test_a_hold_counts_until_whatever_ended_it(ending, minutes):
    day = f"09:00 active\n09:50 busy call\n{ending}\n11:10 end\n"
    assert held_figures(day, "sit_minutes = 60\n" + EVERY_DAY) == (1, minutes)


def test_a_hold_ended_by_the_close_of_working_hours_counts_until_then():
    hours = '[hours]\ndays = ["mon"]\nstart = "09:00"\nend = "10:30"\n'
    day = "date 2026-11-23\n09:00 active\n09:50 busy call\n11:00 free\n11:10 end\n"
    held, minutes = held_figures(day, "sit_minutes = 60\n" + hours)
    assert held == 1 and 30.0 <= minutes <= 32.0  # found at the first look after 10:30


def test_a_hold_over_a_restart_is_one_hold_and_counts_until_psoas_stopped(catalogue):
    """psoas stopped while a prompt was held: started again within a break, the same hold
    goes on (not a second one); after a longer stop, it counts up to the sit's last moment."""
    from reminder.core.stats import day_stats
    from reminder.core.status import Busy
    from reminder.core.timebase import FixedCalendar, Moment

    config = make_config("sit_minutes = 60\n" + EVERY_DAY, catalogue)
    calendar = FixedCalendar()
    start = calendar.epoch(datetime(2026, 11, 23, 9))

    def held_day(gap: float) -> tuple[int, float]:
        first = SittingCore(settings_for(config, catalogue), calendar, catalogue)
        events = first.observe(Moment(0.0, start), 0.0)
        events += first.observe(Moment(3600.0, start + 3600), 0.0, busy=Busy("call"))
        events += first.observe(Moment(4800.0, start + 4800), 0.0, busy=Busy("call"))
        saved = json.loads(json.dumps(first.snapshot(Moment(4800.0, start + 4800))))
        later = 4800 + gap
        second = SittingCore(settings_for(config, catalogue), calendar, catalogue)
        events += second.restore(Moment(10.0, start + later), saved)
        events += second.observe(Moment(10.0, start + later), 0.0, busy=Busy("call"))
        events += second.observe(Moment(610.0, start + later + 600), 0.0, busy=Busy(None))
        (day,) = day_stats(events, calendar, date(2026, 11, 23), date(2026, 11, 23))
        return day.prompts_held, round(day.held_seconds / 60, 1)

    assert held_day(60) == (1, 31.0)  # 10:00 to 11:21, shown when free: one hold throughout
    assert held_day(3600) == (1, 20.0)  # 10:00 to 10:20, when psoas stopped


def test_a_prompt_held_by_a_call_stays_held_over_a_short_lock():
    """The look that finds the screen unlocked asks whether the user is busy: a prompt held
    before the lock does not pop up mid-call the moment the screen opens (it did, at 10:22)."""
    day = "09:00 active\n09:50 busy call\n10:20 lock\n10:22 unlock\n10:30 free\n11:10 end\n"
    assert prompts(day)[0] == ("10:30:00", 90.0, "call")
    assert held_figures(day, "sit_minutes = 60\n" + EVERY_DAY) == (1, 30.0)


class LockedIdle(NoIdleSource):
    """Input all the time, and a screen lock the test sets."""

    name, tracks_input = "test", True

    def __init__(self) -> None:
        self.is_locked = False

    async def locked(self) -> bool:
        return self.is_locked


def test_the_daemon_asks_whether_the_user_is_busy_as_the_screen_unlocks(catalogue):
    async def play_day() -> tuple[Recorder, Recorder]:
        clock, busy, idle = VirtualClock(time.time()), CountingBusy("call"), LockedIdle()
        config = make_config("sit_minutes = 60\n" + EVERY_DAY, catalogue)
        core = SittingCore(settings_for(config, catalogue), SystemCalendar(), catalogue)
        during, after = Recorder(), Recorder()
        outbox = Outbox(during)
        daemon = SettlingDaemon(core, clock, idle, outbox, catalogue, busy=busy)
        outbox.start()
        task = asyncio.get_running_loop().create_task(daemon.run())
        await clock.advance(61 * 60, daemon)  # due at 60 on a call: held
        idle.is_locked = True
        await clock.advance(3 * 60, daemon)  # looked at while locked (every 2 min while held)
        idle.is_locked = False
        await daemon.carry_out(ResumeReminders())  # a look, which finds the screen open again
        await outbox.flushed()
        outbox.notifier = after
        busy.reason = None
        await clock.advance(3 * 60, daemon)  # the next look finds the call over
        await outbox.flushed()
        daemon.stop()
        await asyncio.wait_for(task, 5)
        await outbox.drain(1)
        return during, after

    during, after = asyncio.run(play_day())
    assert during.shown == []  # nothing during the call, lock or no lock
    assert after.shown and after.shown[0].title.startswith("Time to stretch")


def test_a_sleep_during_a_call_is_time_away_and_ends_the_hold():
    """A suspended machine is away from the moment it slept, even if a call is still on when
    it wakes: the sit ends at 10:20, and the prompt held since 10:00 with it."""
    day = "09:00 active\n09:50 busy call\n10:20 suspend\n11:00 resume\n11:01 free\n11:10 end\n"
    spans = [e for e in play_events(day, EVERY_DAY) if isinstance(e, ev.SittingSpan)]
    assert [(e.end - e.start) / 60 for e in spans] == [80.0]
    assert held_figures(day, "sit_minutes = 60\n" + EVERY_DAY) == (1, 20.0)


def test_a_short_sleep_during_a_call_leaves_the_same_prompt_held():
    """Woken within a break, still on the call: the minute of grace after a wake holds back
    showing, not the hold itself, which goes on as one."""
    day = "09:00 active\n09:50 busy call\n10:20 suspend\n10:21 resume\n10:30 free\n11:10 end\n"
    assert prompts(day)[0] == ("10:30:00", 90.0, "call")
    assert held_figures(day, "sit_minutes = 60\n" + EVERY_DAY) == (1, 30.0)
