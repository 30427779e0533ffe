"""Who may tell psoas what over the bus, and what one caller may cost it (issue 21, items 3, 7, 9,
11 and 12), each with a real psoas run and real parts: a notification server a test drives, the
SNI panel, dbus-send, a bus daemon stopped and restarted.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from dbus_fast import Message, MessageType
from desktop import Desktop, wait_until
from e2e import recorded, start_psoas, status, stop
from fake_notifier import FakeNotifier
from peer_bus import connect

from reminder.core import events as ev

pytestmark = pytest.mark.desktop

PROMPT_SOON = (
    "sit_minutes = 0.05\nrepeat_minutes = 0\nbreak_minutes = 10\n"
    'idle_source = "none"\n[quiet]\nwhen = []\n' + EVERY_DAY
)


def daemon_log(desk: Desktop) -> str:
    path = desk.home / "state" / "psoas" / "log" / "psoas.log"
    return path.read_text() if path.exists() else ""


def test_button_signals_count_only_from_the_server_for_its_own_prompt_and_once(
    private_bus: Desktop,
):
    with FakeNotifier(private_bus.bus_address) as server:
        psoas = start_psoas(private_bus, PROMPT_SOON, "--headless")
        wait_until(lambda: server.received, 20, "the prompt", process=psoas)
        prompt = server.received[0]["id"]
        breaks = lambda: [b for b in recorded(private_bus, ev.BreakTaken) if b.how == "done"]  # noqa: E731

        # Anyone on the bus can send a signal that looks like the server's: not obeyed.
        server.signal("ActionInvoked", "us", [prompt, "done"], from_us=False)
        subprocess.run(
            [
                "dbus-send",
                f"--bus={private_bus.bus_address}",
                "--type=signal",
                "/anything",
                "org.freedesktop.Notifications.ActionInvoked",
                f"uint32:{prompt}",
                "string:done",
            ],
            check=True,
            timeout=10,
        )
        # The server itself: with the wrong arguments, for a notification not psoas's.
        server.signal("ActionInvoked", "ss", ["1", "done"])
        server.signal("ActionInvoked", "us", [prompt + 1000, "done"])
        time.sleep(1.0)
        assert breaks() == [] and status(private_bus.env)["state"] == "due"

        # The server, for psoas's prompt, twice (as some do): one answer.
        server.signal("ActionInvoked", "us", [prompt, "done"])
        server.signal("ActionInvoked", "us", [prompt, "done"])
        wait_until(breaks, 10, "the break the button records", process=psoas)
        time.sleep(1.0)
        assert len(breaks()) == 1
        assert stop(psoas) == 0
    log = daemon_log(private_bus)
    assert "ActionInvoked with arguments (ss) ignored" in log
    assert "ERROR" not in log and "Traceback" not in log + psoas.stderr_text()


def test_a_slow_server_shows_each_prompt_once_and_its_late_id_still_counts(
    private_bus: Desktop,
):
    """A server that answers Notify after 1.5 s (past psoas's 1 s wait): the prompt is not
    also printed in the terminal, the repeat replaces it, and an answered one is taken down."""
    config = PROMPT_SOON.replace("repeat_minutes = 0", "repeat_minutes = 0.1")
    with FakeNotifier(private_bus.bus_address) as server:
        server.answer_after = 1.5
        psoas = start_psoas(private_bus, config, "--headless")
        wait_until(lambda: len(server.received) >= 2, 30, "a prompt and its repeat", process=psoas)
        first, second = server.received[:2]
        assert second["replaces_id"] == first["id"]  # the late id was kept
        psoas_said = psoas.stderr_text()
        assert "psoas: Time to stretch" not in psoas_said  # not also in the terminal
        subprocess.run(
            [sys_python(), "-m", "reminder", "done"], env=private_bus.env, check=True, timeout=30
        )
        wait_until(lambda: second["id"] in server.closed, 10, "the answered prompt taken down")
        assert stop(psoas) == 0


def sys_python() -> str:
    import sys

    return sys.executable


def test_a_huge_menu_request_is_refused_at_once_and_costs_no_memory(desktop: Desktop):
    desktop.start_sni_host()
    psoas = start_psoas(desktop, "sit_minutes = 60\n" + EVERY_DAY)
    wait_until(lambda: desktop.sni_items(), 20, "psoas's icon on the panel", process=psoas)
    (name,) = desktop.sni_items()

    def rss_mib() -> float:
        status_lines = Path(f"/proc/{psoas.pid}/status").read_text().splitlines()
        (line,) = [line for line in status_lines if line.startswith("VmRSS:")]
        return int(line.split()[1]) / 1024

    async def ask() -> list[tuple[str, float]]:
        bus = await connect(desktop.bus_address)
        answers = []
        try:
            for count in (1_000_000, 5_000):  # a 4 MB message; one under the size cap
                started = time.monotonic()
                reply = await asyncio.wait_for(
                    bus.call(
                        Message(
                            destination=name,
                            path="/MenuBar",
                            interface="com.canonical.dbusmenu",
                            member="GetGroupProperties",
                            signature="aias",
                            body=[[1] * count, []],
                        )
                    ),
                    30,
                )
                assert reply.message_type == MessageType.ERROR, reply.body
                answers.append((reply.error_name, time.monotonic() - started))
        finally:
            bus.disconnect()
        return answers

    before = rss_mib()
    answers = asyncio.run(ask())
    assert [error for error, _ in answers] == ["org.freedesktop.DBus.Error.LimitsExceeded"] * 2
    assert all(took < 3 for _, took in answers), answers  # most of it the bus copying 4 MB
    assert rss_mib() - before < 8  # it was 570 MiB more, and 4.8 s, before the cap
    assert status(desktop.env)["tray"] == "StatusNotifierItem"
    assert stop(psoas) == 0


def test_stopping_while_a_panel_asks_for_the_menu_says_nothing_on_the_terminal(
    desktop: Desktop,
):
    desktop.start_sni_host()
    for _ in range(5):
        psoas = start_psoas(desktop, "sit_minutes = 60\n" + EVERY_DAY)
        wait_until(lambda: desktop.sni_items(), 20, "psoas's icon", process=psoas)
        (name,) = desktop.sni_items()
        asking = subprocess.Popen(
            [
                "sh",
                "-c",
                f"while :; do dbus-send --bus={desktop.bus_address} --print-reply "
                f"--dest={name} /MenuBar com.canonical.dbusmenu.GetLayout int32:0 int32:-1 "
                "array:string: >/dev/null 2>&1; done",
            ]
        )
        try:
            time.sleep(0.5)
            assert stop(psoas) == 0
        finally:
            asking.kill()
            asking.wait()
        said = psoas.stderr_text()
        for fault in ("Traceback", "is not registered", "Bad file descriptor", "ERROR"):
            assert fault not in said, said
        wait_until(lambda: not desktop.sni_items(), 10, "the icon gone")


def test_a_stalled_bus_costs_nothing_and_a_restarted_one_gets_everything_back(
    desktop: Desktop,
):
    """The session bus stopped (SIGSTOP) for 12 s while a prompt falls due, then continued: the
    icon is still there and prompts reach the server. Then the bus restarted, with its panel and
    server: psoas connects again, its icon comes back and prompts reach the new server."""
    desktop.start_sni_host()
    desktop.start_dunst()
    config = PROMPT_SOON.replace("repeat_minutes = 0", "repeat_minutes = 0.25")
    psoas = start_psoas(desktop, config)
    wait_until(lambda: desktop.sni_items(), 20, "psoas's icon", process=psoas)
    desktop.wait_for_notifications(1, 20, "Time to stretch", psoas)

    bus = desktop.bus_process
    assert bus is not None
    os.kill(bus.pid, signal.SIGSTOP)
    try:
        time.sleep(12)
    finally:
        os.kill(bus.pid, signal.SIGCONT)
    assert psoas.poll() is None
    after = len(desktop.notifications())
    desktop.wait_for_notifications(after + 1, 30, "Time to stretch", psoas)
    assert status(desktop.env)["tray"] == "StatusNotifierItem"
    assert desktop.sni_items(), "the icon is still registered"

    before = len(desktop.notifications())
    desktop.stop_bus()
    wait_until(
        lambda: "bus is lost" in status(desktop.env)["tray"], 10, "status to say the bus is lost"
    )
    desktop.restart_bus()
    desktop.restart_desktop_services()
    wait_until(lambda: desktop.sni_items(), 30, "the icon back on the new panel", process=psoas)
    desktop.wait_for_notifications(before + 1, 60, "Time to stretch", psoas)
    assert status(desktop.env)["tray"] == "StatusNotifierItem"
    assert stop(psoas) == 0
    log = daemon_log(desktop)
    assert log.count("lost the D-Bus session bus") == 1
    assert "the D-Bus session bus is back" in log
    assert "Traceback" not in log + psoas.stderr_text()
