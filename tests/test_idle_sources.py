"""Idle sources: the choice per session, the platform arithmetic, and the D-Bus ones for real."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, wait_until
from desktop_processes import ELSEWHERE
from e2e import psoas, status

from reminder.bus import Buses, connect
from reminder.idle import NoIdleSource, auto_order, choose_idle_source
from reminder.idle.freedesktop import FreedesktopIdleSource
from reminder.idle.gnome import GnomeIdleSource
from reminder.idle.macos import checked_seconds
from reminder.idle.windows import TICK_WRAP, idle_from_ticks

SERVICE = Path(__file__).parent / "services" / "idle_service.py"


@pytest.mark.parametrize(
    ("env", "platform", "order"),
    [
        (
            {"DISPLAY": ":0", "XDG_CURRENT_DESKTOP": "XFCE"},
            "linux",
            ["x11", "freedesktop", "gnome"],
        ),
        (
            {"DISPLAY": ":0", "XDG_CURRENT_DESKTOP": "GNOME"},
            "linux",
            ["x11", "gnome", "freedesktop"],
        ),
        (
            {
                "WAYLAND_DISPLAY": "wayland-0",
                "DISPLAY": ":0",
                "XDG_CURRENT_DESKTOP": "ubuntu:GNOME",
            },
            "linux",
            ["gnome", "wayland", "freedesktop"],
        ),
        (
            {"XDG_SESSION_TYPE": "wayland", "XDG_CURRENT_DESKTOP": "KDE"},
            "linux",
            ["wayland", "gnome", "freedesktop"],
        ),
        (
            {"WAYLAND_DISPLAY": "wayland-1", "XDG_CURRENT_DESKTOP": "sway"},
            "linux",
            ["wayland", "gnome", "freedesktop"],
        ),
        ({}, "linux", ["freedesktop", "gnome"]),
        ({}, "win32", ["windows"]),
        ({}, "darwin", ["macos"]),
    ],
)
def test_auto_picks_by_session(env, platform, order):
    assert auto_order(env, platform) == order


def test_windows_ticks_wrap_around_after_49_days():
    assert idle_from_ticks(5_000, 2_000) == 3.0
    assert idle_from_ticks(1_000, TICK_WRAP - 500) == 1.5  # the counter wrapped in between
    assert idle_from_ticks(7, 7) == 0.0


def test_macos_seconds_are_checked():
    assert checked_seconds(12.5) == 12.5
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(OSError):
            checked_seconds(bad)


def test_platform_sources_import_here_and_refuse_politely(monkeypatch):
    if sys.platform in ("win32", "darwin"):
        pytest.skip(f"{ELSEWHERE}this checks their refusal on other systems")
    for name in ("windows", "macos"):
        assert isinstance(asyncio.run(choose_idle_source(name, Buses(None))), NoIdleSource)


@pytest.fixture
def bus(desktop: Desktop, tmp_path: Path):
    """The desktop's private session bus with the stand-in desktop services on it; the same bus
    stands in for the system bus too (logind), so nothing of the machine's is ever asked."""
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"idle_ms": 4200, "locked": False}))
    desktop.env["DBUS_SYSTEM_BUS_ADDRESS"] = desktop.bus_address
    service = desktop.spawn([sys.executable, str(SERVICE), str(state)], name="service")
    wait_until(lambda: "ready" in service.stdout_text(), 15, "the stand-in idle service")
    return desktop.bus_address, state, service


def _read(address: str, source_class, system: str | None = None, steps=None):
    """Open ``source_class`` on the bus at ``address`` and run ``steps(source)`` on a loop."""

    async def play():
        buses = Buses(await connect(address))
        if system is not None:
            buses._system = await connect(system)
        try:
            return await steps(source_class(buses))
        finally:
            buses.close()

    return asyncio.run(play())


@pytest.mark.desktop
def test_gnome_source_reads_mutter_idle_time(bus):
    address, state, _ = bus

    async def steps(source):
        first = await source.idle_seconds()
        state.write_text(json.dumps({"idle_ms": 61000, "locked": True}))
        return first, await source.idle_seconds(), await source.locked()

    assert _read(address, GnomeIdleSource, steps=steps) == (4.2, 61.0, True)


@pytest.mark.desktop
def test_freedesktop_source_reads_idle_time_and_lock(bus):
    address, state, _ = bus

    async def steps(source):
        first = (await source.idle_seconds(), await source.locked())
        state.write_text(json.dumps({"idle_ms": 300000, "locked": True}))
        return first, (await source.idle_seconds(), await source.locked())

    assert _read(address, FreedesktopIdleSource, steps=steps) == ((4.2, False), (300.0, True))


@pytest.mark.desktop
def test_logind_says_locked_before_the_screensaver(desktop: Desktop, tmp_path: Path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"idle_ms": 10, "locked": False, "logind_locked": True}))
    service = desktop.spawn([sys.executable, str(SERVICE), str(state), "--logind"], name="service")
    wait_until(lambda: "ready" in service.stdout_text(), 15, "the stand-in idle service")

    async def steps(source):
        return await source.locked()

    address = desktop.bus_address
    assert _read(address, FreedesktopIdleSource, system=address, steps=steps) is True


@pytest.mark.desktop
def test_a_vanished_service_is_an_os_error_not_a_crash(bus):
    address, _, service = bus
    service.kill()
    service.wait()

    async def steps(source):
        with pytest.raises(OSError):
            await source.idle_seconds()

    _read(address, FreedesktopIdleSource, steps=steps)
    with pytest.raises(OSError):
        _read("unix:path=/nonexistent/bus", GnomeIdleSource, steps=steps)


def test_no_bus_at_all_falls_to_none(monkeypatch, tmp_path):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/none")
    assert isinstance(asyncio.run(choose_idle_source("auto", Buses(None))), NoIdleSource)
    assert (
        subprocess.run(
            [sys.executable, "-c", "import reminder.idle.windows, reminder.idle.macos"]
        ).returncode
        == 0
    )


@pytest.mark.desktop
@pytest.mark.parametrize(
    ("wanted", "session", "chosen"),
    [
        ("gnome", {}, "gnome"),
        ("freedesktop", {}, "freedesktop"),
        # Wayland with no compositor to ask: Mutter's monitor before the ScreenSaver, the last
        # resort (the stand-in desktop offers both).
        ("auto", {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, "gnome"),
        ("auto", {"DISPLAY": ":99"}, "freedesktop"),  # nothing on :99: X11 cannot be read
    ],
)
def test_psoas_run_starts_on_every_d_bus_idle_source(
    bus, desktop: Desktop, wanted, session, chosen
):
    """`psoas run` (tray and all) on each D-Bus idle source, the desktop's services on a private
    bus: once this crashed at start-up on Wayland and with every D-Bus source."""
    desktop.start_dunst()
    desktop.start_tray_host()
    env = desktop.env | session
    config = desktop.home / "psoas.toml"
    config.write_text(f'idle_source = "{wanted}"\n' + EVERY_DAY)
    process = desktop.spawn(
        [sys.executable, "-m", "reminder", "run", "--config", str(config)],
        name="psoas",
        env=session,
    )

    answered = wait_until(lambda: status(env), 30, "psoas status to answer", process=process)
    assert answered["idle_source"] == chosen
    assert psoas(env, "quit").returncode == 0
    assert process.wait(15) == 0
    assert "Traceback" not in process.stderr_text(), process.stderr_text()
