"""A guided routine in the terminal, for when no reminder is running: countdown and progress bar.

Keys: space pauses and resumes, ``s`` skips to the next step, ``q`` stops. The screen is redrawn
once a second while the countdown shows seconds; that is the whole of its work. Written to a pipe
or a file, the routine is plain lines, a few for each step as it starts.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from reminder import words
from reminder.catalogue.model import Catalogue, Routine
from reminder.core.routine_run import RoutineRun
from reminder.paths import pictures_dir
from reminder.pictures.cache import picture_path

log = logging.getLogger(__name__)
BAR = 24


@contextlib.contextmanager
def _keys(stream: TextIO) -> Iterator[bool]:
    """Single keypresses without Enter, when the input is a terminal; restored on the way out."""
    if not stream.isatty() or sys.platform == "win32":
        yield False
        return
    import termios
    import tty

    saved = termios.tcgetattr(stream)
    try:
        tty.setcbreak(stream)
        yield True
    finally:
        termios.tcsetattr(stream, termios.TCSADRAIN, saved)


def run_in_terminal(
    routine: Routine,
    catalogue: Catalogue,
    pace: float = 1.0,
    keys: TextIO | None = None,
    out: TextIO | None = None,
) -> bool:
    """Play the routine; True if it ran to the end, False if the user stopped it.

    On a terminal a bar and a countdown for the step redraw in place; elsewhere (a pipe, a file)
    each step is plain lines as it starts. The keys are offered only where they can be read.
    """
    keys = keys or sys.stdin
    out = out or sys.stdout
    live = _is_terminal(out)
    clear = "\r\033[K" if live else ""  # back over the countdown line, on a terminal only
    run = RoutineRun(routine, time.monotonic(), pace)
    log.info("routine %s started in the terminal", routine.id)
    with _keys(keys) as interactive:
        out.write(words.terminal_routine_start(routine, pace, keys=interactive) + "\n")
        while True:
            now = time.monotonic()
            begun, finished = run.advance(now)
            for index in begun:
                step = routine.steps[index]
                stretch = catalogue.stretch(step.stretch)
                title = words.step_title(index, len(routine.steps), stretch.name, step.side)
                out.write(f"{clear}\n{title}\n")
                lines = words.step_text(routine, index, catalogue, *run.step_seconds(index))
                picture = _picture(catalogue, step.stretch)
                if picture is not None:
                    lines += f"\n{words.picture_line(picture)}"
                out.write("".join(f"  {line}\n" for line in lines.splitlines()))
            if finished:
                out.write(f"{clear}\n{words.terminal_routine_end(routine, finished=True)}\n")
                out.flush()
                log.info("routine %s finished in the terminal: a break taken", routine.id)
                return True
            next_change = run.next_change()
            left = (next_change - now) if next_change is not None else 0
            if live:
                filled = round(run.step_progress(now) * BAR)
                state = words.countdown(left, run.paused)
                out.write(f"{clear}  [{'#' * filled}{'-' * (BAR - filled)}] {state}")
            out.flush()
            wait = 1.0 if run.paused else min(1.0, max(0.05, left % 1 or 1.0))
            if not live and not interactive:
                wait = max(0.05, left)  # nothing to redraw and no key to wait for
            key = _read_key(keys, wait) if interactive else _sleep(wait)
            if key == " ":
                (run.resume if run.paused else run.pause)(time.monotonic())
            elif key in ("s", "S"):
                run.skip_step(time.monotonic())
            elif key in ("q", "Q", "\x1b"):
                out.write(f"{clear}\n{words.terminal_routine_end(routine, finished=False)}\n")
                out.flush()
                log.info("routine %s stopped in the terminal", routine.id)
                return False


def _is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal (a closed or odd one is not)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _picture(catalogue: Catalogue, stretch_id: str) -> Path | None:
    """Where the step's picture is (drawn now if it is not yet), or None if it cannot be."""
    try:
        return picture_path(catalogue, stretch_id, folder=pictures_dir())
    except (OSError, KeyError, ValueError) as error:
        log.debug("no picture for %s: %s", stretch_id, error)
        return None


def _read_key(stream: TextIO, timeout: float) -> str:
    ready, _, _ = select.select([stream], [], [], timeout)
    return os.read(stream.fileno(), 1).decode(errors="ignore") if ready else ""


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return ""
