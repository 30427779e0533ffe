"""Events are never lost quietly: a history deleted or replaced while psoas runs is noticed and
a new one started; what cannot be written when psoas stops (a locked history, a full disk) is
kept in a small journal beside it and written at the next start, or its loss is counted."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop_processes import wait_until
from e2e import in_process, start_headless, status, stop

from reminder.core import events as ev
from reminder.history.journal import Journal
from reminder.history.store import HistoryStore

FAST = (
    'sit_minutes = 0.05\nrepeat_minutes = 0.05\nbreak_minutes = 10\nidle_source = "none"\n'
    + EVERY_DAY
)


def kinds(path: Path) -> list[str]:
    """The kinds of event in the file, read straight from SQLite ([] while it has no table)."""
    if not path.exists():
        return []
    with contextlib.closing(sqlite3.connect(path)) as db:
        try:
            return [kind for (kind,) in db.execute("SELECT kind FROM events ORDER BY id")]
        except sqlite3.OperationalError:  # made, not yet set up
            return []


@pytest.mark.slow
@pytest.mark.parametrize("how", ["deleted", "replaced", "deleted with its folder"])
def test_a_history_deleted_or_replaced_while_psoas_runs_is_noticed_and_written_anew(
    how, private_env, env, tmp_path
):
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    history = private_env.history
    daemon = start_headless(config)
    wait_until(lambda: status(env), 30, "psoas to answer", process=daemon)
    wait_until(lambda: "prompt" in kinds(history), 30, "a prompt in the history", process=daemon)
    if how == "deleted":
        history.unlink()  # as a user tidying up: the -wal and -shm stay
    elif how.endswith("folder"):
        shutil.rmtree(history.parent)
        how = "deleted"
    else:  # another history moved over it, as a backup put back
        other = tmp_path / "backup.sqlite3"
        store = HistoryStore(other)
        store.record([ev.Skipped(time.time() - 7200)])
        store.close()
        os.replace(other, history)
    assert in_process("pause", "1").returncode == 0
    # Read nothing at the path before psoas lets go of the old file: a reader of the file put
    # back would take the old file's -wal, still there, for its own, as SQLite does.
    said = f"the history {history} was {how} while psoas ran"
    wait_until(lambda: said in private_env.log.read_text(), 30, "the change seen", process=daemon)
    wait_until(
        lambda: history.exists() and "pause" in kinds(history),
        30,
        "the pause in the history at its path",
        process=daemon,
    )
    assert in_process("resume").returncode == 0
    wait_until(lambda: "resume" in kinds(history), 30, "the resume as well", process=daemon)
    assert stop(daemon) == 0
    log = private_env.log.read_text()
    assert log.count(said) == 1, log
    found = kinds(history)
    assert found.count("pause") == found.count("resume") == 1
    assert ("skip" in found) == (how == "replaced")  # the one put back is written on
    with contextlib.closing(sqlite3.connect(history)) as db:
        assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert history.stat().st_mode & 0o777 == 0o600


# ----- at stop: the journal ---------------------------------------------------------------------


@contextlib.contextmanager
def held(path: Path) -> Iterator[None]:
    """Another program holds the history, locked against every writer (taken as soon as psoas
    is not writing); in WAL mode readers still read."""
    other = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        other.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        other.close()


def journal(private_env) -> Path:
    return private_env.data / "psoas" / "history.pending"


def answered(env: dict[str, str]) -> None:
    """A few answers, as a user gives them: each an event to record."""
    for args in (["pause", "1"], ["resume"], ["snooze", "2"], ["done"]):
        assert in_process(*args).returncode == 0, args


def started_and_stopped(config: Path, env: dict[str, str], **options) -> str:
    """psoas run until it answers and a little longer, then SIGTERM; what it said."""
    daemon = start_headless(config, env, **options)
    wait_until(lambda: status(env), 30, "psoas to answer", process=daemon)
    time.sleep(1)
    assert stop(daemon) == 0, daemon.stderr_text()
    return daemon.stderr_text()


@pytest.mark.slow
def test_events_a_locked_history_cannot_take_at_stop_are_written_at_the_next_start(
    private_env, env, tmp_path
):
    """Another program holds the history from before the answers until after psoas stopped:
    they wait in the journal, fsync'd, and the next start writes them in."""
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    history = private_env.history
    daemon = start_headless(config)
    wait_until(lambda: status(env), 30, "psoas to answer", process=daemon)
    wait_until(lambda: "prompt" in kinds(history), 30, "a first write", process=daemon)
    with held(history):
        answered(env)
        assert stop(daemon) == 0, daemon.stderr_text()
        assert journal(private_env).exists()
        assert journal(private_env).stat().st_mode & 0o777 == 0o600
    log = private_env.log.read_text()
    assert "kept " in log and "for the next start" in log, log
    assert "pause" not in kinds(history)  # psoas stopped without them
    started_and_stopped(config, env)
    found = kinds(history)
    assert [found.count(kind) for kind in ("pause", "resume", "snooze")] == [1, 1, 1], found
    assert "break" in found  # the done
    assert not journal(private_env).exists()
    assert "writing in " in private_env.log.read_text()


@pytest.mark.slow
def test_a_full_disk_at_stop_keeps_the_events_in_the_journal_which_fits(private_env, env, tmp_path):
    """The history cannot grow (its next page would cross the file size limit, 4000 bytes,
    standing in for a full disk) but the small journal can: nothing is lost."""
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    history = private_env.history
    daemon = start_headless(config, piped=True)
    wait_until(lambda: "prompt" in kinds(history), 30, "a first write", process=daemon)
    resource.prlimit(daemon.pid, resource.RLIMIT_FSIZE, (4000, resource.RLIM_INFINITY))
    answered(env)
    assert stop(daemon) == 0, daemon.stderr_text()
    assert "pause" not in kinds(history) and journal(private_env).exists()
    started_and_stopped(config, env)
    found = kinds(history)
    assert [found.count(kind) for kind in ("pause", "resume", "snooze")] == [1, 1, 1], found
    assert not journal(private_env).exists()


@pytest.mark.slow
def test_when_not_even_the_journal_can_be_written_the_loss_is_counted(private_env, env, tmp_path):
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    history = private_env.history
    daemon = start_headless(config, piped=True)
    wait_until(lambda: "prompt" in kinds(history), 30, "a first write", process=daemon)
    resource.prlimit(daemon.pid, resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))
    answered(env)
    assert stop(daemon) == 0
    said = daemon.stderr_text()  # the log file is full too: the terminal has it
    (line,) = [line for line in said.splitlines() if " events the history could not take" in line]
    assert line.startswith("psoas: lost ") and "File too large" in line, line
    for kind in ("1 pause", "1 resume", "1 snooze"):
        assert kind in line, line
    assert not journal(private_env).exists()


@pytest.mark.slow
def test_a_torn_last_record_is_dropped_and_the_rest_written_in(private_env, env, tmp_path):
    """A journal whose last append was cut short (a crash mid-write): the records before it are
    written in; the torn one is dropped, said once, and never stops psoas."""
    path = journal(private_env)
    Journal(path).append([ev.Skipped(time.time() - 600), ev.Resumed(time.time() - 500)])
    whole = path.read_bytes()
    path.write_bytes(whole[:-20])  # the second record cut short
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    started_and_stopped(config, env)
    assert kinds(private_env.history).count("skip") == 1
    assert "resume" not in kinds(private_env.history)
    assert "dropped 1 records cut short or damaged" in private_env.log.read_text()
    assert not path.exists()


@pytest.mark.slow
def test_a_journal_psoas_did_not_write_is_kept_aside(private_env, env, tmp_path):
    path = journal(private_env)
    path.parent.mkdir(parents=True)
    path.write_text("my notes\n")
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    started_and_stopped(config, env)
    (aside,) = path.parent.glob("history.pending.unknown-*")
    assert aside.read_text() == "my notes\n" and not path.exists()
    assert "not a psoas journal; kept it as" in private_env.log.read_text()


def test_a_journal_reads_back_what_was_appended_and_checks_each_record(tmp_path):
    path = tmp_path / "j"
    events = [ev.Skipped(1.0), ev.PromptShown(2.0, "bridge", 3600.0, 0)]
    Journal(path).append(events[:1], {"sitting": {"saved": 1.0}})
    Journal(path).append(events[1:], {"sitting": {"saved": 2.0}}, {"sitting"})
    carried = Journal(path).read()
    assert (carried.events, carried.states, carried.unread) == (
        events,
        {"sitting": {"saved": 2.0}},
        {"sitting"},
    )
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b'"skip"', b'"snip"')  # a damaged record in the middle
    path.write_bytes(b"\n".join(lines))
    carried = Journal(path).read()
    assert carried.events == events[1:] and carried.dropped == 1


@pytest.mark.slow
def test_a_routine_in_the_terminal_on_a_locked_history_is_kept_for_the_next_run(
    private_env, env, tmp_path, monkeypatch
):
    from test_autostart_and_terminal import _Time

    from reminder.cli import routine as terminal_routine

    store = HistoryStore(private_env.history)
    store.record([ev.Skipped(time.time() - 3600)])
    store.close()
    monkeypatch.setattr(terminal_routine, "time", _Time())
    with open(os.devnull) as nothing, held(private_env.history):  # psoas routine </dev/null
        monkeypatch.setattr(sys, "stdin", nothing)
        done = in_process("routine", "desk")
    assert done.returncode == 0
    assert f"the routine is kept in {journal(private_env)} for the next psoas run" in done.stderr
    assert kinds(private_env.history) == ["skip"]
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    started_and_stopped(config, env)
    assert kinds(private_env.history)[:4] == ["skip", "routine-start", "routine-done", "break"]
    assert not journal(private_env).exists()
