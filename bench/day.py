"""The pure core through 30 simulated days of random, realistic activity.

    .venv/bin/python bench/day.py [--days 30]

One core lives through all the days, woken exactly when it asks (as the daemon wakes it), while a
simulated user works, wanders off, answers or ignores prompts, snoozes, pauses and runs routines.
Prints the time each day takes to simulate and the memory the core holds after each day: it must
not grow.
"""

from __future__ import annotations

import argparse
import pickle
import random
import statistics
import time
import tracemalloc
from datetime import datetime

from reminder import commands as cmd
from reminder.catalogue import load_catalogue
from reminder.config import parse_config
from reminder.sitting import Settings, SittingCore
from reminder.timebase import FixedCalendar, Moment

DAY = 86400.0


def plan_day(rng: random.Random, start: float) -> list[tuple[float, str]]:
    """The user's day: (time, what) pairs, in order."""
    t = start + rng.uniform(7.5, 9.5) * 3600
    end = start + rng.uniform(16.5, 19) * 3600
    plan = [(t, "active")]
    while t < end:
        t += rng.uniform(10, 80) * 60
        choice = rng.random()
        if choice < 0.35:
            plan.append((t, "away"))
            t += rng.uniform(2, 30) * 60
            plan.append((t, "active"))
        elif choice < 0.55:
            plan.append((t, rng.choice(["done", "skip", "snooze"])))
        elif choice < 0.6:
            plan.append((t, "routine"))
        elif choice < 0.63:
            plan.append((t, "pause"))
    plan.append((end, "away"))
    return plan


def _held_by_package() -> int:
    """Bytes still allocated by the package's own code (the bench's lists left out)."""
    only = [tracemalloc.Filter(True, "*/reminder/*")]
    return sum(
        stat.size for stat in tracemalloc.take_snapshot().filter_traces(only).statistics("filename")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    days = parser.parse_args().days
    rng = random.Random(11)
    catalogue = load_catalogue()
    calendar = FixedCalendar()
    core = SittingCore(
        Settings.from_config(parse_config("", "defaults"), catalogue), calendar, catalogue
    )
    epoch0 = calendar.epoch(datetime(2024, 1, 1))
    commands = {
        "done": cmd.Done(),
        "skip": cmd.Skip(),
        "snooze": cmd.Snooze(),
        "routine": cmd.StartRoutine("desk"),
        "pause": cmd.Pause(30),
    }
    tracemalloc.start()
    now, last_input, active = epoch0, epoch0, False
    timings, memory, state, events = [], [], [], 0
    for day in range(days):
        started = time.perf_counter()
        for at, what in plan_day(rng, epoch0 + day * DAY):
            while (wake := core.next_wakeup(Moment(now, now))) is not None and wake < at:
                now = max(wake, now)
                events += len(core.observe(Moment(now, now), 0 if active else now - last_input))
            now = at
            if what in ("active", "away"):
                active, last_input = what == "active", at
            events += len(core.observe(Moment(now, now), 0 if active else now - last_input))
            if what in commands:
                events += len(core.command(Moment(now, now), commands[what]))
        timings.append(time.perf_counter() - started)
        memory.append(_held_by_package())
        state.append(len(pickle.dumps(core)))
    tracemalloc.stop()
    print(f"{days} days, {events} core events")
    print(
        f"time per simulated day: median {statistics.median(timings) * 1000:.2f} ms, "
        f"max {max(timings) * 1000:.2f} ms"
    )
    print(
        f"the core's own state (pickled): after day 1 {state[0]} bytes, after day {days} "
        f"{state[-1]} bytes, largest {max(state)} bytes"
    )
    growth = (memory[-1] - memory[0]) / 1024
    print(
        f"memory held by the package's code (tracemalloc): day 1 {memory[0] / 1024:.1f} KiB, "
        f"day {days} {memory[-1] / 1024:.1f} KiB, growth {growth:+.1f} KiB"
    )


if __name__ == "__main__":
    main()
