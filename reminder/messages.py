"""The words a user reads in a notification, for each event worth showing."""

from __future__ import annotations

from reminder import events as ev
from reminder.catalogue import Catalogue, RoutineStep, duration_text


def minutes_text(seconds: float) -> str:
    """'42 min', '1 h 05 min', or seconds when under a minute (demos run on tiny minutes)."""
    if seconds < 60:
        return f"{max(0, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def seconds_text(seconds: float) -> str:
    """'45 s', '2 min 15 s'; under ten seconds to two figures ('1.5 s', '0.3 s'), as a quick
    routine pace makes them."""
    return f"{seconds:.2g} s" if seconds < 10 else duration_text(seconds)


def side_text(side: str | None) -> str:
    return {"left": "Left side", "right": "Right side"}.get(side or "", "")


def notification_for(event: ev.Event, catalogue: Catalogue) -> tuple[str, str] | None:
    """(title, body) for an event the user should see, else None."""
    match event:
        case ev.PromptShown():
            stretch = catalogue.stretch(event.stretch)
            again = " (again)" if event.repeat else ""
            title = f"Time to stretch{again}: {stretch.name}"
            body = f"You have sat {minutes_text(event.sitting_seconds)}. {stretch.summary()}"
            return title, body
        case ev.RoutineStepStarted():
            step = catalogue.routine(event.routine).steps[event.index]
            stretch = catalogue.stretch(step.stretch)
            side = side_text(step.side)
            title = f"Step {event.index + 1} of {event.count}: {stretch.name}"
            title += f", {side.lower()}" if side else ""
            return title, step_instruction(step, stretch.how, event.seconds, event.rest_seconds)
        case ev.RoutineFinished():
            routine = catalogue.routine(event.routine)
            return f"{routine.name}: done", "Well done. The sitting clock starts again from zero."
    return None


def step_instruction(step: RoutineStep, how: str, work_seconds: float, rest_seconds: float) -> str:
    """What to do in a routine step: the how-to, the amount, then the rest or the switch.

    ``work_seconds`` and ``rest_seconds`` are the times the user will really spend: the step's
    own, multiplied by their routine pace (a RoutineStepStarted event carries them so). The text
    then says "Hold 3 s" for a 30 s hold played at pace 0.1; the number of reps never changes.
    """
    reps = f"{step.reps} {'rep' if step.reps == 1 else 'reps'}"
    if step.hold_seconds is not None:
        hold = work_seconds / step.reps
        amount = f"Hold {seconds_text(hold)}" + (f", {reps}" if step.reps > 1 else "")
    else:
        amount = f"{reps}, moving in and out slowly (about {seconds_text(work_seconds)})"
    text = f"{how} {amount}."
    if rest_seconds:
        text += f" Then rest {seconds_text(rest_seconds)}"
        text += f" and {step.note}." if step.note else "."
    elif step.note:
        text += f" Then {step.note}."
    return text
