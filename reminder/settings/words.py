"""Every sentence of the settings page, and what ``psoas settings`` prints, in one place: the
page's own words, each a constant or a small function, in the language of the request.

A constant (``words.SAVE``, ``words.LABELS``) is said when it is read: each is kept marked for
the catalogue as ``_SAVE`` and given out translated by the module's ``__getattr__``, so the same
page serves a French browser in French and a German one in German, whatever the thread.

The config's errors are not here: beside a field the page shows the very line ``psoas config
check`` prints for the same value.
"""

from __future__ import annotations

import os
from typing import Any

from reminder.language import N_, _, ngettext

# ----- the command -------------------------------------------------------------------------------


def __getattr__(name: str) -> Any:
    """A constant of this module, in the language of the moment."""
    try:
        return _said(globals()["_" + name])
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def _said(value: Any) -> Any:
    if isinstance(value, str):
        return _(value)
    if isinstance(value, dict):
        return {key: _said(item) for key, item in value.items()}
    return value


def opened(url: str) -> str:
    return _("the settings are open in your browser: {url}").format(url=url)


def not_opened(url: str, problem: str) -> str:
    return _("no browser could be opened ({problem}); open this address in yours: {url}").format(
        problem=problem, url=url
    )


def not_started(problem: str) -> str:
    return _("the settings page could not start: {problem}").format(problem=problem)


_NO_ANSWER = N_("it did not say where it listens within 15 s")

# ----- every page ----------------------------------------------------------------------------

_TITLE = N_("psoas")
_SKIP = N_("Skip to the content")
_PAGES_LABEL = N_("Pages")
_SETTINGS = N_("Settings")
_PROGRESS = N_("Progress")
_CLOSE = N_("Close the settings")
_CLOSED = N_(
    "This page has closed. To open it again run psoas settings, or choose Settings… in psoas's "
    "tray menu."
)
_BYE = N_("The settings page has closed. You can close this tab.")

# ----- what is refused ------------------------------------------------------------------------


def wrong_host(expected: str) -> str:
    return _("Refused: this page is served only as {address}.").format(address=expected)


_LINK_USED = N_(
    "This link has been used already, or it is not one psoas made. For a new one run psoas "
    "settings, or choose Settings… in psoas's tray menu."
)
_NO_SESSION = N_(
    "This page opens only from the link psoas gives. Run psoas settings, or choose Settings… in "
    "psoas's tray menu."
)
_OTHER_ORIGIN = N_("Refused: a change may come only from the settings page itself.")
_NO_FORM_KEY = N_("Refused: the form's key is missing or wrong. Reload the page and try again.")
_NOT_HERE = N_("Nothing here.")
_METHOD_REFUSED = N_("Refused: not a request this page answers.")
_TOO_LARGE = N_("Refused: the request is too large.")
_NOT_A_FORM = N_("Refused: a change comes only as the page's own form sends it.")

# ----- the settings page -----------------------------------------------------------------------


def editing(path: object) -> str:
    return _("Your config file: {path}").format(path=_from_home(str(path)))


def _from_home(path: str) -> str:
    """A path in the user's home as '~/...', the way people write it."""
    home = os.path.expanduser("~")
    if home not in ("", "~", "/") and path.startswith(home + os.sep):
        return "~" + path[len(home) :]
    return path


_NO_FILE_YET = N_(
    "There is no config file yet, so psoas uses the defaults. Saving writes one, with a comment "
    "above each setting."
)


def unreadable(problem: str) -> str:
    return _(
        "Your config file cannot be edited here: {problem}. Put it right in a text editor "
        "(psoas config check shows what is wrong), then reload this page."
    ).format(problem=problem)


_RELOAD = N_("Reload from the file")
_SAVE = N_("Save")
_DEFAULT = N_("Default")
_ERROR = N_("Error")


def errors_summary(fields: int) -> str:
    return ngettext(
        "Nothing was saved: {n} setting needs a change.",
        "Nothing was saved: {n} settings need a change.",
        fields,
    ).format(n=fields)


def changed_on_disk(path: object) -> str:
    return _(
        "{path} changed on disk since this page was opened (an editor or another program saved "
        "it), so nothing was written over it. Reload to see the file as it is now, then make your "
        "change again."
    ).format(path=path)


_NOTHING_CHANGED = N_("Nothing to save: every setting is as it was.")


def saved_next_prompt(time_of_day: str, day: str | None = None) -> str:
    """'Saved: the next prompt is now at 10:40.' ('... at 09:00 tomorrow.')"""
    if day:
        return _("Saved: the next prompt is now at {time} {day}.").format(time=time_of_day, day=day)
    return _("Saved: the next prompt is now at {time}.").format(time=time_of_day)


_TOMORROW = N_("tomorrow")


def on_day(day: str) -> str:
    return _("on {day}").format(day=day)


def saved_taken_up(summary: str) -> str:
    return _("Saved, and the running psoas took it up: {summary}").format(summary=summary)


_SAVED_NOT_RUNNING = N_("Saved. psoas is not running; it will use these settings when it starts.")


def saved_not_applied(problem: str) -> str:
    return _("Saved, but the running psoas did not take it up: {problem}").format(problem=problem)


def saved_other_file(path: str) -> str:
    return _(
        "Saved. The running psoas reads another config file ({path}), so it goes on as before."
    ).format(path=path)


_SAVED_NO_ANSWER = N_(
    "Saved. The running psoas has not said yet that it took the change up; psoas status shows "
    "when it has."
)


def cannot_write(problem: str) -> str:
    return _("Nothing was saved: {problem}").format(problem=problem)


#: The groups, as a person thinks of the settings.
_GROUPS = {
    "prompts": N_("When to prompt"),
    "breaks": N_("What counts as a break"),
    "hours": N_("Working hours"),
    "stretches": N_("The stretches"),
    "quiet": N_("Quiet times"),
    "language": N_("Language"),
}

#: Each setting's label: what the field holds.
_LABELS = {
    "sit_minutes": N_("Minutes of sitting before a prompt"),
    "repeat_minutes": N_("Repeat an unanswered prompt after (minutes)"),
    "snooze_minutes": N_("Snooze choices (minutes)"),
    "sound": N_("Sound with a prompt"),
    "break_minutes": N_("Minutes without input that make a break"),
    "idle_source": N_("How psoas sees you at the computer"),
    "hours.days": N_("Days with prompts"),
    "hours.start": N_("Prompts from"),
    "hours.end": N_("Prompts until"),
    "stretches.place": N_("Where you stretch"),
    "stretches.exclude": N_("Stretches psoas may suggest"),
    "routine_pace": N_("Pace of the guided routines"),
    "quiet.when": N_("Hold a prompt back while"),
    "quiet.apps": N_("Programs that mean you are busy"),
    "quiet.recheck_minutes": N_("While a prompt waits, look again after (minutes)"),
    "language": N_("The language psoas speaks"),
}

#: Each setting's meaning, in one line.
_MEANINGS = {
    "sit_minutes": N_("Continuous sitting before psoas prompts you to stretch."),
    "repeat_minutes": N_(
        "If you keep sitting without answering, the prompt comes back this much "
        "later; 0 shows it once."
    ),
    "snooze_minutes": N_(
        "What Snooze offers, separated by commas; the first is what a plain snooze uses."
    ),
    "sound": N_(
        "The desktop's message sound with each prompt, never with a routine's steps; psoas "
        "doctor says whether your notification server plays sounds."
    ),
    "break_minutes": N_(
        "No keyboard or mouse input this long is a real break: the sitting clock "
        "goes back to zero. A shorter pause still counts as sitting."
    ),
    "idle_source": N_(
        "auto picks what works on this desktop (psoas status says which); none counts "
        "every minute psoas runs as sitting."
    ),
    "hours.days": N_("Sitting is counted every day; prompts come only on these days."),
    "hours.start": N_("24-hour time, HH:MM. A prompt that falls due before it waits for it."),
    "hours.end": N_(
        "24-hour time, HH:MM. An end before the start runs past midnight; 24:00 is "
        "midnight at the end of the day; the same time as the start means all day."
    ),
    "stretches.place": N_("At the desk, psoas names only the stretches that need no floor."),
    "stretches.exclude": N_("Untick a stretch (or its picture) to leave it out."),
    "routine_pace": N_(
        "Every hold, rep and rest of a guided routine is multiplied by this: 1.5 is "
        "gentler, 0.05 plays a routine in seconds."
    ),
    "quiet.when": N_(
        "A prompt that falls due then waits, and comes as soon as you are free. "
        "Untick all to never hold one."
    ),
    "quiet.apps": N_(
        "Program names separated by commas, e.g. zoom, teams; used while “those "
        "programs run” is ticked above."
    ),
    "quiet.recheck_minutes": N_("How often psoas looks whether you are free while a prompt waits."),
    "language": N_(
        "auto follows your desktop's language; a language psoas does not speak is English. "
        "Notifications, the tray, the command line and this page all speak it."
    ),
}

#: The words of each choice, by setting.
_CHOICES = {
    "sound": {"false": N_("No sound"), "true": N_("With the message sound")},
    "idle_source": {
        "auto": N_("auto: what works on this desktop"),
        "x11": N_("x11: the X server's input counter"),
        "wayland": N_("wayland: the compositor (KDE Plasma, sway, Hyprland...)"),
        "gnome": N_("gnome: GNOME's idle monitor"),
        "freedesktop": N_("freedesktop: the screensaver's idle time"),
        "windows": N_("windows"),
        "macos": N_("macos"),
        "none": N_("none: count all the time psoas runs as sitting"),
    },
    "language": {
        "auto": N_("auto: the desktop's language"),
        # Each language by its own name, as a person who speaks it looks for it.
        "en": "English",
        "de": "Deutsch",
        "fr": "Français",
        "es": "Español",
    },
    "stretches.place": {
        "anywhere": N_("Anywhere: all the stretches"),
        "desk": N_("At the desk only: no floor needed"),
    },
    "hours.days": {
        "mon": N_("Monday"),
        "tue": N_("Tuesday"),
        "wed": N_("Wednesday"),
        "thu": N_("Thursday"),
        "fri": N_("Friday"),
        "sat": N_("Saturday"),
        "sun": N_("Sunday"),
    },
    "quiet.when": {
        "dnd": N_("the desktop's do-not-disturb is on"),
        "fullscreen": N_("a window is fullscreen (or a video or slides keep the screen awake)"),
        "call": N_("you are on a call (the microphone or the camera is in use)"),
        "apps": N_("those programs run (below)"),
    },
}

#: Shorter words for the choices, where the default names several.
_SHORT_CHOICES = {
    "quiet.when": {
        "dnd": N_("do-not-disturb"),
        "fullscreen": N_("fullscreen"),
        "call": N_("a call"),
        "apps": N_("those programs"),
    },
}

_ALL_STRETCHES = N_("all of them")
_NOTHING = N_("none")
_NOT_AT_THE_DESK = N_("Not at the desk: needs the floor.")
_LEFT_OUT = N_("Left out.")


def picture_of(name: str, how: str) -> str:
    """A stretch picture's text for those who cannot see it."""
    return _("{stretch}: {how}").format(stretch=name, how=how)


# ----- the progress page -----------------------------------------------------------------------

_THIS_WEEK = N_("The last seven days")
_DAY = N_("day")
_STRETCHES_DONE = N_("stretches done")
_TREND = N_("The trend")
_WEEK_CHART = N_("This week as a chart")
_TREND_CHART = N_("The last twelve weeks as a chart")


def week_chart_text(first: str, last: str) -> str:
    return _(
        "Time sat each day from {first} to {last}, drawn along the hours; the table above "
        "gives the same figures."
    ).format(first=first, last=last)


def trend_chart_text(weeks: int) -> str:
    return ngettext(
        "Over {n} week: bouts of an hour or more per working day as bars, the share of prompts "
        "answered as a line.",
        "Over {n} weeks: bouts of an hour or more per working day as bars, the share of prompts "
        "answered as a line.",
        weeks,
    ).format(n=weeks)


_NO_TREND_YET = N_("The trend needs this week and at least one of the four before it.")
_HISTORY = N_("Your history")
_EXPORT = N_("Download every recorded event (CSV)")
_EXPORT_NOTE = N_("The same file as psoas export --csv: time, kind and details of each event.")


def history_problem(problem: str) -> str:
    return _("Your history cannot be read now: {problem}").format(problem=problem)
