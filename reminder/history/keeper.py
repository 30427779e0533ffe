"""The history as the daemon and the commands use it: the writer thread, the keeper that records
what the daemon sees, and the last days' figures with the sit still going on.

Writes happen on a thread of their own, so the daemon's loop never waits on the disk; reads the
daemon wants (the tray's Today line, the week's chart) are queued on that same thread and answered
as futures, so they see every event written before them and never block the loop either.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from functools import partial
from time import monotonic
from typing import Any, TypeVar

from reminder.core import events as ev
from reminder.core.routine_run import Routines
from reminder.core.saved import saved_sit
from reminder.core.sitting import SittingCore
from reminder.core.stats import DayStats, day_stats
from reminder.core.status import Status
from reminder.core.timebase import Calendar
from reminder.history.journal import Carried, Journal, kinds_of
from reminder.history.store import HistoryStore
from reminder.system.clock import Clock

log = logging.getLogger(__name__)

T = TypeVar("T")

#: At the close, the last try to write waits this long at most for another program's lock,
#: so that what it cannot write reaches the journal before psoas is gone.
LAST_WAIT = 1.0

#: Given a saved state that could not be read when psoas started, the events it still holds.
Settle = Callable[[dict[str, Any] | None], list[ev.Event]]


class BackgroundWriter:
    """Takes events from the daemon without blocking it and writes them on its own thread (a
    one-worker pool).

    Events that cannot be written yet wait in memory for the next batch. A saved state is only
    written once every event before it is, so it never runs ahead of the history. What is still
    unwritten when it closes goes to the ``journal``, and what a journal ``carried`` over from
    the last stop is written first.
    """

    def __init__(
        self,
        store: HistoryStore,
        unread_state: dict[str, Settle] | None = None,
        journal: Journal | None = None,
        carried: Carried | None = None,
    ) -> None:
        """``unread_state``: the saved states that could not be read at start (the file was busy),
        each with what to record of it once it can be read, before this run replaces it."""
        self.store = store
        # One worker: the writes and reads run one at a time, in the order they were asked for,
        # and a read is a future the asker awaits.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")
        carried = carried or Carried()
        self._journal = journal
        self._pending: list[ev.Event] = list(carried.events)
        self._due: dict[str, dict[str, Any]] = dict(carried.states)  # not saved yet: newest
        #: The journal holds ``carried`` until its events are written (then it goes); at first
        #: its events lead ``_pending``.
        self._journal_holds = len(carried.events) if carried else None
        self._unread = dict(unread_state or {})
        self._failing = False
        self._close_by: float | None = None  # on the steady clock, once closing

    def record(self, events: list[ev.Event]) -> None:
        if events and self._close_by is None:
            self._pool.submit(self._take_events, list(events))

    def save_state(self, key: str, value: dict[str, Any]) -> None:
        if self._close_by is None:
            self._pool.submit(self._take_state, key, value)

    def read(self, query: Callable[[HistoryStore], T]) -> Future[T]:
        """Run ``query`` on the writer's thread, after every write queued before it."""
        return self._pool.submit(self._read, query)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is left, or keep it in the journal, within ``timeout`` seconds: what is
        queued before the close is tried only while a wait for a lock would still end in time,
        and the last try waits little, so the journal is written before psoas is gone."""
        if self._close_by is not None:
            return
        self._close_by = monotonic() + timeout - LAST_WAIT
        last = self._pool.submit(self._finish)
        self._pool.shutdown(wait=False)
        with contextlib.suppress(TimeoutError):
            last.result(timeout)

    # ----- on the writer's thread ------------------------------------------------------------

    def _trying(self) -> bool:
        """Whether to try the disk now: always, and once closing, only while a wait for a lock
        would still end before the close must."""
        return self._close_by is None or (
            monotonic() + self.store.busy_timeout + LAST_WAIT < self._close_by
        )

    def _take_events(self, events: list[ev.Event]) -> None:
        self._pending += events
        if self._trying():
            self._write()

    def _take_state(self, key: str, value: dict[str, Any]) -> None:
        self._due[key] = value
        if self._trying():
            if key in self._unread:
                self._guard(partial(self._settle, key))
            self._write()
            self._save_due()

    def _read(self, query: Callable[[HistoryStore], T]) -> T:
        if self._trying():
            self._write()
        return query(self.store)

    def _finish(self) -> None:
        self.store.wait_when_busy(min(self.store.busy_timeout, LAST_WAIT))
        self._guard(self._settle_all)
        self._write()
        self._save_due()
        self._keep_the_rest()

    def _settle_all(self) -> None:
        for key in list(self._unread):
            self._settle(key)

    def _settle(self, key: str) -> None:
        """Take in what the state not read at start holds, now that it can be read."""
        self._pending += self._unread[key](self.store.load_state(key))
        del self._unread[key]

    def _write(self) -> None:
        if self._pending and self._guard(partial(self.store.record, self._pending)):
            self._pending = []
            self._journal_written()

    def _save_due(self) -> None:
        """The states due, once every event before them is written."""
        for key, value in list(self._due.items()):
            if self._pending or key in self._unread:
                return
            if self._guard(partial(self.store.save_state, key, value)):
                del self._due[key]
                self._journal_written()

    def _journal_written(self) -> None:
        """Something was written, so every event the journal carried is: it goes (what states
        it carried that are not saved yet are in ``_due``, and are kept again at the close)."""
        if self._journal_holds is None or self._pending or self._journal is None:
            return
        try:
            self._journal.remove()
        except OSError as error:  # it would be written in twice at the next start
            log.warning("cannot remove %s (%s)", self._journal.path, error)
            return
        self._journal_holds = None

    def _keep_the_rest(self) -> None:
        """At the close: what the history could not take goes to the journal, for the next
        start; if even that fails, the log counts what is lost."""
        if not (self._pending or self._due or self._unread):
            return
        new = self._pending[self._journal_holds or 0 :]
        try:
            if self._journal is None:
                raise OSError("no journal")
            self._journal.append(new, self._due, set(self._unread))
        except OSError as error:
            if new:
                log.warning(
                    "lost %d events the history could not take (%s): %s",
                    len(new),
                    error.strerror or error,
                    kinds_of(new),
                )
            return
        if new:
            log.warning(
                "kept %d events the history could not take in %s, for the next start: %s",
                len(new),
                self._journal.path,
                kinds_of(new),
            )

    def _guard(self, write: Callable[[], object]) -> bool:
        try:
            write()
        except (sqlite3.Error, OSError) as error:
            if not self._failing:
                log.warning(
                    "cannot write the history (%s); keeping events in memory and trying again",
                    error,
                )
                self._failing = True
            return False
        except Exception:  # a fault of psoas's own: logged whole, and the writer lives on
            if not self._failing:
                log.exception("cannot write the history; keeping events in memory")
                self._failing = True
            return False
        if self._failing:
            log.warning("the history is written again")
            self._failing = False
        return True


def carried_over(journal: Journal) -> Carried:
    """What the last stop left in the journal (said in the log), for the writer to write in
    first; nothing if there is none. A file that is not a journal psoas wrote is kept aside."""
    try:
        carried = journal.read()
    except ValueError as error:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = journal.path.with_name(f"{journal.path.name}.unknown-{stamp}")
        log.warning("%s; kept it as %s", error, aside)
        with contextlib.suppress(OSError):
            os.replace(journal.path, aside)
        return Carried()
    except OSError as error:
        log.warning("cannot read %s (%s); it waits for the next start", journal.path, error)
        return Carried()
    if carried.dropped:
        log.warning("%s: dropped %d records cut short or damaged", journal.path, carried.dropped)
    if carried.events:
        log.info(
            "writing in %d events the history could not take when psoas last stopped: %s",
            len(carried.events),
            kinds_of(carried.events),
        )
    return carried


def last_days(
    events: list[ev.Event],
    saved: object,
    calendar: Calendar,
    first: date,
    last: date,
    routines: Routines | None,
    now: float,
) -> list[DayStats]:
    """The figures of each day from ``first`` to ``last``: the recorded events, and the sit still
    going on that ``saved`` (a snapshot of the sitting clock) holds, up to its last input.

    The one place the tray, the chart and ``psoas stats`` get their days from, so they agree.
    """
    live = saved_sit(saved, now)
    # Unless a restart has already recorded it (the same start, give or take the rounding of two
    # conversions from the steady clock).
    if live and not any(
        isinstance(e, ev.SittingSpan) and abs(e.start - live.start) < 1.0 for e in events
    ):
        events = [*events, live]
    return day_stats(events, calendar, first, last, routines)


def since_for(calendar: Calendar, first: date) -> float:
    """Where to start reading for days from ``first``: a sit can begin the day before."""
    return calendar.epoch(datetime.combine(first - timedelta(days=1), time()))


class HistoryKeeper:
    """Follows the daemon: records every event it reports, and the sitting clock after each
    wake-up; answers for the last days' figures without the daemon's loop touching the disk."""

    def __init__(
        self,
        writer: BackgroundWriter,
        core: SittingCore,
        clock: Clock,
        calendar: Calendar,
        routines: Routines,
    ) -> None:
        self.writer, self.core, self.clock = writer, core, clock
        self.calendar, self.routines = calendar, routines

    def seen(self, events: list[ev.Event], status: Status) -> None:
        self.writer.record([event for event in events if isinstance(event, ev.RECORDED)])
        self.writer.save_state("sitting", self.core.snapshot(self.clock.now()))

    def next_wakeup(self, now: float) -> float | None:
        return None

    async def days(self, count: int) -> Sequence[DayStats]:
        """The last ``count`` days up to today, the sit under way included (sqlite3.Error or
        OSError if the file cannot be read now)."""
        now = self.clock.now()
        last = self.calendar.local(now.epoch).date()
        first = last - timedelta(days=count - 1)
        since = since_for(self.calendar, first)
        snapshot = self.core.snapshot(now)
        events = await asyncio.wrap_future(self.writer.read(lambda store: store.events(since)))
        return last_days(events, snapshot, self.calendar, first, last, self.routines, now.epoch)

    def close(self) -> None:
        self.writer.close()
