"""The Wayland test desktops themselves (tests/wayland_desktop.py), proved with the compositors'
own tools: the idle protocols a Wayland idle source speaks are there, real input ends idle on
sway, a client of the test's own user reaches each socket, and nothing outlives a compositor."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import pytest
from desktop_processes import group_members, require_tools, wait_until
from wayland_desktop import KWin, Sway

pytestmark = pytest.mark.desktop


def _assert_private_socket(folder: Path, uid: int) -> None:
    mode = folder.stat()
    assert stat.S_IMODE(mode.st_mode) == 0o700, oct(mode.st_mode)
    assert mode.st_uid == uid


def _assert_client_env(env: dict[str, str], desktop: str) -> None:
    assert "DISPLAY" not in env
    assert env["XDG_SESSION_TYPE"] == "wayland"
    assert env["XDG_CURRENT_DESKTOP"] == desktop


def test_sway_offers_kde_idle_and_a_virtual_keyboard_to_the_tests_own_user(sway: Sway) -> None:
    offered = sway.globals()  # wayland-info run as the test's user, not sway's
    assert offered["org_kde_kwin_idle"] >= 1
    assert offered["zwp_virtual_keyboard_manager_v1"] >= 1
    assert "ext_idle_notifier_v1" not in offered  # sway 1.7: wlroots 0.15 has not got it yet
    _assert_private_socket(sway.socket.parent, sway.uid)
    assert sway.uid != 0
    env = sway.env_for_client()
    _assert_client_env(env, "sway")
    assert env["WAYLAND_DISPLAY"] == str(sway.socket)
    assert env["XDG_RUNTIME_DIR"] == os.environ["XDG_RUNTIME_DIR"]  # the client's own folder
    # As a real session has it: a bare name in the compositor's runtime folder.
    relative = sway.env_for_client(relative=True)
    assert relative["WAYLAND_DISPLAY"] == sway.socket.name
    done = subprocess.run(["wayland-info"], env=relative, capture_output=True, timeout=20)
    assert done.returncode == 0 and b"org_kde_kwin_idle" in done.stdout, done.stderr


def test_swayidle_goes_idle_without_input_and_comes_back_when_wtype_types(sway: Sway) -> None:
    require_tools("swayidle", "wtype")
    started = time.monotonic()
    swayidle = sway.spawn(["swayidle", "-w", "timeout", "2", "echo IDLE", "resume", "echo BACK"])

    def said(word: str) -> bool:
        return word in swayidle.stdout_text().split()

    wait_until(lambda: said("IDLE"), 8, "swayidle to say IDLE", process=swayidle)
    idle_after = time.monotonic() - started
    assert 1.9 <= idle_after < 4, f"IDLE after {idle_after:.2f} s, not ~2 s"
    time.sleep(0.5)
    assert not said("BACK"), "BACK before any input"

    typed = time.monotonic()
    sway.type("hello")
    wait_until(lambda: said("BACK"), 3, "swayidle to say BACK", process=swayidle)
    back_after = time.monotonic() - typed
    assert back_after < 1, f"BACK {back_after:.2f} s after typing"
    assert swayidle.stdout_text().split() == ["IDLE", "BACK"]


def test_kwin_offers_both_idle_protocols_and_no_virtual_input(kwin: KWin) -> None:
    offered = kwin.globals()
    assert offered["ext_idle_notifier_v1"] >= 1
    assert offered["org_kde_kwin_idle"] >= 1
    assert "zwp_virtual_keyboard_manager_v1" not in offered
    _assert_private_socket(kwin.socket.parent, kwin.uid)
    assert kwin.socket.name == "wayland-kw"
    _assert_client_env(kwin.env_for_client(), "KDE")


def test_nothing_outlives_sway_and_its_clients() -> None:
    require_tools("swayidle")
    with Sway() as sway:
        client = sway.spawn(["swayidle", "-w", "timeout", "60", "echo IDLE"])
        wait_until(lambda: len(group_members(client.pid)) == 1, 5, "swayidle to run")
        groups = [process.pid for process in sway.processes]
        assert len(groups) == 2 and all(group_members(pid) for pid in groups)
        root = sway.root
    assert not [pid for pid in groups if group_members(pid)]
    assert not root.exists()


class _SwayWithoutItsConfig(Sway):
    def _command(self) -> list[str]:
        return [*super()._command()[:-1], str(self.root / "missing.conf")]


def test_a_compositor_that_cannot_start_says_so_with_the_end_of_its_log() -> None:
    with pytest.raises(AssertionError) as failure, _SwayWithoutItsConfig():
        pass
    said = str(failure.value)
    assert said.startswith("sway exited with status"), said
    assert "sway's log ends:" in said
    assert "missing.conf" in said
