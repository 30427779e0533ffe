"""Reading the history for people: its figures for ``psoas stats`` and the settings page's
Progress, its events as CSV, and one line saying why when it cannot be read (busy, damaged,
unreadable); and adding what a routine done in the terminal recorded. The history is opened
read-only to read it, never changed by a reader.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from reminder.errors import UserError

if TYPE_CHECKING:
    from reminder.catalogue.model import Catalogue
    from reminder.config import Config
    from reminder.core.stats import DayStats
    from reminder.core.trend import Week

T = TypeVar("T")


class HistoryBusy(UserError):
    """Another program holds the history: nothing is wrong, try again in a moment."""

    exit_code = 1


def open_history(read_only: bool = True):
    """The history (read-only unless something is to be recorded), or one line saying why not."""
    import sqlite3

    from reminder.history.store import HistoryStore
    from reminder.paths import history_file

    path = history_file()
    try:
        return HistoryStore(path, read_only=read_only)
    except (OSError, sqlite3.Error) as error:
        raise history_problem(path, error) from None


def read_history(read: Callable[[Any], T]) -> T:
    """What ``read`` takes from the history (read-only), or one line saying why it cannot."""
    import sqlite3

    store = open_history()
    try:
        return read(store)
    except (OSError, sqlite3.Error) as error:
        raise history_problem(store.path, error) from None
    finally:
        store.close()


def record_history(events: list) -> None:
    """Add events to the history, or one line saying why they could not be."""
    import sqlite3

    store = open_history(read_only=False)
    try:
        store.record(events)
    except (OSError, sqlite3.Error) as error:
        raise history_problem(store.path, error, "written") from None
    finally:
        store.close()


def keep_for_later(events: list, problem: UserError) -> str:
    """Events the history cannot take now go to the journal that ``psoas run`` writes in when
    it next starts; what to tell the user, either way."""
    from reminder.history.journal import Journal
    from reminder.paths import journal_file

    journal = Journal(journal_file())
    try:
        journal.append(events)
    except OSError as error:
        return f"psoas: the routine was not recorded: {problem} (nor kept: {error.strerror})"
    return f"psoas: {problem}; the routine is kept in {journal.path} for the next psoas run"


def history_problem(path: Path, error: Exception, what: str = "read") -> UserError:
    """One line naming the history file and what is wrong with it."""
    import sqlite3

    from reminder.history.store import is_busy, is_damage

    if isinstance(error, sqlite3.Error) and is_busy(error):
        return HistoryBusy(f"{path}: busy (another program holds it); try again in a moment")
    if isinstance(error, sqlite3.Error) and is_damage(error):
        return UserError(
            f"{path}: damaged ({error}); 'psoas run' keeps it aside and starts a new one"
        )
    reason = error.strerror if isinstance(error, OSError) and error.strerror else error
    return UserError(f"{path}: cannot be {what} ({reason})")


@dataclass(frozen=True)
class Figures:
    """What ``psoas stats`` and the settings page's Progress show, worked out once for both."""

    every: list[DayStats]  # from the first day any of the figures needs
    days: list[DayStats]  # the days asked for
    recorded: bool  # whether the history holds anything at all
    trend: tuple[Week, Week] | None  # this week, and the four before
    weeks: list[Week]  # calendar weeks over ``every``, oldest first


def figures(config: Config, catalogue: Catalogue, days: int, weeks: int | None = None) -> Figures:
    """The last ``days`` days, this week against the four before, and with ``weeks`` that many
    calendar weeks; read from the history (read-only), or one line saying why they cannot be."""
    import time as clock
    from datetime import date, timedelta

    from reminder.core import trend
    from reminder.history.keeper import last_days, since_for
    from reminder.system.clock import SystemCalendar

    calendar = SystemCalendar()
    last = date.today()
    first = last - timedelta(days=days - 1)
    reach = [first, trend.trend_first_day(last)]
    if weeks:
        reach.append(last - timedelta(days=last.weekday(), weeks=weeks - 1))
    since = since_for(calendar, min(reach))
    events, saved = read_history(lambda store: (store.events(since), store.load_state("sitting")))
    every = last_days(events, saved, calendar, min(reach), last, catalogue, clock.time())
    working = config.hours.days
    return Figures(
        every=every,
        days=[day for day in every if day.day >= first],
        recorded=bool(events) or saved is not None,
        trend=trend.this_week_and_before(every, working, last),
        weeks=trend.weeks(every, working)[-weeks:] if weeks else [],
    )


def write_csv(events: list, out: TextIO) -> None:
    """Every event as a CSV row (time, kind, details as JSON): ``psoas export --csv`` and the
    settings page's download alike."""
    import csv
    import dataclasses
    from datetime import datetime

    from reminder.core.events import MOMENTS, Event, event_time

    def local(epoch: float) -> str:
        return datetime.fromtimestamp(epoch).isoformat(timespec="seconds")

    def details(event: Event) -> str:
        """The event's fields as JSON, its moments as local times like the time column's."""
        fields = dataclasses.asdict(event)
        return json.dumps({k: local(v) if k in MOMENTS else v for k, v in fields.items()})

    writer = csv.writer(out)
    writer.writerow(["time", "kind", "details"])
    for event in events:
        writer.writerow([local(event_time(event)), event.kind, details(event)])
    out.flush()  # a full disk shows here, not after the command has said nothing
