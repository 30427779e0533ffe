"""Every sentence psoas says to its user, in one place: notifications, routine steps, the tray's
tooltip and status lines, button and menu labels, the terminal routine and the stats table.

One way to say a duration (:func:`duration`), one way to count things (:func:`count`): the same
length reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from reminder.core import events as ev
from reminder.core.stats import DayStats
from reminder.core.status import State, Status

if TYPE_CHECKING:  # the catalogue's model says its routine lengths in these words
    from reminder.catalogue.model import Catalogue, Routine, RoutineStep

# ----- numbers --------------------------------------------------------------------------------


def duration(seconds: float, exact: bool = False) -> str:
    """How long, as people say it: '45 s', '42 min', '1 h 05 min'.

    ``exact`` keeps the seconds of anything under an hour ('2 min 15 s'), for routine lengths
    and countdowns. Under ten seconds it gives two figures ('2.5 s'), as tiny demo minutes and
    quick routine paces make them.
    """
    seconds = max(0.0, seconds)
    if seconds < 10 and seconds != round(seconds):
        return f"{seconds:.2g} s"
    if round(seconds) < 60:
        return f"{round(seconds)} s"
    if exact and seconds < 3600:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 break', '3 breaks', '2 stretches'."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def clock(epoch: float) -> str:
    """A time of day: '10:17'."""
    return datetime.fromtimestamp(epoch).strftime("%H:%M")


def side_text(side: str | None) -> str:
    return {"left": "Left side", "right": "Right side"}.get(side or "", "")


# ----- notifications ----------------------------------------------------------------------------

#: The buttons a prompt offers, by the command each one sends.
PROMPT_BUTTONS = {
    "done": "I stretched",
    "snooze": "Snooze {minutes:g} min",
    "routine": "Desk routine",
}


def prompt_buttons(snooze_minutes: float) -> tuple[tuple[str, str], ...]:
    return tuple(
        (key, label.format(minutes=snooze_minutes)) for key, label in PROMPT_BUTTONS.items()
    )


def notification_for(event: ev.Event, catalogue: Catalogue) -> tuple[str, str] | None:
    """(title, body) for an event the user should see, else None."""
    match event:
        case ev.PromptShown():
            stretch = catalogue.stretch(event.stretch)
            again = " (again)" if event.repeat else ""
            title = f"Time to stretch{again}: {stretch.name}"
            body = f"You have sat {duration(event.sitting_seconds)}. {stretch.summary()}"
            return title, body
        case ev.RoutineStepStarted():
            step = catalogue.routine(event.routine).steps[event.index]
            stretch = catalogue.stretch(step.stretch)
            return step_title(event.index, event.count, stretch.name, step.side), step_instruction(
                step, stretch.how, event.seconds, event.rest_seconds
            )
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


def step_instruction(step: RoutineStep, how: str, work_seconds: float, rest_seconds: float) -> str:
    """What to do in a routine step: the how-to, the amount, then the rest or the switch.

    ``work_seconds`` and ``rest_seconds`` are the times the user will really spend: the step's
    own, multiplied by their routine pace (a RoutineStepStarted event carries them so). The text
    then says "Hold 3 s" for a 30 s hold played at pace 0.1; the number of reps never changes.
    """
    reps = count(step.reps, "rep")
    if step.hold_seconds is not None:
        hold = work_seconds / step.reps
        amount = f"Hold {duration(hold, exact=True)}" + (f", {reps}" if step.reps > 1 else "")
    else:
        amount = f"{reps}, moving in and out slowly (about {duration(work_seconds, exact=True)})"
    text = f"{how} {amount}."
    if rest_seconds:
        text += f" Then rest {duration(rest_seconds, exact=True)}"
        text += f" and {step.note}." if step.note else "."
    elif step.note:
        text += f" Then {step.note}."
    return text


# ----- the tray ---------------------------------------------------------------------------------


def tooltip(status: Status, catalogue: Catalogue, now: float) -> str:
    """The state in words: 'Sitting 42 min - stretch in 18 min'."""
    sitting = f"Sitting {duration(status.sitting_seconds)}"
    due_in = None if status.next_prompt is None else max(0.0, status.next_prompt - now)
    match status.state:
        case State.ROUTINE:
            step = max(status.routine_step + 1, 1)
            done = round(status.routine_progress * 100)
            paused = ", paused" if status.routine_paused else ""
            return f"{_routine_name(status, catalogue)}: step {step}, {done}% done{paused}"
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
    if due_in is None:
        return sitting
    return f"{sitting} - stretch in {duration(due_in)}"


def status_line(status: Status, catalogue: Catalogue, at: float) -> str:
    """The menu's first line, in clock times so it is never stale while the menu is open."""
    since = f"Sitting since {clock(at - status.sitting_seconds)}"
    match status.state:
        case State.ROUTINE:
            step = max(status.routine_step + 1, 1)
            under_way = "paused" if status.routine_paused else "under way"
            return f"{_routine_name(status, catalogue)}: step {step} {under_way}"
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
    if status.next_prompt is None:
        return since
    return f"{since} · stretch at {clock(status.next_prompt)}"


def today_line(today: DayStats) -> str:
    """'Today: sat 3 h 10 min, 4 breaks, 2 stretches'."""
    breaks = today.breaks_natural + today.breaks_prompted
    done = sum(today.stretches_done.values())
    return (
        f"Today: sat {duration(today.sat_seconds)}, {count(breaks, 'break')}, "
        f"{count(done, 'stretch', 'stretches')}"
    )


def _routine_name(status: Status, catalogue: Catalogue) -> str:
    return catalogue.routine(status.routine).name if status.routine else "Routine"


# ----- the terminal -----------------------------------------------------------------------------


def terminal_routine_start(routine: Routine) -> str:
    steps = count(len(routine.steps), "step")
    return f"{routine.name}: {steps}. Space pauses, s skips a step, q stops."


def terminal_routine_end(routine: Routine, finished: bool) -> str:
    return f"{routine.name}: done. Well done." if finished else f"{routine.name}: stopped."


def countdown(left_seconds: float, paused: bool) -> str:
    return "paused" if paused else f"{duration(left_seconds, exact=True)} left in this step"


def stats_table(days: Sequence[DayStats]) -> str:
    """``psoas stats``: a line a day."""
    columns = ("sat", "longest", "breaks", "prompted", "prompts", "snoozes", "skips", "routines")
    header = f"{'day':<15}" + "".join(f"{name:>11}" for name in columns) + "  stretches done"
    lines = [header]
    for d in days:
        stretches = ", ".join(f"{k} x{v}" for k, v in sorted(d.stretches_done.items())) or "-"
        figures = (
            duration(d.sat_seconds),
            duration(d.longest_sit_seconds),
            d.breaks_natural,
            d.breaks_prompted,
            d.prompts,
            d.snoozes,
            d.skips,
            d.routines_done,
        )
        lines.append(
            f"{d.day:%a %Y-%m-%d} " + "".join(f"{f:>11}" for f in figures) + f"  {stretches}"
        )
    return "\n".join(lines)
