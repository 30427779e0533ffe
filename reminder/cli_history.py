"""The commands that read the history or add to it: ``psoas stats``, ``psoas export``, and the
record a routine run in the terminal leaves.

The history is opened read-only to read it; whatever stops it (busy, damaged, unreadable) ends as
one line naming the file, never a traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
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


def png_path(text: str) -> Path:
    """The chart is a PNG: say so before the history is read, not after Pillow guesses."""
    path = Path(text)
    # os.path.isdir, unlike Path.is_dir, is False for a path it may not look at: saving the chart
    # then says why in one line.
    if path.suffix.lower() != ".png" or os.path.isdir(path):
        raise argparse.ArgumentTypeError(f"{text!r} is not a PNG file name (e.g. week.png)")
    return path


def day_count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 3660:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days from 1 to 3660")
    return int(text)


class HistoryBusy(UserError):
    """Another program holds the history: nothing is wrong, try again in a moment."""

    exit_code = 1


def open_history(read_only: bool = True):
    """The history (read-only unless something is to be recorded), or one line saying why not."""
    import sqlite3

    from reminder.paths import history_file
    from reminder.store import HistoryStore

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
    from reminder.journal import Journal
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

    from reminder.store import is_busy, is_damage

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

    from reminder.clock import SystemCalendar
    from reminder.core import trend
    from reminder.history import last_days, since_for

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


def stats(args: argparse.Namespace, config: Config, catalogue: Catalogue) -> int:
    from reminder.words import NO_HISTORY_YET, chart_written, stats_table, trend_lines

    if args.weeks is not None and not args.chart:
        raise UserError("stats: --weeks draws the trend: give it with --chart FILE.png")
    found = figures(config, catalogue, args.days, args.weeks)
    days = found.days
    if args.chart:
        from reminder.chart import draw_trend, draw_week
        from reminder.clock import SystemCalendar

        try:
            if args.weeks:
                draw_trend(found.weeks).save(args.chart)
            else:
                draw_week(days[-7:], SystemCalendar()).save(args.chart)
        except OSError as error:
            reason = error.strerror or error
            raise UserError(f"{args.chart}: cannot write the chart ({reason})") from None
        except ValueError as error:
            raise UserError(f"{args.chart}: cannot write the chart ({error})") from None
    if args.json:
        print(json.dumps([d.to_dict() for d in days], indent=2))
        return 0
    if args.chart:  # what was asked for is the picture: where it is, not the table again
        print(chart_written(args.chart, args.weeks))
        return 0
    if not found.recorded:
        print(NO_HISTORY_YET)
        return 0
    print(stats_table(days))
    if found.trend is not None:
        print("\n" + "\n".join(trend_lines(*found.trend)))
    return 0


def week_count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 520:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of weeks from 1 to 520")
    return int(text)


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


def export(args: argparse.Namespace) -> int:
    events = read_history(lambda store: store.events())
    try:
        if args.output is None:
            write_csv(events, sys.stdout)
        else:
            with args.output.open("w", newline="", encoding="utf-8") as out:
                write_csv(events, out)
    except BrokenPipeError:
        raise  # the reader stopped early (psoas export | head): not a mistake
    except OSError as error:
        where = args.output or "standard output"
        if args.output is None:
            drop_stdout()
        raise UserError(f"{where}: cannot be written ({error.strerror or error})") from None
    return 0


def drop_stdout() -> None:
    """Send what is left of standard output nowhere, so that Python's last flush at exit does
    not fail a second time and print its own message after ours."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return  # not a real file (a test's capture): nothing is flushed at exit
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)
