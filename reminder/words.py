"""Every sentence psoas says to its user, in one place: notifications, routine steps, the tray's
tooltip and status lines, button and menu labels, the terminal routine and the stats table.

One way to say a duration, one way to count things (both in :mod:`reminder.units`): the same
length reads the same everywhere.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime, time
from typing import TYPE_CHECKING

from reminder.catalogue.text import routine_length
from reminder.core import commands as cmd
from reminder.core import events as ev
from reminder.core.stats import ANSWER_WINDOW, DayStats
from reminder.core.status import State, Status
from reminder.core.trend import Week
from reminder.language import N_, _, ngettext, pgettext
from reminder.units import WEEKDAYS, clock, duration, number, short_date, snooze_choice, weekday

if TYPE_CHECKING:  # the catalogue's model says its routine lengths in these words
    from reminder.catalogue.model import Catalogue, Routine, RoutineStep
    from reminder.config import Config
    from reminder.core.hours import WorkingHours
    from reminder.core.timebase import Calendar

# ----- numbers --------------------------------------------------------------------------------


def pause_choice(minutes: float | None) -> str:
    """A pause choice as the tray's menu says it ('30 min', '1 h', 'Until tomorrow'): in the
    same words as a snooze choice."""
    return _("Until tomorrow") if minutes is None else duration(minutes * 60)


# ----- notifications ----------------------------------------------------------------------------

#: The buttons a prompt offers, by the command each one sends (Snooze only while a prompt is
#: out; "I'll stand" only at a sit-stand desk, to a user sitting).
PROMPT_BUTTONS: dict[type[cmd.Command], str] = {
    cmd.Done: N_("I stretched"),
    cmd.Stand: N_("I'll stand"),
    cmd.Snooze: N_("Snooze {minutes}"),
    cmd.StartRoutine: N_("Desk routine"),
}

#: The button the suggestion to stop standing offers, and the tray's item while standing.
SIT_BUTTON = N_("I sat down")


def sit_buttons() -> tuple[tuple[str, str], ...]:
    """(command name, label) of the button the suggestion to stop standing offers."""
    return ((cmd.name_of(cmd.Sit), _(SIT_BUTTON)),)


#: The buttons a routine step offers, by the command each one sends: Pause, or Resume while
#: it is paused, then Next step and Stop.
ROUTINE_BUTTONS: dict[type[cmd.Command], str] = {
    cmd.PauseRoutine: N_("Pause"),
    cmd.ResumeRoutine: N_("Resume"),
    cmd.SkipStep: N_("Next step"),
    cmd.CancelRoutine: N_("Stop"),
}


def routine_buttons(paused: bool) -> tuple[tuple[str, str], ...]:
    """(command name, label) of each button a routine step offers."""
    left_out = cmd.PauseRoutine if paused else cmd.ResumeRoutine
    return tuple(
        (cmd.name_of(kind), _(label)) for kind, label in ROUTINE_BUTTONS.items() if kind != left_out
    )


def prompt_buttons(
    snooze_minutes: float, snooze: bool = True, stand: bool = False
) -> tuple[tuple[str, str], ...]:
    """(command name, label) of each button a prompt offers; without ``snooze`` (a stretch the
    user asked for, no prompt out), no Snooze; "I'll stand" only with ``stand`` (a sit-stand
    desk, and the user not standing already)."""
    left_out = {kind for kind, wanted in ((cmd.Snooze, snooze), (cmd.Stand, stand)) if not wanted}
    return tuple(
        (cmd.name_of(kind), _(label).format(minutes=snooze_choice(snooze_minutes)))
        for kind, label in PROMPT_BUTTONS.items()
        if kind not in left_out
    )


def notification_for(event: ev.Event, catalogue: Catalogue) -> tuple[str, str] | None:
    """(title, body) for an event the user should see, else None."""
    match event:
        case ev.PromptShown():
            stretch = catalogue.stretch(event.stretch)
            if event.repeat:
                title = _("Time to stretch (again): {stretch}").format(stretch=stretch.name)
            else:
                title = _("Time to stretch: {stretch}").format(stretch=stretch.name)
            sat = duration(event.sitting_seconds)
            if event.held_for is not None:
                said = _("You sat through it: {time}.").format(time=sat)
            else:
                said = _("You have been sitting for {time}.").format(time=sat)
            return title, f"{said} {stretch.summary()}"
        case ev.StretchAsked():  # the user asked: no "time to", no time sat, never "again"
            stretch = catalogue.stretch(event.stretch)
            return _("Stretch now: {stretch}").format(stretch=stretch.name), stretch.summary()
        case ev.StandingLong():
            return (
                _("You have stood for {time}").format(time=duration(event.standing_seconds)),
                _("Time for a change: sit down for a while, or take a few steps."),
            )
        case ev.WeeklyNote():
            return _(WEEKLY_TITLE), weekly_note(event)
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
            at = step_of(event.step, len(routine.steps))
            return (
                _("{routine}: paused at {step}").format(routine=routine.name, step=at),
                _("It waits for you: resume when you are ready."),
            )
        case ev.RoutineFinished():
            routine = catalogue.routine(event.routine)
            return routine_done(routine), _("Well done. The sitting clock starts again from zero.")
    return None


#: The weekly note's title.
WEEKLY_TITLE = N_("Your week at the desk")

#: One change to try when prompts are answered less three weeks running, by weekly.SUGGESTIONS.
WEEKLY_SUGGESTIONS = {
    "desk": N_(
        "Fewer prompts answered three weeks running: try only the stretches you can do beside "
        'your chair ([stretches] place = "desk" in your config).'
    ),
    "sit_minutes": N_(
        "Fewer prompts answered three weeks running: try a longer sit_minutes in your config, "
        "say 90; fewer prompts, each one taken."
    ),
    "routine": N_(
        "Fewer prompts answered three weeks running: when the next one comes, try the Desk "
        "routine instead (its button on the prompt)."
    ),
}


def weekly_note(note: ev.WeeklyNote) -> str:
    """'Last week: 1.4 sits of an hour or more a day, down from 2.6; your longest sit 1 h 14
    min.' and, if the answers have fallen three weeks running, one change to try."""
    said = {
        "now": number(note.bouts_per_day),
        "before": number(note.before_bouts_per_day),
        "longest": duration(note.longest_seconds),
    }
    # The form is the count's: one for exactly 1, else the language's other (1.4 sits).
    form = 1 if note.bouts_per_day == 1 else 2
    if note.bouts_per_day < note.before_bouts_per_day:
        text = ngettext(
            "Last week: {now} sit of an hour or more a day, down from {before}; your longest "
            "sit {longest}.",
            "Last week: {now} sits of an hour or more a day, down from {before}; your longest "
            "sit {longest}.",
            form,
        )
    elif note.bouts_per_day > note.before_bouts_per_day:
        text = ngettext(
            "Last week: {now} sit of an hour or more a day, up from {before}; your longest "
            "sit {longest}.",
            "Last week: {now} sits of an hour or more a day, up from {before}; your longest "
            "sit {longest}.",
            form,
        )
    else:
        text = ngettext(
            "Last week: {now} sit of an hour or more a day, as the week before; your longest "
            "sit {longest}.",
            "Last week: {now} sits of an hour or more a day, as the week before; your longest "
            "sit {longest}.",
            form,
        )
    text = text.format(**said)
    if note.suggestion in WEEKLY_SUGGESTIONS:
        text += " " + _(WEEKLY_SUGGESTIONS[note.suggestion])
    return text


def step_title(index: int, steps: int, name: str, side: str | None) -> str:
    """'Step 2 of 4: Bridge', 'Step 3 of 4: Standing hip flexor stretch, left side'."""
    if side == "left":
        text = _("Step {number} of {steps}: {stretch}, left side")
    elif side == "right":
        text = _("Step {number} of {steps}: {stretch}, right side")
    else:
        text = _("Step {number} of {steps}: {stretch}")
    return text.format(number=index + 1, steps=steps, stretch=name)


def step_of(index: int, steps: int) -> str:
    """'step 2 of 4' (``index`` from 0): where a routine is."""
    return _("step {number} of {steps}").format(number=index + 1, steps=steps)


def routine_done(routine: Routine) -> str:
    return _("{routine}: done").format(routine=routine.name)


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
        if step.reps == 1:
            return _("Hold {time}.").format(time=hold)
        return ngettext("Hold {time}, {n} time.", "Hold {time}, {n} times.", step.reps).format(
            time=hold, n=step.reps
        )
    how_long = duration(work_seconds, exact=True)
    how = step.cue or _("slowly")
    return ngettext(
        "{n} rep, {how}: about {time}.", "{n} reps, {how}: about {time}.", step.reps
    ).format(n=step.reps, how=how, time=how_long)


def _what_next(routine: Routine, index: int, catalogue: Catalogue, rest_seconds: float) -> str:
    """'Then rest 5 s and switch sides.', 'Then take 10 s to stand up; next: Bridge.',
    'Last step: then back to work.'"""
    step = routine.steps[index]
    rest = duration(rest_seconds, exact=True)
    if index + 1 == len(routine.steps):
        after = step.then or _("you are done")
        if rest_seconds:
            return _("Last step: then rest {time} and {after}.").format(time=rest, after=after)
        return _("Last step: then {after}.").format(after=after)
    if step.then:
        if rest_seconds:
            pause = _("take {time} to {then}").format(time=rest, then=step.then)
        else:
            pause = step.then
    else:
        pause = _("rest {time}").format(time=rest) if rest_seconds else ""
    following = routine.steps[index + 1]
    if following.stretch != step.stretch:
        name = catalogue.stretch(following.stretch).name
        if pause:
            return _("Then {pause}; next: {stretch}.").format(pause=pause, stretch=name)
        return _("Next: {stretch}.").format(stretch=name)
    if following.side != step.side:
        if pause:
            return _("Then {pause} and switch sides.").format(pause=pause)
        return _("Then switch sides.")
    if pause:
        return _("Then {pause} and do the same again.").format(pause=pause)
    return _("Then do the same again.")


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
    "dnd": N_("do not disturb"),
    "fullscreen": N_("fullscreen"),
    "call": N_("on a call"),
    "camera": N_("camera on"),
    "apps": N_("a quiet app running"),
}


def held_line(status: Status, now: float) -> str:
    """Why a prompt waits, and since when: 'on a call since 10:02'."""
    reason = status.held_for or ""
    why = _(BUSY_WORDS[reason]) if reason in BUSY_WORDS else reason or _("busy")
    return _("{why} since {time}").format(why=why, time=when(status.held_since or now, now))


# ----- the tray ---------------------------------------------------------------------------------


def tooltip(status: Status, catalogue: Catalogue, now: float) -> str:
    """The state in words: 'Sitting 42 min - stretch in 18 min'."""
    sitting = _("Sitting {time}").format(time=duration(status.sitting_seconds))
    due_in = None if status.next_prompt is None else max(0.0, status.next_prompt - now)
    match status.state:
        case State.ROUTINE if status.routine_paused:
            return _("{routine}: paused at {step}").format(
                routine=_routine_name(status, catalogue), step=_step_of(status, catalogue)
            )
        case State.ROUTINE:
            return _("{routine}: {step}, {percent}% done").format(
                routine=_routine_name(status, catalogue),
                step=_step_of(status, catalogue),
                percent=round(status.routine_progress * 100),
            )
        case State.AWAY:
            return _("Away from the desk - the sitting clock is at zero")
        case State.PAUSED if status.standing_since is not None:
            return _("Standing {time} - reminders paused until {until}").format(
                time=duration(now - status.standing_since), until=clock(status.paused_until or now)
            )
        case State.PAUSED:
            return _("{sitting} - reminders paused until {time}").format(
                sitting=sitting, time=clock(status.paused_until or now)
            )
        case State.STANDING:
            return _("Standing {time} - sitting clock stopped").format(
                time=duration(now - (status.standing_since or now))
            )
        case State.OFF_HOURS:
            return _("{sitting} - outside working hours").format(sitting=sitting)
        case State.SNOOZED:
            return _("{sitting} - snoozed, stretch in {time}").format(
                sitting=sitting, time=duration(due_in or 0)
            )
        case State.DUE:
            return _("{sitting} - time to stretch").format(sitting=sitting)
        case State.HELD:
            return _("{sitting} - prompt held: {why}").format(
                sitting=sitting, why=held_line(status, now)
            )
    if due_in is None:
        return sitting
    return _("{sitting} - stretch in {time}").format(sitting=sitting, time=duration(due_in))


def status_line(status: Status, catalogue: Catalogue, at: float) -> str:
    """The menu's first line, in clock times so it is never stale while the menu is open."""
    since = _("Sitting since {time}").format(time=clock(at - status.sitting_seconds))
    match status.state:
        case State.ROUTINE:
            return routine_line(status, catalogue)
        case State.AWAY:
            return _("Away from the desk")
        case State.PAUSED if status.standing_since is not None:
            return _("Standing since {since} · reminders paused until {time}").format(
                since=clock(status.standing_since), time=clock(status.paused_until or at)
            )
        case State.PAUSED:
            return _("Reminders paused until {time}").format(time=clock(status.paused_until or at))
        case State.STANDING:
            return _("Standing since {since}").format(since=clock(status.standing_since or at))
        case State.OFF_HOURS:
            return _("{since} · outside working hours").format(since=since)
        case State.SNOOZED:
            return _("{since} · snoozed until {time}").format(
                since=since, time=clock(status.next_prompt or at)
            )
        case State.DUE:
            return _("{since} · time to stretch").format(since=since)
        case State.HELD:
            return _("{since} · prompt held: {why}").format(since=since, why=held_line(status, at))
    if status.next_prompt is None:
        return since
    return _("{since} · stretch at {time}").format(since=since, time=clock(status.next_prompt))


def today_line(today: DayStats) -> str:
    """'Today: sat 3 h 10 min, longest 1 h 05 min, 4 breaks, 2 stretches'."""
    breaks = today.breaks_natural + today.breaks_prompted
    done = sum(today.stretches_done.values())
    said = {
        "sat": duration(today.sat_seconds),
        "longest": duration(today.longest_sit_seconds),
        "stood": duration(today.standing_seconds),
        "breaks": ngettext("{n} break", "{n} breaks", breaks).format(n=breaks),
        "stretches": ngettext("{n} stretch", "{n} stretches", done).format(n=done),
    }
    if today.sat_seconds and today.standing_seconds:
        return _(
            "Today: sat {sat}, longest {longest}, stood {stood}, {breaks}, {stretches}"
        ).format(**said)
    if today.standing_seconds:
        return _("Today: sat {sat}, stood {stood}, {breaks}, {stretches}").format(**said)
    if today.sat_seconds:
        return _("Today: sat {sat}, longest {longest}, {breaks}, {stretches}").format(**said)
    return _("Today: sat {sat}, {breaks}, {stretches}").format(**said)


NO_HISTORY_YET = N_("No history yet: psoas records your sitting once it runs ('psoas run').")


def trend_lines(now: Week, before: Week) -> list[str]:
    """This week against the four before, in the figures the studies watch."""

    def per_day(week: Week) -> str:
        value = week.bouts_per_day
        if value is None:
            return "-"
        if round(value, 1) == 0:
            return _("none")
        shown = number(value, ".1f").removesuffix(pgettext("decimal separator", ".") + "0")
        return _("{number} a day").format(number=shown)

    def rate(week: Week) -> str:
        value = week.answer_rate
        return _("no prompts") if value is None else f"{round(value * 100)}%"

    def longest(week: Week) -> str:
        return duration(week.longest_seconds) if week.longest_seconds > 0 else "-"

    return [
        _("Bouts of an hour or more: {now} this week, {before} in the four weeks before.").format(
            now=per_day(now), before=per_day(before)
        ),
        _("Longest bout: {now} this week, {before} before.").format(
            now=longest(now), before=longest(before)
        ),
        _("Prompts answered within {time}: {now} this week, {before} before.").format(
            time=duration(ANSWER_WINDOW), now=rate(now), before=rate(before)
        ),
    ]


def routine_line(status: Status, catalogue: Catalogue) -> str:
    """The routine under way: 'Desk break: step 2 of 4', 'Desk break: paused at step 2 of 4'."""
    name, step = _routine_name(status, catalogue), _step_of(status, catalogue)
    if status.routine_paused:
        return _("{routine}: paused at {step}").format(routine=name, step=step)
    return _("{routine}: {step}").format(routine=name, step=step)


def _routine_name(status: Status, catalogue: Catalogue) -> str:
    return catalogue.routine(status.routine).name if status.routine else _("Routine")


# ----- the terminal -----------------------------------------------------------------------------


def terminal_routine_start(routine: Routine, pace: float, keys: bool = True) -> str:
    """'Desk break: 4 steps, 2 min 15 s.', and the keys where they can be pressed."""
    said = ngettext(
        "{routine}: {n} step, {time}.", "{routine}: {n} steps, {time}.", len(routine.steps)
    )
    said = said.format(
        routine=routine.name, n=len(routine.steps), time=routine_length(routine, pace)
    )
    return said + (" " + _("Space pauses, s skips a step, q stops.") if keys else "")


def terminal_routine_end(routine: Routine, finished: bool) -> str:
    if finished:
        return _("{routine}: done. Well done.").format(routine=routine.name)
    return _("{routine}: stopped.").format(routine=routine.name)


def picture_line(path: object) -> str:
    return _("Picture of the pose: {path}").format(path=path)


def countdown(left_seconds: float, paused: bool) -> str:
    if paused:
        return _("paused")
    return _("{time} left in this step").format(time=duration(left_seconds, exact=True))


#: The columns of ``psoas stats``, and of the settings page's Progress: name, width, the cell.
STATS_COLUMNS: tuple[tuple[str, int, Callable[[DayStats], object]], ...] = (
    (N_("sat"), 11, lambda d: duration(d.sat_seconds)),
    (N_("longest"), 11, lambda d: duration(d.longest_sit_seconds)),
    ("30+", 4, lambda d: d.bouts_over_30),
    ("60+", 4, lambda d: d.bouts_over_60),
    (N_("breaks"), 7, lambda d: d.breaks_natural),
    (N_("stretched"), 10, lambda d: d.breaks_prompted),
    (N_("prompts"), 8, lambda d: d.prompts),
    (N_("answered"), 9, lambda d: _share(d.prompts_answered, d.prompts)),
)


def stats_meaning() -> str:
    """What the columns mean, under the table."""
    return _(
        "sat: time sat that day. longest: the longest bout, one sit between two breaks. 30+, "
        "60+: bouts of half an hour and of an hour or more. breaks: times you got up on your "
        "own. stretched: breaks after a prompt (I stretched, or a routine). prompts: first "
        "prompts, repeats not counted. answered: those followed by a break within {time}."
    ).format(time=duration(ANSWER_WINDOW))


def column_name(name: str) -> str:
    """A column's name in the user's language ('30+' is a number, said as it is)."""
    return name if name[0].isdigit() else _(name)


def stretches_done(day: DayStats) -> str:
    """'bridge x2, standing x1', or '-'."""
    return ", ".join(f"{k} x{v}" for k, v in sorted(day.stretches_done.items())) or "-"


def stats_table(days: Sequence[DayStats]) -> str:
    """``psoas stats``: a line a day within 80 columns, what the days add up to, and what the
    columns mean."""
    import textwrap  # only here: the daemon, which loads these words, never shows the table

    # A column as wide as its English, or as its name in the user's language and a space.
    columns = [
        (column_name(name), max(width, len(column_name(name)) + 1), cell)
        for name, width, cell in STATS_COLUMNS
    ]
    header = f"{_('day'):<15}" + "".join(f"{name:>{width}}" for name, width, _cell in columns)
    lines = [header]
    for d in days:
        cells = "".join(f"{cell(d)!s:>{width}}" for _name, width, cell in columns)
        lines.append(f"{weekday(d.day)} {d.day:%Y-%m-%d} {cells}")
    done: dict[str, int] = {}
    for d in days:
        for stretch, times in d.stretches_done.items():
            done[stretch] = done.get(stretch, 0) + times
    # "bridge x7" never split over two lines: a no-break space, back to a space once wrapped.
    stretches = ", ".join(f"{k}\xa0x{v}" for k, v in sorted(done.items())) or _("none")
    snoozes, routines = sum(d.snoozes for d in days), sum(d.routines_done for d in days)
    total = _("{days}: {snoozes}, {routines} done. Stretches done: {stretches}.").format(
        days=ngettext("These {n} day", "These {n} days", len(days)).format(n=len(days)),
        snoozes=ngettext("{n} snooze", "{n} snoozes", snoozes).format(n=snoozes),
        routines=ngettext("{n} routine", "{n} routines", routines).format(n=routines),
        stretches=stretches,
    )
    lines += ["", *textwrap.wrap(total, 79), "", *textwrap.wrap(stats_meaning(), 79)]
    if any(d.standing_seconds or d.sit_stand_switches for d in days):
        lines += ["", *standing_table(days), *textwrap.wrap(_(STANDING_MEANING), 79)]
    return "\n".join(lines).replace("\xa0", " ")


#: What the standing table's columns mean, under it.
STANDING_MEANING = N_(
    "stood: time standing at your sit-stand desk, neither sat nor a break. switches: changes "
    "of posture you told psoas of, sitting to standing and standing to sitting."
)


def standing_table(days: Sequence[DayStats]) -> list[str]:
    """The days at a sit-stand desk: time stood and changes of posture, a line a day."""
    stood, switches = _("stood"), _("switches")
    widths = (max(11, len(stood) + 1), max(10, len(switches) + 1))
    lines = [f"{_('day'):<15}{stood:>{widths[0]}}{switches:>{widths[1]}}"]
    for d in days:
        lines.append(
            f"{weekday(d.day)} {d.day:%Y-%m-%d}"
            f"{duration(d.standing_seconds):>{widths[0]}}{d.sit_stand_switches:>{widths[1]}}"
        )
    return lines


def chart_written(path: object, weeks: int | None) -> str:
    """What ``psoas stats --chart FILE`` says: what it drew, and where."""
    if weeks:
        text = ngettext(
            "Chart of the last {n} week: {path}", "Chart of the last {n} weeks: {path}", weeks
        )
        return text.format(n=weeks, path=path)
    return _("Chart of this week: {path}").format(path=path)


def _share(part: int, whole: int) -> str:
    return "-" if not whole else f"{part} ({round(part / whole * 100)}%)"


# ----- answers to commands -------------------------------------------------------------------


def when(epoch: float, now: float) -> str:
    """A moment to come, as near as it is: '10:17' today, 'tomorrow 09:00', 'Mon 09:00'."""
    then, today = datetime.fromtimestamp(epoch), datetime.fromtimestamp(now).date()
    time = f"{then:%H:%M}"
    if then.date() == today:
        return time
    if (then.date() - today).days == 1:
        return _("tomorrow {time}").format(time=time)
    day = weekday(then) if (then.date() - today).days < 7 else short_date(then)
    return _("{day} {time}").format(day=day, time=time)


def next_prompt(status: Status, now: float) -> str:
    if status.next_prompt is None:
        return _("no prompt is planned")
    return _("next prompt at {time}").format(time=when(status.next_prompt, now))


def summary(status: Status, now: float, catalogue: Catalogue) -> str:
    """``psoas status`` in one sentence."""
    said = {
        "sitting": duration(round(status.sitting_seconds)),  # not 0.062 s
        "next": next_prompt(status, now),
    }
    match status.state:
        case State.AWAY:
            return _("Away from the desk: the sitting clock is at zero.")
        case State.ROUTINE:
            return f"{routine_line(status, catalogue)}."
        case State.STANDING:
            return _("Standing for {time}: the sitting clock is stopped.").format(
                time=standing_for(status, now)
            )
        case State.PAUSED if status.standing_since is not None:
            return _("Standing for {time}; reminders paused until {until}.").format(
                time=standing_for(status, now), until=when(status.paused_until or now, now)
            )
        case State.DUE:
            stretch = status.prompted_stretch or status.next_stretch
            if stretch:
                return _("Sitting for {sitting}; time to stretch: {stretch}.").format(
                    stretch=catalogue.stretch(stretch).name, **said
                )
            return _("Sitting for {sitting}; time to stretch.").format(**said)
        case State.SNOOZED:
            return _("Sitting for {sitting}; snoozed, {next}.").format(**said)
        case State.HELD:
            return _("Sitting for {sitting}; a prompt waits until you are free: {why}.").format(
                why=held_line(status, now), **said
            )
        case State.PAUSED:
            return _("Sitting for {sitting}; reminders paused until {time}.").format(
                time=when(status.paused_until or now, now), **said
            )
        case State.OFF_HOURS:
            return _("Sitting for {sitting}; outside working hours, {when}.").format(
                when=_no_prompt_before(status, now), **said
            )
    return _("Sitting for {sitting}; {next}.").format(**said)


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
    upcoming = next_prompt(status, now)
    match command:
        case cmd.Snooze():
            return _("Snoozed: {next}").format(next=upcoming)
        case cmd.Done():
            stretch = next((e.stretch for e in events if isinstance(e, ev.BreakTaken)), None)
            if stretch:
                return _("Noted, you stretched ({stretch}): the clock starts again, {next}").format(
                    stretch=catalogue.stretch(stretch).name, next=upcoming
                )
            return _("Noted, you stretched: the clock starts again, {next}").format(next=upcoming)
        case cmd.Skip():
            return _("Skipped: the clock starts again, {next}").format(next=upcoming)
        case cmd.Pause():
            return _("Paused: no prompts until {time}").format(
                time=when(status.paused_until or now, now)
            )
        case cmd.Stand():
            return _("Standing: the sitting clock stops until you sit down (psoas sit)")
        case cmd.Sit():
            return _("Sitting again: the clock starts from zero, {next}").format(next=upcoming)
        case cmd.ResumeReminders():
            return _("Reminders on again: {next}").format(next=upcoming)
        case cmd.StretchNow():
            asked = next((e.stretch for e in events if isinstance(e, ev.StretchAsked)), None)
            if asked is None:
                return _("No stretch to show")
            return _("Stretch now: {stretch}").format(stretch=catalogue.stretch(asked).name)
        case cmd.StartRoutine():
            started = next(e for e in events if isinstance(e, ev.RoutineStarted))
            routine = catalogue.routine(started.routine)
            steps = len(routine.steps)
            return ngettext(
                "{routine} started: {n} step, {time}", "{routine} started: {n} steps, {time}", steps
            ).format(routine=routine.name, n=steps, time=duration(started.seconds, exact=True))
        case cmd.PauseRoutine():
            return _("Routine paused at {step}: {how}").format(
                step=_step_of(status, catalogue), how=_(RESUME_ROUTINE)
            )
        case cmd.ResumeRoutine():
            return _("Routine resumed at {step}").format(step=_step_of(status, catalogue))
        case cmd.SkipStep():
            finished = next((e for e in events if isinstance(e, ev.RoutineFinished)), None)
            if finished is not None:
                name = catalogue.routine(finished.routine).name
                return _("{routine} done: {next}").format(routine=name, next=upcoming)
            return _("On to {step}").format(step=_step_of(status, catalogue))
        case cmd.CancelRoutine():
            return _("Routine stopped: {next}").format(next=upcoming)
    return _("Done")


#: "Nothing to ...: no routine is under way", whole, by the command that found none.
_NO_ROUTINE: dict[type[cmd.Command], str] = {
    cmd.PauseRoutine: N_("Nothing to pause: no routine is under way"),
    cmd.ResumeRoutine: N_("Nothing to resume: no routine is under way"),
    cmd.SkipStep: N_("Nothing to skip: no routine is under way"),
    cmd.CancelRoutine: N_("Nothing to stop: no routine is under way"),
}


def refusal(
    command: cmd.Command, reason: ev.Refusal, status: Status, now: float, catalogue: Catalogue
) -> str:
    """Why a command did nothing, as the core said it: 'Nothing to snooze: ...'."""
    snooze = isinstance(command, cmd.Snooze)
    match reason:
        case ev.Refusal.STANDING if isinstance(command, cmd.Stand):
            return _("Already standing, since {time}").format(
                time=when(status.standing_since or now, now)
            )
        case ev.Refusal.STANDING if snooze:
            why = _("you are standing, and the sitting clock is stopped")
            return _("Nothing to snooze: {why}").format(why=why)
        case ev.Refusal.STANDING:
            return _("Nothing to skip: you are standing, and the sitting clock is stopped")
        case ev.Refusal.NOT_STANDING:
            return _("Nothing to do: you are not standing (psoas stand says you are)")
        case ev.Refusal.NO_DESK:
            return _("psoas knows of no sit-stand desk: set [desk] standing = true in your config")
        case ev.Refusal.IN_ROUTINE if isinstance(command, cmd.Stand):
            return _("Not now: a routine is under way")
        case ev.Refusal.IN_ROUTINE if isinstance(command, cmd.StartRoutine):
            return routine_refused(command.routine, status, catalogue)
        case ev.Refusal.IN_ROUTINE if snooze:
            return _("Nothing to snooze: {why}").format(why=_("a routine is under way"))
        case ev.Refusal.IN_ROUTINE:
            return _("No stretch now: a routine is under way")
        case ev.Refusal.AWAY:
            why = _("you are away from the desk, so no prompt is due")
            return _("Nothing to snooze: {why}").format(why=why)
        case ev.Refusal.OFF_HOURS:
            return _("Nothing to snooze: {why}").format(why=_no_prompt_before(status, now))
        case ev.Refusal.NO_ROUTINE if type(command) in _NO_ROUTINE:
            return _(_NO_ROUTINE[type(command)])
        case ev.Refusal.NOT_PAUSED if isinstance(command, cmd.ResumeRoutine):
            return _("Nothing to resume: the routine is not paused")
        case ev.Refusal.NOT_PAUSED:
            return _("Nothing to resume: reminders are not paused")
        case ev.Refusal.PAUSED_ALREADY:
            return _("Already paused at {step}: {how}").format(
                step=_step_of(status, catalogue), how=_(RESUME_ROUTINE)
            )
    return _("Nothing to do")


RESUME_ROUTINE = N_("psoas routine --resume goes on with it")


def standing_for(status: Status, now: float) -> str:
    """How long the user has stood: '12 min'."""
    return duration(round(now - (status.standing_since or now)))


def _step_of(status: Status, catalogue: Catalogue) -> str:
    """'step 2 of 4': where the routine under way is."""
    steps = len(catalogue.routine(status.routine).steps) if status.routine else 0
    return step_of(max(status.routine_step, 0), steps)


def routine_refused(wanted: str, status: Status, catalogue: Catalogue) -> str:
    """Why a routine did not start: one is under way already (``status`` says which, and
    where), and how to stop it."""
    running = catalogue.routine(status.routine) if status.routine else None
    if running is None:
        return _("A routine is under way already")
    at = _step_of(status, catalogue)
    if wanted == running.id:
        return _("{routine} is under way already ({step})").format(routine=running.name, step=at)
    return _(
        "{routine} is under way ({step}); to start {wanted} instead, stop it first: "
        "psoas routine --stop"
    ).format(routine=running.name, step=at, wanted=catalogue.routine(wanted).name)


def stopping(pid: int) -> str:
    """``psoas quit``: the running psoas takes a last look, writes its history and ends."""
    return _("Stopping psoas (pid {pid})").format(pid=pid)


def _no_prompt_before(status: Status, now: float) -> str:
    if status.next_prompt is None:
        return _("no prompt is planned")
    return _("no prompt before {time}").format(time=when(status.next_prompt, now))


# ----- login and menu entries ------------------------------------------------------------------

#: What psoas autostart and psoas desktop-entry say, by the entry: what it does when there,
#: what it does not when absent, the command that changes that, and what its removal did.
ENTRIES = {
    "autostart": (
        N_("psoas starts at login"),
        N_("psoas does not start at login"),
        N_("psoas autostart enable sets it to"),
        N_("psoas no longer starts at login"),
    ),
    "desktop-entry": (
        N_("psoas is in your application menu"),
        N_("psoas is not in your application menu"),
        N_("psoas desktop-entry install puts it there"),
        N_("psoas is no longer in your application menu"),
    ),
}


def entry_state(entry: str, state: str, path: object) -> str:
    """``psoas autostart status`` and ``psoas desktop-entry status``, in the same words as
    what enable and install say: 'psoas starts at login: PATH'."""
    there, absent, change, _gone = map(_, ENTRIES[entry])
    if state == "installed":
        return f"{there}: {path}"
    if state == "foreign":
        return _("{absent}: {path} is another program's entry, left as it is").format(
            absent=absent, path=path
        )
    return f"{absent}: {change}"


def entry_removed(entry: str, path: object | None) -> str:
    """What ``psoas autostart disable`` and ``psoas desktop-entry remove`` did."""
    _there, absent, _change, gone = map(_, ENTRIES[entry])
    if path:
        return _("{gone}: {path} removed").format(gone=gone, path=path)
    return _("{absent}: nothing to remove").format(absent=absent)


# ----- the config ------------------------------------------------------------------------------

CONFIG_NOT_APPLIED = N_("psoas: your config change was not applied")
#: What ``psoas status`` adds to the tray while the session bus is lost.
BUS_LOST = N_("not shown: the session bus is lost; psoas is getting it back")


def hours_text(hours: WorkingHours) -> str:
    """'Mon-Fri 09:00-18:00', 'Mon, Wed 22:00-06:00', 'Mon-Fri all day': the working hours as
    the core describes them, in the user's words for the days."""
    days = sorted(hours.days)
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        named = f"{_(WEEKDAYS[days[0]])}-{_(WEEKDAYS[days[-1]])}"
    else:
        named = ", ".join(_(WEEKDAYS[day]) for day in days)
    if hours.all_day:
        if hours.start == time(0):
            return _("{days} all day").format(days=named)
        return _("{days} all day from {time}").format(days=named, time=f"{hours.start:%H:%M}")
    end = "24:00" if hours.end == time(0) else f"{hours.end:%H:%M}"
    return f"{named} {hours.start:%H:%M}-{end}"


def config_line(config: Config) -> str:
    """'a prompt after 45 min of sitting, Mon-Fri 09:00-18:00'."""
    return _("a prompt after {time} of sitting, {hours}").format(
        time=duration(config.sit_seconds), hours=hours_text(config.hours)
    )


def config_settings(shown: dict[str, str], defaults: dict[str, str] | None = None) -> list[str]:
    """``psoas config check``: each setting as the file writes it, and with ``defaults``, which
    of them the file leaves as they are. The lines read as a config file of their own."""
    lines = [f"{key} = {value}" for key, value in shown.items()]
    if defaults is None:
        return [f"  {line}" for line in lines]
    width = max(map(len, lines))
    # TRANSLATORS: a comment in a config file, beside a setting left as it is.
    default = _("# default")
    return [
        f"  {line:<{width}}  {default}" if defaults.get(key) == value else f"  {line}"
        for line, (key, value) in zip(lines, shown.items(), strict=True)
    ]


CONFIG_WARNINGS = N_("psoas: your config change was applied, with a warning")


def config_warning(origin: str, warning: str) -> str:
    """One warning as ``psoas config check`` and ``psoas run`` say it."""
    return _("psoas: {file}: warning: {warning}").format(file=origin, warning=warning)


def running(config: Config, now: float, calendar: Calendar) -> str:
    """The line ``psoas run`` starts with: what it will do, and when it starts to (it may be
    evening: then nothing happens for hours, and that is right)."""
    line = _("psoas is running: {config}").format(config=config_line(config))
    local = calendar.local(now)
    opens = config.hours.next_open(local)
    if opens != local:
        line += " " + _("(now outside those hours; next from {time})").format(
            time=when(calendar.epoch(opens), now)
        )
    return line


def runtime_refused(problem: str) -> str:
    """``psoas run``'s one line for a runtime folder that is not safely the user's."""
    return _("psoas: {problem}: set XDG_RUNTIME_DIR to a folder only you can write in").format(
        problem=problem
    )


def no_instance_lock(problem: str) -> str:
    """``psoas run``'s one line when it cannot make sure it runs only once."""
    return _("psoas: cannot make sure no other psoas runs ({problem}); not starting").format(
        problem=problem
    )


def no_session_bus(tray: bool) -> str:
    """``psoas run``'s one line for a desktop without a D-Bus session bus: all that it costs
    (the tray, when one was wanted; notification popups)."""
    if tray:
        return _("no D-Bus session bus: no tray icon, and notifications go to the terminal")
    return _("no D-Bus session bus: notifications go to the terminal")


def config_not_opened(path: object, problem: str) -> tuple[str, str]:
    return (
        _("psoas: your config file"),
        _(
            "It could not be opened ({problem}). It is {path}: open it with your text editor."
        ).format(problem=problem, path=path),
    )


def chart_not_opened(path: object) -> tuple[str, str]:
    return _("psoas: this week's chart"), _(
        "Nothing here opens pictures; the chart is {path}."
    ).format(path=path)


def chart_not_drawn(problem: str) -> tuple[str, str]:
    return _("psoas: this week's chart"), _("It could not be drawn ({problem}).").format(
        problem=problem
    )


def settings_not_opened(problem: str) -> tuple[str, str]:
    return _("psoas: the settings"), _("They could not be opened: {problem}").format(
        problem=problem
    )


#: What a menu entry the user chose is called when it failed: "psoas could not {...}".
SHOW_CHART = N_("show this week's chart")
OPEN_CONFIG = N_("open your config file")
OPEN_SETTINGS = N_("open the settings")


def menu_entry(label: str) -> str:
    """A menu entry, as :func:`action_failed` names it: 'do “Snooze”'."""
    return _("do “{label}”").format(label=label)


def action_failed(action: str, log_folder: object) -> tuple[str, str]:
    """The one line a user gets back when what they just asked for failed on psoas's side."""
    return (
        _("psoas could not {action}").format(action=action),
        _("Something went wrong inside psoas; its log in {folder} says what.").format(
            folder=log_folder
        ),
    )
