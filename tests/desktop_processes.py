"""Requirements and processes for the desktop tests: skip (or, in CI, fail) on a missing tool,
wait for a condition, and start, signal and account for processes by process group."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

#: A skip whose reason starts so is about the operating system the suite runs on (Windows or
#: macOS behaviour tested elsewhere, the virtual desktop off Linux): it stays a skip in CI, where
#: every other skip fails (tests/conftest.py).
ELSEWHERE = "not on this system: "


def _unavailable(what: str, missing: Sequence[str]) -> None:
    message = f"desktop tests need {what}: {', '.join(missing)} missing (./bootstrap test installs)"
    if "CI" in os.environ:
        pytest.fail(f"{message}; in CI this is a failure, not a skip", pytrace=False)
    pytest.skip(message)


def require_tools(*names: str) -> None:
    """Skip when an executable is missing; in CI (``CI`` set) fail instead, naming it."""
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        _unavailable("these programs", missing)


def require_modules(*names: str) -> None:
    """Like :func:`require_tools`, for Python modules of the interpreter running the tests."""
    missing = [name for name in names if importlib.util.find_spec(name) is None]
    if missing:
        _unavailable("these Python modules", missing)


def wait_until(
    check: Callable[[], T],
    timeout: float,
    what: str,
    interval: float = 0.05,
    *,
    process: subprocess.Popen | None = None,
) -> T:
    """Poll ``check`` until it returns something truthy and return that; fail naming ``what``.

    With ``process`` (the program the wait is for), fail as soon as it has exited without the
    condition coming true, saying how it ended, rather than at the end of the whole timeout.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if process is not None and exited(process):
            result = check()  # it may have done it just before it ended
            if result:
                return result
            raise AssertionError(f"{ended(process)} while waiting for {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def ended(process: subprocess.Popen) -> str:
    """How a process that has exited ended, with the end of what it said where that is in files."""
    args = process.args if isinstance(process.args, list | tuple) else [process.args]
    name = getattr(process, "name", None) or " ".join(map(str, args))[-80:]
    said = ""
    if isinstance(process, Process):
        said = f"; stderr: {process.stderr_text()[-2000:]}"
    return f"{name} exited with status {process.poll()}{said}"


# ----- processes -------------------------------------------------------------------------------


class Process(subprocess.Popen):
    """A process started on a desktop; its output goes to files (a pipe could fill and block)."""

    name: str
    stdout_path: Path
    stderr_path: Path

    def stdout_text(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def finish(self, timeout: float = 30) -> int:
        """Wait for the exit status; on timeout fail with what the process wrote so far."""
        try:
            return self.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"{self.name} still running after {timeout:g} s\n"
                f"stdout: {self.stdout_text()[-2000:]}\nstderr: {self.stderr_text()[-2000:]}"
            ) from None


def exited(process: subprocess.Popen) -> bool:
    """Whether the process has exited, WITHOUT reaping it: its PID (and so its process group
    id) stays reserved, so signalling the group afterwards cannot hit a recycled PID."""
    if process.returncode is not None:
        return True
    try:
        return os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def signal_group(process: subprocess.Popen, signum: int) -> None:
    if process.returncode is not None and not group_members(process.pid):
        # Reaped already and its group is empty: the id is free and could be someone else's.
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def stop_groups(processes: Sequence[subprocess.Popen], grace: float = 3) -> list[int]:
    """End each process's group, newest first: TERM, up to ``grace`` s for the leaders to exit,
    then KILL; reap the leaders. Return what is still alive in those groups a few seconds later
    (a child of a reaped leader, say dbus-run-session's, may take a moment to die)."""
    newest_first = list(reversed(processes))
    for process in newest_first:
        if not exited(process):
            signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and not all(map(exited, newest_first)):
        time.sleep(0.02)
    for process in newest_first:
        # The leader is unreaped (or alive), so its group id is still ours.
        signal_group(process, signal.SIGKILL)
    for process in newest_first:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)

    def alive() -> list[int]:
        return [pid for process in newest_first for pid in group_members(process.pid)]

    deadline = time.monotonic() + 5
    while (left := alive()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left
