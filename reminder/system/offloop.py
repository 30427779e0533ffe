"""Calls that can block, made off the daemon's loop and under a deadline: an X server that stopped
answering, a /proc read stuck behind a hung process, a toolkit's notification call.

A thread stuck in such a call cannot be cancelled. So each adapter has one worker of its own, a
thread with one call in it at a time: while an earlier call is still stuck, a new one fails at
once rather than piling up threads behind it, and as soon as the stuck call returns the worker
takes calls again. Between calls the thread waits on a queue: it never wakes while nothing is
asked, and it ends once its worker is closed or forgotten.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)

#: What the worker's thread runs: one call, or None to end.
_Job = Callable[[], None] | None


class NoAnswer(TimeoutError):
    """The call did not return within its deadline, or an earlier one still has not returned.

    A TimeoutError, so an OSError: what every adapter raises when it cannot tell."""


class OffLoop:
    """One adapter's worker: ``await worker.call(function, *args)`` runs ``function`` in the
    worker's thread and gives its result (or raises what it raised), or raises NoAnswer after
    ``deadline`` seconds. The thread starts with the first call."""

    def __init__(self, name: str, deadline: float) -> None:
        self.name = name  # what the calls reach, for the error: "the X display :0"
        self.deadline = deadline
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closed = False
        #: When the call in the thread started (time.monotonic); None while the thread is free.
        self.busy_since: float | None = None
        # Forgotten without close(): the thread ends all the same (it holds the queue, never us).
        weakref.finalize(self, self._jobs.put, None)

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise NoAnswer(f"{self.name}: no longer asked (closed)")
        if self.busy_since is not None:
            stuck = time.monotonic() - self.busy_since
            raise NoAnswer(f"{self.name} has not answered an earlier call for {stuck:.1f} s")
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()
        self.busy_since = time.monotonic()
        self._start_thread()
        self._jobs.put(lambda: self._run(loop, done, function, args))
        try:
            # On a timeout (or when our caller gives up) ``done`` is cancelled: a late answer
            # then goes nowhere, and the thread stays busy until the call itself returns.
            return await asyncio.wait_for(done, self.deadline)
        except TimeoutError:
            raise NoAnswer(f"{self.name} gave no answer within {self.deadline:g} s") from None

    def close(self, last: Callable[[], None] | None = None) -> None:
        """Take no more calls; run ``last`` (letting go of a connection, say) in the thread
        once the call in it, if any, has returned, then end the thread. Never waits."""
        if self._closed:
            return
        self._closed = True
        if last is not None and self._thread is not None:
            self._jobs.put(lambda: _quietly(last))
        self._jobs.put(None)

    def _start_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=_serve, args=(self._jobs,), name=f"offloop: {self.name}", daemon=True
            )
            self._thread.start()

    def _run(
        self,
        loop: asyncio.AbstractEventLoop,
        done: asyncio.Future[T],
        function: Callable[..., T],
        args: tuple[Any, ...],
    ) -> None:
        """In the thread: make the call, free the worker, hand the outcome to the loop."""
        try:
            outcome: tuple[bool, Any] = (True, function(*args))
        except Exception as error:  # handed to the caller whole, whatever it is
            outcome = (False, error)
        finally:
            self.busy_since = None
        # A loop that closed while the call was stuck refuses it: nobody waits for it then.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle, done, outcome)


def _settle(done: asyncio.Future[Any], outcome: tuple[bool, Any]) -> None:
    if done.done():  # given up on already
        return
    returned, value = outcome
    if returned:
        done.set_result(value)
    else:
        done.set_exception(value)


def _serve(jobs: queue.SimpleQueue[_Job]) -> None:
    """The worker's thread: one job after another, asleep on the queue in between."""
    while (job := jobs.get()) is not None:
        job()
        del job  # hold nothing of the worker's while asleep, so a forgotten worker can go


def _quietly(last: Callable[[], None]) -> None:
    """A closing call: whatever it raises, the connection is being let go of anyway."""
    try:
        last()
    except Exception as error:  # a boundary: nobody waits for a closing call's answer
        log.debug("closing: %s", error)
