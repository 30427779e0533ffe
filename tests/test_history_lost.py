"""Events are never lost quietly: a history deleted or replaced while psoas runs is noticed and
a new one started; what cannot be written when psoas stops (a locked history, a full disk) is
kept in a small journal beside it and written at the next start, or its loss is counted."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop_processes import wait_until
from e2e import in_process, start_headless, status, stop

from reminder.core import events as ev
from reminder.store import HistoryStore

FAST = (
    'sit_minutes = 0.05\nrepeat_minutes = 0.05\nbreak_minutes = 10\nidle_source = "none"\n'
    + EVERY_DAY
)


def kinds(path: Path) -> list[str]:
    """The kinds of event in the file, read straight from SQLite ([] while it has no table)."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        try:
            return [kind for (kind,) in db.execute("SELECT kind FROM events ORDER BY id")]
        except sqlite3.OperationalError:  # made, not yet set up
            return []


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
