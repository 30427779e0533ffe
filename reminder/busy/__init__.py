"""Busy signals: whether the user should not be interrupted right now (do-not-disturb, a fullscreen
window, a call, a named app running), looked at only when a prompt is due. A module per kind,
each imported only when the config asks for it, as the idle sources are.

The daemon opens the configured ones once (:func:`open_signals`) and asks a :class:`BusyWatch`
before each prompt. A signal that cannot be read here counts as not busy: it is said once, in one
short line (why is for ``psoas doctor``), and asked again only after the recheck interval, so a
desktop without (say) pactl costs nothing.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence

from reminder.bus import Buses
from reminder.busy.base import BusySignal
from reminder.units import duration

log = logging.getLogger(__name__)

#: Every signal by the name the config uses, and the module whose ``open_signals`` makes it.
SIGNALS: dict[str, str] = {
    "dnd": "reminder.busy.dnd",
    "fullscreen": "reminder.busy.fullscreen",
    "call": "reminder.busy.call",
    "apps": "reminder.busy.apps",
}
#: When several signals say busy, the reason given is the first of these.
REASON_ORDER = ("dnd", "fullscreen", "call", "camera", "apps")
#: How long one signal may take to answer; they are all asked at once.
CHECK_DEADLINE = 0.5
#: What a signal that cannot look costs, in the log's one line about it.
WONT_WAIT = "prompts do not wait for it (psoas doctor says why)"

__all__ = ["CHECK_DEADLINE", "REASON_ORDER", "SIGNALS", "BusySignal", "BusyWatch", "open_signals"]


async def open_signals(
    names: Iterable[str], buses: Buses, apps: Sequence[str] = ()
) -> list[BusySignal]:
    """The signals for these config names, in that order ("call" gives two: microphone and
    camera; "apps" none when ``apps`` is empty). Opening never fails for want of a desktop:
    that shows when a signal is asked. ValueError for a name not in :data:`SIGNALS`."""
    signals: list[BusySignal] = []
    for name in dict.fromkeys(names):
        if name not in SIGNALS:
            raise ValueError(f"unknown busy signal {name!r} (known: {', '.join(SIGNALS)})")
        module = importlib.import_module(SIGNALS[name])
        signals += await module.open_signals(buses, apps)
    return signals


class BusyWatch:
    """Asks every signal at once, each within ``deadline`` seconds, and gives the first reason in
    :data:`REASON_ORDER`. A signal that cannot tell (OSError, a late answer) counts as not busy,
    is logged once when it starts failing, and is not asked again for ``recheck`` seconds."""

    def __init__(
        self,
        signals: Sequence[BusySignal],
        recheck: float,
        *,
        deadline: float = CHECK_DEADLINE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.signals = list(signals)
        self.recheck = recheck
        self.deadline = deadline
        self._clock = clock
        #: Signals that could not tell, by position: when to ask them again.
        self._ask_again_at: dict[int, float] = {}

    async def check(self) -> str | None:
        """Why the user is busy now ("dnd", "fullscreen", "call", "camera", "apps"), or None."""
        now = self._clock()
        due = [
            (index, signal)
            for index, signal in enumerate(self.signals)
            if self._ask_again_at.get(index, now) <= now
        ]
        answers = await asyncio.gather(*(self._ask(index, signal, now) for index, signal in due))
        reasons = [reason for reason in answers if reason]
        if not reasons:
            return None
        return min(reasons, key=lambda r: REASON_ORDER.index(r) if r in REASON_ORDER else 99)

    def close(self) -> None:
        """Let go of what the signals hold (an X connection)."""
        for signal in self.signals:
            close = getattr(signal, "close", None)
            if close is not None:
                close()

    async def _ask(self, index: int, signal: BusySignal, now: float) -> str | None:
        try:
            reason = await asyncio.wait_for(signal.busy(), self.deadline)
        except TimeoutError:
            self._cannot_tell(index, signal, now, f"no answer within {self.deadline:g} s")
            return None
        except OSError as error:
            self._cannot_tell(index, signal, now, str(error) or type(error).__name__)
            return None
        except Exception as error:  # a boundary: a fault in one signal must not cost the prompt
            self._cannot_tell(index, signal, now, f"{type(error).__name__}: {error}", fault=True)
            return None
        if self._ask_again_at.pop(index, None) is not None:
            log.info("can tell again whether %s", _subject(signal))
        return reason

    def _cannot_tell(
        self, index: int, signal: BusySignal, now: float, why: str, fault: bool = False
    ) -> None:
        """Said once, in one short line, when a signal starts failing; why is for ``psoas
        doctor`` (and the log with -v), except a fault in psoas itself, which is said with its
        traceback."""
        if index not in self._ask_again_at:
            subject = _subject(signal)
            if fault:
                log.warning(
                    "cannot tell whether %s here: %s (%s)", subject, WONT_WAIT, why, exc_info=True
                )
            else:
                log.warning("cannot tell whether %s here: %s", subject, WONT_WAIT)
            log.debug("%s: %s; asked again in %s", signal.name, why, duration(self.recheck))
        self._ask_again_at[index] = now + self.recheck


def _subject(signal: BusySignal) -> str:
    """What a signal looks for, in words ("you are in a call"); every signal here says so."""
    return getattr(signal, "subject", f"the {signal.name} signal says busy")
