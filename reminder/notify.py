"""Notifiers: the desktop's notification server, and the terminal when that fails.

A missing or frozen notification server must never stop or slow the reminder: the daemon only
posts to an :class:`Outbox`, which shows notes one after another on the loop, each with a deadline;
:class:`FallbackNotifier` says once, plainly, what was lost, shows the text in the terminal
instead, and goes back to the desktop as soon as it answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import io
import logging
import sys
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from reminder import APP_NAME

log = logging.getLogger(__name__)

#: A notification server that takes longer than this is treated as gone for this note.
SHOW_TIMEOUT = 1.0

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


class Notifier(Protocol):
    name: str

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

    async def show(self, note: Note) -> None:
        stream = self.stream or sys.stderr
        try:
            stream.write(f"\a{APP_NAME}: {note.title}\n    {note.body}\n")
            stream.flush()
        except (OSError, ValueError) as error:  # a closed or vanished terminal
            raise NotifyError(f"terminal: {error}") from error

    async def withdraw(self, slot: str) -> None:
        return None

    async def withdraw_all(self) -> None:
        return None


class PlyerNotifier:
    """Desktop notifications through plyer, where there is no freedesktop server (Windows,
    macOS). plyer blocks, so each note is shown from a worker thread, never the loop's."""

    name = "plyer"

    def __init__(self, icon: Path | None = None, timeout: int = 20) -> None:
        self.icon = icon
        self.timeout = timeout

    async def show(self, note: Note) -> None:
        await asyncio.to_thread(self._show, note)

    async def withdraw(self, slot: str) -> None:
        return None

    async def withdraw_all(self) -> None:
        return None

    def _show(self, note: Note) -> None:
        title, body = note.title, note.body
        if sys.platform.startswith("linux"):  # freedesktop servers may read markup
            title, body = html.escape(title, quote=False), html.escape(body, quote=False)
        chatter = io.StringIO()
        try:
            from plyer import notification

            # plyer prints tracebacks and warnings of its own; keep them out of the user's terminal.
            with (
                warnings.catch_warnings(),
                contextlib.redirect_stderr(chatter),
                contextlib.redirect_stdout(chatter),
            ):
                warnings.simplefilter("ignore")
                notification.notify(
                    title=title,
                    message=body,
                    app_name=APP_NAME,
                    app_icon=str(self.icon) if self.icon else "",
                    timeout=self.timeout,
                )
        except Exception as error:  # plyer lets any backend error through: COM, ObjC, D-Bus...
            reason = _last_line(str(error)) or type(error).__name__
            raise NotifyError(reason) from error
        if chatter.getvalue().strip():
            log.debug("plyer said: %s", chatter.getvalue().strip())


class FallbackNotifier:
    """Tries the desktop first (with a deadline), then the terminal; says each change once."""

    def __init__(self, primary: Notifier, fallback: Notifier, timeout: float = SHOW_TIMEOUT):
        self.primary = primary
        self.fallback = fallback
        self.timeout = timeout
        self._failing = False
        self._lost = False  # neither could show the last note

    @property
    def name(self) -> str:
        return self.fallback.name if self._failing else self.primary.name

    async def show(self, note: Note) -> None:
        try:
            await asyncio.wait_for(self.primary.show(note), self.timeout)
        except (NotifyError, TimeoutError) as error:
            reason = str(error) or f"no answer within {self.timeout:g} s"
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
            return
        self._lost = False
        if self._failing:
            log.warning("desktop notifications work again")
            self._failing = False

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

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="outbox")

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
            await asyncio.wait_for(self._queue.join(), timeout)
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


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
