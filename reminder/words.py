"""Every sentence psoas says to its user, in one place: notifications, routine steps, the tray's
tooltip and status lines, button and menu labels, the terminal routine and the stats table.

One way to say a duration, one way to count things (both in :mod:`reminder.units`): the same
length reads the same everywhere.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from reminder.catalogue.text import routine_length
from reminder.core import commands as cmd
from reminder.core import events as ev
from reminder.core.stats import ANSWER_WINDOW, DayStats
from reminder.core.status import State, Status
from reminder.core.trend import Week
from reminder.units import clock, count, duration, snooze_choice

if TYPE_CHECKING:  # the catalogue's model says its routine lengths in these words
    from reminder.catalogue.model import Catalogue, Routine, RoutineStep
    from reminder.config import Config
    from reminder.core.timebase import Calendar

# ----- numbers --------------------------------------------------------------------------------


def pause_choice(minutes: float | None) -> str:
    """A pause choice as the tray's menu says it ('30 min', '1 h', 'Until tomorrow'): in the
    same words as a snooze choice."""
    return "Until tomorrow" if minutes is None else duration(minutes * 60)


def side_text(side: str | None) -> str:
    return {"left": "Left side", "right": "Right side"}.get(side or "", "")


# ----- notifications ----------------------------------------------------------------------------

#: The buttons a prompt offers, by the command each one sends (Snooze only while a prompt is out).
PROMPT_BUTTONS: dict[type[cmd.Command], str] = {
    cmd.Done: "I stretched",
    cmd.Snooze: "Snooze {minutes}",
    cmd.StartRoutine: "Desk routine",
}


#: The buttons a routine step offers, by the command each one sends: Pause, or Resume while
#: it is paused, then Next step and Stop.
ROUTINE_BUTTONS: dict[type[cmd.Command], str] = {
    cmd.PauseRoutine: "Pause",
    cmd.ResumeRoutine: "Resume",
    cmd.SkipStep: "Next step",
    cmd.CancelRoutine: "Stop",
}


def routine_buttons(paused: bool) -> tuple[tuple[str, str], ...]:
    """(command name, label) of each button a routine step offers."""
    left_out = cmd.PauseRoutine if paused else cmd.ResumeRoutine
    return tuple(
        (cmd.name_of(kind), label) for kind, label in ROUTINE_BUTTONS.items() if kind != left_out
    )


def prompt_buttons(snooze_minutes: float, snooze: bool = True) -> tuple[tuple[str, str], ...]:
    """(command name, label) of each button a prompt offers; without ``snooze`` (a stretch the
    user asked for, no prompt out), no Snooze."""
    return tuple(
        (cmd.name_of(kind), label.format(minutes=snooze_choice(snooze_minutes)))
        for kind, label in PROMPT_BUTTONS.items()
        if snooze or kind is not cmd.Snooze
    )


def notification_for(event: ev.Event, catalogue: Catalogue) -> tuple[str, str] | None:
    """(title, body) for an event the user should see, else None."""
    match event:
        case ev.PromptShown():
            stretch = catalogue.stretch(event.stretch)
            again = " (again)" if event.repeat else ""
            title = f"Time to stretch{again}: {stretch.name}"
            sat = duration(event.sitting_seconds)
            if event.held_for is not None:
                body = f"You sat through it: {sat}. {stretch.summary()}"
            else:
                body = f"You have been sitting for {sat}. {stretch.summary()}"
            return title, body
        case ev.StretchAsked():  # the user asked: no "time to", no time sat, never "again"
            stretch = catalogue.stretch(event.stretch)
            return f"Stretch now: {stretch.name}", stretch.summary()
        case ev.RoutineStepStarted():
            routine = catalogue.routine(event.routine)
            step = routine.steps[event.index]
            name = catalogue.stretch(step.stretch).name
            title = step_title(event.index, event.count, name, step.side)
            return title, step_text(
                routine, event.index, catalogue, event.seconds, event.rest_seconds
            )
        case ev.RoutinePaused():
            routine = catalogue.routine(event.routine)
            at = f"step {event.step + 1} of {len(routine.steps)}"
            return f"{routine.name}: paused at {at}", "It waits for you: resume when you are ready."
        case ev.RoutineFinished():
            routine = catalogue.routine(event.routine)
            return routine_done(routine), "Well done. The sitting clock starts again from zero."
    return None


def step_title(index: int, steps: int, name: str, side: str | None) -> str:
    """'Step 2 of 4: Bridge', 'Step 3 of 4: Standing hip flexor stretch, left side'."""
    title = f"Step {index + 1} of {steps}: {name}"
    return title + (f", {side_text(side).lower()}" if side else "")


def routine_done(routine: Routine) -> str:
    return f"{routine.name}: done"


def step_text(
    routine: Routine, index: int, catalogue: Catalogue, work_seconds: float, rest_seconds: float
) -> str:
    """A routine step as a person would say it: what to do now, on which side, for how long;
    then, on a line of its own, what comes next.

    ``work_seconds`` and ``rest_seconds`` are the times the user will really spend: the step's
    own, multiplied by their routine pace (a RoutineStepStarted event carries them so). The text
    then says "Hold 3 s" for a 30 s hold played at pace 0.1; the number of reps never changes.
    """
    step = routine.steps[index]
    stretch = catalogue.stretch(step.stretch)
    side = f"{stretch.side_words(step.side)}. " if step.side else ""
    now = f"{side}{stretch.how} {_amount(step, work_seconds)}"
    return f"{now}\n{_what_next(routine, index, catalogue, rest_seconds)}"


def _amount(step: RoutineStep, work_seconds: float) -> str:
    """'Hold 30 s.', 'Hold 10 s, 4 times.', '12 reps, slowly: about 36 s.'"""
    if step.hold_seconds is not None:
        hold = duration(work_seconds / step.reps, exact=True)
        return f"Hold {hold}." if step.reps == 1 else f"Hold {hold}, {step.reps} times."
    how_long = duration(work_seconds, exact=True)
    return f"{count(step.reps, 'rep')}, {step.cue or 'slowly'}: about {how_long}."


def _what_next(routine: Routine, index: int, catalogue: Catalogue, rest_seconds: float) -> str:
    """'Then rest 5 s and switch sides.', 'Then take 10 s to stand up; next: Bridge.',
    'Last step: then back to work.'"""
    step = routine.steps[index]
    rest = duration(rest_seconds, exact=True)
    if index + 1 == len(routine.steps):
        after = step.then or "you are done"
        return (
            f"Last step: then rest {rest} and {after}."
            if rest_seconds
            else f"Last step: then {after}."
        )
    if step.then:
        pause = f"take {rest} to {step.then}" if rest_seconds else step.then
    else:
        pause = f"rest {rest}" if rest_seconds else ""
    following = routine.steps[index + 1]
    if following.stretch != step.stretch:
        name = catalogue.stretch(following.stretch).name
        return f"Then {pause}; next: {name}." if pause else f"Next: {name}."
    again = "switch sides" if following.side != step.side else "do the same again"
    return f"Then {pause} and {again}." if pause else f"Then {again}."


# ----- the log -----------------------------------------------------------------------------------


def log_line(event: ev.Event, now: float) -> str:
    """An event in one readable line for the log: 'prompt at 10:17:03: stretch bridge, sitting
    1 h 05 min, repeat 1'; 'sitting 09:00:00-10:05:00'. Moments are local times (with the day
    when it is not today's), durations as everywhere else; empty fields are left out."""
    today = datetime.fromtimestamp(now).date()

    def moment(epoch: float) -> str:
        then = datetime.fromtimestamp(epoch)
        return f"{then:%H:%M:%S}" if then.date() == today else f"{then:%Y-%m-%d %H:%M:%S}"

    fields = {field.name: getattr(event, field.name) for field in dataclasses.fields(event)}
    if "at" in fields:
        line = f"{event.kind} at {moment(fields.pop('at'))}"
    else:
        line = f"{event.kind} {moment(fields.pop('start'))}-{moment(fields.pop('end'))}"
    steps = fields.pop("count", None)
    said = []
    for name, value in fields.items():
        if value is None or value == "" or (name.endswith("seconds") and not value):
            continue
        if name in ("index", "step"):  # a routine's step, from 1 as everywhere a user reads it
            said.append(f"step {value + 1}" + (f" of {steps}" if steps else ""))
            continue
        label = "lasting" if name == "seconds" else name.removesuffix("_seconds").replace("_", " ")
        if name in ev.MOMENTS:
            value = moment(value)
        elif name.endswith("seconds"):
            value = duration(value, exact=True)
        said.append(f"{label} {value}")
    return f"{line}: {', '.join(said)}" if said else line


# ----- being busy -------------------------------------------------------------------------------

#: Why a prompt waits, in words: by the busy signal's reason.
BUSY_WORDS = {
    "dnd": "do not disturb",
    "fullscreen": "fullscreen",
    "call": "on a call",
    "camera": "camera on",
    "apps": "a quiet app running",
}


def held_line(status: Status, now: float) -> str:
    """Why a prompt waits, and since when: 'on a call since 10:02'."""
    why = BUSY_WORDS.get(status.held_for or "", status.held_for or "busy")
    return f"{why} since {when(status.held_since or now, now)}"


# ----- the tray ---------------------------------------------------------------------------------


def tooltip(status: Status, catalogue: Catalogue, now: float) -> str:
    """The state in words: 'Sitting 42 min - stretch in 18 min'."""
    sitting = f"Sitting {duration(status.sitting_seconds)}"
    due_in = None if status.next_prompt is None else max(0.0, status.next_prompt - now)
    match status.state:
        case State.ROUTINE if status.routine_paused:
            return f"{_routine_name(status, catalogue)}: paused at {_step_of(status, catalogue)}"
        case State.ROUTINE:
            done = round(status.routine_progress * 100)
            return (
                f"{_routine_name(status, catalogue)}: {_step_of(status, catalogue)}, {done}% done"
            )
        case State.AWAY:
            return "Away from the desk - the sitting clock is at zero"
        case State.PAUSED:
            return f"{sitting} - reminders paused until {clock(status.paused_until or now)}"
        case State.OFF_HOURS:
            return f"{sitting} - outside working hours"
        case State.SNOOZED:
            return f"{sitting} - snoozed, stretch in {duration(due_in or 0)}"
        case State.DUE:
            return f"{sitting} - time to stretch"
        case State.HELD:
            return f"{sitting} - prompt held: {held_line(status, now)}"
    if due_in is None:
        return sitting
    return f"{sitting} - stretch in {duration(due_in)}"


def status_line(status: Status, catalogue: Catalogue, at: float) -> str:
    """The menu's first line, in clock times so it is never stale while the menu is open."""
    since = f"Sitting since {clock(at - status.sitting_seconds)}"
    match status.state:
        case State.ROUTINE:
            return routine_line(status, catalogue)
        case State.AWAY:
            return "Away from the desk"
        case State.PAUSED:
            return f"Reminders paused until {clock(status.paused_until or at)}"
        case State.OFF_HOURS:
            return f"{since} · outside working hours"
        case State.SNOOZED:
            return f"{since} · snoozed until {clock(status.next_prompt or at)}"
        case State.DUE:
            return f"{since} · time to stretch"
        case State.HELD:
            return f"{since} · prompt held: {held_line(status, at)}"
    if status.next_prompt is None:
        return since
    return f"{since} · stretch at {clock(status.next_prompt)}"


def today_line(today: DayStats) -> str:
    """'Today: sat 3 h 10 min, longest 1 h 05 min, 4 breaks, 2 stretches'."""
    breaks = today.breaks_natural + today.breaks_prompted
    done = sum(today.stretches_done.values())
    longest = f", longest {duration(today.longest_sit_seconds)}" if today.sat_seconds else ""
    return (
        f"Today: sat {duration(today.sat_seconds)}{longest}, {count(breaks, 'break')}, "
        f"{count(done, 'stretch', 'stretches')}"
    )


NO_HISTORY_YET = "No history yet: psoas records your sitting once it runs ('psoas run')."


def trend_lines(now: Week, before: Week) -> list[str]:
    """This week against the four before, in the figures the studies watch."""

    def per_day(week: Week) -> str:
        value = week.bouts_per_day
        if value is None:
            return "-"
        return "none" if round(value, 1) == 0 else f"{value:.1f}".removesuffix(".0") + " a day"

    def rate(week: Week) -> str:
        value = week.answer_rate
        return "no prompts" if value is None else f"{round(value * 100)}%"

    def longest(week: Week) -> str:
        return duration(week.longest_seconds) if week.longest_seconds > 0 else "-"

    return [
        f"Bouts of an hour or more: {per_day(now)} this week, {per_day(before)} in the four "
        "weeks before.",
        f"Longest bout: {longest(now)} this week, {longest(before)} before.",
        f"Prompts answered within {duration(ANSWER_WINDOW)}: {rate(now)} this week, "
        f"{rate(before)} before.",
    ]


def routine_line(status: Status, catalogue: Catalogue) -> str:
    """The routine under way: 'Desk break: step 2 of 4', 'Desk break: paused at step 2 of 4'."""
    paused = "paused at " if status.routine_paused else ""
    return f"{_routine_name(status, catalogue)}: {paused}{_step_of(status, catalogue)}"


def _routine_name(status: Status, catalogue: Catalogue) -> str:
    return catalogue.routine(status.routine).name if status.routine else "Routine"


# ----- the terminal -----------------------------------------------------------------------------


def terminal_routine_start(routine: Routine, pace: float, keys: bool = True) -> str:
    """'Desk break: 4 steps, 2 min 15 s.', and the keys where they can be pressed."""
    steps = count(len(routine.steps), "step")
    said = f"{routine.name}: {steps}, {routine_length(routine, pace)}."
    return said + (" Space pauses, s skips a step, q stops." if keys else "")


def terminal_routine_end(routine: Routine, finished: bool) -> str:
    return f"{routine.name}: done. Well done." if finished else f"{routine.name}: stopped."


def picture_line(path: object) -> str:
    return f"Picture of the pose: {path}"


def countdown(left_seconds: float, paused: bool) -> str:
    return "paused" if paused else f"{duration(left_seconds, exact=True)} left in this step"


#: The columns of ``psoas stats``, and of the settings page's Progress: name, width, the cell.
STATS_COLUMNS: tuple[tuple[str, int, Callable[[DayStats], object]], ...] = (
    ("sat", 11, lambda d: duration(d.sat_seconds)),
    ("longest", 11, lambda d: duration(d.longest_sit_seconds)),
    ("30+", 4, lambda d: d.bouts_over_30),
    ("60+", 4, lambda d: d.bouts_over_60),
    ("breaks", 7, lambda d: d.breaks_natural),
    ("stretched", 10, lambda d: d.breaks_prompted),
    ("prompts", 8, lambda d: d.prompts),
    ("answered", 9, lambda d: _share(d.prompts_answered, d.prompts)),
)
#: What the columns mean, under the table.
STATS_MEANING = (
    "sat: time sat that day. longest: the longest bout, one sit between two breaks. 30+, 60+: "
    "bouts of half an hour and of an hour or more. breaks: times you got up on your own. "
    "stretched: breaks after a prompt (I stretched, or a routine). prompts: first prompts, "
    f"repeats not counted. answered: those followed by a break within {duration(ANSWER_WINDOW)}."
)


def stretches_done(day: DayStats) -> str:
    """'bridge x2, standing x1', or '-'."""
    return ", ".join(f"{k} x{v}" for k, v in sorted(day.stretches_done.items())) or "-"


def stats_table(days: Sequence[DayStats]) -> str:
    """``psoas stats``: a line a day within 80 columns, what the days add up to, and what the
    columns mean."""
    import textwrap  # only here: the daemon, which loads these words, never shows the table

    columns = STATS_COLUMNS
    header = f"{'day':<15}" + "".join(f"{name:>{width}}" for name, width, _ in columns)
    lines = [header]
    for d in days:
        cells = "".join(f"{cell(d)!s:>{width}}" for _, width, cell in columns)
        lines.append(f"{d.day:%a %Y-%m-%d} {cells}")
    done: dict[str, int] = {}
    for d in days:
        for stretch, times in d.stretches_done.items():
            done[stretch] = done.get(stretch, 0) + times
    # "bridge x7" never split over two lines: a no-break space, back to a space once wrapped.
    stretches = ", ".join(f"{k}\xa0x{v}" for k, v in sorted(done.items())) or "none"
    snoozes, routines = sum(d.snoozes for d in days), sum(d.routines_done for d in days)
    total = (
        f"These {count(len(days), 'day')}: {count(snoozes, 'snooze')}, "
        f"{count(routines, 'routine')} done. Stretches done: {stretches}."
    )
    lines += ["", *textwrap.wrap(total, 79), "", *textwrap.wrap(STATS_MEANING, 79)]
    return "\n".join(lines).replace("\xa0", " ")


def chart_written(path: object, weeks: int | None) -> str:
    """What ``psoas stats --chart FILE`` says: what it drew, and where."""
    drawn = f"the last {count(weeks, 'week')}" if weeks else "this week"
    return f"Chart of {drawn}: {path}"


def _share(part: int, whole: int) -> str:
    return "-" if not whole else f"{part} ({round(part / whole * 100)}%)"


# ----- answers to commands -------------------------------------------------------------------


def when(epoch: float, now: float) -> str:
    """A moment to come, as near as it is: '10:17' today, 'tomorrow 09:00', 'Mon 09:00'."""
    then, today = datetime.fromtimestamp(epoch), datetime.fromtimestamp(now).date()
    if then.date() == today:
        return f"{then:%H:%M}"
    if (then.date() - today).days == 1:
        return f"tomorrow {then:%H:%M}"
    return f"{then:%a %H:%M}" if (then.date() - today).days < 7 else f"{then:%a %d %b %H:%M}"


def next_prompt(status: Status, now: float) -> str:
    if status.next_prompt is None:
        return "no prompt is planned"
    return f"next prompt at {when(status.next_prompt, now)}"


def summary(status: Status, now: float, catalogue: Catalogue) -> str:
    """``psoas status`` in one sentence."""
    sitting = f"Sitting for {duration(round(status.sitting_seconds))}"  # not 0.062 s
    match status.state:
        case State.AWAY:
            return "Away from the desk: the sitting clock is at zero."
        case State.ROUTINE:
            return f"{routine_line(status, catalogue)}."
        case State.DUE:
            stretch = status.prompted_stretch or status.next_stretch
            name = catalogue.stretch(stretch).name if stretch else ""
            return f"{sitting}; time to stretch{': ' + name if name else ''}."
        case State.SNOOZED:
            return f"{sitting}; snoozed, {next_prompt(status, now)}."
        case State.HELD:
            return f"{sitting}; a prompt waits until you are free: {held_line(status, now)}."
        case State.PAUSED:
            return f"{sitting}; reminders paused until {when(status.paused_until or now, now)}."
        case State.OFF_HOURS:
            return f"{sitting}; outside working hours, {_no_prompt_before(status, now)}."
    return f"{sitting}; {next_prompt(status, now)}."


def answer(
    command: cmd.Command,
    events: Sequence[ev.Event],
    status: Status,
    now: float,
    catalogue: Catalogue,
) -> str:
    """What a command from the command line did, in one line, from the events it brought
    (a refusal among them says why it did nothing) and ``status``, the state after it."""
    refused = next((e for e in events if isinstance(e, ev.CommandRefused)), None)
    if refused is not None:
        return refusal(command, refused.reason, status, now, catalogue)
    match command:
        case cmd.Snooze():
            return f"Snoozed: {next_prompt(status, now)}"
        case cmd.Done():
            stretch = next((e.stretch for e in events if isinstance(e, ev.BreakTaken)), None)
            named = f" ({catalogue.stretch(stretch).name})" if stretch else ""
            return (
                f"Noted, you stretched{named}: the clock starts again, {next_prompt(status, now)}"
            )
        case cmd.Skip():
            return f"Skipped: the clock starts again, {next_prompt(status, now)}"
        case cmd.Pause():
            return f"Paused: no prompts until {when(status.paused_until or now, now)}"
        case cmd.ResumeReminders():
            return f"Reminders on again: {next_prompt(status, now)}"
        case cmd.StretchNow():
            asked = next((e.stretch for e in events if isinstance(e, ev.StretchAsked)), None)
            return (
                f"Stretch now: {catalogue.stretch(asked).name}" if asked else "No stretch to show"
            )
        case cmd.StartRoutine():
            started = next(e for e in events if isinstance(e, ev.RoutineStarted))
            routine = catalogue.routine(started.routine)
            length = duration(started.seconds, exact=True)
            return f"{routine.name} started: {count(len(routine.steps), 'step')}, {length}"
        case cmd.PauseRoutine():
            return f"Routine paused at {_step_of(status, catalogue)}: {RESUME_ROUTINE}"
        case cmd.ResumeRoutine():
            return f"Routine resumed at {_step_of(status, catalogue)}"
        case cmd.SkipStep():
            finished = next((e for e in events if isinstance(e, ev.RoutineFinished)), None)
            if finished is not None:
                name = catalogue.routine(finished.routine).name
                return f"{name} done: {next_prompt(status, now)}"
            return f"On to {_step_of(status, catalogue)}"
        case cmd.CancelRoutine():
            return f"Routine stopped: {next_prompt(status, now)}"
    return "Done"


#: What each command would have done, as "Nothing to ..." says when there was nothing to do.
_NOTHING_TO: dict[type[cmd.Command], str] = {
    cmd.Snooze: "snooze",
    cmd.ResumeReminders: "resume",
    cmd.PauseRoutine: "pause",
    cmd.ResumeRoutine: "resume",
    cmd.SkipStep: "skip",
    cmd.CancelRoutine: "stop",
    cmd.StretchNow: "show",
}


def refusal(
    command: cmd.Command, reason: ev.Refusal, status: Status, now: float, catalogue: Catalogue
) -> str:
    """Why a command did nothing, as the core said it: 'Nothing to snooze: ...'."""
    nothing_to = f"Nothing to {_NOTHING_TO.get(type(command), 'do')}"
    match reason:
        case ev.Refusal.IN_ROUTINE if isinstance(command, cmd.StartRoutine):
            return routine_refused(command.routine, status, catalogue)
        case ev.Refusal.IN_ROUTINE:
            return f"{nothing_to}: a routine is under way"
        case ev.Refusal.AWAY:
            return f"{nothing_to}: you are away from the desk, so no prompt is due"
        case ev.Refusal.OFF_HOURS:
            return f"{nothing_to}: {_no_prompt_before(status, now)}"
        case ev.Refusal.NO_ROUTINE:
            return f"{nothing_to}: no routine is under way"
        case ev.Refusal.NOT_PAUSED if isinstance(command, cmd.ResumeRoutine):
            return f"{nothing_to}: the routine is not paused"
        case ev.Refusal.NOT_PAUSED:
            return f"{nothing_to}: reminders are not paused"
        case ev.Refusal.PAUSED_ALREADY:
            return f"Already paused at {_step_of(status, catalogue)}: {RESUME_ROUTINE}"
    return nothing_to


RESUME_ROUTINE = "psoas routine --resume goes on with it"


def _step_of(status: Status, catalogue: Catalogue) -> str:
    """'step 2 of 4': where the routine under way is."""
    steps = len(catalogue.routine(status.routine).steps) if status.routine else 0
    return f"step {max(status.routine_step + 1, 1)} of {steps}"


def routine_refused(wanted: str, status: Status, catalogue: Catalogue) -> str:
    """Why a routine did not start: one is under way already (``status`` says which, and
    where), and how to stop it."""
    running = catalogue.routine(status.routine) if status.routine else None
    if running is None:
        return "A routine is under way already"
    at = _step_of(status, catalogue)
    if wanted == running.id:
        return f"{running.name} is under way already ({at})"
    return (
        f"{running.name} is under way ({at}); to start {catalogue.routine(wanted).name} "
        "instead, stop it first: psoas routine --stop"
    )


def stopping(pid: int) -> str:
    """``psoas quit``: the running psoas takes a last look, writes its history and ends."""
    return f"Stopping psoas (pid {pid})"


def _no_prompt_before(status: Status, now: float) -> str:
    if status.next_prompt is None:
        return "no prompt is planned"
    return f"no prompt before {when(status.next_prompt, now)}"


# ----- login and menu entries ------------------------------------------------------------------

#: What psoas autostart and psoas desktop-entry say, by the entry: what it does when there,
#: what it does not when absent, the command that changes that, and what its removal did.
ENTRIES = {
    "autostart": (
        "psoas starts at login",
        "psoas does not start at login",
        "psoas autostart enable sets it to",
        "psoas no longer starts at login",
    ),
    "desktop-entry": (
        "psoas is in your application menu",
        "psoas is not in your application menu",
        "psoas desktop-entry install puts it there",
        "psoas is no longer in your application menu",
    ),
}


def entry_state(entry: str, state: str, path: object) -> str:
    """``psoas autostart status`` and ``psoas desktop-entry status``, in the same words as
    what enable and install say: 'psoas starts at login: PATH'."""
    there, absent, change, _ = ENTRIES[entry]
    if state == "installed":
        return f"{there}: {path}"
    if state == "foreign":
        return f"{absent}: {path} is another program's entry, left as it is"
    return f"{absent}: {change}"


def entry_removed(entry: str, path: object | None) -> str:
    """What ``psoas autostart disable`` and ``psoas desktop-entry remove`` did."""
    _, absent, _, gone = ENTRIES[entry]
    return f"{gone}: {path} removed" if path else f"{absent}: nothing to remove"


# ----- the config ------------------------------------------------------------------------------

CONFIG_NOT_APPLIED = "psoas: your config change was not applied"
#: What ``psoas status`` adds to the tray while the session bus is lost.
BUS_LOST = "not shown: the session bus is lost; psoas is getting it back"


def config_line(config: Config) -> str:
    """'a prompt after 45 min of sitting, Mon-Fri 09:00-18:00'."""
    days = re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)\b")
    hours = days.sub(lambda found: found[0].title(), config.hours.describe())
    return f"a prompt after {duration(config.sit_seconds)} of sitting, {hours}"


def config_settings(shown: dict[str, str], defaults: dict[str, str] | None = None) -> list[str]:
    """``psoas config check``: each setting as the file writes it, and with ``defaults``, which
    of them the file leaves as they are. The lines read as a config file of their own."""
    lines = [f"{key} = {value}" for key, value in shown.items()]
    if defaults is None:
        return [f"  {line}" for line in lines]
    width = max(map(len, lines))
    return [
        f"  {line:<{width}}  # default" if defaults.get(key) == value else f"  {line}"
        for line, (key, value) in zip(lines, shown.items(), strict=True)
    ]


CONFIG_WARNINGS = "psoas: your config change was applied, with a warning"


def config_warning(origin: str, warning: str) -> str:
    """One warning as ``psoas config check`` and ``psoas run`` say it."""
    return f"psoas: {origin}: warning: {warning}"


def running(config: Config, now: float, calendar: Calendar) -> str:
    """The line ``psoas run`` starts with: what it will do, and when it starts to (it may be
    evening: then nothing happens for hours, and that is right)."""
    line = f"psoas is running: {config_line(config)}"
    local = calendar.local(now)
    opens = config.hours.next_open(local)
    if opens != local:
        line += f" (now outside those hours; next from {when(calendar.epoch(opens), now)})"
    return line


def runtime_refused(problem: str) -> str:
    """``psoas run``'s one line for a runtime folder that is not safely the user's."""
    return f"psoas: {problem}: set XDG_RUNTIME_DIR to a folder only you can write in"


def no_instance_lock(problem: str) -> str:
    """``psoas run``'s one line when it cannot make sure it runs only once."""
    return f"psoas: cannot make sure no other psoas runs ({problem}); not starting"


def no_session_bus(tray: bool) -> str:
    """``psoas run``'s one line for a desktop without a D-Bus session bus: all that it costs
    (the tray, when one was wanted; notification popups)."""
    lost = "no tray icon, and notifications" if tray else "notifications"
    return f"no D-Bus session bus: {lost} go to the terminal"


def config_not_opened(path: object, problem: str) -> tuple[str, str]:
    return (
        "psoas: your config file",
        f"It could not be opened ({problem}). It is {path}: open it with your text editor.",
    )


def chart_not_opened(path: object) -> tuple[str, str]:
    return "psoas: this week's chart", f"Nothing here opens pictures; the chart is {path}."


def chart_not_drawn(problem: str) -> tuple[str, str]:
    return "psoas: this week's chart", f"It could not be drawn ({problem})."


def settings_not_opened(problem: str) -> tuple[str, str]:
    return "psoas: the settings", f"They could not be opened: {problem}"


#: What a menu entry the user chose is called when it failed: "psoas could not {...}".
SHOW_CHART = "show this week's chart"
OPEN_CONFIG = "open your config file"
OPEN_SETTINGS = "open the settings"


def menu_entry(label: str) -> str:
    """A menu entry, as :func:`action_failed` names it: 'do “Snooze”'."""
    return f"do “{label}”"


def action_failed(action: str, log_folder: object) -> tuple[str, str]:
    """The one line a user gets back when what they just asked for failed on psoas's side."""
    return (
        f"psoas could not {action}",
        f"Something went wrong inside psoas; its log in {log_folder} says what.",
    )
