"""The thin adapters around the core: notifier fallback, idle choice, icon, the daemon's loop.

The daemon runs here on a virtual clock: time moves only when the test moves it, and the daemon's
timer fires when that time reaches its deadline, so hours of a running daemon take milliseconds.
One test runs it on the real clock, to prove the suspend-aware timer really fires.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import time
from datetime import datetime

import pytest
from conftest import EVERY_DAY, make_config
from PIL import Image

from reminder.bus import Buses
from reminder.config import settings_for
from reminder.core import commands as cmd
from reminder.core import events as ev
from reminder.core.sitting import SittingCore
from reminder.core.timebase import Moment
from reminder.idle import AskedSource, NoIdleSource, choose_idle_source
from reminder.notify import FallbackNotifier, Note, NotifyError, Outbox, TerminalNotifier
from reminder.runtime.daemon import Daemon
from reminder.system.clock import SystemCalendar, SystemClock
from reminder.system.offloop import NoAnswer
from reminder.tray.icon import IconLook, draw_icon, look_for


class Recorder:
    name = "recorder"

    def __init__(self, fail: bool = False, stall: bool = False) -> None:
        self.shown: list[Note] = []
        self.withdrawn: list[str] = []
        self.fail = fail
        self.stall = stall

    async def show(self, note: Note) -> None:
        if self.stall:
            await asyncio.sleep(3600)  # a frozen notification server
        if self.fail:
            raise NotifyError("no server")
        self.shown.append(note)

    async def withdraw(self, slot: str) -> None:
        self.withdrawn.append(slot)


class FailingIdle(AskedSource):
    name = "flaky"

    async def idle_seconds(self) -> float:
        raise OSError("connection to the X server lost")


class VirtualTimer:
    def __init__(self, clock: VirtualClock, callback) -> None:
        self.clock, self.callback, self.at = clock, callback, None
        clock.timers.append(self)

    def arm(self, t: float) -> None:
        self.at = t

    def disarm(self) -> None:
        self.at = None

    def close(self) -> None:
        self.at = None


class VirtualClock:
    """Steady and wall time that move only in :meth:`advance`, firing timers on the way;
    ``fired`` counts the timers fired: the daemon's wake-ups."""

    def __init__(self, epoch: float) -> None:
        self.t = 1000.0
        self.offset = epoch - self.t
        self.timers: list[VirtualTimer] = []
        self.wall_watchers: list = []
        self.fired = 0

    def now(self) -> Moment:
        return Moment(self.t, self.t + self.offset)

    def slept_since(self) -> float | None:
        return None

    def timer(self, callback) -> VirtualTimer:
        return VirtualTimer(self, callback)

    def watch_wall_clock(self, callback) -> None:
        self.wall_watchers.append(callback)

    def set_wall_clock(self, shift: float) -> None:
        self.offset += shift
        for callback in self.wall_watchers:
            callback()

    async def advance(self, seconds: float, daemon: SettlingDaemon) -> None:
        """Let ``seconds`` pass, the daemon waking at each deadline it set on the way."""
        end = self.t + seconds
        await daemon.settled()
        while True:
            due = [timer for timer in self.timers if timer.at is not None and timer.at <= end]
            if not due:
                break
            timer = min(due, key=lambda each: each.at)
            self.t, timer.at = max(self.t, timer.at), None
            self.fired += 1
            timer.callback()
            await daemon.settled()
        self.t = end
        await daemon.settled()


class SettlingDaemon(Daemon):
    """The daemon, and a way for a test to wait until it has carried out all it was given."""

    async def settled(self) -> None:
        await asyncio.sleep(0)
        await self._work.join()


class Seen:
    """An observer of the daemon that keeps what it was told."""

    def __init__(self) -> None:
        self.calls: list[list[ev.Event]] = []

    def seen(self, events, status) -> None:
        self.calls.append(events)

    def next_wakeup(self, now: float) -> None:
        return None


def _daemon(
    catalogue, idle, notifier, text: str, clock, observers=(), **seconds: float
) -> tuple[SettlingDaemon, Outbox]:
    """A daemon on ``clock`` with the config ``text``; ``seconds`` override the core's Settings
    beyond what a config may say (``sit=0.8``: shorter than the 3 s a config allows)."""
    config = make_config(text + EVERY_DAY, catalogue)
    settings = dataclasses.replace(settings_for(config, catalogue), **seconds)
    core = SittingCore(settings, SystemCalendar(), catalogue)
    outbox = Outbox(notifier)
    return SettlingDaemon(core, clock, idle, outbox, catalogue, observers=observers), outbox


async def _running(daemon: SettlingDaemon, outbox: Outbox) -> asyncio.Task:
    outbox.start()
    task = asyncio.get_running_loop().create_task(daemon.run())
    await daemon.settled()
    return task


async def _stopped(daemon: Daemon, outbox: Outbox, task: asyncio.Task) -> None:
    daemon.stop()
    await asyncio.wait_for(task, 5)
    await outbox.drain(1)


def _titles(recorder: Recorder) -> list[str]:
    return [note.title for note in recorder.shown]


def test_fallback_says_once_what_was_lost_and_comes_back(caplog):
    async def play() -> tuple[Recorder, Recorder, FallbackNotifier]:
        primary, backup = Recorder(fail=True), Recorder()
        notifier = FallbackNotifier(primary, backup)
        await notifier.show(Note("a", "1"))
        await notifier.show(Note("b", "2"))
        assert notifier.name == "recorder"
        primary.fail = False
        await notifier.show(Note("c", "3"))
        return primary, backup, notifier

    primary, backup, _ = asyncio.run(play())
    assert _titles(backup) == ["a", "b"] and _titles(primary) == ["c"]
    assert caplog.text.count("desktop notifications failed (no server)") == 1
    assert "work again" in caplog.text


@pytest.mark.slow
def test_a_frozen_notification_server_costs_a_second_not_the_daemon(caplog):
    """The outbox waits its deadline (0.3 s) and goes on; the note waits on for a late answer
    (0.8 s in all), then, none having come, shows in the terminal."""

    async def play() -> tuple[float, list[str], Recorder]:
        backup = Recorder()
        notifier = FallbackNotifier(Recorder(stall=True), backup, timeout=0.3, late=0.8)
        started = time.monotonic()
        await notifier.show(Note("Time to stretch", "Bridge"))
        took = time.monotonic() - started
        at_once = _titles(backup)
        await asyncio.sleep(0.8)
        return took, at_once, backup

    took, at_once, backup = asyncio.run(play())
    assert took < 0.6 and at_once == []
    assert _titles(backup) == ["Time to stretch"]
    assert "no answer within 0.8 s" in caplog.text


def test_terminal_notifier_rings_and_prints():
    stream = io.StringIO()
    asyncio.run(TerminalNotifier(stream).show(Note("Time to stretch", "Bridge")))
    assert stream.getvalue() == "\apsoas: Time to stretch\n    Bridge\n"
    step = io.StringIO()  # a routine step's two lines: both under its title
    asyncio.run(TerminalNotifier(step).show(Note("Step 1 of 4", "Hold 30 s.\nThen rest 5 s.")))
    assert step.getvalue() == "\apsoas: Step 1 of 4\n    Hold 30 s.\n    Then rest 5 s.\n"


def test_idle_source_none_is_chosen_without_a_display_or_a_bus(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    for wanted in ("auto", "x11", "gnome", "freedesktop"):
        assert isinstance(asyncio.run(choose_idle_source(wanted, Buses(None))), NoIdleSource)


def test_icon_looks_differ_by_state_and_quantise_progress():
    assert look_for("sitting", 0.50) == look_for("sitting", 0.51)
    pictures = {
        state: draw_icon(IconLook(state, 0.5), 32).tobytes()
        for state in ("sitting", "due", "held", "snoozed", "paused", "routine", "away")
    }
    assert len(set(pictures.values())) == len(pictures)
    for size in (16, 24, 64):
        image = draw_icon(look_for("sitting", 0.8), size)
        assert image.size == (size, size)
        assert image.getbbox() is not None  # not blank
    assert isinstance(draw_icon(look_for("due", 1), 16), Image.Image)


def test_the_daemon_prompts_takes_commands_and_sleeps_between_wakeups(catalogue):
    async def play() -> tuple[Recorder, VirtualClock]:
        shown = Recorder()
        clock = VirtualClock(time.time())
        daemon, outbox = _daemon(
            catalogue, NoIdleSource(), shown, "sit_minutes = 60\nrepeat_minutes = 0\n", clock
        )
        task = await _running(daemon, outbox)
        await clock.advance(59 * 60, daemon)
        await outbox.flushed()
        assert shown.shown == []
        await clock.advance(61, daemon)
        await outbox.flushed()
        assert len(shown.shown) == 1 and shown.shown[0].title.startswith("Time to stretch")
        # Answered: the clock restarts and the next prompt comes a whole sitting time later.
        daemon.submit(cmd.Done())
        await clock.advance(59 * 60, daemon)
        await outbox.flushed()
        assert len(shown.shown) == 1
        await clock.advance(2 * 60, daemon)
        await _stopped(daemon, outbox, task)
        return shown, clock

    shown, clock = asyncio.run(play())
    assert len(shown.shown) == 2
    # Two hours, two prompts, one command: a wake-up per prompt, none in between.
    assert clock.fired == 2


def test_the_daemon_shows_prompts_and_asked_stretches_to_stay_and_sounds_only_prompts(catalogue):
    async def play() -> Recorder:
        shown = Recorder()
        clock = VirtualClock(time.time())
        config = "sit_minutes = 60\nrepeat_minutes = 0\nroutine_pace = 0.01\n"
        daemon, outbox = _daemon(catalogue, NoIdleSource(), shown, config, clock)
        daemon.sound = True
        task = await _running(daemon, outbox)
        daemon.submit(cmd.StretchNow())  # no prompt out: nothing to snooze
        await clock.advance(60 * 60, daemon)  # the prompt
        daemon.submit(cmd.StretchNow())  # a prompt out: its Snooze too
        await daemon.settled()
        await outbox.flushed()
        assert shown.withdrawn == []
        daemon.submit(cmd.Pause(30))  # "not now": the prompt comes down
        await daemon.settled()
        await outbox.flushed()
        assert shown.withdrawn == ["prompt"]
        daemon.submit(cmd.StartRoutine("desk"))
        await clock.advance(10, daemon)
        await _stopped(daemon, outbox, task)
        return shown

    shown = asyncio.run(play())
    first, prompt, second, *steps = shown.shown
    assert [first.title.split(":")[0], prompt.title.split(":")[0]] == [
        "Stretch now",
        "Time to stretch",
    ]
    assert [n.slot for n in (first, prompt, second)] == ["prompt"] * 3
    assert all(n.stays for n in (first, prompt, second)) and not any(n.stays for n in steps)
    assert [n.sound for n in shown.shown] == [False, True, False] + [False] * len(steps)
    assert [key for key, _ in first.actions] == ["done", "routine"]
    assert [key for key, _ in second.actions] == ["done", "snooze", "routine"]
    assert steps and all(n.slot == "routine" for n in steps)
    # By the pause, then by the routine's start, and by the break its end is.
    assert shown.withdrawn == ["prompt"] * 3


def test_the_daemon_survives_its_idle_source_failing(catalogue, caplog):
    async def play() -> tuple[Recorder, Daemon]:
        shown, clock = Recorder(), VirtualClock(time.time())
        daemon, outbox = _daemon(
            catalogue, FailingIdle(), shown, "sit_minutes = 1\nrepeat_minutes = 0\n", clock
        )
        task = await _running(daemon, outbox)
        await clock.advance(120, daemon)
        await _stopped(daemon, outbox, task)
        return shown, daemon

    shown, daemon = asyncio.run(play())
    assert shown.shown, "prompts go on with every minute counted as sitting"
    assert caplog.text.count("idle source flaky failed") == 1
    assert daemon.idle.name == "none"


class StoppableIdle(AskedSource):
    """An idle source that stops answering and starts again, as X11's does when its server is
    stopped and continued; it notes the (virtual) time of every question."""

    name = "x11"

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.answers = True
        self.asked: list[float] = []

    async def idle_seconds(self) -> float:
        self.asked.append(self.clock.t)
        if not self.answers:
            raise NoAnswer("the X display :9 gave no answer within 0.5 s")
        return 0.0


def test_a_lost_idle_source_is_asked_again_ever_less_often_until_it_comes_back(catalogue, caplog):
    caplog.set_level(logging.INFO)

    async def play() -> None:
        clock = VirtualClock(time.time())
        source = StoppableIdle(clock)
        daemon, outbox = _daemon(
            catalogue, source, Recorder(), "sit_minutes = 60\nrepeat_minutes = 0\n", clock
        )
        task = await _running(daemon, outbox)
        (timer,) = clock.timers
        source.answers = False
        lost_at = clock.t
        clock.set_wall_clock(0)  # something wakes the daemon: it asks, and gets no answer
        await daemon.settled()
        assert daemon.idle.name == "none"
        assert timer.at == pytest.approx(lost_at + 10, abs=0.1)  # the one wake-up it adds

        await clock.advance(200, daemon)
        tries = [round(t - lost_at) for t in source.asked if t > lost_at]
        assert tries == [10, 30, 70, 150]  # each wait twice the one before
        assert daemon.idle.name == "none"

        source.answers = True  # the server answers again
        await clock.advance(200, daemon)
        assert daemon.idle is source
        back_at = source.asked[-1]
        assert round(back_at - lost_at) == 310
        # Nothing lost any more: the only wake-up is the core's own (a break could come
        # five minutes after the input just seen), none for retrying.
        assert timer.at == pytest.approx(back_at + 300, abs=0.1)
        await clock.advance(600, daemon)
        assert [round(t - back_at) for t in source.asked if t > back_at] == [300, 600]
        await _stopped(daemon, outbox, task)

    asyncio.run(play())
    lost = "idle source x11 failed (the X display :9 gave no answer within 0.5 s)"
    assert caplog.text.count(lost) == 1
    assert "meanwhile all running time counts as sitting; x11 is asked again in 10 s" in caplog.text
    assert caplog.text.count("idle source x11 answers again; using it instead of none") == 1


@pytest.mark.parametrize("shift_minutes", [+20, -20])
def test_the_wall_clock_set_either_way_neither_delays_nor_hastens_a_prompt(
    catalogue, shift_minutes
):
    """Sitting since 08:00, due at 09:00 when the working hours open; at 08:35 the wall clock is
    set 20 minutes forward (or back): the prompt comes at 09:00 by the new wall clock."""

    async def play() -> list[float]:
        clock = VirtualClock(SystemCalendar().epoch(datetime(2026, 11, 23, 8, 0)))
        config = make_config("sit_minutes = 30\nrepeat_minutes = 0\n", catalogue)
        settings = settings_for(config, catalogue)
        core = SittingCore(settings, SystemCalendar(), catalogue)
        outbox = Outbox(Recorder())
        seen = Seen()
        daemon = SettlingDaemon(core, clock, NoIdleSource(), outbox, catalogue, observers=[seen])
        task = await _running(daemon, outbox)
        await clock.advance(35 * 60, daemon)
        clock.set_wall_clock(shift_minutes * 60)
        await clock.advance(90 * 60, daemon)
        await _stopped(daemon, outbox, task)
        return [e.at for events in seen.calls for e in events if isinstance(e, ev.PromptShown)]

    walls = asyncio.run(play())
    nine = SystemCalendar().epoch(datetime(2026, 11, 23, 9, 0))
    assert len(walls) == 1 and 0 <= walls[0] - nine < 1, [w - nine for w in walls]


def test_a_stopping_daemon_takes_a_last_look_and_tells_its_listeners(catalogue):
    async def play() -> None:
        seen = Seen()
        clock = VirtualClock(time.time())
        daemon, outbox = _daemon(
            catalogue, NoIdleSource(), Recorder(), "sit_minutes = 60\n", clock, [seen]
        )
        task = await _running(daemon, outbox)
        await clock.advance(600, daemon)
        calls = len(seen.calls)
        await _stopped(daemon, outbox, task)
        assert len(seen.calls) == calls + 1, "one last look on the way out"

    asyncio.run(play())


@pytest.mark.slow
def test_the_real_clock_timer_wakes_the_daemon_on_time(catalogue):
    """SystemClock's timer (a CLOCK_BOOTTIME timerfd on Linux) fires at the steady deadline."""

    async def play() -> tuple[Recorder, float]:
        shown = Recorder()
        daemon, outbox = _daemon(
            catalogue, NoIdleSource(), shown, "repeat_minutes = 0\n", SystemClock(), sit=0.8
        )
        started = time.monotonic()
        task = await _running(daemon, outbox)
        while not shown.shown and time.monotonic() - started < 10:
            await asyncio.sleep(0.02)
        took = time.monotonic() - started
        await _stopped(daemon, outbox, task)
        return shown, took

    shown, took = asyncio.run(play())
    assert shown.shown and 0.8 <= took < 2.3, took  # never early, and not much late


def test_system_clock_measures_a_suspend_as_boottime_outgrowing_monotonic(monkeypatch):
    readings = {"boot": 1000.0, "mono": 500.0}
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setattr(time, "clock_gettime", lambda clock: readings["boot"])
    monkeypatch.setattr(time, "monotonic", lambda: readings["mono"])
    clock = SystemClock()
    readings["boot"] += 10
    readings["mono"] += 10
    assert clock.slept_since() is None  # awake: both clocks moved together
    readings["boot"] += 5 + 100  # 5 s awake, then 100 s asleep
    readings["mono"] += 5
    assert clock.slept_since() == 1115 - 100  # dated back from now by the time asleep
    assert clock.slept_since() is None  # reported once


class Screen(Recorder):
    """What is up on a notification server: each slot's note, until withdrawn or replaced."""

    def __init__(self) -> None:
        super().__init__()
        self.up: dict[str | None, str] = {}

    async def show(self, note: Note) -> None:
        await super().show(note)
        self.up[note.slot] = note.title

    async def withdraw(self, slot: str) -> None:
        await super().withdraw(slot)
        self.up.pop(slot, None)


def test_no_routine_popup_stays_up_beside_a_prompt_or_after_its_routine_stopped(catalogue):
    """A routine's last popup (a step, or its end) goes when the routine is stopped (by its
    button, the menu, the command line, or an answer such as I stretched) and when a prompt
    comes; answers to a prompt take the prompt down, as before."""

    async def play() -> list[dict]:
        screen, clock = Screen(), VirtualClock(time.time())
        config = 'sit_minutes = 1\nrepeat_minutes = 0\nroutine_pace = 0.05\nidle_source = "none"\n'
        daemon, outbox = _daemon(catalogue, NoIdleSource(), screen, config, clock)
        task = await _running(daemon, outbox)
        seen = []
        daemon.submit(cmd.StartRoutine("desk"))
        await clock.advance(1, daemon)
        await outbox.flushed()
        seen.append(dict(screen.up))  # step 1 up
        daemon.submit(cmd.Done())  # stops the routine: its popup goes
        await clock.advance(1, daemon)
        await outbox.flushed()
        seen.append(dict(screen.up))
        daemon.submit(cmd.StartRoutine("desk"))
        await clock.advance(30, daemon)  # the routine ends: its last popup says so
        await outbox.flushed()
        seen.append(dict(screen.up))
        await clock.advance(60, daemon)  # the next prompt: the routine's popup goes
        await outbox.flushed()
        seen.append(dict(screen.up))
        await _stopped(daemon, outbox, task)
        return seen

    step, stopped, ended, prompted = asyncio.run(play())
    assert list(step) == ["routine"] and step["routine"].startswith("Step 1 of 4")
    assert stopped == {}
    assert ended == {"routine": "Desk break: done"}
    assert list(prompted) == ["prompt"] and prompted["prompt"].startswith("Time to stretch")
