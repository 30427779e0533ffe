"""A history in trouble: locked, full, read-only or damaged.

Only a file SQLite itself reports as malformed is kept aside, under a name no other file has; a
locked, full or read-only history is read when it can be and written later, never moved.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop_processes import wait_until
from e2e import ROOT, in_process, psoas, start_headless, status, stop

from reminder.core import events as ev
from reminder.history.keeper import BackgroundWriter
from reminder.history.store import HistoryStore

FAST = (
    'sit_minutes = 0.05\nrepeat_minutes = 0.05\nbreak_minutes = 10\nidle_source = "none"\n'
    + EVERY_DAY
)
AN_HOUR_AGO = time.time() - 3600


@pytest.fixture
def history(tmp_path) -> Path:
    """A healthy history with an hour of sitting and a break in it, closed cleanly."""
    path = tmp_path / "data" / "psoas" / "history.sqlite3"
    store = HistoryStore(path)
    store.record(
        [
            ev.SittingSpan(AN_HOUR_AGO - 3600, AN_HOUR_AGO),
            ev.BreakTaken(AN_HOUR_AGO, AN_HOUR_AGO + 600, "natural"),
        ]
    )
    store.close()
    return path


def recorded(path: Path) -> list[str]:
    """The kinds of event in the file, read straight from SQLite."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        return [kind for (kind,) in db.execute("SELECT kind FROM events ORDER BY id")]


def kept_aside(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".corrupt-" in p.name)


@contextlib.contextmanager
def held(path: Path) -> Iterator[sqlite3.Connection]:
    """Another program holds the history with an exclusive lock (in WAL mode a plain
    BEGIN EXCLUSIVE lets readers through; exclusive locking mode keeps everyone out)."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        other.execute("PRAGMA locking_mode=EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        yield other
    finally:
        other.close()


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


# ----- locked -------------------------------------------------------------------------------


@pytest.mark.slow
def test_stats_on_a_locked_history_says_busy_and_moves_nothing(history, env):
    inode = history.stat().st_ino
    with held(history):
        # Both at once: each waits a few seconds for the lock before it says the file is busy.
        commands = [
            subprocess.Popen(
                [sys.executable, "-m", "reminder", *command],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for command in (("stats", "--json"), ("export", "--csv"))
        ]
        for command in commands:
            _, stderr = command.communicate(timeout=60)
            assert command.returncode == 1, stderr
            line = one_line(stderr)
            assert str(history) in line and "busy" in line
    assert kept_aside(history.parent) == [] and history.stat().st_ino == inode
    days = json.loads(psoas(env, "stats", "--days", "2", "--json").stdout)
    assert sum(d["breaks_natural"] for d in days) == 1  # nothing lost
    assert recorded(history) == ["sitting", "break"]


@pytest.mark.slow
def test_a_store_opened_while_locked_writes_later_and_loses_nothing(history, caplog):
    with held(history):
        # It waits a little (a fraction of a second here), then leaves the file be.
        store = HistoryStore(history, busy_timeout=0.2)
        writer = BackgroundWriter(store)
        writer.record([ev.Skipped(1.0)])
        wait_until(lambda: "cannot write the history" in caplog.text, 30, "a failed write")
        assert kept_aside(history.parent) == []
    writer.record([ev.Skipped(2.0)])  # the next batch takes the one kept in memory too
    writer.close(timeout=30)
    assert "history is written again" in caplog.text
    assert recorded(history) == ["sitting", "break", "skip", "skip"]
    assert kept_aside(history.parent) == []


def test_a_fault_in_a_write_or_a_read_never_ends_the_writer(history, caplog, monkeypatch):
    store = HistoryStore(history)
    record, calls = store.record, []

    def faulty(events):
        calls.append(len(events))
        if len(calls) == 1:
            raise TypeError("a fault of psoas's own")
        record(events)

    monkeypatch.setattr(store, "record", faulty)
    writer = BackgroundWriter(store)
    writer.record([ev.Skipped(1.0)])
    wait_until(lambda: calls, 30, "the first write")

    def broken_query(_store):
        raise KeyError("no such thing")

    with pytest.raises(KeyError):
        writer.read(broken_query).result(timeout=30)
    writer.record([ev.Skipped(2.0)])  # the writer is alive and writes both
    writer.close(timeout=30)
    assert "TypeError: a fault of psoas's own" in caplog.text
    assert recorded(history) == ["sitting", "break", "skip", "skip"]


@pytest.mark.slow
def test_psoas_started_on_a_locked_history_records_everything_later(history, env, tmp_path):
    # The clock saved by a psoas that stopped an hour ago: a sit from 09:00-ish to its last input.
    earlier = {
        "saved": AN_HOUR_AGO + 60,
        "span_start": AN_HOUR_AGO - 1800,
        "last_input": AN_HOUR_AGO,
        "next_prompt": AN_HOUR_AGO + 1800,
        "prompts": 0,
    }
    store = HistoryStore(history)
    store.save_state("sitting", earlier)
    store.close()
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    with held(history):
        started = time.monotonic()
        daemon = start_headless(config)
        wait_until(lambda: status(env), 40, "psoas to start on it", process=daemon)
        # The start does not wait out the lock: a second for Python and a quarter for the lock.
        assert time.monotonic() - started < 5, time.monotonic() - started
        assert "cannot read the sitting clock" in daemon.stderr_text()
        # What happens while the file is held waits in memory (a pause: at once, where a
        # prompt would take seconds; the reliability tests see prompts through a full disk).
        assert in_process("pause", "1").returncode == 0
        assert kept_aside(history.parent) == []
    assert in_process("snooze", "5").returncode == 0
    wait_until(
        lambda: {"pause", "snooze"} <= set(recorded(history)),
        30,
        "what happened while it was held, in the history",
        process=daemon,
    )
    assert stop(daemon) == 0, daemon.stderr_text()
    err = daemon.stderr_text()
    assert "Traceback" not in err and "no history this time" not in err
    assert kept_aside(history.parent) == []
    kinds = recorded(history)
    assert kinds[:2] == ["sitting", "break"]  # what was there before
    assert (kinds.count("pause"), kinds.count("snooze")) == (1, 1)  # and what came while held
    with contextlib.closing(sqlite3.connect(history)) as db:
        spans = [
            json.loads(d)
            for (d,) in db.execute("SELECT data FROM events WHERE id > 2 AND kind = 'sitting'")
        ]
    # The sit the saved clock held, recorded once it could be read.
    assert spans == [{"start": earlier["span_start"], "end": earlier["last_input"]}]


# ----- full ---------------------------------------------------------------------------------


def _disk_full() -> None:
    """In the child: any write past a file's first byte fails (EFBIG), as on a full disk."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))


@pytest.mark.slow
def test_psoas_started_on_a_full_disk_never_moves_the_history(history, env, tmp_path):
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    daemon = start_headless(config, piped=True, preexec_fn=_disk_full)
    wait_until(lambda: status(env), 40, "psoas to start on it", process=daemon)
    assert in_process("pause", "1").returncode == 0  # what happens while full waits in memory
    assert kept_aside(history.parent) == []
    resource.prlimit(daemon.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)
    assert in_process("snooze", "5").returncode == 0  # an event to write now, with the rest
    wait_until(
        lambda: "history is written again" in daemon.stderr_text(),
        30,
        "the history written again",
        process=daemon,
    )
    assert stop(daemon) == 0, daemon.stderr_text()
    err = daemon.stderr_text()
    assert "cannot write the history" in err
    assert "Traceback" not in err and "no history this time" not in err
    assert kept_aside(history.parent) == []
    kinds = recorded(history)
    assert kinds[:2] == ["sitting", "break"]
    assert (kinds.count("pause"), kinds.count("snooze")) == (1, 1)


@pytest.mark.slow
def test_stats_on_a_full_disk_reads_the_history(history, env):
    shown = psoas(env, "stats", "--days", "2", "--json", preexec_fn=_disk_full)
    assert shown.returncode == 0, shown.stderr
    assert sum(d["breaks_natural"] for d in json.loads(shown.stdout)) == 1
    assert kept_aside(history.parent) == []


# ----- read-only ----------------------------------------------------------------------------


@contextlib.contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """Make files and folders read-only for real: by their mode for a user; for root, whom modes
    do not stop, by the immutable attribute (chattr +i), which stops root too."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p in paths:
                p.chmod(modes[p])
        return
    if shutil.which("chattr") is None:
        pytest.skip("as root, a read-only folder needs chattr (e2fsprogs)")
    done: list[Path] = []
    try:
        for p in paths:
            made = subprocess.run(["chattr", "+i", str(p)], capture_output=True, text=True)
            if made.returncode != 0:
                pytest.skip(f"chattr +i does not work here: {made.stderr.strip()}")
            done.append(p)
        yield
    finally:
        for p in done:
            subprocess.run(["chattr", "-i", str(p)], check=True)


def _cannot_write_in(folder: Path) -> bool:
    try:
        (folder / "probe").touch()
    except OSError:
        return True
    (folder / "probe").unlink()
    return False


KILLED_WRITER = """
import sys, time, pathlib
from reminder.core import events as ev
from reminder.history.store import HistoryStore
store = HistoryStore(pathlib.Path(sys.argv[1]))
store.db.execute("PRAGMA wal_autocheckpoint=0")  # what it writes stays in the -wal
store.record([ev.Skipped(float(n)) for n in range(5)])
print("written", flush=True)
time.sleep(60)
"""


@pytest.mark.slow
@pytest.mark.parametrize("leftover_wal", [False, True], ids=["closed cleanly", "killed"])
def test_a_read_only_history_still_gives_stats_and_export(history, env, leftover_wal):
    if leftover_wal:  # a psoas killed mid-run left -wal and -shm with events only they hold
        writer = subprocess.Popen(
            [sys.executable, "-c", KILLED_WRITER, str(history)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout.readline().strip() == "written"
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        assert history.with_name(history.name + "-wal").stat().st_size > 0
    folder = history.parent
    before = sorted(p.name for p in folder.iterdir())
    with read_only(*folder.iterdir(), folder):
        assert _cannot_write_in(folder)
        shown = psoas(env, "stats", "--days", "2", "--json")
        exported = psoas(env, "export", "--csv")
    assert shown.returncode == 0, shown.stderr
    assert sum(d["breaks_natural"] for d in json.loads(shown.stdout)) == 1
    assert exported.returncode == 0, exported.stderr
    rows = exported.stdout.splitlines()
    assert rows[0] == "time,kind,details" and len(rows) == 1 + 2 + (5 if leftover_wal else 0)
    assert sorted(p.name for p in folder.iterdir()) == before


@pytest.mark.slow
def test_stats_with_no_history_yet_shows_zeros_and_creates_nothing(env, tmp_path):
    shown = psoas(env, "stats", "--days", "1", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)[0]["sat_minutes"] == 0
    assert not (tmp_path / "data" / "psoas" / "history.sqlite3").exists()


# ----- damaged ------------------------------------------------------------------------------


def test_a_damaged_history_is_kept_aside_under_a_name_of_its_own(tmp_path, monkeypatch, caplog):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    path.chmod(0o600)  # as psoas makes it: a history others may read would be a line of its own
    earlier = tmp_path / "history.sqlite3.corrupt-20240101-090000"  # kept aside the same second
    earlier.write_bytes(b"an earlier damaged history")
    earlier.with_name(earlier.name + "-wal").write_bytes(b"the earlier wal")
    monkeypatch.setattr(time, "strftime", lambda *_: "20240101-090000")

    store = HistoryStore(path)
    store.record([ev.Skipped(1.0)])
    assert store.events() == [ev.Skipped(1.0)]  # a new history, started afresh
    store.close()

    assert earlier.read_bytes() == b"an earlier damaged history"
    assert earlier.with_name(earlier.name + "-wal").read_bytes() == b"the earlier wal"
    new = set(kept_aside(tmp_path)) - {earlier.name, earlier.name + "-wal"}
    assert len(new) == 1, new
    aside = new.pop()
    assert (tmp_path / aside).read_bytes().startswith(b"this is not a database")
    warning = one_line(caplog.text)
    assert str(path) in warning and aside in warning


@pytest.mark.slow
def test_stats_on_a_damaged_history_says_so_and_leaves_it_for_psoas_run(env, tmp_path):
    path = tmp_path / "data" / "psoas" / "history.sqlite3"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    shown = psoas(env, "stats")
    assert shown.returncode == 2
    line = one_line(shown.stderr)
    assert str(path) in line and "damaged" in line
    assert kept_aside(path.parent) == []
    assert path.read_bytes().startswith(b"this is not a database")


def test_a_database_with_scribbled_pages_is_kept_aside(tmp_path, caplog):
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    store.record([ev.Skipped(float(n)) for n in range(3000)])
    store.close()
    data = bytearray(path.read_bytes())
    data[8192:12288] = b"\xff" * 4096  # a page in the middle of the events
    path.write_bytes(bytes(data))

    store = HistoryStore(path)
    assert store.events() == []
    store.close()
    assert len(kept_aside(tmp_path)) == 1
    one_line(caplog.text)  # SQLite's report of what it found, on one line
