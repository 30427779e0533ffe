"""Settings that are each allowed but make no sense together, such as a break longer than the
sitting that brings a prompt: a warning naming both, never a refusal (psoas runs on what the
file says; the user may have meant it, and may be in the middle of editing)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from reminder.config import DEFAULTS, Config, file_settings
from reminder.language import _, ngettext
from reminder.units import duration


def config_warnings(config: Config) -> list[str]:
    """One sentence for each pair of settings that works against the other."""
    shown, defaults = file_settings(config), file_settings(DEFAULTS)

    def setting(key: str) -> str:
        """``break_minutes = 90`` as the file writes it; a value the file left out is named
        as psoas's own, so the user knows which line to add."""
        said = f"{key} = {shown[key]}"
        if config.origin != "defaults" and shown[key] == defaults[key]:
            said = _("{setting} (the default)").format(setting=said)
        return said

    sit, found = config.sit_minutes, []
    if config.break_minutes >= sit:
        found.append(
            break_not_shorter_than_sit(
                setting("break_minutes"), setting("sit_minutes"), config.break_minutes, sit
            )
        )
    if config.repeat_minutes > sit:  # 0, never, is not longer
        found.append(repeat_longer_than_sit(setting("repeat_minutes"), setting("sit_minutes")))
    longer = [f"{minutes:g}" for minutes in config.snooze_minutes if minutes > sit]
    if longer:
        found.append(
            snoozes_longer_than_sit(setting("snooze_minutes"), longer, setting("sit_minutes"))
        )
    hours = config.hours
    if not hours.all_day:
        opens = datetime.combine(datetime.min.date(), hours.start)
        closes = datetime.combine(datetime.min.date(), hours.end)
        if closes <= opens:
            closes += timedelta(days=1)
        open_minutes = (closes - opens).total_seconds() / 60
        if open_minutes < sit:
            found.append(
                hours_shorter_than_sit(
                    setting("hours.start"),
                    setting("hours.end"),
                    open_minutes,
                    setting("sit_minutes"),
                )
            )
    if config.quiet.apps and "apps" not in config.quiet.when:
        found.append(apps_not_looked_at(setting("quiet.apps"), setting("quiet.when")))
    return found


# What each warning says: both settings named as the file writes them, and what the user would
# live through (kept with the checks, as the config's errors are).


def break_not_shorter_than_sit(
    break_: str, sit: str, break_minutes: float, sit_minutes: float
) -> str:
    return _(
        "{break_} is not shorter than {sit}: only a pause of {pause} counts as a break, so a "
        "prompt comes every {every} however often you get up"
    ).format(
        break_=break_,
        sit=sit,
        pause=duration(break_minutes * 60),
        every=duration(sit_minutes * 60),
    )


def repeat_longer_than_sit(repeat: str, sit: str) -> str:
    return _(
        "{repeat} is longer than {sit}: a prompt left unanswered comes back later than one you "
        "skip (a skip starts the sitting clock again)"
    ).format(repeat=repeat, sit=sit)


def snoozes_longer_than_sit(snoozes: str, longer: Sequence[str], sit: str) -> str:
    if len(longer) > 1:
        listed = _("{some} and {last}").format(some=", ".join(longer[:-1]), last=longer[-1])
    else:
        listed = longer[0]
    return ngettext(
        "{snoozes} has {listed}, longer than {sit}: that snooze puts a prompt off for longer "
        "than skipping it would (a skip starts the sitting clock again)",
        "{snoozes} has {listed}, longer than {sit}: those snoozes put a prompt off for longer "
        "than skipping it would (a skip starts the sitting clock again)",
        len(longer),
    ).format(snoozes=snoozes, listed=listed, sit=sit)


def hours_shorter_than_sit(start: str, end: str, open_minutes: float, sit: str) -> str:
    return _(
        "{start} and {end} leave {time} of working hours, less than {sit}: no sitting within "
        "them reaches a prompt; one comes only as they open"
    ).format(start=start, end=end, time=duration(open_minutes * 60), sit=sit)


def apps_not_looked_at(apps: str, when: str) -> str:
    return _('{apps} but {when} leaves out "apps": those programs never hold a prompt').format(
        apps=apps, when=when
    )
