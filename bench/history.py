"""Five years of history: how big it gets, and how fast stats and start-up stay.

    .venv-test/bin/python bench/history.py [--years 5]

Fills a fresh database with realistic working days (sits of 20-95 min, breaks, prompts, snoozes,
an occasional routine), then times `psoas stats` for a week and a year and the daemon's start-up
work on the history (open, check, migrate, read the saved sitting state).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from reminder.core import events as ev
from reminder.core.stats import day_stats
from reminder.history.store import HistoryStore
from reminder.system.clock import SystemCalendar


def working_day(day: date, rng: random.Random) -> list[ev.Event]:
    out: list[ev.Event] = []
    t = datetime.combine(day, datetime.min.time()).timestamp() + rng.uniform(8, 9.5) * 3600
    end = t + rng.uniform(7.5, 9) * 3600
    while t < end:
        sit = rng.uniform(20, 95) * 60
        if sit > 3600:
            out.append(ev.PromptShown(t + 3600, rng.choice(["bridge", "standing"]), 3600.0, 0))
            if rng.random() < 0.3:
                out.append(ev.Snoozed(t + 3660, 5.0))
        out.append(ev.SittingSpan(t, t + sit))
        pause = rng.uniform(5, 25) * 60
        how = "done" if sit > 3600 and rng.random() < 0.6 else "natural"
        out.append(ev.BreakTaken(t + sit, t + sit + pause, how))
        if rng.random() < 0.05:
            out.append(ev.RoutineStarted(t + sit, "desk"))
            out.append(ev.RoutineFinished(t + sit + 135, "desk"))
        t += sit + pause
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=5)
    years = parser.parse_args().years
    rng = random.Random(7)
    folder = Path(tempfile.mkdtemp(prefix="psoas-bench-"))
    path = folder / "psoas" / "history.sqlite3"
    store = HistoryStore(path)
    started = time.perf_counter()
    today = date.today()
    count = 0
    for n in range(years * 365, 0, -1):
        day = today - timedelta(days=n)
        if day.weekday() < 5:
            batch = working_day(day, rng)
            store.record(batch)
            count += len(batch)
    filled = time.perf_counter() - started
    store.close()
    size = sum(p.stat().st_size for p in path.parent.iterdir())
    print(f"{years} years: {count} events, {size / 1e6:.1f} MB, filled in {filled:.1f} s")

    started = time.perf_counter()
    store = HistoryStore(path)
    store.load_state("sitting")
    store.close()
    print(
        f"start-up work on the history (open, check, migrate, state): "
        f"{(time.perf_counter() - started) * 1000:.1f} ms"
    )

    calendar = SystemCalendar()
    for days in (7, 365):
        store = HistoryStore(path)
        started = time.perf_counter()
        first = today - timedelta(days=days - 1)
        events = store.events(calendar.epoch(datetime.combine(first, datetime.min.time())))
        day_stats(events, calendar, first, today)
        store.close()
        took = (time.perf_counter() - started) * 1000
        print(f"stats over {days:3d} days (in process): {took:7.1f} ms")

    env = {"XDG_DATA_HOME": str(folder), "PATH": "/usr/bin:/bin", "HOME": str(folder)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "reminder", "stats", "--json"],
        env=env,
        check=True,
        capture_output=True,
    )
    print(f"'psoas stats' (a week), whole command: {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
