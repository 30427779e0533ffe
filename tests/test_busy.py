"""Busy signals (issue 15): each read for real where this machine allows it (dunst, a stand-in
KDE/XFCE/GNOME on a private bus, gsettings through a real dconf-service, openbox and a fullscreen
xclock under Xvfb, a PulseAudio server and parecord, processes the test starts), and the
combiner's promises: all asked at once within a deadline, a stable order of reasons, and a signal
that cannot tell counted as not busy, logged once, not asked again before the recheck interval.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from desktop import Desktop, wait_until
from desktop_processes import ELSEWHERE, require_tools
from strangers import STRANGER

from reminder.bus import Buses, connect
from reminder.busy import REASON_ORDER, SIGNALS, BusyWatch, open_signals
from reminder.busy.apps import AppsSignal, program_names
from reminder.busy.call import CameraSignal, MicrophoneSignal, camera_holder, microphone_in_use
from reminder.busy.dnd import DesktopDnd, gnome_session
from reminder.busy.fullscreen import FullscreenSignal
from reminder.busy.platforms import (
    DND_STATES,
    FULLSCREEN_STATES,
    QUNS_ACCEPTS_NOTIFICATIONS,
    QUNS_BUSY,
    QUNS_PRESENTATION_MODE,
    MacDnd,
    WindowsDnd,
)

SERVICE = Path(__file__).parent / "services" / "busy_service.py"
HOLDER = Path(__file__).parent / "services" / "camera_holder.py"
GNOME = {"XDG_CURRENT_DESKTOP": "ubuntu:GNOME"}

# ----- helpers ---------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Counting:
    """A signal that counts how often it is asked, answering as the one it wraps."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.subject, self.calls = inner, inner.name, inner.subject, 0

    async def busy(self) -> str | None:
        self.calls += 1
        return await self.inner.busy()


class Fixed:
    """A signal with a set answer: a reason, None, or an exception to raise."""

    def __init__(self, name: str, answer: str | BaseException | None, delay: float = 0) -> None:
        self.name, self.subject, self.answer, self.delay = name, f"{name} is set", answer, delay

    async def busy(self) -> str | None:
        await asyncio.sleep(self.delay)
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


class Lines(logging.Handler):
    """The busy watch's log lines, kept (works in a forked child too, unlike caplog): ``lines``
    as the log file has them, ``details`` the debug lines only -v shows."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.details: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        kept = self.details if record.levelno < logging.INFO else self.lines
        kept.append(record.getMessage())


#: The one line a busy signal that cannot look leaves in the log.
CANNOT_TELL = "cannot tell whether {} here: prompts do not wait for it (psoas doctor says why)"


@pytest.fixture
def busy_log() -> Iterator[Lines]:
    lines, logger = Lines(), logging.getLogger("reminder.busy")
    logger.addHandler(lines)
    level, logger.level = logger.level, logging.DEBUG
    yield lines
    logger.removeHandler(lines)
    logger.setLevel(level)


def unreadable_scenario(make_signal: Callable[[], Any]) -> dict[str, Any]:
    """Ask a watch of one signal three times: now, just before the recheck interval is over,
    and when it is. What it answered, how often the signal was asked, what was logged."""
    lines, logger = Lines(), logging.getLogger("reminder.busy")
    logger.addHandler(lines)
    level, logger.level = logger.level, logging.DEBUG
    try:
        clock = FakeClock()

        async def play() -> tuple[list[str | None], int]:
            counted = Counting(make_signal())
            watch = BusyWatch([counted], recheck=600, clock=clock)
            answers = [await watch.check()]
            clock.now += 599
            answers.append(await watch.check())
            clock.now += 1
            answers.append(await watch.check())
            watch.close()
            return answers, counted.calls

        answers, asked = asyncio.run(play())
    finally:
        logger.removeHandler(lines)
        logger.setLevel(level)
    return {"answers": answers, "asked": asked, "logged": lines.lines, "details": lines.details}


def assert_cannot_tell_once(outcome: dict[str, Any], subject: str, why: str) -> None:
    """One short line, once, however often the signal is asked; why only in the details."""
    assert outcome["answers"] == [None, None, None]
    assert outcome["asked"] == 2, "asked again before the recheck interval, or not after it"
    assert outcome["logged"] == [CANNOT_TELL.format(subject)]
    (detail,) = outcome["details"]
    assert why in detail and "asked again in 10 min" in detail


def as_stranger(work: Callable[[], Any]) -> Any:
    """``work()`` run by a user who is not root (root reads every file whatever its mode): in
    a forked child that became ``nobody`` when the tests run as root, else right here."""
    if os.getuid() != 0:
        return work()
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 70
        try:
            os.setgroups([])
            os.setgid(STRANGER)
            os.setuid(STRANGER)
            os.write(writer, json.dumps(work()).encode())
            code = 0
        except BaseException as error:  # reported to the parent, which fails the test
            os.write(writer, json.dumps({"error": repr(error)}).encode())
        finally:
            os._exit(code)
    os.close(writer)
    with open(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    result = json.loads(data)
    assert os.waitstatus_to_exitcode(status) == 0, result
    return result


def proc_tree(root: Path, processes: dict[int, dict[str, Any]]) -> Path:
    """A folder shaped like /proc: PID/comm, PID/cmdline and PID/fd/N -> target links."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "self").mkdir(exist_ok=True)  # a non-PID entry, as /proc has
    for pid, details in processes.items():
        folder = root / str(pid)
        folder.mkdir()
        if "comm" in details:
            (folder / "comm").write_text(details["comm"] + "\n")
        if "argv" in details:
            (folder / "cmdline").write_bytes(
                b"\0".join(a.encode() for a in details["argv"]) + b"\0"
            )
        if "fds" in details:
            (folder / "fd").mkdir()
            for number, target in enumerate(details["fds"]):
                (folder / "fd" / str(number)).symlink_to(target)
    return root


async def session(address: str) -> Buses:
    return Buses(await connect(address))


def start_service(desk: Desktop, tmp_path: Path, values: dict, *parts: str) -> tuple[Path, Any]:
    state = tmp_path / "busy-state.json"
    state.write_text(json.dumps(values))
    service = desk.spawn([sys.executable, str(SERVICE), str(state), *parts], name="busy-service")
    wait_until(lambda: "ready" in service.stdout_text(), 15, "the stand-in busy service")
    return state, service


# ----- the registry and the combiner -----------------------------------------------------------


def test_the_registry_names_every_signal_and_opens_them_lazily():
    assert list(SIGNALS) == ["dnd", "fullscreen", "call", "apps"]
    assert REASON_ORDER == ("dnd", "fullscreen", "call", "camera", "apps")

    async def opened(names: list[str], apps: list[str]) -> list[str]:
        return [type(s).__name__ for s in await open_signals(names, Buses(None), apps)]

    everything = asyncio.run(opened(["dnd", "fullscreen", "call", "apps"], ["zoom"]))
    if sys.platform.startswith("linux"):
        assert everything == [
            "DesktopDnd",
            "FullscreenSignal",
            "MicrophoneSignal",
            "CameraSignal",
            "AppsSignal",
        ]
    assert asyncio.run(opened(["apps"], [])) == []  # no apps named: nothing to look for
    assert asyncio.run(opened(["call", "call"], [])) == ["MicrophoneSignal", "CameraSignal"]
    with pytest.raises(ValueError, match="unknown busy signal 'zoom'"):
        asyncio.run(opened(["zoom"], []))


def test_the_first_reason_in_a_stable_order_whatever_answers_first():
    signals = [
        Fixed("apps", "apps"),
        Fixed("call", "camera", delay=0.02),
        Fixed("fullscreen", "fullscreen", delay=0.05),
        Fixed("dnd", None),
    ]
    watch = BusyWatch(signals, recheck=600)
    assert asyncio.run(watch.check()) == "fullscreen"
    assert asyncio.run(BusyWatch(signals[:2], recheck=600).check()) == "camera"
    assert asyncio.run(BusyWatch([Fixed("dnd", None)], recheck=600).check()) is None
    assert asyncio.run(BusyWatch([], recheck=600).check()) is None


@pytest.mark.slow
def test_signals_are_asked_at_once_and_a_slow_one_is_cut_at_the_deadline(busy_log: Lines):
    signals = [Fixed("dnd", None, delay=0.3), Fixed("call", "call", delay=0.3)]
    signals.append(Fixed("apps", None, delay=30))  # a hung one
    watch = BusyWatch(signals, recheck=600, deadline=0.5)
    started = time.monotonic()
    assert asyncio.run(watch.check()) == "call"
    took = time.monotonic() - started
    assert 0.45 < took < 0.9, f"{took:.2f} s: not all at once, or not cut at the deadline"
    assert busy_log.lines == [CANNOT_TELL.format("apps is set")]
    assert busy_log.details == ["apps: no answer within 0.5 s; asked again in 10 min"]


def test_a_fault_in_a_signal_is_logged_once_with_its_traceback_and_costs_nothing(caplog):
    caplog.set_level(logging.INFO, "reminder.busy")
    clock = FakeClock()
    watch = BusyWatch([Fixed("apps", ValueError("a bug")), Fixed("dnd", "dnd")], 60, clock=clock)
    assert asyncio.run(watch.check()) == "dnd"
    assert asyncio.run(watch.check()) == "dnd"
    faults = [r for r in caplog.records if "ValueError: a bug" in r.getMessage()]
    assert len(faults) == 1 and faults[0].exc_info is not None  # a fault in psoas: its traceback


def test_a_signal_that_can_tell_again_is_asked_and_says_so(busy_log: Lines):
    clock = FakeClock()
    flaky = Fixed("call", OSError("no pactl on PATH"))
    watch = BusyWatch([flaky], recheck=120, clock=clock)
    assert asyncio.run(watch.check()) is None
    flaky.answer = "call"
    assert asyncio.run(watch.check()) is None  # not asked: the recheck interval runs
    clock.now += 120
    assert asyncio.run(watch.check()) == "call"
    assert busy_log.lines == [
        CANNOT_TELL.format("call is set"),
        "can tell again whether call is set",
    ]
    assert busy_log.details == ["call: no pactl on PATH; asked again in 2 min"]
    flaky.answer = OSError("pactl failed")  # a new failure is a new line
    assert asyncio.run(watch.check()) is None
    assert busy_log.lines[2:] == [CANNOT_TELL.format("call is set")]
    assert busy_log.details[1:] == ["call: pactl failed; asked again in 2 min"]


# ----- do not disturb --------------------------------------------------------------------------


@pytest.mark.desktop
def test_dunst_paused_is_do_not_disturb(desktop: Desktop):
    desktop.start_dunst()

    async def play() -> list[str | None]:
        dnd = DesktopDnd(await session(desktop.bus_address), environ={})
        answers = [await dnd.busy()]
        for paused in ("true", "false"):
            done = desktop.run("dunstctl", "set-paused", paused)
            assert done.returncode == 0, done.stderr
            answers.append(await dnd.busy())
        return answers

    assert asyncio.run(play()) == [None, "dnd", None]


@pytest.mark.desktop
def test_the_notification_servers_inhibited_property_is_do_not_disturb(
    private_bus: Desktop, tmp_path: Path
):
    state, _ = start_service(private_bus, tmp_path, {"inhibited": True}, "notifications")

    async def play() -> list[str | None]:
        dnd = DesktopDnd(await session(private_bus.bus_address), environ={})
        first = await dnd.busy()
        state.write_text(json.dumps({"inhibited": False}))
        return [first, await dnd.busy()]

    assert asyncio.run(play()) == ["dnd", None]


@pytest.mark.desktop
def test_xfces_do_not_disturb_through_xfconf(private_bus: Desktop, tmp_path: Path):
    state, _ = start_service(private_bus, tmp_path, {"xfce_dnd": True}, "xfconf")

    async def play() -> list[str | None]:
        dnd = DesktopDnd(await session(private_bus.bus_address), environ={})
        answers = [await dnd.busy()]
        for value in (False, None):  # switched off; never set (PropertyNotFound)
            state.write_text(json.dumps({"xfce_dnd": value}))
            answers.append(await dnd.busy())
        return answers

    assert asyncio.run(play()) == ["dnd", None, None]


@pytest.mark.desktop
def test_gnomes_do_not_disturb_through_gsettings_and_a_real_dconf(
    private_bus: Desktop, monkeypatch: pytest.MonkeyPatch
):
    """GNOME's switch is show-banners = false, written by gsettings through a real
    dconf-service on the private bus and read back the way a GNOME session reads it."""
    require_tools("gsettings")
    dconf_service = "/usr/libexec/dconf-service"
    if not Path(dconf_service).exists():
        require_tools("dconf-service")  # skips, or fails in CI, naming it
        dconf_service = shutil.which("dconf-service") or "dconf-service"
    private_bus.spawn([dconf_service])
    wait_until(lambda: private_bus.name_has_owner("ca.desrt.dconf"), 15, "dconf-service")
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS"):
        monkeypatch.setenv(name, private_bus.env[name])
    monkeypatch.delenv("GSETTINGS_BACKEND", raising=False)
    key = ("org.gnome.desktop.notifications", "show-banners")

    def set_banners(value: str) -> None:
        done = private_bus.run("gsettings", "set", *key, value)
        assert done.returncode == 0, done.stderr
        wait_until(
            lambda: private_bus.run("gsettings", "get", *key).stdout.strip() == value,
            10,
            f"show-banners to read {value}",
        )

    async def play() -> list[str | None]:
        buses = await session(private_bus.bus_address)
        answers = [await DesktopDnd(buses, environ=GNOME).busy()]
        set_banners("false")
        answers.append(await DesktopDnd(buses, environ=GNOME).busy())
        answers.append(await DesktopDnd(buses, environ={}).busy())  # not a GNOME session
        set_banners("true")
        answers.append(await DesktopDnd(buses, environ=GNOME).busy())
        return answers

    assert asyncio.run(play()) == [None, "dnd", None, None]


@pytest.mark.desktop
def test_a_desktop_that_offers_no_do_not_disturb_is_not_busy(private_bus: Desktop):
    async def play() -> str | None:
        return await DesktopDnd(await session(private_bus.bus_address), environ={}).busy()

    assert asyncio.run(play()) is None


@pytest.mark.desktop
def test_a_hung_notification_server_cannot_tell_within_the_deadline(
    private_bus: Desktop, tmp_path: Path, busy_log: Lines
):
    _, service = start_service(private_bus, tmp_path, {"inhibited": True}, "notifications")

    async def play() -> tuple[str | None, float]:
        buses = await session(private_bus.bus_address)
        watch = BusyWatch([DesktopDnd(buses, environ={})], recheck=600)
        os.kill(service.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            answer = await watch.check()
            return answer, time.monotonic() - started
        finally:
            os.kill(service.pid, signal.SIGCONT)

    answer, took = asyncio.run(play())
    assert answer is None and took < 0.6
    assert busy_log.lines == [CANNOT_TELL.format("do-not-disturb is on")]
    assert "no answer within" in busy_log.details[0]


def test_only_gnome_sessions_ask_gsettings():
    assert gnome_session({"XDG_CURRENT_DESKTOP": "GNOME"})
    assert gnome_session({"XDG_CURRENT_DESKTOP": "pop:GNOME"})
    assert not gnome_session({"XDG_CURRENT_DESKTOP": "KDE"})
    assert not gnome_session({})


def test_windows_and_macos_readings():
    assert QUNS_PRESENTATION_MODE in DND_STATES and QUNS_BUSY in FULLSCREEN_STATES
    assert QUNS_ACCEPTS_NOTIFICATIONS not in DND_STATES | FULLSCREEN_STATES
    if sys.platform in ("win32", "darwin"):
        pytest.skip(f"{ELSEWHERE}this checks their refusal on other systems")
    with pytest.raises(OSError, match="needs Windows"):
        asyncio.run(WindowsDnd().busy())
    with pytest.raises(OSError, match="not readable here"):
        asyncio.run(MacDnd().busy())


# ----- fullscreen ------------------------------------------------------------------------------


def _window_state(desk: Desktop, window: str) -> str:
    return desk.run("xprop", "-id", window, "_NET_WM_STATE").stdout


@pytest.mark.desktop
def test_a_fullscreen_window_under_openbox(desktop: Desktop):
    require_tools("openbox", "xclock", "wmctrl", "xprop")
    desktop.spawn(["openbox", "--sm-disable"])
    wait_until(lambda: desktop.run("wmctrl", "-m").returncode == 0, 15, "openbox to manage")
    xclock = desktop.spawn(["xclock"])

    def xclock_window() -> str | None:
        for line in desktop.run("wmctrl", "-lx").stdout.splitlines():
            if "xclock" in line.lower():
                return line.split()[0]
        return None

    # Failing at once, with how xclock ended and what it said, if it ends without a window.
    window = wait_until(xclock_window, 15, "xclock's window", process=xclock)

    async def play() -> list[str | None]:
        fullscreen = FullscreenSignal(Buses(None), display=desktop.display)
        answers = [await fullscreen.busy()]
        for change, shown in (("add", True), ("remove", False)):
            done = desktop.run("wmctrl", "-i", "-r", window, "-b", f"{change},fullscreen")
            assert done.returncode == 0, done.stderr
            wait_until(
                lambda shown=shown: (
                    ("_NET_WM_STATE_FULLSCREEN" in _window_state(desktop, window)) == shown
                ),
                10,
                f"openbox to {change} fullscreen",
            )
            answers.append(await fullscreen.busy())
        fullscreen.close()
        return answers

    assert asyncio.run(play()) == [None, "fullscreen", None]


class WindowManagerHints:
    """Windows on a bare Xvfb, and the root's hints written as a window manager writes them."""

    def __init__(self, display_name: str) -> None:
        from Xlib import display as xdisplay

        self.display = xdisplay.Display(display_name)
        self.root = self.display.screen().root

    def atom(self, name: str) -> int:
        return self.display.intern_atom(name)

    def window(self, *states: str, kind: str | None = None) -> int:
        from Xlib import Xatom

        window = self.root.create_window(0, 0, 10, 10, 0, self.display.screen().root_depth)
        atoms = [self.atom(state) for state in states]
        window.change_property(self.atom("_NET_WM_STATE"), Xatom.ATOM, 32, atoms)
        if kind is not None:
            window.change_property(
                self.atom("_NET_WM_WINDOW_TYPE"), Xatom.ATOM, 32, [self.atom(kind)]
            )
        return window.id

    def set(self, active: int | None, stacking: list[int] | None) -> None:
        from Xlib import Xatom

        for name, value in (
            ("_NET_ACTIVE_WINDOW", active),
            ("_NET_CLIENT_LIST_STACKING", stacking),
        ):
            if value is None:
                self.root.delete_property(self.atom(name))
            else:
                values = value if isinstance(value, list) else [value]
                self.root.change_property(self.atom(name), Xatom.WINDOW, 32, values)
        self.display.sync()


@pytest.mark.desktop
def test_the_active_window_and_the_top_of_the_stack_are_the_ones_looked_at(desktop: Desktop):
    hints = WindowManagerHints(desktop.display)
    full = hints.window("_NET_WM_STATE_FULLSCREEN")
    normal = hints.window()
    dock = hints.window(kind="_NET_WM_WINDOW_TYPE_DOCK")
    minimised = hints.window("_NET_WM_STATE_FULLSCREEN", "_NET_WM_STATE_HIDDEN")
    cases = [
        (full, [normal, full], "fullscreen"),  # active, and on top
        (normal, [full, normal], None),  # switched away from a fullscreen window
        (normal, [normal, full], "fullscreen"),  # on top, focus elsewhere (a presentation)
        (None, [normal, full, dock], "fullscreen"),  # no active window set; a dock above
        (0, [normal, minimised], None),  # the top one is minimised
        (0, [], None),  # a window manager, no windows
        (full + 1000, [normal], None),  # the active window is gone already
    ]

    async def play() -> list[str | None]:
        fullscreen = FullscreenSignal(Buses(None), display=desktop.display)
        answers = []
        for active, stacking, _ in cases:
            hints.set(active, stacking)
            answers.append(await fullscreen.busy())
        fullscreen.close()
        return answers

    assert asyncio.run(play()) == [expected for _, _, expected in cases]
    hints.display.close()


@pytest.mark.desktop
def test_an_x_display_that_goes_away_cannot_tell(desktop: Desktop, busy_log: Lines):
    hints = WindowManagerHints(desktop.display)
    hints.set(0, [])
    clock = FakeClock()
    watch = BusyWatch([FullscreenSignal(Buses(None), display=desktop.display)], 600, clock=clock)
    xvfb = desktop._xvfb
    assert xvfb is not None

    async def play() -> list[str | None]:
        answers = [await watch.check()]
        assert busy_log.lines == []
        xvfb.kill()  # the connection made by the first look ends
        xvfb.wait(5)
        clock.now += 1
        return [*answers, await watch.check()]

    assert asyncio.run(play()) == [None, None]
    assert busy_log.lines == [CANNOT_TELL.format("a window is fullscreen")]
    lost = f"the connection to the X display {desktop.display} was lost (closed by the server)"
    assert lost in busy_log.details[0]


@pytest.mark.desktop
def test_gnome_idle_inhibitors_count_as_fullscreen(private_bus: Desktop, tmp_path: Path):
    state, _ = start_service(private_bus, tmp_path, {"inhibited_actions": 8}, "session-manager")

    async def play() -> list[str | None]:
        fullscreen = FullscreenSignal(await session(private_bus.bus_address), display="")
        answers = [await fullscreen.busy()]
        for actions in (4, 1 | 8 | 16, 0):  # suspend only; idle among others; none
            state.write_text(json.dumps({"inhibited_actions": actions}))
            answers.append(await fullscreen.busy())
        return answers

    assert asyncio.run(play()) == ["fullscreen", None, "fullscreen", None]


@pytest.mark.desktop
def test_no_window_manager_cannot_tell(desktop: Desktop):
    outcome = unreadable_scenario(lambda: FullscreenSignal(Buses(None), display=desktop.display))
    assert_cannot_tell_once(outcome, "a window is fullscreen", "no window manager names")


def test_no_x_display_and_no_bus_cannot_tell():
    outcome = unreadable_scenario(lambda: FullscreenSignal(Buses(None), display=""))
    assert_cannot_tell_once(outcome, "a window is fullscreen", "no X display; no D-Bus session")
    gone = unreadable_scenario(lambda: FullscreenSignal(Buses(None), display=":4093"))
    assert_cannot_tell_once(gone, "a window is fullscreen", "cannot reach the X display :4093")


def test_no_bus_cannot_tell_do_not_disturb():
    outcome = unreadable_scenario(lambda: DesktopDnd(Buses(None), environ={}))
    assert_cannot_tell_once(outcome, "do-not-disturb is on", "no D-Bus session bus")


# ----- a call: the microphone ------------------------------------------------------------------


@pytest.fixture
def pulse(desktop: Desktop, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desktop]:
    """A real PulseAudio server, unprivileged, in the desktop's private runtime folder: a null
    source "mic" (a microphone) and a null sink "speaker" (whose .monitor is not one)."""
    require_tools("pulseaudio", "pactl", "parecord")
    desktop.spawn(
        [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "-L",
            "module-native-protocol-unix",
            "-L",
            "module-null-source source_name=mic",
            "-L",
            "module-null-sink sink_name=speaker",
        ]
    )
    server = f"unix:{desktop.env['XDG_RUNTIME_DIR']}/pulse/native"
    desktop.env["PULSE_SERVER"] = server
    monkeypatch.setenv("PULSE_SERVER", server)
    wait_until(
        lambda: "speaker.monitor" in desktop.run("pactl", "list", "short", "sources").stdout,
        15,
        "PulseAudio to list its sources",
    )
    yield desktop


def _recordings(desk: Desktop) -> int:
    return len(desk.run("pactl", "list", "short", "source-outputs").stdout.splitlines())


@pytest.mark.desktop
def test_recording_the_microphone_is_a_call_and_a_monitor_or_loopback_is_not(pulse: Desktop):
    mic = MicrophoneSignal()
    assert asyncio.run(mic.busy()) is None

    monitor = pulse.spawn(["parecord", "--device=speaker.monitor", "/dev/null"])
    wait_until(lambda: _recordings(pulse) == 1, 10, "parecord to record the monitor")
    assert asyncio.run(mic.busy()) is None  # recording what the machine plays: not a call

    loaded = pulse.run("pactl", "load-module", "module-loopback", "source=mic", "sink=speaker")
    assert loaded.returncode == 0, loaded.stderr
    wait_until(lambda: _recordings(pulse) == 2, 10, "the loopback to record the mic")
    assert asyncio.run(mic.busy()) is None  # the sound server's own plumbing: not a call

    call = pulse.spawn(["parecord", "--device=mic", "/dev/null"])
    wait_until(lambda: _recordings(pulse) == 3, 10, "parecord to record the mic")
    assert asyncio.run(mic.busy()) == "call"

    for process in (call, monitor):
        process.terminate()
        process.wait(5)
    pulse.run("pactl", "unload-module", loaded.stdout.strip())
    wait_until(lambda: _recordings(pulse) == 0, 10, "the recordings to end")
    assert asyncio.run(mic.busy()) is None


def test_pactl_lines_are_read_by_column():
    sources = "0\tmic\tmodule-null-source.c\ts16le 2ch 44100Hz\tIDLE\n1\tspk.monitor\tx\ty\tIDLE\n"
    assert microphone_in_use("0\t0\t7\tprotocol-native.c\ts16le\n", sources)
    assert not microphone_in_use("0\t1\t7\tprotocol-native.c\ts16le\n", sources)  # monitor
    assert not microphone_in_use("0\t0\t-\tmodule-loopback.c\ts16le\n", sources)  # no client
    assert not microphone_in_use("0\t9\t7\tprotocol-native.c\ts16le\n", sources)  # source gone
    assert not microphone_in_use("", sources)
    assert not microphone_in_use("garbage\n", "")


def test_no_pactl_on_path_cannot_tell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    outcome = unreadable_scenario(MicrophoneSignal)
    assert_cannot_tell_once(outcome, "you are in a call", "no pactl on PATH")


@pytest.mark.desktop
def test_no_sound_server_cannot_tell(
    private_bus: Desktop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    require_tools("pactl")
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path}/no-such-server")
    outcome = unreadable_scenario(MicrophoneSignal)
    assert_cannot_tell_once(outcome, "you are in a call", "pactl failed (exit status 1")


# ----- a call: the camera ----------------------------------------------------------------------


def test_a_process_holding_a_video_device_is_the_camera(tmp_path: Path):
    uid = os.getuid()
    proc = proc_tree(
        tmp_path / "proc",
        {
            100: {"fds": ["/dev/null", "socket:[123]", "/dev/video10-not-a-camera"]},
            200: {"fds": ["/dev/pts/1", "/dev/video2"]},
        },
    )
    assert camera_holder(proc, uid) == 200
    assert asyncio.run(CameraSignal(proc, uid).busy()) == "camera"
    (proc / "200" / "fd" / "1").unlink()  # the call ended
    assert asyncio.run(CameraSignal(proc, uid).busy()) is None


def test_another_users_camera_is_not_ours(tmp_path: Path):
    if os.getuid() != 0:
        pytest.skip("needs root to give a /proc entry to another user")
    proc = proc_tree(tmp_path / "proc", {300: {"fds": ["/dev/video0"]}})
    os.chown(proc / "300", STRANGER, STRANGER)
    assert asyncio.run(CameraSignal(proc, 0).busy()) is None
    assert asyncio.run(CameraSignal(proc, STRANGER).busy()) == "camera"


@pytest.mark.desktop
def test_a_real_process_holding_dev_video_open(desktop: Desktop):
    """A real process of this user holds a file the kernel names /dev/video7: a regular file on
    a tmpfs mounted over /dev in the process's own mount namespace (there is no camera here,
    and a device node made with mknod cannot be opened without its driver). The signal reads the
    machine's real /proc, as it does on a desktop."""
    require_tools("unshare")
    namespace = ["unshare", "--mount", "--propagation", "private"]
    if os.getuid() != 0:
        namespace.insert(1, "--map-root-user")
    holder = desktop.spawn([*namespace, sys.executable, HOLDER], name="camera-holder")

    def ready() -> bool:
        if holder.poll() is not None:
            pytest.skip(f"no mount namespace for the test here: {holder.stderr_text()[-300:]}")
        return "ready" in holder.stdout_text()

    wait_until(ready, 10, "the holder to open /dev/video7")
    assert camera_holder(Path("/proc"), os.getuid()) == holder.pid
    assert asyncio.run(CameraSignal().busy()) == "camera"
    holder.kill()
    holder.wait(5)
    assert camera_holder(Path("/proc"), os.getuid()) != holder.pid


# ----- apps ------------------------------------------------------------------------------------


@pytest.mark.desktop
def test_a_running_app_by_its_program_name_or_its_argv0(desktop: Desktop, tmp_path: Path):
    sleep = shutil.which("sleep")
    assert sleep is not None
    (tmp_path / "zoom").symlink_to(sleep)
    apps = AppsSignal(["Zoom", "teams"])
    assert asyncio.run(apps.busy()) is None

    zoom = desktop.spawn([tmp_path / "zoom", "60"])  # comm and argv[0] are both "zoom"
    wait_until(lambda: apps.running(os.getuid()) == "Zoom", 10, "zoom to be seen")
    assert asyncio.run(apps.busy()) == "apps"
    zoom.kill()
    zoom.wait(5)
    assert asyncio.run(apps.busy()) is None  # not found once it ends

    # argv[0] set as a launcher script's "exec -a" would, the program itself being sleep.
    teams = desktop.spawn(["/opt/Teams/TEAMS", "60"], executable=sleep, name="teams")
    wait_until(lambda: apps.running(os.getuid()) == "teams", 10, "teams (argv[0]) to be seen")
    teams.kill()
    teams.wait(5)
    assert asyncio.run(apps.busy()) is None


@pytest.mark.desktop
def test_another_users_app_is_not_ours(desktop: Desktop):
    if os.getuid() != 0:
        pytest.skip("needs root to start a process as another user")
    sleep = shutil.which("sleep")
    other = desktop.spawn(
        ["zoom", "60"],
        executable=sleep,
        user=STRANGER,
        group=STRANGER,
        extra_groups=[],
        name="stranger-zoom",
    )
    wait_until(lambda: AppsSignal(["zoom"]).running(STRANGER) == "zoom", 10, "the stranger's zoom")
    assert asyncio.run(AppsSignal(["zoom"]).busy()) is None
    other.kill()
    other.wait(5)


def test_app_names_as_processes_give_them():
    assert program_names("/usr/lib/zoom/zoom") == {"zoom"}
    assert program_names("/opt/Teams/teams --type=zygote") == {"teams --type=zygote", "teams"}
    assert program_names("") == set()
    apps = AppsSignal(["teams-for-linux-beta", "Slack"])
    assert apps.named("teams-for-linu", "/usr/bin/teams-for-linux-beta") == "teams-for-linux-beta"
    assert apps.named("teams-for-linux", "electron") == "teams-for-linux-beta"  # comm: 15 chars
    assert apps.named("slack", "") == "Slack"
    assert apps.named("slacker", "/usr/bin/slacker") is None


def test_a_process_that_ends_mid_scan_is_passed_over(tmp_path: Path, busy_log: Lines):
    uid = os.getuid()
    proc = proc_tree(
        tmp_path / "proc",
        {
            10: {},  # listed, then gone: no comm, no cmdline, no fd
            11: {"comm": "zoom", "argv": ["/usr/bin/zoom"], "fds": ["/dev/video0"]},
        },
    )
    watch = BusyWatch([AppsSignal(["zoom"], proc, uid), CameraSignal(proc, uid)], recheck=600)
    assert asyncio.run(watch.check()) == "camera"
    shutil.rmtree(proc / "11")
    assert asyncio.run(watch.check()) is None
    assert busy_log.lines == []  # processes come and go: nothing to tell the user


def test_a_proc_we_may_not_read_cannot_tell_and_a_hidden_process_is_passed_over():
    """As a user who is not root: a /proc that cannot be listed makes both /proc signals unable
    to tell (logged once, asked again after the interval); a process whose fd folder is closed
    to us (as the kernel does for a program that changed its credentials) is passed over."""
    root = Path(tempfile.mkdtemp(prefix="psoas-busy-proc-"))
    try:
        shut = proc_tree(root / "shut", {5: {"comm": "zoom", "argv": ["zoom"], "fds": []}})
        hidden = proc_tree(
            root / "hidden", {6: {"fds": ["/dev/video0"]}, 7: {"comm": "zoom", "argv": ["zoom"]}}
        )
        for folder, _, _ in os.walk(root):
            os.chmod(folder, 0o755)
        if os.getuid() == 0:
            for folder, dirs, files in os.walk(root):
                for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                    os.lchown(name, STRANGER, STRANGER)
        os.chmod(shut, 0o000)
        os.chmod(hidden / "6" / "fd", 0o000)

        def work() -> dict[str, Any]:
            return {
                "apps": unreadable_scenario(lambda: AppsSignal(["zoom"], shut)),
                "camera": unreadable_scenario(lambda: CameraSignal(shut)),
                "hidden camera": asyncio.run(CameraSignal(hidden).busy()),
                "hidden apps": asyncio.run(AppsSignal(["zoom"], hidden).busy()),
            }

        outcome = as_stranger(work)
    finally:
        for folder, _, _ in os.walk(root):
            os.chmod(folder, 0o755)
        shutil.rmtree(root)
    assert_cannot_tell_once(outcome["apps"], "one of your busy apps is running", "Permission")
    assert_cannot_tell_once(outcome["camera"], "your camera is on", "Permission denied")
    assert outcome["hidden camera"] is None
    assert outcome["hidden apps"] == "apps"


def test_no_proc_at_all_cannot_tell(tmp_path: Path):
    outcome = unreadable_scenario(lambda: AppsSignal(["zoom"], tmp_path / "no-proc", 0))
    assert_cannot_tell_once(outcome, "one of your busy apps is running", "cannot list")


# ----- all of it on one desktop ----------------------------------------------------------------


@pytest.mark.desktop
def test_one_check_of_every_signal_on_a_virtual_desktop(pulse: Desktop, monkeypatch, tmp_path):
    """Every signal at once, as the daemon asks when a prompt is due: dunst, openbox, PulseAudio
    and a zoom all running. Prints how long one check takes."""
    require_tools("openbox", "dunstctl", "parecord")
    desk = pulse
    desk.start_dunst()
    desk.spawn(["openbox", "--sm-disable"])
    wait_until(lambda: desk.run("wmctrl", "-m").returncode == 0, 15, "openbox to manage")
    monkeypatch.setenv("DISPLAY", desk.display)
    monkeypatch.delenv("XDG_CURRENT_DESKTOP", raising=False)

    async def play() -> dict[str, Any]:
        buses = await session(desk.bus_address)
        signals = await open_signals(["dnd", "fullscreen", "call", "apps"], buses, ["zoom"])
        watch = BusyWatch(signals, recheck=600)
        answers, times = [], []
        for _ in range(15):
            started = time.perf_counter()
            answers.append(await watch.check())
            times.append(time.perf_counter() - started)
        desk.run("dunstctl", "set-paused", "true")
        recorder = desk.spawn(["parecord", "--device=mic", "/dev/null"])
        wait_until(lambda: _recordings(desk) == 1, 10, "parecord to record the mic")
        busy_times = []
        for _ in range(15):
            started = time.perf_counter()
            answers.append(await watch.check())
            busy_times.append(time.perf_counter() - started)
        recorder.kill()
        watch.close()
        return {"answers": answers, "idle": sorted(times), "busy": sorted(busy_times)}

    result = asyncio.run(play())
    assert result["answers"] == [None] * 15 + ["dnd"] * 15
    idle_ms = [t * 1000 for t in result["idle"]]
    busy_ms = [t * 1000 for t in result["busy"]]
    print(
        f"\nBusyWatch.check(), 4 signals, 15 checks: nothing busy median {idle_ms[7]:.1f} ms "
        f"(max {idle_ms[-1]:.1f}); dnd + call median {busy_ms[7]:.1f} ms (max {busy_ms[-1]:.1f})"
    )
    assert idle_ms[7] < 500 and busy_ms[7] < 500
