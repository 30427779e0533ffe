"""The daemon: wakes the core when something can be due, shows what it says, takes commands.

Everything happens on one asyncio loop, the daemon's, and only there is the core touched. Between
wake-ups the daemon sleeps on one timer armed at the core's next wake-up on the injected Clock's
steady time (suspend-aware, never moved by the wall clock); when it fires, the daemon takes a
step. Commands (tray, control channel, notification buttons, signals) queue up and are
carried out in order; another thread hands one over with :meth:`Daemon.submit_threadsafe`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from reminder.catalogue.model import Catalogue
from reminder.core import events as ev
from reminder.core.commands import Command, named
from reminder.core.observer import Observer
from reminder.core.settings import Settings
from reminder.core.sitting import SittingCore
from reminder.core.status import FREE, NOT_ASKED, Busy, Status
from reminder.core.step import Reading, busy_matters, next_look, take_step
from reminder.core.timebase import Moment
from reminder.core.weekly import WeeklyNotes
from reminder.idle import IdleSource, NoIdleSource
from reminder.notify import Note, Outbox
from reminder.system.clock import Clock, Timer
from reminder.words import (
    duration,
    log_line,
    notification_for,
    prompt_buttons,
    routine_buttons,
    sit_buttons,
)

log = logging.getLogger(__name__)

#: Read the idle counter a little after the moment it can change, never a hair before it.
_LATE_MARGIN = 0.05
#: An idle source that takes longer than this to answer has failed.
_IDLE_TIMEOUT = 1.0
#: The busy signals together: past this, the user is taken to be free.
_BUSY_TIMEOUT = 1.5
#: A lost idle source is asked again this long after it failed, then twice as long after each
#: try that fails too, up to the longest. Only while a source is lost does this add wake-ups.
_RETRY_FIRST = 10.0
_RETRY_LONGEST = 600.0


class BusyCheck(Protocol):
    """The busy signals, asked together (reminder.busy.BusyWatch)."""

    async def check(self) -> str | None: ...

    def close(self) -> None: ...


#: Given the names of the idle sources that failed, the next one to use.
ReplaceIdle = Callable[[Collection[str]], Awaitable[IdleSource]]


#: What answers a prompt that is up (a pause too: it says "not now", and the prompt stays up
#: for good otherwise; standing up too), and what ends a standing spell, whose suggestion to
#: sit down shares the prompt's slot.
ANSWERS = (
    ev.BreakTaken,
    ev.Skipped,
    ev.Snoozed,
    ev.RoutineStarted,
    ev.Paused,
    ev.StoodUp,
    ev.StandingSpan,
)


@dataclass
class _LostIdle:
    """The idle source psoas had to give up (the best one it had), and when to ask it again."""

    source: IdleSource
    wait: float  # since the last try
    retry_at: float  # on the clock's steady time


class _Tick:
    """Look at the user and the time; nothing asked."""


@dataclass(frozen=True)
class _Reconfigure:
    """The user's config changed: the core takes these settings (the weekly note its own),
    then looks again."""

    settings: Settings
    notes: WeeklyNotes | None = None


@dataclass(frozen=True)
class Outcome:
    """What a command led to: the events it brought (a refusal, when it changed nothing), and
    the state just after it."""

    events: list[ev.Event]
    after: Status


@dataclass(frozen=True)
class Report:
    """The daemon's state for ``psoas status``: the core's status at ``at`` (epoch seconds),
    and the parts it runs on."""

    at: float
    status: Status
    idle_source: str
    sees_input: bool  # False: no idle source, every minute counts as sitting
    notifier: str
    #: What the notification server was seen not to do (keep a prompt up, play a sound).
    notifier_shortfalls: dict[str, str]


@dataclass(frozen=True)
class _Asked:
    """A command whose asker waits for what followed from it."""

    command: Command
    done: asyncio.Future[Outcome]


class _Stop:
    """Take a last look at the user, tell the listeners, and end."""


async def _no_idle(failed: Collection[str]) -> IdleSource:
    return NoIdleSource()


class Daemon:
    def __init__(
        self,
        core: SittingCore,
        clock: Clock,
        idle: IdleSource,
        outbox: Outbox,
        catalogue: Catalogue,
        replace_idle: ReplaceIdle = _no_idle,
        observers: Sequence[Observer] = (),
        busy: BusyCheck | None = None,
        picture: Callable[[str], Path | None] = lambda stretch: None,
        sound: bool = False,
        notes: WeeklyNotes | None = None,
    ) -> None:
        self.core = core
        self.notes = notes  # the weekly word on progress, due by the calendar
        self.clock = clock
        self.idle: IdleSource = NoIdleSource()
        self.outbox = outbox
        self.catalogue = catalogue
        self.observers = tuple(observers)
        self.busy = busy  # None: the user asked never to hold a prompt
        self.picture = picture  # a stretch's picture, if it is drawn already (never drawn here)
        self.sound = sound  # a prompt comes with the system's message sound
        self._replace_idle = replace_idle
        self._failed_idle: set[str] = set()
        self._lost_idle: _LostIdle | None = None
        self._work: asyncio.Queue[Command | _Asked | _Reconfigure | _Tick | _Stop] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: Timer | None = None
        self._wall_watch: Timer | None = None
        self._step_shown: ev.RoutineStepStarted | None = None  # the routine step on screen
        self._routine_note_up = False  # a routine's popup was posted and not taken down since
        self.use_idle(idle)

    # ----- asking the daemon for things ------------------------------------------------------

    def submit(self, command: Command) -> None:
        """Queue a command (on the daemon's loop)."""
        self._work.put_nowait(command)

    async def carry_out(self, command: Command) -> Outcome:
        """Queue a command and wait until it is done: what followed from it."""
        asked = _Asked(command, asyncio.get_running_loop().create_future())
        self._work.put_nowait(asked)
        return await asked.done

    def reconfigure(self, settings: Settings, notes: WeeklyNotes | None = None) -> None:
        """Run on new settings from now on (on the daemon's loop)."""
        self._work.put_nowait(_Reconfigure(settings, notes))

    def look_again(self) -> None:
        """Look at the user and work out the next wake-up again (on the daemon's loop): a part
        has learnt something that may move it."""
        self._work.put_nowait(_Tick())

    def stop(self) -> None:
        """Stop after a last look at the user (on the daemon's loop)."""
        self._work.put_nowait(_Stop())

    def submit_threadsafe(self, command: Command) -> None:
        """Queue a command from any thread (a GUI toolkit's, a signal handler's)."""
        self._call_soon(self.submit, command)

    def stop_threadsafe(self) -> None:
        self._call_soon(self.stop)

    def _call_soon(self, function: Callable[..., None], *args: object) -> None:
        if self._loop is None or self._loop.is_closed():
            log.debug("the daemon is not running; dropped %s", function.__name__)
            return
        self._loop.call_soon_threadsafe(function, *args)

    def use_idle(self, source: IdleSource) -> None:
        """Watch the user through ``source`` from now on; the others, lost or in use, are let
        go of."""
        lost = self._lost_idle.source if self._lost_idle is not None else None
        for old in (self.idle, lost):
            if old is not None and old is not source:
                old.watch(None)
                old.close()
        self._failed_idle.clear()
        self._lost_idle = None
        self._watch_through(source)

    def _watch_through(self, source: IdleSource) -> None:
        self.idle = source
        source.watch(self._idle_news)

    def _idle_news(self) -> None:
        """The idle source has news (input came back, or it failed): an absence has no other
        looks (the core needs none when told of returns), so look now; otherwise the next look
        comes soon enough."""
        if self._loop is None or self.core.span is not None or self.core.routine is not None:
            return
        self._work.put_nowait(_Tick())

    def report(self) -> Report:
        """Where things stand now, and what the daemon runs on (for ``psoas status``)."""
        now = self.clock.now()
        notifier = self.outbox.notifier
        return Report(
            now.epoch,
            self.core.status(now),
            self.idle.name,
            self.idle.tracks_input,
            notifier.name,
            dict(notifier.shortfalls),
        )

    def prompt_actions(
        self, snooze: bool = True, stand: bool = False
    ) -> tuple[tuple[str, str], ...]:
        """The buttons a prompt offers (where the notification server shows buttons); "I'll
        stand" with ``stand`` and a sit-stand desk."""
        stand = stand and self.core.settings.desk
        return prompt_buttons(self.core.settings.snooze / 60, snooze, stand)

    def on_action(self, key: str) -> None:
        """A button on a notification was pressed (its key is the command's name): act as the
        tray menu would. Only the buttons psoas offers count."""
        offered = {key for key, _ in self.prompt_actions(stand=True)}
        offered |= {key for paused in (False, True) for key, _ in routine_buttons(paused)}
        offered |= {key for key, _ in sit_buttons()}
        if key in offered:
            self.submit(named(key))

    # ----- the loop ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Run until :meth:`stop`; the last thing done is a last look, so nothing seen is lost."""
        self._loop = asyncio.get_running_loop()
        self._timer = self.clock.timer(self._timer_fired)
        self._wall_watch = self.clock.watch_wall_clock(self._wall_clock_set)
        log.info(
            "running: idle source %s, notifications via %s",
            self.idle.name,
            self.outbox.notifier.name,
        )
        self._work.put_nowait(_Tick())
        try:
            while not isinstance(item := await self._work.get(), _Stop):
                try:
                    await self._step(item)
                finally:
                    self._work.task_done()
            await self._step(_Tick())
            self._work.task_done()
        finally:
            for timer in (self._timer, self._wall_watch):
                if timer is not None:
                    timer.close()
            self._loop = None
        log.info("stopped")

    async def _step(self, item: Command | _Asked | _Reconfigure | _Tick) -> None:
        """One step of the sitting clock (reminder.core.step, the replay's too): a look at the
        user, then what was asked, then the next wake-up."""
        if isinstance(item, _Reconfigure):
            self.core.reconfigure(item.settings)
            if item.notes is not None and self.notes is not None:
                self.notes.reconfigure(item.notes)
            item = _Tick()
        idle, locked = await self._read_idle()
        now = self.clock.now()
        reading = Reading(idle, locked, self.clock.slept_since(), self.idle.tells_returns)
        busy = await self._read_busy(now, reading)
        command = item.command if isinstance(item, _Asked) else item
        asked = None if isinstance(command, _Tick) else command
        step = take_step(self.core, now, reading, busy, asked, self.notes)
        self._publish(step.events)
        self._arm()
        if isinstance(item, _Asked) and not item.done.done():
            assert step.after is not None
            item.done.set_result(Outcome(step.answer, step.after))

    async def _read_idle(self) -> tuple[float | None, bool]:
        """Seconds since the last input (None: nothing can see input) and the screen lock."""
        lost = self._lost_idle
        if lost is not None and lost.retry_at <= self.clock.now().t:
            await self._retry_lost_idle(lost)
        try:
            async with asyncio.timeout(_IDLE_TIMEOUT):
                if not self.idle.tracks_input:
                    return None, await self.idle.locked()
                return await self.idle.idle_seconds(), await self.idle.locked()
        except (OSError, TimeoutError) as error:
            await self._lose_idle_source(str(error) or "no answer in time")
            return (0.0 if self.idle.tracks_input else None), False

    async def _read_busy(self, now: Moment, reading: Reading) -> Busy:
        """Whether the user is busy, asked only when the core says it matters (a prompt due or
        waiting, a break about to come): never otherwise."""
        if self.busy is None or not busy_matters(self.core, now, reading):
            return NOT_ASKED
        try:
            async with asyncio.timeout(_BUSY_TIMEOUT):
                return Busy(await self.busy.check())
        except TimeoutError:
            log.debug("the busy signals did not answer in time: taken as free")
            return FREE

    async def _lose_idle_source(self, reason: str) -> None:
        """Carry on with the next source that works (or none), saying so in one line; the best
        source lost is asked again later (:meth:`_retry_lost_idle`)."""
        lost = self.idle
        lost.watch(None)
        self._failed_idle.add(lost.name)
        if self._lost_idle is None:
            retry_at = self.clock.now().t + _RETRY_FIRST
            self._lost_idle = _LostIdle(lost, _RETRY_FIRST, retry_at)
        else:
            lost.close()  # a stand-in that failed too: the first one lost is the one to retry
        self._watch_through(await self._replace_idle(self._failed_idle))
        then = (
            f"using {self.idle.name} instead"
            if self.idle.tracks_input
            else "meanwhile all running time counts as sitting"
        )
        again = self._lost_idle.source.name
        log.warning(
            "idle source %s failed (%s); %s; %s is asked again in %s",
            lost.name,
            reason,
            then,
            again,
            duration(self._lost_idle.retry_at - self.clock.now().t),
        )

    async def _retry_lost_idle(self, lost: _LostIdle) -> None:
        """Ask the source given up again: back in use when it answers (said once), else asked
        again after twice the wait."""
        try:
            async with asyncio.timeout(_IDLE_TIMEOUT):
                await lost.source.idle_seconds()
        except (OSError, TimeoutError) as error:
            lost.wait = min(lost.wait * 2, _RETRY_LONGEST)
            lost.retry_at = self.clock.now().t + lost.wait
            log.debug("idle source %s still fails (%s)", lost.source.name, error)
            return
        log.warning(
            "idle source %s answers again; using it instead of %s", lost.source.name, self.idle.name
        )
        self.use_idle(lost.source)

    def _arm(self) -> None:
        """Set the one timer to the next wake-up anyone wants."""
        now = self.clock.now()
        wishes = [each.next_wakeup(now.t) for each in self.observers]
        if self._lost_idle is not None:
            wishes.append(self._lost_idle.retry_at)
        wake = next_look(self.core, now, wishes, self.notes)
        assert self._timer is not None
        if wake is None:
            self._timer.disarm()
            return
        self._timer.arm(wake + _LATE_MARGIN)

    def _timer_fired(self) -> None:
        self._work.put_nowait(_Tick())

    def _wall_clock_set(self) -> None:
        log.info("the wall clock was set; working out the next prompt again")
        self._work.put_nowait(_Tick())

    def _publish(self, events: list[ev.Event]) -> None:
        """Post what the user should see, then tell the listeners (tray, history) the new state.

        A prompt that has been answered (done, skipped, snoozed, a break or a routine taken) is
        taken down rather than left up until the server's timeout; so is a routine's last popup
        once the routine is stopped, or once a prompt comes."""
        if any(isinstance(event, ANSWERS) for event in events):
            self.outbox.withdraw("prompt")
        now = self.clock.now().epoch
        status = self.core.status(self.clock.now())
        for event in events:
            log.info("%s", log_line(event, now))
            if isinstance(event, ev.RoutineCancelled | ev.PromptShown) and self._routine_note_up:
                self.outbox.withdraw("routine")
                self._step_shown, self._routine_note_up = None, False
            note = self._note_for(event, status)
            if note is not None:
                self.outbox.post(note)
                self._routine_note_up |= note.slot == "routine"
        for observer in self.observers:
            try:
                observer.seen(events, status)
            except Exception:  # a boundary: a failing tray or store must not stop the reminders
                log.exception("%s failed on %s", type(observer).__name__, status.state)

    def _note_for(self, event: ev.Event, status: Status) -> Note | None:
        """The note an event shows, with the stretch's picture where it is drawn.

        A prompt, or a stretch the user asked for, with its buttons: it stays until it is
        answered or replaced (they share a slot: one stretch on screen), and offers Snooze only
        while a prompt is out; a prompt may sound, never anything else. A routine step with
        Pause (or Resume), Next step and Stop; a routine resumed shows its step again."""
        if isinstance(event, ev.RoutineResumed):
            event = self._step_shown or event
        if isinstance(event, ev.RoutineStepStarted):
            self._step_shown = event
        elif isinstance(event, ev.RoutineFinished):
            self._step_shown = None
        shown = notification_for(event, self.catalogue)
        if shown is None:
            return None
        if isinstance(event, ev.StandingLong):  # gentle: no sound, and it need not stay
            return Note(*shown, "prompt", sit_buttons())
        if isinstance(event, ev.WeeklyNote):  # a word, read when it comes: nothing to answer
            return Note(*shown, "coach")
        if isinstance(event, ev.PromptShown | ev.StretchAsked):
            # Snooze only while a prompt is out (a stretch asked for has nothing to snooze);
            # "I'll stand" only to a user sitting.
            out = not isinstance(event, ev.StretchAsked) or status.prompted_stretch is not None
            actions = self.prompt_actions(snooze=out, stand=status.standing_since is None)
            return Note(
                *shown,
                "prompt",
                actions,
                self.picture(event.stretch),
                stays=True,
                sound=self.sound and isinstance(event, ev.PromptShown),
            )
        step = self._step_shown
        image = self.picture(step.stretch) if step is not None else None
        if isinstance(event, ev.RoutineFinished):
            return Note(*shown, "routine", image=image)
        actions = routine_buttons(paused=isinstance(event, ev.RoutinePaused))
        return Note(*shown, "routine", actions, image)
