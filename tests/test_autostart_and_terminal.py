"""Autostart entries written and removed in a temporary home; the terminal routine in a real pty."""

from __future__ import annotations

import io
import os
import plistlib
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e import in_process

from reminder.cli import routine as terminal_routine
from reminder.history.store import HistoryStore
from reminder.install import autostart, desktop_entry

ROOT = Path(__file__).resolve().parent.parent


def test_linux_entry_is_written_quoted_and_removed(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "my config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = autostart.enable("linux", tmp_path)
    assert path == tmp_path / "my config" / "autostart" / "psoas.desktop"
    text = path.read_text()
    assert "[Desktop Entry]" in text and "Type=Application" in text
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert exec_line.endswith("-m reminder run") and sys.executable in exec_line
    assert autostart.status("linux", tmp_path) == ("installed", path)
    assert autostart.disable("linux", tmp_path) == path
    assert autostart.status("linux", tmp_path) == ("absent", path)
    assert autostart.disable("linux", tmp_path) is None


def test_exec_arguments_with_spaces_are_quoted():
    quote = desktop_entry.quote_exec_argument
    assert quote("/opt/my apps/python") == '"/opt/my apps/python"'
    assert quote('a"b$c') == '"a\\"b\\$c"'
    assert quote("/usr/bin/python3") == "/usr/bin/python3"


def test_macos_launch_agent_and_windows_startup_file(tmp_path, monkeypatch):
    plist = autostart.enable("darwin", tmp_path)
    assert plist == tmp_path / "Library" / "LaunchAgents" / "org.psoas.reminder.plist"
    agent = plistlib.loads(plist.read_bytes())
    assert agent["ProgramArguments"][-3:] == ["-m", "reminder", "run"] and agent["RunAtLoad"]
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    startup = autostart.enable("win32", tmp_path)
    assert startup.parent.name == "Startup" and startup.read_text().startswith("@echo off")
    assert autostart.disable("darwin", tmp_path) == plist and not plist.exists()
    assert autostart.disable("win32", tmp_path) == startup and not startup.exists()


def test_autostart_command_line(tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return in_process("autostart", *args)

    entry = tmp_path / "config" / "autostart" / "psoas.desktop"
    assert run("status").stdout == (
        "psoas does not start at login: psoas autostart enable sets it to\n"
    )
    assert run("enable").stdout == f"psoas starts at login: {entry}\n"
    assert entry.exists()
    assert run("status").stdout == f"psoas starts at login: {entry}\n"  # as enable said
    assert run("disable").stdout == f"psoas no longer starts at login: {entry} removed\n"
    assert run("disable").stdout == "psoas does not start at login: nothing to remove\n"
    assert run("bogus").returncode == 2


def _read_until(fd: int, needle: str, timeout: float = 30) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096).decode(errors="replace")
            except OSError:
                break
    assert needle in seen, seen[-500:]
    return seen


@pytest.mark.slow
def test_terminal_routine_counts_down_pauses_skips_and_finishes(tmp_path):
    config = tmp_path / "quick.toml"
    config.write_text("routine_pace = 0.2\n")  # the desk routine in about 27 s
    env = os.environ | {"TERM": "xterm"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: psoas in a real terminal
        os.chdir(ROOT)
        os.execve(
            sys.executable,
            [sys.executable, "-m", "reminder", "routine", "desk", "--config", str(config)],
            env,
        )
    try:
        screen = _read_until(fd, "Step 1 of 4")
        assert "left in this step" in _read_until(fd, "left in this step")
        os.write(fd, b" ")
        assert "paused" in _read_until(fd, "paused")
        os.write(fd, b" ")
        os.write(fd, b"s")  # skip to step 2
        screen = _read_until(fd, "Step 2 of 4")
        os.write(fd, b"sss")  # through steps 3 and 4 to the end
        screen = _read_until(fd, "Desk break: done")
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert re.search(r"\[[#-]{24}\] \d+ s left in this step", screen)  # the step's bar
    # The break is kept in the history, as the daemon would have kept it.
    from reminder.history.store import HistoryStore

    store = HistoryStore(tmp_path / "data" / "psoas" / "history.sqlite3")
    assert sorted(e.kind for e in store.events()) == ["break", "routine-done", "routine-start"]


@pytest.mark.slow
def test_terminal_routine_stopped_with_q_is_the_users_choice_not_an_error(private_env):
    env = os.environ | {"TERM": "xterm"}
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "reminder", "routine", "floor"], env)
    try:
        _read_until(fd, "Step 1 of")
        os.write(fd, b"q")
        _read_until(fd, "stopped")
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    store = HistoryStore(private_env.history, read_only=True)
    assert sorted(e.kind for e in store.events()) == ["routine-cancel", "routine-start"]


class _Time:
    """The terminal routine's clock, moved only by its own sleeps: a routine plays instantly."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class _Screen(io.StringIO):
    """What a terminal would show, kept as written."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_routine_into_a_pipe_is_plain_lines_a_step_and_ends_as_usual(
    private_env, monkeypatch
):
    monkeypatch.setattr(terminal_routine, "time", _Time())
    with open(os.devnull) as nothing:  # psoas routine </dev/null | cat
        monkeypatch.setattr(sys, "stdin", nothing)
        result = in_process("routine", "desk")
    assert result.returncode == 0, result.stderr
    said = result.stdout
    assert "\r" not in said and "\x1b" not in said, repr(said[:300])
    # Its length, and no keys to press: none offered.
    assert said.splitlines()[0] == "Desk break: 4 steps, 2 min 15 s."
    assert "left in this step" not in said and "[---" not in said
    for step in range(1, 5):
        assert said.count(f"Step {step} of 4: ") == 1, said
    assert said.rstrip().endswith("Desk break: done. Well done.")
    store = HistoryStore(private_env.history, read_only=True)
    assert sorted(e.kind for e in store.events()) == ["break", "routine-done", "routine-start"]


def test_the_terminal_bar_fills_with_the_step_the_countdown_counts_down(catalogue, monkeypatch):
    monkeypatch.setattr(terminal_routine, "time", _Time())
    screen = _Screen()
    routine = catalogue.routine("desk")
    assert terminal_routine.run_in_terminal(routine, catalogue, keys=io.StringIO(), out=screen)
    steps = screen.getvalue().split("\nStep ")[1:]
    assert len(steps) == 4
    frames = 0
    for step, shown in zip(routine.steps, steps, strict=True):
        for bar, left in re.findall(r"\[([#-]{24})\] (\d+) s left in this step", shown):
            done = bar.count("#") / 24
            assert abs(done - (1 - int(left) / step.total_seconds)) <= 1 / 24, (bar, left)
            frames += 1
    assert frames > 100  # a frame a second through the 135 s routine
