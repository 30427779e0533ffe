"""Every sentence of the settings page, and what ``psoas settings`` prints, in one place: the
page's own words, each a constant or a small function, so a translation can wrap them later.

The config's errors are not here: beside a field the page shows the very line ``psoas config
check`` prints for the same value.
"""

from __future__ import annotations

import os

# ----- the command -------------------------------------------------------------------------------


def opened(url: str) -> str:
    return f"the settings are open in your browser: {url}"


def not_opened(url: str, problem: str) -> str:
    return f"no browser could be opened ({problem}); open this address in yours: {url}"


def not_started(problem: str) -> str:
    return f"the settings page could not start: {problem}"


NO_ANSWER = "it did not say where it listens within 15 s"

# ----- every page ----------------------------------------------------------------------------

TITLE = "psoas"
SKIP = "Skip to the content"
PAGES_LABEL = "Pages"
SETTINGS = "Settings"
PROGRESS = "Progress"
CLOSE = "Close the settings"
CLOSED = (
    "This page has closed. To open it again run psoas settings, or choose Settings… in psoas's "
    "tray menu."
)
BYE = "The settings page has closed. You can close this tab."

# ----- what is refused ------------------------------------------------------------------------


def wrong_host(expected: str) -> str:
    return f"Refused: this page is served only as {expected}."


LINK_USED = (
    "This link has been used already, or it is not one psoas made. For a new one run psoas "
    "settings, or choose Settings… in psoas's tray menu."
)
NO_SESSION = (
    "This page opens only from the link psoas gives. Run psoas settings, or choose Settings… in "
    "psoas's tray menu."
)
OTHER_ORIGIN = "Refused: a change may come only from the settings page itself."
NO_FORM_KEY = "Refused: the form's key is missing or wrong. Reload the page and try again."
NOT_HERE = "Nothing here."
METHOD_REFUSED = "Refused: not a request this page answers."
TOO_LARGE = "Refused: the request is too large."
NOT_A_FORM = "Refused: a change comes only as the page's own form sends it."

# ----- the settings page -----------------------------------------------------------------------


def editing(path: object) -> str:
    return f"Your config file: {_from_home(str(path))}"


def _from_home(path: str) -> str:
    """A path in the user's home as '~/...', the way people write it."""
    home = os.path.expanduser("~")
    if home not in ("", "~", "/") and path.startswith(home + os.sep):
        return "~" + path[len(home) :]
    return path


NO_FILE_YET = (
    "There is no config file yet, so psoas uses the defaults. Saving writes one, with a comment "
    "above each setting."
)


def unreadable(problem: str) -> str:
    return (
        f"Your config file cannot be edited here: {problem}. Put it right in a text editor "
        "(psoas config check shows what is wrong), then reload this page."
    )


RELOAD = "Reload from the file"
SAVE = "Save"
DEFAULT = "Default"
ERROR = "Error"


def errors_summary(fields: int) -> str:
    from reminder.words import count  # here: ``psoas --help`` reads this module, not the core

    verb = "needs" if fields == 1 else "need"
    return f"Nothing was saved: {count(fields, 'setting')} {verb} a change."


def changed_on_disk(path: object) -> str:
    return (
        f"{path} changed on disk since this page was opened (an editor or another program saved "
        "it), so nothing was written over it. Reload to see the file as it is now, then make your "
        "change again."
    )


NOTHING_CHANGED = "Nothing to save: every setting is as it was."


def saved_next_prompt(time_of_day: str, day: str | None = None) -> str:
    """'Saved: the next prompt is now at 10:40.' ('... at 09:00 tomorrow.')"""
    return f"Saved: the next prompt is now at {time_of_day}{' ' + day if day else ''}."


TOMORROW = "tomorrow"


def on_day(day: str) -> str:
    return f"on {day}"


def saved_taken_up(summary: str) -> str:
    return f"Saved, and the running psoas took it up: {summary}"


SAVED_NOT_RUNNING = "Saved. psoas is not running; it will use these settings when it starts."


def saved_not_applied(problem: str) -> str:
    return f"Saved, but the running psoas did not take it up: {problem}"


def saved_other_file(path: str) -> str:
    return f"Saved. The running psoas reads another config file ({path}), so it goes on as before."


SAVED_NO_ANSWER = (
    "Saved. The running psoas has not said yet that it took the change up; psoas status shows "
    "when it has."
)


def cannot_write(problem: str) -> str:
    return f"Nothing was saved: {problem}"


#: The groups, as a person thinks of the settings.
GROUPS = {
    "prompts": "When to prompt",
    "breaks": "What counts as a break",
    "hours": "Working hours",
    "stretches": "The stretches",
    "quiet": "Quiet times",
    "coaching": "Beyond the prompts",
}

#: Each setting's label: what the field holds.
LABELS = {
    "sit_minutes": "Minutes of sitting before a prompt",
    "repeat_minutes": "Repeat an unanswered prompt after (minutes)",
    "snooze_minutes": "Snooze choices (minutes)",
    "sound": "Sound with a prompt",
    "break_minutes": "Minutes without input that make a break",
    "idle_source": "How psoas sees you at the computer",
    "hours.days": "Days with prompts",
    "hours.start": "Prompts from",
    "hours.end": "Prompts until",
    "stretches.place": "Where you stretch",
    "stretches.exclude": "Stretches psoas may suggest",
    "stretches.file": "Your own stretches",
    "routine_pace": "Pace of the guided routines",
    "quiet.when": "Hold a prompt back while",
    "quiet.apps": "Programs that mean you are busy",
    "quiet.recheck_minutes": "While a prompt waits, look again after (minutes)",
    "desk.standing": "A sit-stand desk",
    "desk.standing_minutes": "Suggest a change after standing (minutes)",
    "coach.weekly_note": "A word on your progress each week",
}

#: Each setting's meaning, in one line.
MEANINGS = {
    "sit_minutes": "Continuous sitting before psoas prompts you to stretch.",
    "repeat_minutes": "If you keep sitting without answering, the prompt comes back this much "
    "later; 0 shows it once.",
    "snooze_minutes": "What Snooze offers, separated by commas; the first is what a plain snooze "
    "uses.",
    "sound": "The desktop's message sound with each prompt, never with a routine's steps; psoas "
    "doctor says whether your notification server plays sounds.",
    "break_minutes": "No keyboard or mouse input this long is a real break: the sitting clock "
    "goes back to zero. A shorter pause still counts as sitting.",
    "idle_source": "auto picks what works on this desktop (psoas status says which); none counts "
    "every minute psoas runs as sitting.",
    "hours.days": "Sitting is counted every day; prompts come only on these days.",
    "hours.start": "24-hour time, HH:MM. A prompt that falls due before it waits for it.",
    "hours.end": "24-hour time, HH:MM. An end before the start runs past midnight; 24:00 is "
    "midnight at the end of the day; the same time as the start means all day.",
    "stretches.place": "At the desk, psoas names only the stretches that need no floor.",
    "stretches.exclude": "Untick a stretch (or its picture) to leave it out.",
    "stretches.file": "A file of stretches of your own, written as psoas's are (see the README); "
    "a name without a folder is beside your config file.",
    "routine_pace": "Every hold, rep and rest of a guided routine is multiplied by this: 1.5 is "
    "gentler, 0.05 plays a routine in seconds.",
    "quiet.when": "A prompt that falls due then waits, and comes as soon as you are free. "
    "Untick all to never hold one.",
    "quiet.apps": "Program names separated by commas, e.g. zoom, teams; used while “those "
    "programs run” is ticked above.",
    "quiet.recheck_minutes": "How often psoas looks whether you are free while a prompt waits.",
    "desk.standing": "With one, a prompt offers “I'll stand”: standing stops the sitting clock "
    "and is counted apart. A break, the end of your working day or a locked screen ends it.",
    "desk.standing_minutes": "After standing this long psoas suggests sitting down or moving, "
    "once.",
    "coach.weekly_note": "At the start of the first working day of the week, one sentence on how "
    "last week went against the week before.",
}

#: The words of each choice, by setting.
CHOICES = {
    "sound": {"false": "No sound", "true": "With the message sound"},
    "desk.standing": {"false": "No sit-stand desk", "true": "I have a sit-stand desk"},
    "coach.weekly_note": {"false": "No weekly note", "true": "A weekly note"},
    "idle_source": {
        "auto": "auto: what works on this desktop",
        "x11": "x11: the X server's input counter",
        "wayland": "wayland: the compositor (KDE Plasma, sway, Hyprland...)",
        "gnome": "gnome: GNOME's idle monitor",
        "freedesktop": "freedesktop: the screensaver's idle time",
        "windows": "windows",
        "macos": "macos",
        "none": "none: count all the time psoas runs as sitting",
    },
    "stretches.place": {
        "anywhere": "Anywhere: all the stretches",
        "desk": "At the desk only: no floor needed",
    },
    "hours.days": {
        "mon": "Monday",
        "tue": "Tuesday",
        "wed": "Wednesday",
        "thu": "Thursday",
        "fri": "Friday",
        "sat": "Saturday",
        "sun": "Sunday",
    },
    "quiet.when": {
        "dnd": "the desktop's do-not-disturb is on",
        "fullscreen": "a window is fullscreen (or a video or slides keep the screen awake)",
        "call": "you are on a call (the microphone or the camera is in use)",
        "apps": "those programs run (below)",
    },
}

#: Shorter words for the choices, where the default names several.
SHORT_CHOICES = {
    "quiet.when": {
        "dnd": "do-not-disturb",
        "fullscreen": "fullscreen",
        "call": "a call",
        "apps": "those programs",
    },
}

ALL_STRETCHES = "all of them"
NOTHING = "none"
NOT_AT_THE_DESK = "Not at the desk: needs the floor."
LEFT_OUT = "Left out."


def picture_of(name: str, how: str) -> str:
    """A stretch picture's text for those who cannot see it."""
    return f"{name}: {how}"


# ----- the progress page -----------------------------------------------------------------------

THIS_WEEK = "The last seven days"
DAY = "day"
STRETCHES_DONE = "stretches done"
TREND = "The trend"
WEEK_CHART = "This week as a chart"
TREND_CHART = "The last twelve weeks as a chart"


def week_chart_text(first: str, last: str) -> str:
    return (
        f"Time sat each day from {first} to {last}, drawn along the hours; the table above "
        "gives the same figures."
    )


def trend_chart_text(weeks: int) -> str:
    from reminder.words import count

    return (
        f"Over {count(weeks, 'week')}: bouts of an hour or more per working day as bars, the "
        "share of prompts answered as a line."
    )


NO_TREND_YET = "The trend needs this week and at least one of the four before it."
HISTORY = "Your history"
EXPORT = "Download every recorded event (CSV)"
EXPORT_NOTE = "The same file as psoas export --csv: time, kind and details of each event."


def history_problem(problem: str) -> str:
    return f"Your history cannot be read now: {problem}"
