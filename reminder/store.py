"""The history: every event the core reports, kept in SQLite (WAL) in the user's data folder.

Writes happen on a thread of their own, so the tray never waits on the disk. Each batch of
events is one transaction: a crash or kill -9 loses at most the batch in flight. A write that
fails (disk full, folder read-only) keeps the events in memory and tries again with the next
batch. A file that is not a readable database is moved aside, never overwritten.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from reminder import events as ev

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
EVENT_TYPES: dict[str, type] = {
    cls.kind: cls
    for cls in (
        ev.PromptShown,
        ev.SittingSpan,
        ev.BreakTaken,
        ev.Snoozed,
        ev.Skipped,
        ev.Paused,
        ev.Resumed,
        ev.Slept,
        ev.RoutineStarted,
        ev.RoutineStepStarted,
        ev.RoutineFinished,
        ev.RoutineCancelled,
    )
}

_MIGRATIONS = {
    1: (
        "CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, at REAL NOT NULL,"
        " data TEXT NOT NULL)",
        "CREATE INDEX events_at ON events (at)",
        "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
}


def event_time(event: ev.Event) -> float:
    """When an event happened: its ``at``, or the start of a span."""
    when = getattr(event, "at", None)
    return event.start if when is None else when  # type: ignore[union-attr]


def to_row(event: ev.Event) -> tuple[str, float, str]:
    return event.kind, event_time(event), json.dumps(dataclasses.asdict(event))


def from_row(kind: str, data: str) -> ev.Event | None:
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        return None
    try:
        return cls(**json.loads(data))
    except (TypeError, ValueError):
        return None


class HistoryStore:
    """The database file; safe to use from one thread at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            aside = self.path.with_name(
                f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"
            )
            self.path.replace(aside)
            for suffix in ("-wal", "-shm"):
                sidecar = self.path.with_name(self.path.name + suffix)
                if sidecar.exists():
                    sidecar.replace(aside.with_name(aside.name + suffix))
            log.warning(
                "the history %s could not be read (%s); kept it as %s and started a new one",
                self.path,
                error,
                aside,
            )
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("integrity check failed")
            self._migrate(db)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"written by a newer psoas (schema {version})")
        for step in range(version + 1, SCHEMA_VERSION + 1):
            db.execute("BEGIN")
            for statement in _MIGRATIONS[step]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {step}")
            db.execute("COMMIT")

    def record(self, events: Iterable[ev.Event]) -> None:
        rows = [to_row(e) for e in events]
        if rows:
            with self._transaction():
                self.db.executemany("INSERT INTO events (kind, at, data) VALUES (?, ?, ?)", rows)

    def events(self, since: float = 0.0, until: float = float("inf")) -> list[ev.Event]:
        rows = self.db.execute(
            "SELECT kind, data FROM events WHERE at >= ? AND at < ? ORDER BY at, id",
            (since, min(until, 1e18)),
        )
        return [e for e in (from_row(kind, data) for kind, data in rows) if e is not None]

    def save_state(self, key: str, value: dict[str, Any]) -> None:
        with self._transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, json.dumps(value))
            )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One batch, all or nothing (the connection is in autocommit mode otherwise)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        finally:
            # A failed statement or COMMIT (a full disk) must not leave the transaction open, or
            # every later BEGIN would fail too.
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")

    def load_state(self, key: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        try:
            return json.loads(row[0]) if row else None
        except ValueError:
            return None

    def close(self) -> None:
        self.db.close()


class BackgroundWriter:
    """Takes events from the daemon without blocking it and writes them on its own thread."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store
        self._queue: queue.SimpleQueue[list[ev.Event] | tuple[str, dict] | None] = (
            queue.SimpleQueue()
        )
        self._pending: list[ev.Event] = []
        self._failing = False
        self._thread = threading.Thread(target=self._run, name="history", daemon=True)
        self._thread.start()

    def record(self, events: list[ev.Event]) -> None:
        if events:
            self._queue.put(list(events))

    def save_state(self, key: str, value: dict[str, Any]) -> None:
        self._queue.put((key, value))

    def close(self, timeout: float = 5.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()  # sleeps until there is something to write
            if item is None:
                self._write()
                return
            if isinstance(item, tuple):
                key, value = item
                self._guard(lambda: self.store.save_state(key, value))  # noqa: B023 - run now
            else:
                self._pending += item
                self._write()

    def _write(self) -> None:
        if self._pending and self._guard(lambda: self.store.record(self._pending)):
            self._pending = []

    def _guard(self, write) -> bool:
        try:
            write()
        except sqlite3.Error as error:
            if not self._failing:
                log.warning(
                    "cannot write the history (%s); keeping events in memory and trying again",
                    error,
                )
                self._failing = True
            return False
        if self._failing:
            log.warning("the history is written again")
            self._failing = False
        return True
