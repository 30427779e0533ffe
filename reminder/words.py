"""Every sentence psoas says to its user, in one place: notifications, routine steps, the tray's
tooltip and status lines, button and menu labels, the terminal routine and the stats table.

One way to say a duration (:func:`duration`), one way to count things (:func:`count`): the same
length reads the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from reminder.core import events as ev
from reminder.core.stats import ANSWER_WINDOW, DayStats
from reminder.core.status import State, Status
from reminder.core.trend import Week

if TYPE_CHECKING:  # the catalogue's model says its routine lengths in these words
    from reminder.catalogue.model import Catalogue, Routine, RoutineStep
    from reminder.config import Config
    from reminder.core.timebase import Calendar

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
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"


def snooze_choice(minutes: float) -> str:
    """A snooze choice as the tray's menu and the prompt's button say it ('15 min', '9 s'). Two
    choices that read the same are the same choice: the config check refuses the second."""
    return duration(minutes * 60, exact=True)


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
    "snooze": "Snooze {minutes}",
    "routine": "Desk routine",
}


def prompt_buttons(snooze_minutes: float) -> tuple[tuple[str, str], ...]:
    return tuple(
        (key, label.format(minutes=snooze_choice(snooze_minutes)))
        for key, label in PROMPT_BUTTONS.items()
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
    """'Held: on a call since 10:02'."""
    why = BUSY_WORDS.get(status.held_for or "", status.held_for or "busy")
    return f"Held: {why} since {when(status.held_since or now, now)}"


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
        case State.HELD:
            return f"{sitting} - {held_line(status, now).lower()}"
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
        case State.HELD:
            return f"{since} · {held_line(status, at)}"
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
        return "-" if value is None else f"{value:.1f} a day"

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


def _routine_name(status: Status, catalogue: Catalogue) -> str:
    return catalogue.routine(status.routine).name if status.routine else "Routine"


# ----- the terminal -----------------------------------------------------------------------------


def terminal_routine_start(routine: Routine, keys: bool = True) -> str:
    """'Desk break: 4 steps.', and the keys where they can be pressed."""
    steps = count(len(routine.steps), "step")
    return f"{routine.name}: {steps}." + (" Space pauses, s skips a step, q stops." if keys else "")


def terminal_routine_end(routine: Routine, finished: bool) -> str:
    return f"{routine.name}: done. Well done." if finished else f"{routine.name}: stopped."


def picture_line(path: object) -> str:
    return f"Picture of the pose: {path}"


def countdown(left_seconds: float, paused: bool) -> str:
    return "paused" if paused else f"{duration(left_seconds, exact=True)} left in this step"


def stats_table(days: Sequence[DayStats]) -> str:
    """``psoas stats``: a line a day, and what the columns mean."""
    columns = (
        ("sat", 11, lambda d: duration(d.sat_seconds)),
        ("longest", 11, lambda d: duration(d.longest_sit_seconds)),
        ("30+", 5, lambda d: d.bouts_over_30),
        ("60+", 5, lambda d: d.bouts_over_60),
        ("breaks", 8, lambda d: d.breaks_natural),
        ("stretched", 10, lambda d: d.breaks_prompted),
        ("prompts", 9, lambda d: d.prompts),
        ("answered", 10, lambda d: _share(d.prompts_answered, d.prompts)),
        ("snoozes", 9, lambda d: d.snoozes),
        ("routines", 10, lambda d: d.routines_done),
    )
    header = f"{'day':<15}" + "".join(f"{name:>{width}}" for name, width, _ in columns)
    lines = [header + "  stretches done"]
    for d in days:
        stretches = ", ".join(f"{k} x{v}" for k, v in sorted(d.stretches_done.items())) or "-"
        cells = "".join(f"{cell(d)!s:>{width}}" for _, width, cell in columns)
        lines.append(f"{d.day:%a %Y-%m-%d} {cells}  {stretches}")
    lines += [
        "",
        "sat: time sat that day. longest: the longest bout, one sit between two breaks. 30+, 60+:",
        "bouts of half an hour and of an hour or more. breaks: times you got up on your own.",
        "stretched: breaks after a prompt (I stretched, or a routine). prompts: first prompts,",
        f"repeats not counted. answered: those followed by a break within "
        f"{duration(ANSWER_WINDOW)}.",
    ]
    return "\n".join(lines)


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
            step = max(status.routine_step + 1, 1)
            paused = " (paused)" if status.routine_paused else ""
            return f"{_routine_name(status, catalogue)}: step {step} under way{paused}."
        case State.DUE:
            stretch = status.prompted_stretch or status.next_stretch
            name = catalogue.stretch(stretch).name if stretch else ""
            return f"{sitting}; time to stretch{': ' + name if name else ''}."
        case State.SNOOZED:
            return f"{sitting}; snoozed, {next_prompt(status, now)}."
        case State.HELD:
            return f"{sitting}; a prompt waits until you are free. {held_line(status, now)}."
        case State.PAUSED:
            return f"{sitting}; reminders paused until {when(status.paused_until or now, now)}."
        case State.OFF_HOURS:
            return f"{sitting}; outside working hours, {_no_prompt_before(status, now)}."
    return f"{sitting}; {next_prompt(status, now)}."


def answer(
    command: str,
    events: Sequence[ev.Event],
    status: Status,
    now: float,
    catalogue: Catalogue,
    before: Status | None = None,
) -> str:
    """What a command from the command line did, in one line (or why it did nothing).

    ``status`` is the state after the command, ``before`` the state it found (when known): a
    routine paused already is said to be so, not paused again."""
    happened = {type(event) for event in events}
    was_paused = before is not None and before.routine_paused
    match command:
        case "snooze" if ev.Snoozed in happened and status.state != State.OFF_HOURS:
            return f"Snoozed: {next_prompt(status, now)}"
        case "snooze":
            return f"Nothing to snooze: {_why_nothing(status, now)}"
        case "done":
            stretch = next((e.stretch for e in events if isinstance(e, ev.BreakTaken)), None)
            named = f" ({catalogue.stretch(stretch).name})" if stretch else ""
            return (
                f"Noted, you stretched{named}: the clock starts again, {next_prompt(status, now)}"
            )
        case "skip":
            return f"Skipped: the clock starts again, {next_prompt(status, now)}"
        case "pause":
            return f"Paused: no prompts until {when(status.paused_until or now, now)}"
        case "resume" if ev.Resumed in happened:
            return f"Reminders on again: {next_prompt(status, now)}"
        case "resume":
            return "Nothing to resume: reminders are not paused"
        case "routine":
            started = next(e for e in events if isinstance(e, ev.RoutineStarted))
            routine = catalogue.routine(started.routine)
            return f"{routine.name} started: {count(len(routine.steps), 'step')}"
        case "pause-routine" | "resume-routine" | "skip-step" if status.state != State.ROUTINE:
            return "Nothing to do: no routine is under way"
        case "pause-routine" if was_paused:
            return "Already paused: psoas routine --resume goes on with the routine"
        case "pause-routine":
            return "Routine paused: psoas routine --resume goes on with it"
        case "resume-routine" if before is not None and not was_paused:
            return "Nothing to resume: the routine is not paused"
        case "resume-routine":
            return "Routine going on"
        case "skip-step":
            return f"On to step {status.routine_step + 1}"
        case "cancel-routine" if ev.RoutineCancelled in happened:
            return f"Routine stopped: {next_prompt(status, now)}"
        case "cancel-routine":
            return "Nothing to stop: no routine is under way"
    return "Done"


def _why_nothing(status: Status, now: float) -> str:
    match status.state:
        case State.AWAY:
            return "you are away from the desk, so no prompt is due"
        case State.ROUTINE:
            return "a routine is under way"
        case State.PAUSED:
            return f"reminders are paused until {when(status.paused_until or now, now)}"
        case State.OFF_HOURS:
            return _no_prompt_before(status, now)
    return "no prompt is due"


def _no_prompt_before(status: Status, now: float) -> str:
    if status.next_prompt is None:
        return "no prompt is planned"
    return f"no prompt before {when(status.next_prompt, now)}"


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


#: What a menu entry the user chose is called when it failed: "psoas could not {...}".
SHOW_CHART = "show this week's chart"
OPEN_CONFIG = "open your config file"


def menu_entry(label: str) -> str:
    """A menu entry, as :func:`action_failed` names it: 'do “Snooze”'."""
    return f"do “{label}”"


def action_failed(action: str, log_folder: object) -> tuple[str, str]:
    """The one line a user gets back when what they just asked for failed on psoas's side."""
    return (
        f"psoas could not {action}",
        f"Something went wrong inside psoas; its log in {log_folder} says what.",
    )
