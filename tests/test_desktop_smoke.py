"""The virtual-desktop harness itself, proven on real programs: no mocks anywhere.

notify-send and psoas's own notifier reach dunst over the private bus, the notifier fails at once
while dunst is away and works again once it is back, escaped markup stays literal text, the X
idle counter follows a played user, trayer owns the tray, and teardown leaves no process and no
file behind.
"""

from __future__ import annotations

import asyncio
import html
import json
import time
from pathlib import Path

import pytest
from desktop import (
    ARTIFACTS,
    Desktop,
    require_tools,
    spawn,
    wait_until,
)


def notify(desktop: Desktop, title: str, body: str = "body") -> str:
    """Show one note through psoas's own freedesktop notifier on the desktop's bus: "SENT", or
    the one line of its NotifyError."""
    from reminder.bus import connect
    from reminder.notify import Note, NotifyError
    from reminder.notify.freedesktop import FreedesktopNotifier

    async def play() -> str:
        bus = await connect(desktop.bus_address)
        try:
            notifier = FreedesktopNotifier(bus, {}, lambda key: None, timeout_ms=5000)
            await notifier.start()
            await notifier.show(Note(title, body))
            return "SENT"
        except NotifyError as error:
            return f"RAISED {error}"
        finally:
            bus.close()

    return asyncio.run(play())


# ----- require_tools (no desktop needed) ------------------------------------------------------


def test_require_tools_fails_in_ci_naming_the_missing_tool(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-such-tool-4711"):
        require_tools("sh", "no-such-tool-4711")


def test_require_tools_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-such-tool-4711"):
        require_tools("no-such-tool-4711")


def test_require_tools_passes_when_everything_is_there(monkeypatch):
    monkeypatch.setenv("CI", "1")
    require_tools("sh", "true")


# ----- the desktop ----------------------------------------------------------------------------


@pytest.mark.desktop
def test_the_environment_is_private(desktop: Desktop):
    env = desktop.env
    assert env["DISPLAY"] == desktop.display
    assert env["DBUS_SESSION_BUS_ADDRESS"] == desktop.bus_address
    assert str(desktop.root) in desktop.bus_address
    assert env["NO_AT_BRIDGE"] == "1"
    for key in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        assert Path(env[key]).is_relative_to(desktop.root), key
    assert not any(key.startswith("WAYLAND_") for key in env)
    # A child sees exactly that environment.
    child = spawn(["sh", "-c", 'echo "$HOME|$DISPLAY|$DBUS_SESSION_BUS_ADDRESS"'], desktop)
    assert child.finish() == 0
    assert child.stdout_text().strip() == f"{env['HOME']}|{desktop.display}|{desktop.bus_address}"


@pytest.mark.desktop
def test_notify_send_reaches_dunst(desktop: Desktop):
    desktop.start_dunst()
    sender = spawn(["notify-send", "-a", "harness", "Stand up", "Time to stretch"], desktop)
    assert sender.finish() == 0, sender.stderr_text()

    (received,) = desktop.wait_for_notifications(1)
    assert (received["summary"], received["body"], received["appname"]) == (
        "Stand up",
        "Time to stretch",
        "harness",
    )
    assert isinstance(received["id"], int)
    assert received["id"] > 0
    # dunst's own history agrees (it only lists closed notifications: this closes the popup).
    (entry,) = desktop.dunst_history()
    assert (entry["id"], entry["summary"], entry["body"]) == (
        received["id"],
        "Stand up",
        "Time to stretch",
    )


@pytest.mark.desktop
def test_identical_notifications_are_all_counted(desktop: Desktop):
    desktop.start_dunst()
    for _ in range(2):
        assert spawn(["notify-send", "Same", "again"], desktop).finish() == 0
    first, second = desktop.wait_for_notifications(2)
    assert first["id"] != second["id"]
    assert len(desktop.dunst_history()) == 2  # dunst did not stack them


@pytest.mark.desktop
def test_the_notifier_reaches_dunst_fails_quickly_without_it_and_recovers(desktop: Desktop):
    desktop.start_dunst()
    assert notify(desktop, "one") == "SENT"
    (first,) = desktop.wait_for_notifications(1)
    assert (first["summary"], first["appname"], first["expire_timeout"]) == ("one", "psoas", 5000)

    desktop.stop_dunst()
    started = time.monotonic()
    output = notify(desktop, "two")
    assert output.startswith("RAISED") and "ServiceUnknown" in output, output
    assert time.monotonic() - started < 2  # nothing on the bus started a server for it

    desktop.start_dunst()
    assert notify(desktop, "three") == "SENT"
    received = desktop.wait_for_notifications(2)
    assert [n["summary"] for n in received] == ["one", "three"]
    # The bus refuses a call to a name nobody owns before any monitor sees it: "two" left no
    # trace there, only the error in the sender.
    assert [a["summary"] for a in desktop.notification_attempts()] == ["one", "three"]


@pytest.mark.desktop
def test_escaped_markup_arrives_as_literal_text(desktop: Desktop):
    """Record what dunst sees for ``<b>x</b> & y`` escaped: the wire body, dunst's own record,
    and the text Pango makes of dunst's message (dunst's default markup mode is "full")."""
    desktop.start_dunst()
    literal = "<b>x</b> & y"
    escaped = html.escape(literal, quote=False)
    assert spawn(["notify-send", "Markup", escaped], desktop).finish() == 0

    (received,) = desktop.wait_for_notifications(1)
    desktop.find_window("Dunst")  # the popup is drawn a moment after dunst answered
    desktop.screenshot("desktop-smoke-markup.png")
    (entry,) = desktop.dunst_history()

    import gi

    gi.require_version("Pango", "1.0")
    from gi.repository import Pango

    _, _, rendered, _ = Pango.parse_markup(entry["message"], -1, "\0")
    record = {
        "sent": escaped,
        "on the bus": received["body"],
        "dunst body": entry["body"],
        "dunst message": entry["message"],
        "rendered text": rendered,
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "desktop-smoke-markup.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))

    assert received["body"] == entry["body"] == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert rendered == f"Markup\n{literal}"


@pytest.mark.desktop
def test_the_idle_counter_follows_a_played_user(desktop: Desktop):
    desktop.move_pointer(100, 100)
    assert desktop.idle_ms() < 1000
    time.sleep(1.5)
    assert desktop.idle_ms() >= 1000
    desktop.move_pointer(300, 200)
    assert desktop.idle_ms() < 1000


@pytest.mark.desktop
def test_trayer_owns_the_tray_and_a_screenshot_is_written(desktop: Desktop):
    from PIL import Image

    desktop.start_tray_host()
    assert desktop.tray_owner() != 0
    x, y, width, height = desktop.find_window("trayer")
    assert (x, y) == (0, 0)  # --edge top --align left
    assert width > 0
    assert height > 0

    shot = desktop.screenshot("desktop-smoke-tray.png")
    with Image.open(shot) as image:
        assert image.size == (1024, 768)


@pytest.mark.desktop
def test_closing_kills_every_process_and_removes_the_temp_files():
    with Desktop() as desk:
        desk.start_dunst()
        desk.start_tray_host()
        # A grandchild in the background: only killing the whole process group catches it.
        shell = spawn(["sh", "-c", "sleep 300 & echo $!; wait"], desk)
        grandchild = int(wait_until(lambda: shell.stdout_text().strip(), 5, "the background sleep"))
        pids = [process.pid for process in desk.processes] + [grandchild]
        root, number = desk.root, desk.display.lstrip(":")
        assert all(_running(pid) for pid in pids)

    assert not any(_running(pid) for pid in pids)
    assert not root.exists()
    assert not Path(f"/tmp/.X{number}-lock").exists()
    assert not Path(f"/tmp/.X11-unix/X{number}").exists()


def _running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"
