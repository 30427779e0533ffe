"""The thin adapters around the core: notifier fallback, idle choice, icon, daemon loop."""

from __future__ import annotations

import datetime
import io
import itertools
import threading
import time
import types

import schedule
from conftest import EVERY_DAY, make_config
from PIL import Image

from reminder import commands as cmd
from reminder.clock import SystemClock
from reminder.daemon import Daemon
from reminder.icon import IconLook, draw_icon, look_for
from reminder.idle import NoIdleSource, choose_idle_source
from reminder.notify import FallbackNotifier, NotifyError, PlyerNotifier, TerminalNotifier
from reminder.sitting import Settings, SittingCore
from reminder.timebase import SystemCalendar


class Recorder:
    name = "recorder"

    def __init__(self, fail: bool = False) -> None:
        self.shown: list[tuple[str, str]] = []
        self.fail = fail

    def notify(self, title: str, body: str, slot=None, actions=()) -> None:
        if self.fail:
            raise NotifyError("no server")
        self.shown.append((title, body))


class FailingIdle:
    name = "flaky"
    tracks_input = True

    def idle_seconds(self) -> float:
        raise OSError("connection to the X server lost")

    def locked(self) -> bool:
        return False


def test_fallback_says_once_what_was_lost_and_comes_back(caplog):
    primary, backup = Recorder(fail=True), Recorder()
    notifier = FallbackNotifier(primary, backup)
    notifier.notify("a", "1")
    notifier.notify("b", "2")
    assert backup.shown == [("a", "1"), ("b", "2")]
    assert notifier.name == "recorder"
    assert caplog.text.count("desktop notifications failed (no server)") == 1
    primary.fail = False
    notifier.notify("c", "3")
    assert primary.shown == [("c", "3")]
    assert "work again" in caplog.text


def test_terminal_notifier_rings_and_prints():
    stream = io.StringIO()
    TerminalNotifier(stream).notify("Time to stretch", "Bridge")
    assert stream.getvalue() == "\apsoas: Time to stretch\n    Bridge\n"


def test_plyer_without_a_bus_raises_notify_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/none")
    try:
        PlyerNotifier().notify("<b>x</b>", "a & b")
    except NotifyError as error:
        assert str(error)
    else:  # pragma: no cover - only if a server answers on a path that does not exist
        raise AssertionError("notifying through a missing bus should fail")


def test_idle_source_none_is_chosen_without_a_display(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert isinstance(choose_idle_source("auto"), NoIdleSource)
    assert isinstance(choose_idle_source("x11"), NoIdleSource)


def test_icon_looks_differ_by_state_and_quantise_progress():
    assert look_for("sitting", 0.50) == look_for("sitting", 0.51)
    pictures = {
        state: draw_icon(IconLook(state, 0.5), 32).tobytes()
        for state in ("sitting", "due", "snoozed", "paused", "routine", "away")
    }
    assert len(set(pictures.values())) == len(pictures)
    for size in (16, 24, 64):
        image = draw_icon(look_for("sitting", 0.8), size)
        assert image.size == (size, size)
        assert image.getbbox() is not None  # not blank
    assert isinstance(draw_icon(look_for("due", 1), 16), Image.Image)


def _daemon(catalogue, idle, notifier, text: str) -> Daemon:
    config = make_config(text + EVERY_DAY, catalogue)
    settings = Settings.from_config(config, catalogue, tracks_input=idle.tracks_input)
    core = SittingCore(settings, SystemCalendar(), catalogue)
    return Daemon(core, SystemClock(), idle, notifier, catalogue)


def _wait_for(shown: Recorder, count: int, deadline: float) -> None:
    while len(shown.shown) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_daemon_prompts_takes_commands_and_sleeps_between_wakeups(catalogue):
    shown = Recorder()
    daemon = _daemon(catalogue, NoIdleSource(), shown, "sit_minutes = 0.05\nrepeat_minutes = 0\n")
    worker = threading.Thread(target=daemon.run)
    worker.start()
    deadline = time.monotonic() + 20
    try:
        _wait_for(shown, 1, deadline)
        assert shown.shown and shown.shown[0][0].startswith("Time to stretch")
        # Answered: the clock restarts and the next prompt comes a sitting time later.
        daemon.submit(cmd.Done())
        _wait_for(shown, 2, deadline)
        assert len(shown.shown) == 2
    finally:
        daemon.stop()
        worker.join(10)
    assert not worker.is_alive()
    # Two prompts, one command: a handful of wake-ups, not a polling loop.
    assert daemon.wakeups <= 4


def test_the_daemon_survives_its_idle_source_failing(catalogue, caplog):
    shown = Recorder()
    daemon = _daemon(catalogue, FailingIdle(), shown, "sit_minutes = 0.05\nrepeat_minutes = 0\n")
    worker = threading.Thread(target=daemon.run)
    worker.start()
    try:
        _wait_for(shown, 1, time.monotonic() + 20)
    finally:
        daemon.stop()
        worker.join(10)
    assert shown.shown, "prompts go on with every minute counted as sitting"
    assert caplog.text.count("idle source flaky failed") == 1
    assert daemon.idle.name == "none"


class ShiftedDatetime(datetime.datetime):
    """What ``schedule`` sees as now: the real local time plus a shift the test sets."""

    shift = datetime.timedelta(0)

    @classmethod
    def now(cls, tz=None):
        return datetime.datetime.now(tz) + cls.shift


def test_the_wall_clock_jumping_both_ways_neither_delays_nor_repeats_prompts(
    catalogue, monkeypatch
):
    # schedule times its jobs on the naive local wall clock; set it back an hour, then forward.
    shifted = types.ModuleType("datetime")
    shifted.__dict__.update(datetime.__dict__)
    shifted.datetime = ShiftedDatetime
    monkeypatch.setattr(schedule, "datetime", shifted)
    monkeypatch.setattr(ShiftedDatetime, "shift", datetime.timedelta(0))
    shown: list[float] = []

    class Timed(Recorder):
        def notify(self, title, body, slot=None, actions=()):
            shown.append(time.monotonic())

    every = 0.05 * 60  # a prompt every 3 s of sitting (the shortest there is)
    daemon = _daemon(
        catalogue, NoIdleSource(), Timed(), "sit_minutes = 0.05\nrepeat_minutes = 0.05\n"
    )
    worker = threading.Thread(target=daemon.run)
    worker.start()
    try:
        for shift_hours, prompts in ((0, 2), (-1, 4), (+1, 6)):
            ShiftedDatetime.shift = datetime.timedelta(hours=shift_hours)
            daemon.ask(lambda now: None)  # a status question wakes the loop mid-sleep
            deadline = time.monotonic() + 20
            while len(shown) < prompts and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(shown) >= prompts, f"prompts stopped after a {shift_hours:+} h jump"
    finally:
        daemon.stop()
        worker.join(10)
    gaps = [b - a for a, b in itertools.pairwise(shown)]
    assert min(gaps) > every * 0.8, gaps  # no prompt twice


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
