"""What the history could not take when psoas stopped (another program held it, the disk was
full), kept in a small file beside it until the next start writes it in.

The file is appended to, never rewritten, and each append is flushed to the disk (fsync) before
psoas goes on, since psoas is stopping. Its format is its own and checked on reading: a first
line naming it, then one record a line, each behind a checksum of itself. A record cut short by
a crash is dropped, and any other that does not check is counted, never trusted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reminder.core import events as ev
from reminder.history.store import from_row
from reminder.paths import make_folder, private_opener
from reminder.system.files import sync_folder

log = logging.getLogger(__name__)

_HEADER = b"psoas journal 1\n"


@dataclass
class Carried:
    """What a journal holds: events, the last value of each saved state, and the states whose
    value in the history the run that wrote it never read (see BackgroundWriter)."""

    events: list[ev.Event] = field(default_factory=list)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    unread: set[str] = field(default_factory=set)
    dropped: int = 0  # records that did not check: cut short, or damaged

    def __bool__(self) -> bool:
        return bool(self.events or self.states or self.unread)


class Journal:
    """The journal file; one writer at a time (the daemon, or a routine in the terminal when
    no daemon runs)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(
        self,
        events: list[ev.Event],
        states: dict[str, dict[str, Any]] | None = None,
        unread: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        """Add these records, on the disk when it returns; OSError if they could not be."""
        records: list[dict[str, Any]] = [
            {"event": e.kind, "data": dataclasses.asdict(e)} for e in events
        ]
        records += [{"state": key, "value": value} for key, value in (states or {}).items()]
        records += [{"unread": key} for key in sorted(unread)]
        if not records:
            return
        lines = b"".join(_line(record) for record in records)
        make_folder(self.path.parent)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        descriptor = private_opener(str(self.path), flags)
        try:
            before = os.fstat(descriptor).st_size
            try:
                _write_all(descriptor, lines if before else _HEADER + lines)
                os.fsync(descriptor)
            except OSError:  # a full disk: no half record before the next append's
                with contextlib.suppress(OSError):
                    os.ftruncate(descriptor, before)
                    if not before:  # nor an empty journal
                        self.path.unlink()
                raise
        finally:
            os.close(descriptor)
        sync_folder(self.path.parent)

    def read(self) -> Carried:
        """What the journal holds (nothing if there is none); OSError if it cannot be read, and
        ValueError for a file that is not a psoas journal at all."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return Carried()
        if not data.startswith(_HEADER):
            raise ValueError(f"{self.path}: not a psoas journal")
        carried = Carried()
        for line in data[len(_HEADER) :].split(b"\n")[:-1]:  # a last piece without \n: cut short
            record = _record(line)
            if record is None:
                carried.dropped += 1
            elif "event" in record:
                event = from_row(str(record["event"]), json.dumps(record.get("data")))
                if event is None:
                    carried.dropped += 1
                else:
                    carried.events.append(event)
            elif "state" in record and isinstance(record.get("value"), dict):
                carried.states[str(record["state"])] = record["value"]
            elif "unread" in record:
                carried.unread.add(str(record["unread"]))
            else:
                carried.dropped += 1
        if not data.endswith(b"\n"):
            carried.dropped += 1
        return carried

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def kinds_of(events: list[ev.Event]) -> str:
    """'2 prompt, 1 snooze': what a list of events holds, for a line in the log."""
    counted = Counter(event.kind for event in events)
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counted.items()))


def _line(record: dict[str, Any]) -> bytes:
    body = json.dumps(record, separators=(",", ":")).encode()
    return b"%08x %s\n" % (zlib.crc32(body), body)


def _record(line: bytes) -> dict[str, Any] | None:
    """A line's record if its checksum holds, else None."""
    checksum, _, body = line.partition(b" ")
    try:
        if int(checksum, 16) != zlib.crc32(body) or len(checksum) != 8:
            return None
        record = json.loads(body)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]
