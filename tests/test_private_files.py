"""What one sits, and when, is private: the history and the log are the user's alone (files
0600, in folders psoas makes 0700), and the runtime folder that keeps one psoas per user is
one no other user could have made or may write in."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop_processes import wait_until
from e2e import saved_clock, start_headless, status, stop
from strangers import STRANGER

from reminder.core import events as ev
from reminder.store import HistoryStore

FAST = 'sit_minutes = 0.05\nbreak_minutes = 10\nidle_source = "none"\n' + EVERY_DAY


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def readable_by_stranger(path: Path) -> bool:
    """Whether another user (nobody) can open ``path`` for reading, tried for real in a child
    that has become that user (root itself reads anything)."""
    pid = os.fork()
    if pid == 0:
        code = 2
        try:
            os.setgroups([])
            os.setgid(STRANGER)
            os.setuid(STRANGER)
            with open(path, "rb") as opened:
                opened.read(1)
            code = 0
        except OSError:
            code = 1
        finally:
            os._exit(code)
    _, status_ = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status_) == 0


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder others may enter (0755), as a home usually is: pytest's own are root's alone."""
    folder = Path(tempfile.mkdtemp(prefix="psoas-open-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.fixture
def open_env(env: dict[str, str], open_folder: Path) -> dict[str, str]:
    """The test's environment with the data, state and cache folders in ``open_folder``."""
    for key, name in (("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state")):
        env[key] = str(open_folder / name)
    env["XDG_CACHE_HOME"] = str(open_folder / "cache")
    return env


def run_once(config: Path, env: dict[str, str], data: Path) -> None:
    """Start psoas, wait until it has written its history, stop it."""
    started = time.time()
    daemon = start_headless(config, env)
    wait_until(lambda: status(env), 30, "psoas to answer", process=daemon)
    wait_until(
        lambda: saved_clock(data).get("saved", 0) >= started,
        30,
        "the history written",
        process=daemon,
    )
    assert stop(daemon) == 0, daemon.stderr_text()


def test_a_new_history_and_log_are_the_users_alone(open_env, open_folder, tmp_path):
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    run_once(config, open_env, open_folder / "data")
    history = open_folder / "data" / "psoas" / "history.sqlite3"
    log = open_folder / "state" / "psoas" / "log" / "psoas.log"
    for path in [history, log, *history.parent.glob("history.sqlite3-*")]:
        assert mode(path) == 0o600, path
    made = [Path(folder) for folder, _, _ in os.walk(open_folder)][1:]  # all but the home
    assert {history.parent, log.parent, open_folder / "data", open_folder / "state"} <= set(made)
    for folder in made:
        assert mode(folder) == 0o700, folder
    if os.getuid() == 0:
        assert not readable_by_stranger(history) and not readable_by_stranger(log)


def test_an_open_history_and_log_from_before_are_made_private_saying_so_once(
    open_env, open_folder, tmp_path
):
    """A history and a log an older psoas left readable by all, in folders all may enter."""
    history = open_folder / "data" / "psoas" / "history.sqlite3"
    log = open_folder / "state" / "psoas" / "log" / "psoas.log"
    log.parent.mkdir(parents=True)
    log.write_text("2026-12-01 09:00:00,000 INFO reminder.launch: an older line\n")
    store = HistoryStore(history)
    store.record([ev.Skipped(time.time() - 60)])
    store.close()
    for path in [*history.parent.iterdir(), log]:
        path.chmod(0o644)
    for folder in (history.parent, history.parent.parent, log.parent, log.parent.parent):
        folder.chmod(0o755)
    if os.getuid() == 0:
        assert readable_by_stranger(history)  # the trouble, for real
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    run_once(config, open_env, open_folder / "data")
    run_once(config, open_env, open_folder / "data")
    for path in [history, log, *history.parent.glob("history.sqlite3-*")]:
        assert mode(path) == 0o600, path
    if os.getuid() == 0:
        assert not readable_by_stranger(history) and not readable_by_stranger(log)
    said = log.read_text()
    assert said.count(f"{history} was readable by others; now only you can read it") == 1, said
    assert said.count(f"{log} was readable by others; now only you can read it") == 1, said
    assert "an older line" in said
