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
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from reminder.errors import UserError
from reminder.history.reading import figures, read_history, write_csv
from reminder.language import _

if TYPE_CHECKING:
    from reminder.catalogue.model import Catalogue
    from reminder.config import Config

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


def stats(args: argparse.Namespace, config: Config, catalogue: Catalogue) -> int:
    from reminder.words import NO_HISTORY_YET, chart_written, stats_table, trend_lines

    if args.weeks is not None and not args.chart:
        raise UserError("stats: --weeks draws the trend: give it with --chart FILE.png")
    found = figures(config, catalogue, args.days, args.weeks)
    days = found.days
    if args.chart:
        from reminder.pictures.chart import draw_trend, draw_week
        from reminder.system.clock import SystemCalendar

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
        print(_(NO_HISTORY_YET))
        return 0
    print(stats_table(days))
    if found.trend is not None:
        print("\n" + "\n".join(trend_lines(*found.trend)))
    return 0


def week_count(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 520:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of weeks from 1 to 520")
    return int(text)


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
