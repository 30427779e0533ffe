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
from desktop_processes import ELSEWHERE, wait_until
from e2e import psoas, saved_clock, start_headless, status, stop
from strangers import STRANGER

from reminder.core import events as ev
from reminder.history.store import HistoryStore

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


@pytest.mark.slow
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


@pytest.mark.slow
def test_an_open_history_and_log_from_before_are_made_private_saying_so_once(
    open_env, open_folder, tmp_path
):
    """A history and a log an older psoas left readable by all, in folders all may enter."""
    history = open_folder / "data" / "psoas" / "history.sqlite3"
    log = open_folder / "state" / "psoas" / "log" / "psoas.log"
    log.parent.mkdir(parents=True)
    log.write_text("2026-12-01 09:00:00,000 INFO reminder.runtime.launch: an older line\n")
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


# ----- the runtime folder in the temp folder ----------------------------------------------------


@pytest.fixture
def shared_tmp(env: dict[str, str], tmp_path: Path) -> Path:
    """A temp folder every user shares, as /tmp (1777), standing in for it so that the real
    /tmp/psoas-<uid> of whoever runs the tests is never touched; with no XDG_RUNTIME_DIR, psoas
    keeps its lock and socket there, in psoas-<uid>."""
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    tmp_path.chmod(0o755)  # others may reach it, as they reach /tmp
    del env["XDG_RUNTIME_DIR"]
    env["TMPDIR"] = str(shared)
    return shared


def two_runs(config: Path, env: dict[str, str]) -> list[tuple[int | None, str]]:
    """Two ``psoas run`` started together; after a while, how each ended (None: running), with
    what it said."""
    daemons = [start_headless(config, env), start_headless(config, env)]
    wait_until(
        lambda: any(d.poll() is not None for d in daemons) or status(env),
        30,
        "one to refuse, or one to answer",
    )
    time.sleep(2)  # time enough for the other to start as well, where nothing keeps it off
    ended = [(d.poll(), d.stderr_text()) for d in daemons]
    for daemon in daemons:
        if daemon.poll() is None:
            stop(daemon)
    return ended


@pytest.mark.slow
@pytest.mark.parametrize("owner", ["another user", "this user"])
def test_a_runtime_folder_others_made_or_may_write_is_refused_in_one_line(
    owner, shared_tmp, env, tmp_path, private_env
):
    """Someone made /tmp/psoas-<uid> before psoas did (mode 777: anyone may put a lock or a
    socket there, or take psoas's away), or psoas's own folder became writable by all: psoas
    refuses it, and so never runs twice; its commands refuse it as well."""
    folder = shared_tmp / f"psoas-{os.getuid()}"
    folder.mkdir()
    folder.chmod(0o777)
    if owner == "another user":
        if os.getuid() != 0:
            pytest.skip(f"{ELSEWHERE}only root can give a folder to another user")
        os.chown(folder, STRANGER, STRANGER)
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    ended = two_runs(config, env)
    for code, said in ended:
        assert code == 2, ended
        (line,) = said.splitlines()
        assert line.startswith(f"psoas: {folder}: ") and "XDG_RUNTIME_DIR" in line, line
    assert not private_env.history.exists()  # neither ran
    asked = psoas(env, "status")
    assert asked.returncode == 1 and asked.stderr.startswith(f"psoas: {folder}: "), asked.stderr
    assert sorted(os.listdir(folder)) == []  # and neither put anything in it


@pytest.mark.slow
def test_a_runtime_folder_made_in_the_temp_folder_is_private_and_keeps_one_psoas(
    shared_tmp, env, tmp_path
):
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    ended = two_runs(config, env)
    assert sorted(code for code, _ in ended if code is not None) == [1], ended
    assert "already running" in "".join(said for _, said in ended)
    folder = shared_tmp / f"psoas-{os.getuid()}"
    assert mode(folder) == 0o700 and folder.stat().st_uid == os.getuid()


@pytest.mark.slow
def test_psoas_that_cannot_take_its_lock_does_not_start(private_env, env, tmp_path):
    """Without its lock nothing would keep a second psoas off: it says why and does not start
    (here the lock's name is taken by a folder)."""
    lock = private_env.runtime / "psoas" / "psoas.lock"
    lock.mkdir(parents=True, mode=0o700)
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    started = start_headless(config, env)
    assert started.finish(30) == 2
    assert started.stderr_text() == (
        f"psoas: cannot make sure no other psoas runs ({lock}: Is a directory); not starting\n"
    )


def test_on_windows_folders_and_files_are_not_judged_by_modes_they_do_not_have(
    tmp_path, monkeypatch
):
    """Windows reports every folder as 0777 and owned by uid 0: the check must not refuse
    them all (the user's profile guards the temp folder there)."""
    from reminder import paths

    folder = tmp_path / "psoas-0"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    with pytest.raises(paths.NotPrivate):
        paths.check_private(folder)
    monkeypatch.setattr(paths.sys, "platform", "win32")
    assert paths.check_private(folder).st_mode & 0o777 == 0o777
    readable = tmp_path / "history.sqlite3"
    readable.write_text("")
    readable.chmod(0o644)
    assert not paths.make_private(readable)  # nor said to be closed, at every start
