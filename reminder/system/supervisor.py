"""The one place the daemon's background tasks are started and watched.

asyncio keeps only weak references to tasks, and a task that raises says nothing until it is
collected, if then. Every task psoas starts on its loop (the outbox, the tray's registration,
a config reload, the week's chart...) goes through a :class:`TaskSupervisor`, which holds it
until it ends and logs a failure with its traceback at WARNING. For a task that does what the
user just asked (a menu entry), the caller also says what to tell them when it fails: a user
who clicked gets one line back, never nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)


class TaskSupervisor:
    """Starts tasks on the running loop and watches each until it ends."""

    def __init__(self) -> None:
        self._tasks: dict[asyncio.Task[Any], tuple[str, Callable[[], None] | None]] = {}

    def start(
        self,
        work: Coroutine[Any, Any, Any],
        what: str,
        failed: Callable[[], None] | None = None,
    ) -> asyncio.Task[Any]:
        """Run ``work`` as a task named ``what`` ("showing this week's chart"); if it raises,
        the traceback is logged and ``failed`` (telling the user, say) is called."""
        task = asyncio.get_running_loop().create_task(work, name=what)
        self._tasks[task] = (what, failed)
        task.add_done_callback(self._ended)
        return task

    @property
    def running(self) -> int:
        """How many tasks have not ended yet."""
        return len(self._tasks)

    def _ended(self, task: asyncio.Task[Any]) -> None:
        what, failed = self._tasks.pop(task, ("a task", None))
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        log.warning("task %r failed", what, exc_info=error)
        if failed is not None:
            try:
                failed()
            except Exception:  # a boundary: telling the user must not hide the first fault
                log.exception("could not say that %s failed", what)
