"""How psoas says a length of time, a count and a time of day: one way each, everywhere. A leaf:
it imports nothing of psoas, so any part (the catalogue, the busy signals, the words) can say a
duration the same way."""

from __future__ import annotations

from datetime import datetime


def duration(seconds: float, exact: bool = False) -> str:
    """How long, as people say it: '45 s', '42 min', '1 h 05 min'.

    ``exact`` keeps the seconds of anything under an hour ('2 min 15 s'), for routine lengths
    and countdowns. Under ten seconds it gives two figures ('2.5 s'), as tiny demo minutes and
    quick routine paces make them.
    """
    seconds = max(0.0, seconds)
    if seconds < 10 and seconds != round(seconds):
        return f"{seconds:.2g} s"
    if round(seconds) < 60:
        return f"{round(seconds)} s"
    if exact and seconds < 3600:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 break', '3 breaks', '2 stretches'."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def clock(epoch: float) -> str:
    """A time of day: '10:17'."""
    return datetime.fromtimestamp(epoch).strftime("%H:%M")


def snooze_choice(minutes: float) -> str:
    """A snooze choice as the tray's menu and the prompt's button say it ('15 min', '9 s'). Two
    choices that read the same are the same choice: the config check refuses the second."""
    return duration(minutes * 60, exact=True)
