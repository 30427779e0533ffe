"""``psoas doctor`` on real desktops: the verdicts it gives where everything is there (X11, a
StatusNotifierItem panel, dunst, a psoas running), where nothing is (no bus, no display), and
where the desktop froze (Xvfb and dunst stopped): it still answers, within its deadline.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from desktop import ACTIVATABLE, ARTIFACTS, Desktop, require_modules, wait_until
from e2e import psoas, start_psoas
from wayland_desktop import Sway

#: A psoas that stays quiet while the doctor looks: no prompt within the test.
QUIET_CONFIG = "sit_minutes = 60\n"
#: The doctor's own deadline is 2 s a look, all at once; the interpreter's start comes on top,
#: and a loaded two-core machine runs other tests beside this one.
WITHIN = 6.0


def doctor(env: dict[str, str], *args: str) -> tuple[dict[str, dict[str, Any]], float]:
    """``psoas doctor --json`` as a separate process: its parts by name, and how long it took.
    It must end with status 0 and say nothing on stderr."""
    started = time.monotonic()
    done = psoas(env, "doctor", "--json", *args, timeout=30)
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    report = json.loads(done.stdout)
    assert set(report) == {"psoas", "platform", "parts"}
    parts = {part["name"]: part for part in report["parts"]}
    assert len(parts) == len(report["parts"]), "a part name given twice"
    for part in report["parts"]:
        assert set(part) == {"name", "verdict", "detail", "advice", "facts"}
    return parts, took


def verdicts(parts: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {name: part["verdict"] for name, part in parts.items()}


def keep_text(env: dict[str, str], name: str, *args: str) -> str:
    """The report as a person reads it, kept in tests/artifacts for whoever looks later."""
    done = psoas(env, "doctor", *args, timeout=30)
    assert done.returncode == 0, done.stderr
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"doctor-{name}.txt").write_text(done.stdout)
    return done.stdout


@pytest.mark.desktop
def test_on_x11_with_a_status_notifier_panel_and_dunst_everything_works(desktop: Desktop):
    desktop.start_sni_host()
    desktop.start_dunst()
    config = desktop.home / "psoas.toml"
    process = start_psoas(desktop, QUIET_CONFIG)
    wait_until(lambda: desktop.sni_items(), 15, "psoas's item on the panel", process=process)

    parts, took = doctor(desktop.env, "--config", str(config))

    said = verdicts(parts)
    assert said["session"] == "works"
    assert parts["session"]["facts"]["kind"] == "x11"
    assert said["bus"] == "works"
    assert (said["idle"], parts["idle"]["facts"]["uses"]) == ("works", "x11")
    assert said["idle.x11"] == "works"
    assert 0 <= parts["idle.x11"]["facts"]["seconds"] < 600
    assert said["idle.wayland"] == "skipped"
    # Neither GNOME's nor the screensaver's service runs on this bus: looked up, never started.
    for source, service in (
        ("gnome", "org.gnome.Mutter.IdleMonitor"),
        ("freedesktop", "org.freedesktop.ScreenSaver"),
    ):
        assert said[f"idle.{source}"] == "missing"
        assert service in parts[f"idle.{source}"]["detail"]
    assert said["tray"] == "works"
    tray = parts["tray"]
    assert tray["facts"]["uses"] == "StatusNotifierItem"
    assert tray["facts"]["host_registered"] is True
    assert tray["facts"]["items"] == desktop.sni_items()
    assert "running psoas's icon is on it" in tray["detail"]
    assert said["notifications"] == "works"
    notes = parts["notifications"]["facts"]
    assert notes["server"][0] == "dunst"
    assert "actions" in notes["capabilities"]
    assert "with buttons and pictures" in parts["notifications"]["detail"]
    assert said["quiet.dnd"] == "works"  # dunst's paused flag
    assert said["config"] == "works"
    assert parts["config"]["facts"]["path"] == str(config)
    assert said["running"] == "works"
    assert parts["running"]["facts"]["pid"] == process.pid
    assert parts["running"]["facts"]["tray"] == "StatusNotifierItem"
    # What the doctor says psoas would use is what the psoas running here chose.
    assert parts["running"]["facts"]["idle_source"] == parts["idle"]["facts"]["uses"]
    assert parts["running"]["facts"]["tray"] == parts["tray"]["facts"]["uses"]
    assert took < WITHIN

    keep_text(desktop.env, "x11-sni-dunst", "--config", str(config))
    # Looking showed nothing, and the psoas that runs did not notice.
    assert desktop.notification_attempts() == []
    assert process.poll() is None


@pytest.mark.desktop
def test_on_an_xembed_only_panel_the_tray_is_pystrays(desktop: Desktop):
    """trayer and no StatusNotifierWatcher: the doctor finds the XEmbed tray, and whether psoas's
    GTK backend for it is installed (the test venv has it, as ./bootstrap test installs it)."""
    require_modules("gi")
    desktop.start_tray_host()
    parts, _ = doctor(desktop.env)
    tray = parts["tray"]
    facts = tray["facts"]
    assert (tray["verdict"], facts["xembed"], facts["watcher"], facts["uses"]) == (
        "works",
        True,
        None,
        "pystray",
    )
    assert "XEmbed" in tray["detail"]


@pytest.mark.slow
def test_with_no_bus_and_no_display_it_says_what_is_missing_and_ends_at_once(tmp_path: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DBUS_SESSION") and key not in ("DISPLAY", "WAYLAND_DISPLAY")
    }
    parts, took = doctor(env)
    said = verdicts(parts)
    assert said["session"] == "missing"
    assert parts["session"]["facts"]["kind"] == "none"
    assert said["bus"] == "missing"
    assert parts["bus"]["facts"]["address"] is None
    assert said["idle"] == "missing"
    assert parts["idle"]["facts"]["uses"] == "none"
    assert said["idle.x11"] == "skipped"
    assert said["tray"] == "missing"
    assert said["notifications"] == "missing"
    assert said["quiet.dnd"] == "missing"
    assert said["running"] == "off"
    for name in ("session", "bus", "idle"):
        assert parts[name]["advice"], f"{name} says what to do"
    assert took < WITHIN / 2
    keep_text(env, "no-bus-no-display")


@pytest.mark.desktop
def test_a_frozen_x_server_and_notification_server_cost_lines_not_a_hang(desktop: Desktop):
    """Xvfb and dunst stopped (SIGSTOP): every look that needs them misses its deadline, says so,
    and the report still comes in about the time of one deadline."""
    desktop.start_dunst()
    frozen = [p for p in desktop.processes if p.args[0] in ("Xvfb", "dunst")]
    assert len(frozen) == 2
    for process in frozen:
        os.killpg(process.pid, signal.SIGSTOP)
    try:
        parts, took = doctor(desktop.env)
    finally:
        for process in frozen:
            os.killpg(process.pid, signal.SIGCONT)
    said = verdicts(parts)
    assert said["idle.x11"] == "missing"
    assert "no answer within" in parts["idle.x11"]["detail"]
    assert said["notifications"] == "missing"
    assert "did not answer" in parts["notifications"]["detail"]
    assert said["bus"] == "works"  # the bus itself still answers
    assert took < WITHIN


#: A session bus that can start services, as a user's bus does (the harness's own bus never does).
@pytest.mark.desktop
def test_it_starts_no_service_the_bus_could_start(private_bus: Desktop):
    """Every service psoas asks for is activatable on this bus, and each would leave a file if
    started (the notification server's the way dunst's package installs it): the doctor looks
    them up and asks none, and says a notification server would be started at the first prompt."""
    address, started = private_bus.start_activating_bus(ACTIVATABLE)
    env = private_bus.env | {"DBUS_SESSION_BUS_ADDRESS": address}

    parts, _ = doctor(env)

    time.sleep(0.5)  # what the bus would have started has had the time to leave its file
    assert sorted(path.name for path in started.iterdir()) == []
    assert parts["notifications"]["verdict"] == "works", parts["notifications"]
    assert parts["notifications"]["facts"]["activatable"] is True
    assert "not on the session bus" in parts["idle.gnome"]["detail"]
    assert parts["tray"]["verdict"] == "missing"

    # The trap was armed: a plain call to one of them starts it.
    call = "org.freedesktop.Notifications.GetCapabilities"
    done = subprocess.run(
        ["dbus-send", "--session", "--dest=org.freedesktop.Notifications", "/", call],
        env=env,
        capture_output=True,
        timeout=10,
    )
    assert done.returncode == 0, done.stderr
    wait_until((started / "org.freedesktop.Notifications").exists, 10, "the server started")


@pytest.mark.desktop
def test_on_sway_the_compositor_itself_tells_idle_time(sway: Sway, private_env):
    """A wlroots desktop: no D-Bus idle source, the compositor's own protocol instead."""
    env = sway.env_for_client(private_env.env) | {"DISPLAY": ":99"}  # an Xwayland display
    parts, took = doctor(env)
    said = verdicts(parts)
    assert parts["session"]["facts"]["kind"] == "wayland"
    assert said["idle"] == "works"
    assert parts["idle"]["facts"]["uses"] == "wayland"
    assert said["idle.wayland"] == "works"
    assert "org_kde_kwin_idle" in parts["idle.wayland"]["detail"]
    assert said["idle.x11"] == "skipped"
    assert "Wayland session" in parts["idle.x11"]["detail"]
    assert took < WITHIN
    keep_text(env, "sway")
