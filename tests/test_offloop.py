"""The worker that makes blocking calls off the loop (reminder.system.offloop), with real threads
and calls that really hang: on a threading.Event the test holds, as a stopped X server would hold a
read of its socket."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
from pathlib import Path

import pytest

from reminder.system.offloop import NoAnswer, OffLoop

#: Short, so the tests are quick; every wait below is measured against it.
DEADLINE = 0.2


class Hang:
    """A blocking call that returns (or raises) only once released, counting its callers."""

    def __init__(self, result: object = "late answer") -> None:
        self.released = threading.Event()
        self.result = result
        self.entered = 0
        self.threads: set[int] = set()

    def __call__(self) -> object:
        self.entered += 1
        self.threads.add(threading.get_ident())
        self.released.wait(30)
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


def offloop_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("offloop:")]


def test_a_call_gives_its_answer_or_its_error_from_another_thread():
    worker = OffLoop("a quick call", DEADLINE)

    async def play() -> tuple[int, int]:
        where = await worker.call(threading.get_ident)
        with pytest.raises(ValueError, match="bad value"):
            await worker.call(int, "bad value")
        return where, threading.get_ident()

    worker_thread, loop_thread = asyncio.run(play())
    assert worker_thread != loop_thread
    worker.close()


def test_a_call_that_hangs_fails_after_its_deadline_and_the_loop_runs_meanwhile():
    worker, hang = OffLoop("the X display :9", DEADLINE), Hang()

    async def play() -> tuple[float, int, str]:
        ticks = 0

        async def ticking() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.get_running_loop().create_task(ticking())
        started = time.monotonic()
        with pytest.raises(NoAnswer) as failed:
            await worker.call(hang)
        took = time.monotonic() - started
        ticker.cancel()
        return took, ticks, str(failed.value)

    took, ticks, said = asyncio.run(play())
    assert DEADLINE <= took < DEADLINE + 0.5
    assert ticks >= 5, "the loop was held up by the hung call"
    assert said == "the X display :9 gave no answer within 0.2 s"
    assert isinstance(NoAnswer(), OSError)  # what every adapter raises when it cannot tell
    hang.released.set()
    worker.close()


def test_while_a_call_is_stuck_new_ones_fail_at_once_and_start_no_thread():
    worker, hang = OffLoop("the X display :9 asked twenty times", DEADLINE), Hang()

    async def play() -> list[float]:
        with pytest.raises(NoAnswer):
            await worker.call(hang)
        took = []
        for _ in range(20):
            started = time.monotonic()
            with pytest.raises(NoAnswer, match="has not answered an earlier call for"):
                await worker.call(hang)
            took.append(time.monotonic() - started)
        return took

    took = asyncio.run(play())
    assert max(took) < DEADLINE / 2, took  # at once, not after a deadline
    assert hang.entered == 1  # the twenty never reached the thread
    mine = [t for t in offloop_threads() if t.name.endswith("asked twenty times")]
    assert len(mine) == 1
    hang.released.set()
    worker.close()


@pytest.mark.slow
def test_once_the_stuck_call_returns_the_same_thread_takes_calls_again():
    hang = Hang(result=OSError("connection lost"))  # a late error goes nowhere, quietly
    worker = OffLoop("the X display :9", DEADLINE)
    loop_errors: list[dict] = []

    async def play() -> str:
        asyncio.get_running_loop().set_exception_handler(lambda loop, ctx: loop_errors.append(ctx))
        with pytest.raises(NoAnswer):
            await worker.call(hang)
        hang.released.set()  # the server answers again
        deadline = time.monotonic() + 5
        while worker.busy_since is not None and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        hang.result = "answered"
        answer = await worker.call(hang)
        gc.collect()  # a late outcome left unread would be reported now
        await asyncio.sleep(0.05)
        return answer

    assert asyncio.run(play()) == "answered"
    assert len(hang.threads) == 1 and hang.entered == 2
    assert loop_errors == []
    worker.close()


def test_a_caller_that_gives_up_first_leaves_the_worker_busy_until_the_call_returns():
    """The busy signals wait on their own deadline: when it cuts the call short, the worker
    still knows its thread is stuck."""
    worker, hang = OffLoop("the scan of /proc", 10.0), Hang()

    async def play() -> None:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(worker.call(hang), DEADLINE)
        with pytest.raises(NoAnswer, match="earlier call"):
            await worker.call(hang)

    asyncio.run(play())
    hang.released.set()
    worker.close()


def test_the_worker_serves_each_new_loop():
    """A call per asyncio.run, as a test or a restart of the loop makes them."""
    worker = OffLoop("a quick call", DEADLINE)
    assert [asyncio.run(worker.call(abs, -n)) for n in range(3)] == [0, 1, 2]
    worker.close()


def test_close_lets_go_once_the_stuck_call_returns_and_ends_the_thread():
    worker, hang = OffLoop("the X display :9", DEADLINE), Hang()
    let_go = threading.Event()

    async def play() -> None:
        with pytest.raises(NoAnswer):
            await worker.call(hang)

    asyncio.run(play())
    (thread,) = [t for t in offloop_threads() if t.ident in hang.threads]
    started = time.monotonic()
    worker.close(let_go.set)
    assert time.monotonic() - started < DEADLINE / 2, "close waited for the stuck call"
    assert not let_go.is_set()  # not while the call is stuck
    with pytest.raises(NoAnswer, match="closed"):
        asyncio.run(worker.call(abs, 1))
    hang.released.set()
    thread.join(5)
    assert let_go.is_set() and not thread.is_alive()


def test_a_forgotten_worker_ends_its_thread():
    worker = OffLoop("a source dropped at start", DEADLINE)
    asyncio.run(worker.call(abs, 1))
    (thread,) = [t for t in offloop_threads() if t.name == "offloop: a source dropped at start"]
    del worker
    gc.collect()
    thread.join(5)
    assert not thread.is_alive()


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/task")
def test_the_worker_thread_sleeps_between_calls():
    """No polling: between calls the thread is blocked on its queue and is never scheduled."""
    worker = OffLoop("one call, then quiet", DEADLINE)
    asyncio.run(worker.call(abs, 1))
    (thread,) = [t for t in offloop_threads() if t.name == "offloop: one call, then quiet"]

    def switches() -> int:
        status = Path(f"/proc/self/task/{thread.native_id}/status").read_text()
        return sum(int(line.split()[1]) for line in status.splitlines() if "ctxt_switches" in line)

    time.sleep(0.05)
    before = switches()
    time.sleep(1.0)
    assert switches() == before
    worker.close()
