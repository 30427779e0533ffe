"""The sitting clock: a pure state machine that decides when to prompt a stretch.

It never reads a clock, a device or a file. The caller tells it the time (a :class:`Moment`), how
long the user has been idle, whether the screen is locked or the machine slept, and what the user
asked for; it answers with the events that happened and when to look again. That is what lets a
whole day run in a test in milliseconds, and ``psoas simulate`` replay one.

The rules (the contract ``psoas simulate`` and the tests check):

* Sitting starts with the first input after a break. No input for ``break`` seconds is a break:
  the clock goes back to zero, dated from the last input. A shorter pause counts as sitting.
* A prompt fires when the clock reaches ``sit``, inside working hours, when not paused; it repeats
  every ``repeat`` seconds while unanswered. Snooze moves the next prompt; done, skip and a
  finished routine start the clock again from zero.
* One sit, one stretch: the first prompt of a sit names the next stretch in turn, and its
  repeats, and a stretch the user asks for meanwhile, name that same one. A stretch asked for
  is shown but is no prompt: nothing falls due, nothing counts as unanswered.
* A locked screen or a sleeping machine counts as away from the moment it started, prompts never
  show on a locked screen, and waking up never brings a prompt by itself.
* At a sit-stand desk, standing stops the sitting clock and is recorded as standing (neither
  sitting nor a break); sitting down again starts the clock from zero (see core.standing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from reminder.core import events as ev
from reminder.core.commands import (
    CancelRoutine,
    Command,
    Done,
    Pause,
    PauseRoutine,
    ResumeReminders,
    ResumeRoutine,
    Sit,
    Skip,
    SkipStep,
    Snooze,
    Stand,
    StartRoutine,
    StretchNow,
    name_of,
)
from reminder.core.routine_run import RoutineRun, Routines
from reminder.core.saved import SavedSit, SavedStanding, saved_pause_end
from reminder.core.settings import Settings
from reminder.core.standing import Standing
from reminder.core.status import NOT_ASKED, Busy, State, Status
from reminder.core.timebase import Calendar, Moment


@dataclass
class _Span:
    """The current sitting span: when it started and when the next prompt is wanted."""

    start: float
    next_prompt: float | None
    prompts: int = 0  # prompts shown in this span (for the repeat count)
    stretch: str | None = None  # the stretch named in this span (by a prompt, or asked for)
    snoozed: bool = False
    held: tuple[float, str] | None = None  # a due prompt waiting for the user: since, why
    put_off: bool = False  # a routine stopped early put the next prompt back past the sitting time


@dataclass
class SittingCore:
    """The state machine. Feed it :meth:`observe` and :meth:`command`; ask :meth:`next_wakeup`."""

    settings: Settings
    calendar: Calendar
    routines: Routines
    span: _Span | None = None  # None: the user is away (or not seen yet), or standing
    standing: Standing | None = None  # the user stands at their sit-stand desk
    away_since: float | None = None  # steady time of the last input before the current absence
    last_input: float = -math.inf
    sees_input: bool = True  # False while nothing can see input (no idle source)
    returns_told: bool = False  # the caller looks the moment input returns: no polling while away
    paused_until: float | None = None
    last_stretch: str | None = None  # the last stretch named: the turn goes on after it
    routine: RoutineRun | None = None
    _routine_span: _Span | None = field(default=None, repr=False)  # span interrupted by a routine
    _lock_input: float | None = None  # last input before the screen locked, while locked
    _ignore_before: float = -math.inf  # readings dated before this (a wake-up) are not inputs
    _no_prompt_before: float = -math.inf
    _last_t: float = -math.inf
    _busy_seen: float = -math.inf  # the last time the user was seen busy: no break before it
    _busy_now: str | None = None  # why the user is busy, as read at this observation
    _last_said_busy: bool = False  # what the busy signals said the last time they were asked

    # ----- inputs -------------------------------------------------------------------------

    def observe(
        self,
        now: Moment,
        idle_seconds: float | None,
        *,
        locked: bool = False,
        slept_since: float | None = None,
        busy: Busy = NOT_ASKED,
        returns_told: bool = False,
    ) -> list[ev.Event]:
        """Take a reading: seconds since the last input, the lock, and any sleep that just ended.

        ``idle_seconds`` is None when nothing can see the user's input: then every minute counts
        as sitting, and no break is ever looked for. ``slept_since`` is the steady time the
        machine went to sleep, when it has just woken. ``busy`` is what the busy signals said,
        when they were asked (see :meth:`busy_matters`): time busy is sitting, never a break,
        and a prompt that falls due then waits until the user is free. ``returns_told`` says
        the caller observes again the moment input comes back (a desktop that tells of it), so
        an absence needs no looking at until then.
        """
        now = self._steady(now)
        out: list[ev.Event] = []
        if self.standing is not None and not self.settings.desk:  # the desk left the config
            self._end_standing(now, now.t, "config", out)
        self._busy_now = busy.reason
        if busy.asked:
            at_desk = self.span is not None or self.standing is not None
            if at_desk and (busy.reason is not None or self._last_said_busy):
                self._busy_seen = now.t  # busy until now (or just ended): no break before this
            self._last_said_busy = busy.reason is not None
        self.sees_input = idle_seconds is not None
        self.returns_told = returns_told and self.sees_input
        input_at = now.t - max(0.0, idle_seconds) if idle_seconds is not None else now.t
        if slept_since is not None and slept_since < now.t:
            out.append(ev.Slept(now.at(slept_since).epoch, now.epoch))
            if self.standing is not None:
                stood_to = max(self.standing.since, min(self.last_input, slept_since))
                self._end_standing(now, stood_to, "suspend", out)
            # No input can date from the sleep, and idle counters read across it cannot be trusted;
            # nor was anyone busy through it (a call still on at the wake is busy from now).
            self.last_input = min(self.last_input, slept_since)
            self._busy_seen = min(self._busy_seen, slept_since)
            self._ignore_before = now.t
            self._no_prompt_before = now.t + self.settings.wake_grace
            self._check_gap(now, now.t, out)
        if locked:
            if self._lock_input is None:
                self._lock_input = min(input_at, now.t)
                if self._lock_input < self._ignore_before:
                    self._lock_input = self.last_input
            if self.standing is not None:
                self._end_standing(now, max(self.standing.since, self._lock_input), "lock", out)
        else:
            if self._lock_input is not None:
                # The lock was a known absence: if it lasted a full break, that was a break.
                self.last_input = max(self.last_input, self._lock_input)
                self._lock_input = None
                self._check_gap(now, input_at, out)
            self._take_input(now, input_at, out)
        self._check_gap(now, now.t, out)
        self._advance(now, out)
        return out

    def command(self, now: Moment, command: Command) -> list[ev.Event]:
        """Carry out what the user asked and return what followed from it; a command that
        cannot be done now changes nothing and says why (:class:`~reminder.core.events.
        CommandRefused`)."""
        now = self._steady(now)
        out: list[ev.Event] = []
        refused = self._refusal(now, command)
        if refused is not None:
            out.append(ev.CommandRefused(now.epoch, name_of(type(command)), refused))
            self._advance(now, out, looked=False)
            return out
        match command:
            case Snooze():
                assert self.span is not None
                minutes = command.minutes
                minutes = self.settings.snooze / 60 if minutes is None else minutes
                out.append(ev.Snoozed(now.epoch, minutes))
                self.span.next_prompt = now.t + minutes * 60
                self.span.snoozed = True
            case Done() | Skip() if self.routine is not None:
                self._cancel_routine(now, out)
                return out + self.command(now, command)
            case Done():
                answered = self.span.stretch if self.span else None
                taken = ev.BreakTaken(now.epoch, now.epoch, "done", answered)
                self._restart_span(now, out, taken)
            case StretchNow():
                stretch = self._name_stretch()
                if stretch is not None:
                    out.append(ev.StretchAsked(now.epoch, stretch))
            case Skip():
                out.append(ev.Skipped(now.epoch))
                self._restart_span(now, out, None)
            case Stand():
                if self.span is None:  # seen as away: the user is plainly at the desk now
                    self._take_input(now, now.t, out)
                self._stand(now, out)
            case Sit():
                self._end_standing(now, now.t, "sit", out)
            case Pause():
                minutes = command.minutes
                until = self._pause_end(now, minutes)
                self.paused_until = until
                out.append(ev.Paused(now.epoch, now.at(until).epoch))
            case ResumeReminders():
                self.paused_until = None
                out.append(ev.Resumed(now.epoch))
            case StartRoutine():
                self._start_routine(now, command.routine, out)
            case CancelRoutine():
                self._cancel_routine(now, out)
            case PauseRoutine() | ResumeRoutine() | SkipStep():
                self._steer_routine(now, command, out)
        self._advance(now, out, looked=False)
        return out

    def _refusal(self, now: Moment, command: Command) -> ev.Refusal | None:
        """Why ``command`` cannot be done now, or None when it can.

        One routine at a time: one asked for while another is under way is refused, and the one
        under way goes on (a stray button or a second command never throws away the steps done).
        A snooze needs a sit under way, and, outside working hours, a prompt out to put off.
        Standing needs a sit-stand desk and a user sitting; sitting down, a user standing."""
        run, span = self.routine, self.span
        if isinstance(command, Snooze | StretchNow | StartRoutine) and run is not None:
            return ev.Refusal.IN_ROUTINE
        if isinstance(command, Snooze):
            if span is None:  # away, or standing: no sitting clock, no prompt to put off
                return ev.Refusal.STANDING if self.standing is not None else ev.Refusal.AWAY
            if not span.prompts and not self._in_hours(now):
                return ev.Refusal.OFF_HOURS
        if isinstance(command, ResumeReminders) and self.paused_until is None:
            return ev.Refusal.NOT_PAUSED
        if isinstance(command, Stand):
            if not self.settings.desk:
                return ev.Refusal.NO_DESK
            if run is not None:
                return ev.Refusal.IN_ROUTINE
            if self.standing is not None:
                return ev.Refusal.STANDING
        if isinstance(command, Skip) and run is None and self.standing is not None:
            return ev.Refusal.STANDING  # no sitting clock to start again
        if isinstance(command, Sit) and self.standing is None:
            return ev.Refusal.NOT_STANDING
        if isinstance(command, CancelRoutine | PauseRoutine | ResumeRoutine | SkipStep):
            if run is None:
                return ev.Refusal.NO_ROUTINE
            if isinstance(command, PauseRoutine) and run.paused:
                return ev.Refusal.PAUSED_ALREADY
            if isinstance(command, ResumeRoutine) and not run.paused:
                return ev.Refusal.NOT_PAUSED
        return None

    def reconfigure(self, settings: Settings) -> None:
        """The user changed their config: from now on it counts. A prompt not yet shown is due
        after the new sitting time; one already out, snoozed, put back by a routine stopped
        early or paused keeps its time. A desk taken out of the config ends a standing spell at
        the next look."""
        self.settings = settings
        span = self.span
        if span is not None and not span.prompts and not span.snoozed and not span.put_off:
            span.next_prompt = span.start + settings.sit

    # ----- outputs ------------------------------------------------------------------------

    def next_wakeup(self, now: Moment) -> float | None:
        """The steady time at which something may next happen; None if nothing can.

        A break can only complete ``break`` seconds after the last input we saw, so that is when
        to look; there is no need to look more often than that.
        """
        now = self._steady(now)
        times: list[float] = []
        if self.routine is not None:
            change = self.routine.next_change()
            if change is not None:
                times.append(change)
            return max(min(times), now.t) if times else None
        if self.standing is not None:
            times.append(self.standing.closes)  # the end of the working day ends it
            suggestion = self._suggestion_time(now)
            if suggestion is not None:
                times.append(suggestion)
            if self.sees_input:  # a natural break ends it too
                last = max(self._effective_last_input(), self.standing.since)
                times.append(last + self.settings.break_)
        elif self.span is not None:
            prompt = self._prompt_time(now)
            if self.span.held is not None and prompt is not None:
                prompt = max(prompt, now.t + self.settings.recheck)  # busy: look again later
            if prompt is not None:
                times.append(prompt)
            if self.sees_input:  # as _check_gap counts it: no break before the sit began
                last = max(self._effective_last_input(), self.span.start)
                times.append(last + self.settings.break_)
        elif self.returns_told and self._lock_input is None:
            # Told of the return (a locked screen is looked at until it opens): only a pause's
            # end can happen while away.
            if self.paused_until is not None:
                times.append(self.paused_until)
        elif self.sees_input:
            times.append(now.t + self.settings.away_poll)
        return max(min(times), now.t) if times else None

    def busy_matters(
        self, now: Moment, idle_seconds: float | None, locked: bool | None = None
    ) -> bool:
        """Whether it is worth asking the busy signals now: a prompt is due (or waiting), or the
        user's stillness would make a break of it. Never otherwise: nothing is looked at while
        nothing is due. ``locked`` is the lock as this look read it: the look that finds the
        screen unlocked again asks, or a prompt held through the lock would show mid-call."""
        now = self._steady(now)
        span = self.span
        locked = self._lock_input is not None if locked is None else locked
        standing = self.standing
        if (span is None and standing is None) or self.routine is not None or locked:
            return False
        if standing is not None:  # a suggestion to sit down or move is due: not mid-call either
            due = self._suggestion_time(now)
        else:  # a held one's time has come: still due
            due = self._prompt_time(now, as_unlocked=True)
        if due is not None and due <= now.t:
            return True
        if idle_seconds is None:
            return False
        began = standing.since if standing is not None else span.start  # type: ignore[union-attr]
        last = max(now.t - max(0.0, idle_seconds), self._effective_last_input(), began)
        return now.t - last >= self.settings.break_

    def status(self, now: Moment) -> Status:
        now = self._steady(now)
        if self.routine is not None:
            return Status(
                State.ROUTINE,
                0.0,
                None,
                self._epoch(now, self.paused_until),
                self.next_stretch(),
                self.routine.routine.id,
                self.routine.progress(now.t),
                self.routine.current_index,
                self.routine.paused,
            )
        sitting = now.t - self.span.start if self.span else 0.0
        prompt = self._prompt_time(now)
        standing = self.standing
        if self.span is None and standing is None:
            state = State.AWAY
        elif self.paused_until is not None and self.paused_until > now.t:
            state = State.PAUSED
        elif standing is not None:
            state = State.STANDING
        elif self.span is None:  # not reached: for the type checker
            state = State.AWAY
        elif not self._in_hours(now):
            state = State.OFF_HOURS
        elif self.span.held is not None:
            state = State.HELD
        elif self.span.snoozed:
            state = State.SNOOZED
        elif self.span.prompts or (prompt is not None and prompt <= now.t):
            state = State.DUE
        else:
            state = State.SITTING
        held = self.span.held if self.span else None
        return Status(
            state,
            sitting,
            self._epoch(now, prompt),
            self._epoch(now, self.paused_until),
            self.next_stretch(),
            held_for=held[1] if held else None,
            held_since=self._epoch(now, held[0]) if held else None,
            prompted_stretch=self.span.stretch if self.span and self.span.prompts else None,
            standing_since=self._epoch(now, standing.since) if standing else None,
        )

    def snapshot(self, now: Moment) -> dict[str, float | str | int | None]:
        """What a restart needs to carry the clock on, or to record the sit, in epoch seconds.

        ``span_start``, ``next_prompt`` and ``prompts`` describe the sit in progress, also while a
        routine has it parked (``routine_started`` then says when the routine stopped it);
        ``last_input`` is the last input seen and ``saved`` the moment of this reading.
        """
        span = self._routine_span if self.routine is not None else self.span
        last_input = min(self._effective_last_input(), now.t)
        return {
            "saved": now.epoch,
            "span_start": now.at(span.start).epoch if span else None,
            "next_prompt": (
                now.at(span.next_prompt).epoch if span and span.next_prompt is not None else None
            ),
            "prompts": span.prompts if span else 0,
            "snoozed": span.snoozed if span else False,
            "put_off": span.put_off if span else False,
            "last_input": now.at(last_input).epoch if math.isfinite(last_input) else None,
            "routine_started": now.at(self.routine.started).epoch if self.routine else None,
            "last_stretch": self.last_stretch,
            "stretch": span.stretch if span else None,
            "held_since": now.at(span.held[0]).epoch if span and span.held else None,
            "held_for": span.held[1] if span and span.held else None,
            "paused_until": (
                now.at(self.paused_until).epoch if self.paused_until is not None else None
            ),
            "no_prompt_before": (  # just woken or unlocked: no prompt yet, restart or not
                now.at(self._no_prompt_before).epoch if self._no_prompt_before > now.t else None
            ),
            **self._standing_snapshot(now),
        }

    def _standing_snapshot(self, now: Moment) -> dict[str, float | bool | None]:
        standing = self.standing
        if standing is None:
            return {"standing_since": None}
        return {
            "standing_since": now.at(standing.since).epoch,
            "standing_closes": now.at(standing.closes).epoch,
            "standing_suggested": standing.suggested,
        }

    def restore(self, now: Moment, saved: object) -> list[ev.Event]:
        """Take up a snapshot after a restart and return the events the time stopped implies.

        Back within a break of the sit's last known moment, the clock carries on (no events).
        After a longer gap that sit ended then: it comes back as a :class:`SittingSpan` and the
        clock starts afresh. A pause not over yet goes on. A snapshot with missing, malformed or
        future values changes nothing.
        """
        now = self._steady(now)
        if isinstance(saved, dict) and isinstance(saved.get("last_stretch"), str):
            self.last_stretch = saved["last_stretch"]
        until = saved_pause_end(saved, now.epoch)
        if until is not None:  # the user's pause outlives psoas, whatever became of the sit
            self.paused_until = now.t + (until - now.epoch)
        grace = saved_pause_end(saved, now.epoch, "no_prompt_before")
        if grace is not None:
            self._no_prompt_before = now.t + (grace - now.epoch)

        def steady(epoch: float) -> float:
            return now.t - (now.epoch - epoch)

        standing = SavedStanding.read(saved, now.epoch)
        if standing is not None:
            closes = standing.closes if standing.closes is not None else now.epoch
            if now.epoch - standing.end >= self.settings.break_ or closes <= now.epoch:
                return [standing.record()]  # it ended then (or at the end of its working day)
            self.standing = Standing(steady(standing.start), steady(closes), standing.suggested)
            self.last_input = steady(standing.end)
            self._busy_seen = max(self._busy_seen, self.last_input)
            self.away_since = None
            return []
        sit = SavedSit.read(saved, now.epoch)
        if sit is None or not isinstance(saved, dict):
            return []
        if now.epoch - sit.end >= self.settings.break_:
            return sit.records()  # the sit ended then, and any hold with it

        if sit.prompts or sit.snoozed or sit.put_off:  # a prompt out, or put off: its time stands
            next_prompt = None if sit.next_prompt is None else steady(sit.next_prompt)
        else:  # none yet: due after this run's sitting time (the config may have changed)
            next_prompt = steady(sit.start) + self.settings.sit
        if sit.parked and next_prompt is not None:
            # As after a routine stopped early: the prompt that led to it comes back later.
            next_prompt = max(next_prompt, now.t + (self.settings.repeat or self.settings.sit))
        self.span = _Span(
            steady(sit.start), next_prompt, sit.prompts, snoozed=sit.snoozed, put_off=sit.put_off
        )
        # The stretch the sit named; a snapshot from before sits kept it: the last, if prompted.
        named = saved.get("stretch", self.last_stretch if sit.prompts else None)
        self.span.stretch = named if isinstance(named, str) else None
        if sit.held is not None:  # the prompt held when psoas stopped waits on, the same hold
            self.span.held = (steady(sit.held[0]), sit.held[1])
        self.last_input = steady(sit.end)
        # The sit's last known moment may be one of a call without input: no break before it,
        # even if the screen is locked now (as _busy_seen says while psoas runs).
        self._busy_seen = max(self._busy_seen, self.last_input)
        self.away_since = None
        return []

    def next_stretch(self) -> str | None:
        """The stretch the next prompt (or Stretch now) will name: the one this sit named already,
        while it is still allowed; else the next in turn, never the last one when another is
        allowed."""
        allowed = self.settings.stretches
        if not allowed:
            return None
        if self.span is not None and self.span.stretch in allowed:
            return self.span.stretch
        if self.last_stretch in allowed:
            return allowed[(allowed.index(self.last_stretch) + 1) % len(allowed)]
        return allowed[0]

    def _name_stretch(self) -> str | None:
        """Name the stretch for this sit (see :meth:`next_stretch`), and remember it."""
        stretch = self.next_stretch()
        if stretch is not None:
            self.last_stretch = stretch
            if self.span is not None:
                self.span.stretch = stretch
        return stretch

    # ----- the rules ----------------------------------------------------------------------

    def _steady(self, now: Moment) -> Moment:
        """Never let the steady clock run backwards, whatever the caller's clock did."""
        if now.t < self._last_t:
            now = Moment(self._last_t, now.epoch)
        self._last_t = now.t
        return now

    def _in_hours(self, now: Moment) -> bool:
        return self.settings.hours.is_open(self.calendar.local(now.epoch))

    def _effective_last_input(self) -> float:
        """The last moment the user counts as at the desk: input, or busy (a call without typing
        is sitting, up to the lock that ends it)."""
        if self._lock_input is not None:
            return max(self._lock_input, self._busy_seen)
        return max(self.last_input, self._busy_seen)

    def _check_gap(self, now: Moment, at: float, out: list[ev.Event]) -> None:
        """If no input came for a full break before ``at``, the span (or the standing spell)
        ended at the last input."""
        if self.routine is not None:
            return
        if self.standing is not None:
            last = max(self._effective_last_input(), self.standing.since)
            if at - last >= self.settings.break_:
                self._end_standing(now, last, "break", out, then_sit=False)
                self.away_since = last
            return
        if self.span is None:
            return
        last = max(self._effective_last_input(), self.span.start)
        if at - last >= self.settings.break_:
            if last > self.span.start:  # a sit that never lasted is no sit
                out.append(ev.SittingSpan(now.at(self.span.start).epoch, now.at(last).epoch))
            self._end_hold(now, self.span, last, out)
            self.span = None
            self.away_since = last

    def _take_input(self, now: Moment, input_at: float, out: list[ev.Event]) -> None:
        """Record an input; if the user was away, the break ends and sitting starts again."""
        if input_at <= self.last_input or input_at < self._ignore_before:
            return
        self.last_input = input_at
        if self.routine is not None or self.span is not None or self.standing is not None:
            return
        if now.t - input_at >= self.settings.break_:
            # Seen for the first time, and already gone for a full break: still away.
            self.away_since = input_at if self.away_since is None else self.away_since
            return
        if self.away_since is not None:
            out.append(
                ev.BreakTaken(now.at(self.away_since).epoch, now.at(input_at).epoch, "natural")
            )
        self.away_since = None
        self.span = _Span(input_at, input_at + self.settings.sit)

    def _restart_span(self, now: Moment, out: list[ev.Event], taken: ev.BreakTaken | None) -> None:
        """Close the current span (or standing spell) and start a new one from zero at ``now``."""
        if self.standing is not None:
            self._end_standing(now, now.t, taken.how if taken else "sit", out, then_sit=False)
        if self.span is not None:
            out.append(ev.SittingSpan(now.at(self.span.start).epoch, now.epoch))
            self._end_hold(now, self.span, now.t, out)
        if taken is not None:
            out.append(taken)
        self.away_since = None
        self.last_input = max(self.last_input, now.t)
        self.span = _Span(now.t, now.t + self.settings.sit)

    def _pause_end(self, now: Moment, minutes: float | None) -> float:
        if minutes is not None:
            return now.t + minutes * 60
        tomorrow = self.settings.hours.next_day_start(self.calendar.local(now.epoch))
        return now.t + (self.calendar.epoch(tomorrow) - now.epoch)

    def _prompt_time(
        self, now: Moment, as_unlocked: bool = False, wake_grace: bool = True
    ) -> float | None:
        """When the next prompt may show: wanted, not paused, not just after waking (unless not
        ``wake_grace``), in hours; never on a locked screen (unless ``as_unlocked``: it has just
        been found unlocked)."""
        locked = self._lock_input is not None and not as_unlocked
        if self.span is None or self.span.next_prompt is None or locked:
            return None
        t = max(self.span.next_prompt, now.t, self._no_prompt_before if wake_grace else now.t)
        if self.paused_until is not None:
            t = max(t, self.paused_until)
        local = self.calendar.local(now.at(t).epoch)
        opens = self.settings.hours.next_open(local)
        if opens != local:
            t = now.t + (self.calendar.epoch(opens) - now.epoch)
        return t

    def _advance(self, now: Moment, out: list[ev.Event], looked: bool = True) -> None:
        """Everything that falls due at ``now``: routine steps, the end of a pause, a prompt.

        A prompt falls due only at a look (``looked``): one a command makes due (resuming,
        say) waits for the look that :meth:`next_wakeup` asks for at once, since only a look
        says whether the user is busy."""
        if self.routine is not None:
            self._advance_routine(now, out)
        if self.paused_until is not None and self.paused_until <= now.t:
            self.paused_until = None
            out.append(ev.Resumed(now.epoch))
        if self.standing is not None:
            self._advance_standing(now, out, looked)
        if self._lock_input is not None or self.span is None:
            return
        prompt = self._prompt_time(now)
        if prompt is None or prompt > now.t:
            due = self._prompt_time(now, wake_grace=False)
            if due is None or due > now.t:
                # Nothing due now (snoozed, paused, a new sit_minutes, hours over): none waits.
                self._end_hold(now, self.span, now.t, out)
            return  # only just woken: a held prompt waits on, the same hold
        if not looked:
            return
        if self._busy_now is not None:
            self._hold(now, self._busy_now, out)
            return
        self._show_prompt(now, out)
        repeat = self.settings.repeat
        self.span.next_prompt = now.t + repeat if repeat > 0 else None

    # ----- standing at a sit-stand desk (reminder.core.standing) -------------------------------

    def _stand(self, now: Moment, out: list[ev.Event]) -> None:
        """The user stands: the sit under way ends now (a prompt out is answered), and so does
        the sitting clock until they sit down again."""
        span = self.span
        if span is not None:
            if now.t > span.start:
                out.append(ev.SittingSpan(now.at(span.start).epoch, now.epoch))
            self._end_hold(now, span, now.t, out)
        self.span, self.away_since = None, None
        self.last_input = max(self.last_input, now.t)
        self.standing = Standing.starting(now, self.settings.hours, self.calendar)
        out.append(ev.StoodUp(now.epoch))

    def _end_standing(
        self, now: Moment, at: float, how: str, out: list[ev.Event], then_sit: bool = True
    ) -> None:
        """Standing ended at ``at`` (steady), for the reason ``how``; with ``then_sit`` the user
        sits from then on, the sitting clock starting from zero (the rules that follow a sit,
        a break or a lock among them, take it from there)."""
        standing = self.standing
        assert standing is not None
        at = max(at, standing.since)
        out.append(ev.StandingSpan(now.at(standing.since).epoch, now.at(at).epoch, how))
        self.standing = None
        if then_sit:
            self.span = _Span(at, at + self.settings.sit)

    def _suggestion_time(self, now: Moment) -> float | None:
        """When to suggest sitting down or moving: after the standing limit, once a spell; not
        while paused, nor outside working hours (it waits for them)."""
        standing = self.standing
        due = standing.suggestion_due(self.settings.standing_limit) if standing else None
        if due is None or self._lock_input is not None:
            return None
        due = max(due, now.t, self.paused_until or now.t)
        opens = self.settings.hours.next_open(self.calendar.local(now.at(due).epoch))
        due = max(due, now.t + (self.calendar.epoch(opens) - now.epoch))
        if self._last_said_busy:  # busy when last asked: look again later, not at once
            due = max(due, self._busy_seen + self.settings.recheck)
        return due

    def _advance_standing(self, now: Moment, out: list[ev.Event], looked: bool) -> None:
        """The working day's end closes a standing spell; past the limit psoas suggests a
        change, at a look, once, and not while the user is busy."""
        standing = self.standing
        assert standing is not None
        if standing.closes <= now.t:
            self._end_standing(now, standing.closes, "hours", out)
            return
        due = self._suggestion_time(now)
        if looked and due is not None and due <= now.t and self._busy_now is None:
            standing.suggested = True
            out.append(ev.StandingLong(now.epoch, now.t - standing.since))

    def _hold(self, now: Moment, reason: str, out: list[ev.Event]) -> None:
        """The user is busy: the prompt waits (once, however many repeats fall due meanwhile)."""
        assert self.span is not None
        if self.span.held is None:
            self.span.held = (now.t, reason)
            out.append(ev.PromptHeld(now.epoch, reason, now.t - self.span.start))

    def _end_hold(self, now: Moment, span: _Span | None, at: float, out: list[ev.Event]) -> None:
        """A held prompt stops waiting without being shown, whatever stopped it: its time held
        counts up to ``at`` (steady), as a shown one's counts up to its showing."""
        if span is None or span.held is None:
            return
        since, reason = span.held
        span.held = None
        end = max(at, since)
        out.append(ev.HoldEnded(now.at(end).epoch, reason, end - since))

    def _show_prompt(self, now: Moment, out: list[ev.Event]) -> None:
        """Name this sit's stretch; the prompt counts as unanswered until done, skip or snooze.
        A prompt that waited for the user to be free says so."""
        span = self.span
        assert span is not None
        stretch = self._name_stretch()
        held = span.held
        waited, why = (now.t - held[0], held[1]) if held else (0.0, None)
        sitting = now.t - span.start
        out.append(ev.PromptShown(now.epoch, stretch or "", sitting, span.prompts, waited, why))
        span.prompts += 1
        span.snoozed = False
        span.held = None

    def _start_routine(self, now: Moment, routine_id: str, out: list[ev.Event]) -> None:
        """The user stands up for a routine: sitting stops, prompts wait until it is over."""
        self._end_hold(now, self.span, now.t, out)  # the user stood up: the prompt is answered
        if self.standing is not None:
            self._end_standing(now, now.t, "routine", out, then_sit=False)
        self._routine_span, self.span = self.span, None
        routine = self.routines.routine(routine_id)
        self.routine = RoutineRun(routine, now.t, self.settings.routine_pace)
        length = sum(step.total_seconds for step in routine.steps) * self.settings.routine_pace
        out.append(ev.RoutineStarted(now.epoch, routine_id, length))

    def _steer_routine(
        self, now: Moment, command: PauseRoutine | ResumeRoutine | SkipStep, out: list[ev.Event]
    ) -> None:
        """Pause, resume or move on the routine under way (the refusals have been said)."""
        run = self.routine
        assert run is not None
        if isinstance(command, PauseRoutine):
            run.pause(now.t)
            out.append(ev.RoutinePaused(now.epoch, run.routine.id, run.current_index))
        elif isinstance(command, ResumeRoutine):
            run.resume(now.t)
            out.append(ev.RoutineResumed(now.epoch, run.routine.id, run.current_index))
        else:
            run.skip_step(now.t)

    def _advance_routine(self, now: Moment, out: list[ev.Event]) -> None:
        run = self.routine
        assert run is not None
        begun, finished = run.advance(now.t)
        for index in begun:
            step = run.routine.steps[index]
            out.append(
                ev.RoutineStepStarted(
                    now.at(run.step_start(index)).epoch,
                    run.routine.id,
                    index,
                    run.step_count,
                    step.stretch,
                    step.side,
                    *run.step_seconds(index),
                )
            )
        if finished:
            end = run.ends
            out.append(ev.RoutineFinished(now.at(end).epoch, run.routine.id))
            out.append(ev.BreakTaken(now.at(run.started).epoch, now.at(end).epoch, "routine"))
            self._end_routine(now, end, out)

    def _cancel_routine(self, now: Moment, out: list[ev.Event]) -> None:
        """Stopping early: a routine that lasted a full break was a break; a shorter one was not."""
        run = self.routine
        if run is None:
            return
        out.append(ev.RoutineCancelled(now.epoch, run.routine.id, run.current_index + 1))
        if now.t - run.started >= self.settings.break_:
            out.append(ev.BreakTaken(now.at(run.started).epoch, now.epoch, "routine"))
            self._end_routine(now, now.t, out)
            return
        span = self._routine_span or _Span(now.t, now.t + self.settings.sit)
        self.routine, self._routine_span, self.span = None, None, span
        self.last_input = max(self.last_input, now.t)
        if span.next_prompt is not None:
            # The prompt that led here stays unanswered: it comes back after the repeat time,
            # which a restart keeps (it is no longer the sitting time's).
            later = now.t + (self.settings.repeat or self.settings.sit)
            if later > span.next_prompt:
                span.next_prompt, span.put_off = later, True

    def _end_routine(self, now: Moment, end: float, out: list[ev.Event]) -> None:
        """After a routine the clock starts from zero; the user is taken to be back at the desk."""
        run, span = self.routine, self._routine_span
        if run is not None and span is not None:
            out.append(ev.SittingSpan(now.at(span.start).epoch, now.at(run.started).epoch))
        self.routine, self._routine_span = None, None
        self.away_since = None
        self.last_input = max(self.last_input, end)
        self.span = _Span(end, end + self.settings.sit)

    @staticmethod
    def _epoch(now: Moment, t: float | None) -> float | None:
        return None if t is None else now.at(t).epoch
