"""Each look of the doctor runs on a thread and an event loop of its own, with bus connections of
its own, under a deadline.

Some of what the doctor asks can block a whole thread (a control socket, SQLite waiting on a
lock, a toolkit's call), and asyncio cannot cut a blocked call
short. A look that misses its deadline is given up on: its thread is a daemon, left to end with
the process, and the report says the part did not answer in time. Nothing it held is shared.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from reminder.bus import BusError, Buses, connect, desktop_over_dbus

T = TypeVar("T")

#: How long one look may take. The looks run side by side, so the whole report takes about this
#: long at worst; every D-Bus call inside has its own, shorter deadline.
DEADLINE = 2.0


class Late(TimeoutError):
    """A look that did not finish within its deadline; the text says so in words."""

    def __init__(self, deadline: float) -> None:
        super().__init__(f"no answer within {deadline:g} s")


async def in_thread(work: Callable[[], T], deadline: float = DEADLINE) -> T:
    """``work()`` on a daemon thread of its own; :class:`Late` when it is not done in time."""
    future: concurrent.futures.Future[T] = concurrent.futures.Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            result = work()
        except Exception as error:  # handed to the caller, whatever it is
            with contextlib.suppress(concurrent.futures.InvalidStateError):
                future.set_exception(error)
        else:
            with contextlib.suppress(concurrent.futures.InvalidStateError):
                future.set_result(result)

    threading.Thread(target=run, name="psoas-doctor-look", daemon=True).start()
    try:
        return await asyncio.wait_for(asyncio.wrap_future(future), deadline)
    except TimeoutError:
        raise Late(deadline) from None


async def isolated(look: Callable[[Buses], Awaitable[T]], deadline: float = DEADLINE) -> T:
    """``look(buses)`` on a loop of its own in a thread of its own, with its own connection to
    the session bus (``buses.session`` None when there is none); :class:`Late` when late."""
    return await in_thread(lambda: asyncio.run(_with_buses(look)), deadline)


async def _with_buses(look: Callable[[Buses], Awaitable[T]]) -> T:
    session = None
    if desktop_over_dbus():
        with contextlib.suppress(BusError):
            session = await connect()
    buses = Buses(session)
    try:
        return await look(buses)
    finally:
        buses.close()
