"""The core as a state machine, driven by hypothesis: random sequences of input, absence, lock,
suspend, busy spells, commands, config changes and restarts, woken whenever it asks, as the daemon
wakes it. After every step the invariants of the sitting contract must hold:

- sitting spans never overlap, and each ends after it starts; at a sit-stand desk, standing
  spans never overlap each other or a sitting span (the user stands or sits, never both);
- no prompt shows while the screen is locked, reminders are paused or the user is busy (a prompt
  the user asks for with "Stretch now" aside);
- the next wake-up is never in the past, and a prompt that is due is shown or held at that look;
- a command refused changes nothing, and says so alone;
- a restart at any moment (snapshot, then restore into a new core) carries on the same future: the
  same state, the same next prompt.
"""

from __future__ import annotations

from datetime import datetime

from conftest import EVERY_DAY, make_config
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from reminder.catalogue.loader import load_catalogue
from reminder.config import settings_for
from reminder.core import commands as cmd
from reminder.core import events as ev
from reminder.core.sitting import SittingCore
from reminder.core.status import NOT_ASKED, Busy
from reminder.core.step import Reading, busy_matters, next_look, take_step
from reminder.core.timebase import FixedCalendar, Moment

CATALOGUE = load_catalogue()
START = FixedCalendar().epoch(datetime(2024, 1, 1, 8, 0))
CONFIGS = [
    "sit_minutes = 30\nbreak_minutes = 5\nrepeat_minutes = 10\n[desk]\nstanding = true\n",
    "sit_minutes = 60\nbreak_minutes = 3\nrepeat_minutes = 0\n",
    "sit_minutes = 20\nbreak_minutes = 8\nrepeat_minutes = 5\n"
    "[desk]\nstanding = true\nstanding_minutes = 15\n",
]


def core_settings(index: int):
    return settings_for(make_config(CONFIGS[index] + EVERY_DAY, CATALOGUE), CATALOGUE)


class SittingMachine(RuleBasedStateMachine):
    """One core and a simulated person in front of it (see the module's docstring)."""

    @initialize(config=st.integers(0, len(CONFIGS) - 1))
    def start(self, config: int) -> None:
        self.core = SittingCore(core_settings(config), FixedCalendar(), CATALOGUE)
        self.t = START
        self.active, self.last_input, self.locked = True, START, False
        self.busy: str | None = None
        self.spans: list[ev.SittingSpan | ev.StandingSpan] = []
        self.asked_for_prompt = False
        self._look()

    # ----- the person and the time ---------------------------------------------------------

    def _now(self) -> Moment:
        return Moment(self.t, self.t)

    def _idle(self) -> float:
        return 0.0 if self.active and not self.locked else self.t - self.last_input

    def _look(
        self,
        slept_since: float | None = None,
        core: SittingCore | None = None,
        command: cmd.Command | None = None,
    ) -> None:
        """The daemon's step (reminder.core.step): a look at the user, the busy signals asked
        when the core says it matters, then ``command``."""
        core = core or self.core
        now = self._now()
        reading = Reading(self._idle(), self.locked, slept_since)
        busy = Busy(self.busy) if busy_matters(core, now, reading) else NOT_ASKED
        step = take_step(core, now, reading, busy, command)
        # What the look showed is checked against the state the look left (before the command).
        self._check(step.seen, core, step.before)
        self._check(step.answer, core)
        if any(isinstance(event, ev.CommandRefused) for event in step.answer):
            # A refusal says why nothing changed: the refusal alone, the state as it was.
            assert [type(event) for event in step.answer] == [ev.CommandRefused], step.answer
            assert step.before == step.after, (command, step.before, step.after)

    def _check(self, events: list[ev.Event], core: SittingCore, status=None) -> None:
        after = status or core.status(self._now())
        for event in events:
            if isinstance(event, ev.SittingSpan | ev.StandingSpan):
                assert event.start <= event.end, event
                if self.spans:
                    assert event.start >= self.spans[-1].end, (self.spans[-1], event)
                self.spans.append(event)
            if isinstance(event, ev.StandingLong):
                assert not self.locked, "a suggestion on a locked screen"
                assert self.busy is None, f"a suggestion while busy ({self.busy})"
            if isinstance(event, ev.PromptShown) and not self.asked_for_prompt:
                assert not self.locked, "a prompt on a locked screen"
                assert after.paused_until is None, "a prompt while paused"
                assert self.busy is None, f"a prompt while busy ({self.busy})"
        wake = next_look(core, self._now())
        assert wake is None or wake >= self.t, (wake, self.t)

    @rule(seconds=st.floats(1, 4 * 3600))
    def time_passes(self, seconds: float) -> None:
        """Time goes by, the core woken whenever it asked to be."""
        end = self.t + seconds
        looked_at = None
        while (wake := next_look(self.core, self._now())) is not None and wake <= end:
            assert wake != looked_at, f"woken at {wake - START} s again, nothing having changed"
            self.t = looked_at = max(wake, self.t)
            if self.active and not self.locked:
                self.last_input = self.t
            self._look()
        self.t = end
        if self.active and not self.locked:
            self.last_input = self.t

    @rule()
    def user_leaves(self) -> None:
        self.active = False

    @rule()
    def user_comes_back(self) -> None:
        self.active, self.last_input = True, self.t
        self._look()

    @rule(locked=st.booleans())
    def lock(self, locked: bool) -> None:
        if self.locked == locked:
            return
        if locked and self.active:
            self.last_input = self.t
        self.locked = locked
        if not locked:
            self.active, self.last_input = True, self.t
        self._look()

    @rule(seconds=st.floats(60, 8 * 3600))
    def machine_sleeps(self, seconds: float) -> None:
        self._look()
        asleep = self.t
        self.t += seconds
        self.active, self.last_input, self.locked = True, self.t, False
        self._look(slept_since=asleep)

    @rule(reason=st.sampled_from([None, "call", "dnd", "fullscreen"]))
    def busy_changes(self, reason: str | None) -> None:
        self.busy = reason

    @rule(
        command=st.sampled_from(
            [
                cmd.Snooze(5),
                cmd.Snooze(None),
                cmd.Skip(),
                cmd.Done(),
                cmd.Pause(30),
                cmd.Pause(None),
                cmd.ResumeReminders(),
                cmd.StartRoutine("desk"),
                cmd.StartRoutine("floor"),
                cmd.CancelRoutine(),
                cmd.PauseRoutine(),
                cmd.ResumeRoutine(),
                cmd.SkipStep(),
                cmd.StretchNow(),
                cmd.Stand(),
                cmd.Sit(),
            ]
        )
    )
    def user_asks(self, command: cmd.Command) -> None:
        self.asked_for_prompt = isinstance(command, cmd.StretchNow)
        try:
            self._look(command=command)
        finally:
            self.asked_for_prompt = False

    @rule(config=st.integers(0, len(CONFIGS) - 1))
    def config_changes(self, config: int) -> None:
        self.core.reconfigure(core_settings(config))
        self._look()

    @rule()
    def restart(self) -> None:
        """psoas stops and starts again at once: the new core carries on where the old one was."""
        self._look()
        now = self._now()
        if self.core.routine is not None or self.locked:
            return  # a routine ends with its psoas; a locked screen is read afresh
        saved = self.core.snapshot(now)
        again = SittingCore(self.core.settings, FixedCalendar(), CATALOGUE)
        again.restore(now, saved)
        self._look(core=again)  # the new psoas's first look, as the daemon takes it
        old, new = self.core.status(now), again.status(now)
        assert (new.state, new.next_prompt, new.paused_until, new.standing_since) == (
            old.state,
            old.next_prompt,
            old.paused_until,
            old.standing_since,
        ), (old, new)
        self.core = again

    @invariant()
    def wakes_in_the_future(self) -> None:
        wake = self.core.next_wakeup(self._now())
        assert wake is None or wake >= self.t


TestSittingMachine = SittingMachine.TestCase
TestSittingMachine.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
