"""Idle sources: the choice per session, the platform arithmetic, and the D-Bus ones for real."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from desktop import Desktop, desktop_fixture, wait_until  # noqa: F401

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
            ["gnome", "freedesktop"],
        ),
        (
            {"XDG_SESSION_TYPE": "wayland", "XDG_CURRENT_DESKTOP": "KDE"},
            "linux",
            ["freedesktop", "gnome"],
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
        pytest.skip("this checks their refusal on other systems")
    assert isinstance(choose_idle_source("windows"), NoIdleSource)
    assert isinstance(choose_idle_source("macos"), NoIdleSource)


@pytest.fixture
def bus(desktop: Desktop, tmp_path: Path):
    """The desktop's private session bus with the stand-in desktop services on it."""
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"idle_ms": 4200, "locked": False}))
    extra = {"PYTHONPATH": str(Path(__file__).parent.parent)}
    service = desktop.spawn([sys.executable, str(SERVICE), str(state)], name="service", env=extra)
    wait_until(lambda: "ready" in service.stdout_text(), 15, "the stand-in idle service")
    return desktop.env["DBUS_SESSION_BUS_ADDRESS"], state, service


def test_gnome_source_reads_mutter_idle_time(bus):
    address, state, _ = bus
    source = GnomeIdleSource(address)
    assert source.idle_seconds() == 4.2
    state.write_text(json.dumps({"idle_ms": 61000, "locked": True}))
    assert source.idle_seconds() == 61.0
    assert source.locked() is True


def test_freedesktop_source_reads_idle_time_and_lock(bus):
    address, state, _ = bus
    source = FreedesktopIdleSource(address)
    assert source.idle_seconds() == 4.2
    assert source.locked() is False
    state.write_text(json.dumps({"idle_ms": 300000, "locked": True}))
    assert (source.idle_seconds(), source.locked()) == (300.0, True)


def test_a_vanished_service_is_an_os_error_not_a_crash(bus):
    address, _, service = bus
    source = FreedesktopIdleSource(address)
    service.kill()
    service.wait()
    with pytest.raises(OSError):
        source.idle_seconds()
    with pytest.raises(OSError):
        GnomeIdleSource("unix:path=/nonexistent/bus")


def test_no_bus_at_all_falls_to_none(monkeypatch, tmp_path):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/none")
    assert isinstance(choose_idle_source("auto"), NoIdleSource)
    assert (
        subprocess.run(
            [sys.executable, "-c", "import reminder.idle.windows, reminder.idle.macos"]
        ).returncode
        == 0
    )
