"""The daemon: wakes the core when something can be due, shows what it says, takes commands.

One worker loop owns the core. It sleeps on an event until the private ``schedule`` timer says the
core's next wake-up has come or a command arrives (from the tray, a signal, the control channel),
so an idle daemon does nothing at all between wake-ups.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import Any

import schedule

from reminder import events as ev
from reminder.catalogue import Catalogue
from reminder.clock import Clock
from reminder.commands import Command, Done, Snooze, StartRoutine
from reminder.idle import IdleSource, NoIdleSource
from reminder.messages import notification_for
from reminder.notify import Notifier
from reminder.sitting import SittingCore, Status
from reminder.timebase import Moment

log = logging.getLogger(__name__)

#: Read the idle counter a little after the moment it can change, never a hair before it.
_LATE_MARGIN = 0.05


@dataclass(frozen=True)
class _Question:
    question: Callable[[Moment], Any]
    reply: queue.SimpleQueue[Any]


Listener = Callable[[list[ev.Event], Status], None]
#: Given the steady time now, when an adapter wants the daemon awake next (e.g. to redraw the icon).
WakeupHint = Callable[[float], float | None]


class Daemon:
    def __init__(
        self,
        core: SittingCore,
        clock: Clock,
        idle: IdleSource,
        notifier: Notifier,
        catalogue: Catalogue,
        replace_idle: Callable[[Collection[str]], IdleSource] | None = None,
    ) -> None:
        self.core = core
        self.clock = clock
        self.idle = idle
        self.notifier = notifier
        self.catalogue = catalogue
        self.listeners: list[Listener] = []
        self.wakeup_hints: list[WakeupHint] = []
        self.wakeups = 0
        self.tray_name = "none (headless)"  # set by the tray, for ``psoas status``
        # Given the names of the sources that failed, the next idle source to use.
        self._replace_idle = replace_idle or (lambda failed: NoIdleSource())
        self._failed_idle: set[str] = set()
        self._commands: queue.SimpleQueue[Command | _Question] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._scheduler = schedule.Scheduler()  # private: never the module's global default
        self._deadline: float | None = None  # monotonic time the armed job is due

    # ----- called from other threads (tray callbacks, signal handlers): never block -----

    def submit(self, command: Command) -> None:
        self._commands.put(command)
        self._wake.set()

    def ask(self, question: Callable[[Moment], Any], timeout: float = 5.0) -> Any:
        """Run ``question`` on the daemon's own thread (the core is single-threaded) and answer."""
        asked = _Question(question, queue.SimpleQueue())
        self.submit(asked)  # type: ignore[arg-type]
        try:
            return asked.reply.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError("the daemon did not answer in time") from None

    def prompt_actions(self) -> list[tuple[str, str]]:
        """The buttons a prompt offers (where the notification server shows buttons)."""
        snooze = self.core.settings.snooze / 60
        return [
            ("done", "I stretched"),
            ("snooze", f"Snooze {snooze:g} min"),
            ("routine", "Desk routine"),
        ]

    def on_action(self, key: str) -> None:
        """A button on a notification was pressed: act as the tray menu would."""
        command = {
            "done": Done(),
            "snooze": Snooze(),
            "routine": StartRoutine("desk"),
        }.get(key)
        if command is not None:
            self.submit(command)

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # ----- the loop -------------------------------------------------------------------

    def run(self) -> None:
        log.info(
            "running: idle source %s, notifications via %s", self.idle.name, self.notifier.name
        )
        self._tick()
        while not self._stopping.is_set():
            self._wake.wait(self._sleep_for())
            self._wake.clear()
            if self._stopping.is_set():
                break
            self._take_commands()
            self._run_due()
        log.info("stopped")

    def _sleep_for(self) -> float | None:
        """Until schedule's job is due, but never past the steady deadline: schedule reads the
        naive local wall clock, which a clock set back or a DST fall-back moves by hours."""
        due = self._scheduler.idle_seconds
        if self._deadline is None:
            return due
        steady = max(0.0, self._deadline - time.monotonic())
        return steady if due is None else max(0.0, min(due, steady))

    def _run_due(self) -> None:
        self._scheduler.run_pending()
        if self._deadline is not None and time.monotonic() >= self._deadline:
            # The wall clock went back: schedule's job looks far off, but its time has come.
            log.info("wall clock moved back; waking the core on the steady clock")
            self._scheduler.run_all()

    def _take_commands(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            now = self.clock.now()
            if isinstance(command, _Question):
                command.reply.put(command.question(now))
                continue
            self._publish(self._observe(now) + self.core.command(now, command))
            self._arm()

    def _tick(self) -> type[schedule.CancelJob]:
        self.wakeups += 1
        self._publish(self._observe(self.clock.now()))
        self._arm()
        return schedule.CancelJob

    def _observe(self, now: Moment) -> list[ev.Event]:
        slept_since = self.clock.slept_since()
        try:
            idle, locked = self.idle.idle_seconds(), self.idle.locked()
        except OSError as error:
            self._lose_idle_source(error)
            idle, locked = 0.0, False
        return self.core.observe(now, idle, locked=locked, slept_since=slept_since)

    def _lose_idle_source(self, error: OSError) -> None:
        """Carry on with the next source that works (or none), saying so in one line."""
        self._failed_idle.add(self.idle.name)
        failed = self.idle.name
        self.idle = self._replace_idle(self._failed_idle)
        then = (
            f"using {self.idle.name} instead"
            if self.idle.tracks_input
            else "from now on all running time counts as sitting"
        )
        log.warning("idle source %s failed (%s); %s", failed, error, then)
        self.core.settings = replace(self.core.settings, tracks_input=self.idle.tracks_input)

    def _arm(self) -> None:
        """Set the one timer job to the core's next wake-up (or none)."""
        self._scheduler.clear()
        now = self.clock.now()
        wakes = [self.core.next_wakeup(now)] + [hint(now.t) for hint in self.wakeup_hints]
        wake = min((w for w in wakes if w is not None), default=None)
        if wake is None:
            self._deadline = None
            return
        delay = max(0.0, wake - now.t) + _LATE_MARGIN
        self._scheduler.every(delay).seconds.do(self._tick)
        self._deadline = time.monotonic() + delay

    def _publish(self, events: list[ev.Event]) -> None:
        """Show what the user should see, then tell the listeners (tray, store) the new state."""
        for event in events:
            log.info("%s", event)
            shown = notification_for(event, self.catalogue)
            if shown is not None:
                slot = "prompt" if isinstance(event, ev.PromptShown) else "routine"
                actions = self.prompt_actions() if slot == "prompt" else ()
                self.notifier.notify(*shown, slot=slot, actions=actions)
        status = self.core.status(self.clock.now())
        for listener in self.listeners:
            listener(events, status)
