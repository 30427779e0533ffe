"""Notifiers: what every notifier offers, the terminal, and falling back to it.

The desktop's own notifiers live beside this module: the freedesktop server on Linux
(:mod:`reminder.notify.freedesktop`), toasts and the Notification Center on Windows and macOS
(:mod:`reminder.notify.native`), AppleScript's notifications as macOS's plainer second choice
(:mod:`reminder.notify.osascript`).

A missing or frozen notification server must never stop or slow the reminder: the daemon only
posts to an :class:`Outbox`, which shows notes one after another on the loop, each with a deadline;
:class:`FallbackNotifier` says once, plainly, what was lost, shows the text in the terminal
instead, and goes back to the desktop as soon as it answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from reminder import APP_NAME
from reminder.system.supervisor import TaskSupervisor

log = logging.getLogger(__name__)

#: How long the outbox waits for the notification server with each note.
SHOW_TIMEOUT = 1.0
#: How long a note may go on waiting for a slow server, in the background, before it is taken
#: to be lost and shown in the terminal instead.
LATE_ANSWER = 5.0

Action = tuple[str, str]  # (key, label)


class NotifyError(Exception):
    """The notification could not be shown; the message says why in a few words."""


@dataclass(frozen=True)
class Note:
    """One notification: what it says, which slot it replaces, the buttons it offers."""

    title: str
    body: str
    slot: str | None = None  # notes in the same slot replace each other where the server can
    actions: tuple[Action, ...] = ()
    image: Path | None = None  # a picture of the stretch, where the server shows pictures
    stays: bool = False  # up until answered, replaced or withdrawn (a prompt), where it can be
    sound: bool = False  # with the system's message sound, where the notifier can play one


class Notifier(Protocol):
    name: str
    #: What the notifier was seen not to do as asked, in a few words, by what it is
    #: ("persistence": "it took a prompt down by itself after 20 s"); for psoas status and doctor.
    shortfalls: dict[str, str]

    async def show(self, note: Note) -> None:
        """Show a note or raise NotifyError."""
        ...

    async def withdraw(self, slot: str) -> None:
        """Take down the note shown in ``slot``, if it is still up and the notifier can."""
        ...

    async def withdraw_all(self) -> None:
        """Take down every note still up (psoas is quitting)."""
        ...


class TerminalNotifier:
    """The last resort: a bell and a line on the terminal."""

    name = "terminal"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.shortfalls: dict[str, str] = {}  # a line stays in the terminal

    async def show(self, note: Note) -> None:
        stream = self.stream or sys.stderr
        if stream is None:  # pythonw on Windows, or a daemon started with no terminal at all
            raise NotifyError("terminal: there is none")
        try:
            body = note.body.replace("\n", "\n    ")  # every line of it under the title
            stream.write(f"\a{APP_NAME}: {note.title}\n    {body}\n")
            stream.flush()
        except (OSError, ValueError) as error:  # a closed or vanished terminal
            raise NotifyError(f"terminal: {error}") from error

    async def withdraw(self, slot: str) -> None:
        return None

    async def withdraw_all(self) -> None:
        return None


class FallbackNotifier:
    """Tries the desktop first, then the terminal; says each change once.

    The daemon's notes wait at most ``timeout`` for the server. One that answers later still
    counts (its id is kept, so the note is replaced and taken down as any other): the note goes
    on in the background for up to ``late`` seconds, and only a server that never answers, or
    says no, sends it to the terminal instead. So a slow server shows each prompt once, and a
    frozen one costs the outbox a second a note.
    """

    def __init__(
        self,
        primary: Notifier,
        fallback: Notifier,
        timeout: float = SHOW_TIMEOUT,
        late: float = LATE_ANSWER,
    ):
        self.primary = primary
        self.fallback = fallback
        self.timeout = timeout
        self.late = max(late, timeout)
        self._failing = False
        self._waiting: set[asyncio.Task[None]] = set()  # notes the server has not answered yet
        self._lost = False  # neither could show the last note

    @property
    def name(self) -> str:
        return self.fallback.name if self._failing else self.primary.name

    @property
    def shortfalls(self) -> dict[str, str]:
        notifier = self.fallback if self._failing else self.primary
        return dict(getattr(notifier, "shortfalls", {}))

    async def show(self, note: Note) -> None:
        attempt = asyncio.get_running_loop().create_task(
            asyncio.wait_for(self.primary.show(note), self.late), name="showing a note"
        )
        done, _ = await asyncio.wait({attempt}, timeout=self.timeout)
        if not done:
            log.debug("the notification server is slow: %r waits on in the background", note.title)
            self._waiting.add(attempt)
            attempt.add_done_callback(lambda task: self._answered_late(task, note))
            return
        await self._settle(attempt, note)

    def _answered_late(self, attempt: asyncio.Task[None], note: Note) -> None:
        self._waiting.discard(attempt)
        if attempt.cancelled():
            return
        if attempt.exception() is None:
            log.info("the notification server answered late, but answered: %r", note.title)
        task = asyncio.get_running_loop().create_task(self._settle(attempt, note))
        self._waiting.add(task)
        task.add_done_callback(self._waiting.discard)

    async def _settle(self, attempt: asyncio.Task[None], note: Note) -> None:
        """What came of an attempt: the desktop showed the note, or the terminal shows it."""
        error = attempt.exception()
        if error is None:
            self._lost = False
            if self._failing:
                log.warning("desktop notifications work again")
                self._failing = False
            return
        if not isinstance(error, NotifyError | TimeoutError):
            raise error
        reason = str(error) or f"no answer within {self.late:g} s"
        if not self._failing:
            log.warning(
                "desktop notifications failed (%s); showing them in the terminal until "
                "the notification server answers again",
                reason,
            )
            self._failing = True
        try:
            await self.fallback.show(note)
            self._lost = False
        except NotifyError as second:
            if not self._lost:  # the terminal may be a full disk for hours: once a streak
                log.error("cannot show notifications, not even in the terminal: %s", second)
                self._lost = True

    async def withdraw(self, slot: str) -> None:
        with contextlib.suppress(NotifyError, TimeoutError):
            await asyncio.wait_for(self.primary.withdraw(slot), self.timeout)

    async def withdraw_all(self) -> None:
        with contextlib.suppress(NotifyError, TimeoutError):
            await asyncio.wait_for(self.primary.withdraw_all(), self.timeout)


class Outbox:
    """Notes wait here in order; one task shows them, so the daemon never waits on a server."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self._queue: asyncio.Queue[Callable[[], Awaitable[None]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self, tasks: TaskSupervisor | None = None) -> None:
        """Start showing what is posted, as a task that ``tasks`` watches."""
        self._task = (tasks or TaskSupervisor()).start(self._run(), "showing notifications")

    def post(self, note: Note) -> None:
        self._queue.put_nowait(lambda: self.notifier.show(note))

    def withdraw(self, slot: str) -> None:
        self._queue.put_nowait(lambda: self.notifier.withdraw(slot))

    def withdraw_all(self) -> None:
        self._queue.put_nowait(self.notifier.withdraw_all)

    async def flushed(self) -> None:
        """Return once every note posted so far has been shown (or has failed)."""
        await self._queue.join()

    async def drain(self, timeout: float) -> None:
        """Let what is queued go out (at most ``timeout`` seconds), then stop."""
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.flushed(), timeout)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        while True:
            send = await self._queue.get()
            try:
                await send()
            except Exception:  # a boundary: one failed note must not silence every later one
                log.exception("showing a notification failed")
            finally:
                self._queue.task_done()


def last_line(text: str) -> str:
    """The last line a tool wrote, cut short: where it says what went wrong."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
