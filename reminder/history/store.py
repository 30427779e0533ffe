"""The history: every event the core reports, kept in SQLite (WAL) in the user's data folder.

Writes happen on a thread of their own, so the tray never waits on the disk. Each batch of
events is one transaction: a crash or kill -9 loses at most the batch in flight. A write that
fails (disk full, folder read-only, another program holding the file) keeps the events in memory
and tries again with the next batch; the same goes for opening the file. Only a file that SQLite
itself reports as malformed or not a database is moved aside (under a name no other file has),
never overwritten. Readers (stats, export, the tray's figures) never change the file at all.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from reminder.core import events as ev
from reminder.paths import make_folder, make_private

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
#: How long a statement waits for another program's lock before it gives up (for now).
BUSY_TIMEOUT = 3.0
#: At start psoas waits this long at most: a history another program holds is read later, and
#: the reminders, the tray and the control channel do not wait for it.
START_BUSY_TIMEOUT = 0.25

_MIGRATIONS = {
    1: (
        "CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, at REAL NOT NULL,"
        " data TEXT NOT NULL)",
        "CREATE INDEX events_at ON events (at)",
        "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
}
_SIDECARS = ("-wal", "-shm")


class HistoryDamaged(sqlite3.DatabaseError):
    """SQLite's own check of the file found it damaged."""


class HistoryTooNew(sqlite3.DatabaseError):
    """The file was written by a newer psoas: healthy, but not ours to change."""


def _primary_code(error: sqlite3.Error) -> int | None:
    """SQLite's primary result code for an error (extended codes keep it in the low byte)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_damage(error: sqlite3.Error) -> bool:
    """Whether SQLite says the file itself is malformed or not a database.

    Everything else (busy, locked, full, read-only, an I/O error, a folder it cannot open) is a
    passing trouble with a healthy file, which must never be moved for it.
    """
    return isinstance(error, HistoryDamaged) or _primary_code(error) in (
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_NOTADB,
    )


def is_busy(error: sqlite3.Error) -> bool:
    """Whether another connection holds the file (and waiting ``BUSY_TIMEOUT`` was not enough)."""
    return _primary_code(error) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def to_row(event: ev.Event) -> tuple[str, float, str]:
    return event.kind, ev.event_time(event), json.dumps(dataclasses.asdict(event))


def from_row(kind: str, data: str) -> ev.Event | None:
    cls = ev.EVENT_TYPES.get(kind)
    if cls is None:
        return None
    try:
        return cls(**json.loads(data))
    except (TypeError, ValueError):
        return None


class HistoryStore:
    """The database file; safe to use from one thread at a time.

    The writer (``read_only=False``, the daemon) creates and migrates the file. When the file is
    busy, full or unwritable for the moment, the store still comes up and opens the file on the
    next use instead, whose error says why it cannot yet; the caller tries again later.

    A reader (``read_only=True``) never writes, migrates or moves anything, and raises at once:
    there is nothing to try again. With no history yet it reads as an empty one.
    """

    def __init__(
        self, path: Path, *, read_only: bool = False, busy_timeout: float = BUSY_TIMEOUT
    ) -> None:
        self.path = path
        self.read_only = read_only
        self.busy_timeout = busy_timeout
        self._db: sqlite3.Connection | None = None
        self._file: tuple[int, int] | None = None  # the open file's device and inode
        if read_only:
            self._db = self._open_for_reading()
            return
        make_folder(path.parent)
        self._make_private()
        # Busy, full, unwritable (OperationalError): open on the next use. A newer schema or
        # anything else stays an error now.
        with contextlib.suppress(sqlite3.OperationalError):
            self._db = self._open()

    def _make_private(self) -> None:
        """A history an older psoas left readable by others is closed to them, saying so."""
        names = [self.path, *(self.path.with_name(self.path.name + s) for s in _SIDECARS)]
        try:
            opened_up = [name for name in names if make_private(name)]
        except OSError as error:  # a read-only folder, say: SQLite tells what matters later
            log.debug("cannot make the history private: %s", error)
            return
        if opened_up:
            log.warning("%s was readable by others; now only you can read it", self.path)

    def wait_when_busy(self, seconds: float) -> None:
        """From now on, wait up to ``seconds`` for another program's lock."""
        self.busy_timeout = seconds
        if self._db is not None:
            self._db.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection; the writer opens the file now if it could not before."""
        if self._db is None:
            self._db = self._open()
        return self._db

    # ----- opening ------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                raise
            aside = self._keep_aside()
            log.warning(
                "the history %s is damaged (%s); kept it as %s and started a new one",
                self.path,
                error,
                aside,
            )
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        # Made 0600 before SQLite makes it 0644: it gives its -wal and -shm the file's mode.
        with contextlib.suppress(OSError):  # there already, or not to be made now: SQLite says
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        db = sqlite3.connect(
            self.path, timeout=self.busy_timeout, check_same_thread=False, isolation_level=None
        )
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            _check(db)
            self._migrate(db)
        except sqlite3.Error:
            db.close()
            raise
        self._file = _identity(self.path)
        return db

    def _follow_the_path(self) -> None:
        """Before a write: the file open is still the one at the history's path. One deleted
        (or replaced) while psoas runs would take every later event with it, unseen: let go of
        it and write to the file there now, a new one if there is none, saying so once."""
        if self._db is None or (now := _identity(self.path)) == self._file:
            return
        # SQLite leaves the -wal of a file moved away at the path, where the next file at the
        # path would take it for its own: empty it first (into the old file), then let go.
        busy, _, _ = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:  # a reader of the old file (psoas stats): the events wait for the next batch
            raise sqlite3.OperationalError("the history was moved; its old file is still read")
        how = "deleted" if now is None else "replaced"
        then = "starting a new one" if now is None else "writing to the one there now"
        log.warning("the history %s was %s while psoas ran; %s", self.path, how, then)
        self._db.close()
        self._db, self._file = None, None
        with contextlib.suppress(OSError):  # its folder may be gone too; else SQLite says why
            make_folder(self.path.parent)

    def _open_for_reading(self) -> sqlite3.Connection:
        """The file as it is, read-only; in a read-only folder too."""
        if not self.path.exists():
            return _empty_history()
        try:
            db = self._connect_read_only("mode=ro")
        except sqlite3.OperationalError as error:
            # A WAL database needs its -shm file, which a read-only folder (or a full disk)
            # cannot give it. With no -wal to replay, the main file holds everything and reads
            # as immutable; but a file another program holds is busy, not to be read past it.
            if is_busy(error) or self._has_wal():
                raise
            db = self._connect_read_only("mode=ro&immutable=1")
        return db or _empty_history()

    def _connect_read_only(self, options: str) -> sqlite3.Connection | None:
        """A checked read-only connection, or None for a file with nothing recorded yet."""
        db = sqlite3.connect(
            f"{self.path.absolute().as_uri()}?{options}",
            uri=True,
            timeout=self.busy_timeout,
            check_same_thread=False,
            isolation_level=None,
        )
        try:
            _check(db)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise HistoryTooNew(f"written by a newer psoas (schema {version})")
        except sqlite3.Error:
            db.close()
            raise
        if version == 0:
            db.close()
            return None
        return db

    def _has_wal(self) -> bool:
        wal = self.path.with_name(self.path.name + "-wal")
        return wal.exists() and wal.stat().st_size > 0

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryTooNew(f"written by a newer psoas (schema {version})")
        for step in range(version + 1, SCHEMA_VERSION + 1):
            db.execute("BEGIN")
            for statement in _MIGRATIONS[step]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {step}")
            db.execute("COMMIT")

    def _keep_aside(self) -> Path:
        """Move the damaged file and its -wal/-shm to a name no file has yet; return it.

        The names are claimed with O_EXCL first, so an earlier file kept aside in the same second
        (or anything else) is never overwritten.
        """
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for attempt in itertools.count(1):
            suffix = "" if attempt == 1 else f"-{attempt}"
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}{suffix}")
            names = [aside, *(aside.with_name(aside.name + s) for s in _SIDECARS)]
            claimed: list[Path] = []
            try:
                for name in names:
                    os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                    claimed.append(name)
            except FileExistsError:
                for name in claimed:
                    name.unlink()
                continue
            break
        originals = [self.path, *(self.path.with_name(self.path.name + s) for s in _SIDECARS)]
        for original, name in zip(originals, names, strict=True):
            if original.exists():
                os.replace(original, name)
            else:
                name.unlink()
        return aside

    # ----- reading and writing ------------------------------------------------------------

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
        self._follow_the_path()
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
            db.execute("COMMIT")
        finally:
            # A failed statement or COMMIT (a full disk) must not leave the transaction open, or
            # every later BEGIN would fail too.
            if db.in_transaction:
                db.execute("ROLLBACK")

    def load_state(self, key: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        try:
            return json.loads(row[0]) if row else None
        except ValueError:
            return None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def _check(db: sqlite3.Connection) -> None:
    """SQLite's quick check of the whole file: anything it finds means the file is damaged."""
    found = db.execute("PRAGMA quick_check").fetchone()[0]
    if found != "ok":
        problems = [line for line in found.splitlines() if line and not line.startswith("***")]
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        raise HistoryDamaged(f"integrity check failed: {(problems or [found])[0]}{more}")


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file is at ``path`` (device, inode), or None where there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _empty_history() -> sqlite3.Connection:
    """A history with nothing in it, for a reader that finds no file (or an empty one)."""
    db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    for step in range(1, SCHEMA_VERSION + 1):
        for statement in _MIGRATIONS[step]:
            db.execute(statement)
    return db
