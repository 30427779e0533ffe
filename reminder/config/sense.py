"""Settings that are each allowed but make no sense together, such as a break longer than the
sitting that brings a prompt: a warning naming both, never a refusal (psoas runs on what the
file says; the user may have meant it, and may be in the middle of editing)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from reminder.config import DEFAULTS, Config, file_settings
from reminder.units import duration


def config_warnings(config: Config) -> list[str]:
    """One sentence for each pair of settings that works against the other."""
    shown, defaults = file_settings(config), file_settings(DEFAULTS)

    def setting(key: str) -> str:
        """``break_minutes = 90`` as the file writes it; a value the file left out is named
        as psoas's own, so the user knows which line to add."""
        said = f"{key} = {shown[key]}"
        if config.origin != "defaults" and shown[key] == defaults[key]:
            said += " (the default)"
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
    return (
        f"{break_} is not shorter than {sit}: only a pause of {duration(break_minutes * 60)} "
        f"counts as a break, so a prompt comes every {duration(sit_minutes * 60)} however often "
        "you get up"
    )


def repeat_longer_than_sit(repeat: str, sit: str) -> str:
    return (
        f"{repeat} is longer than {sit}: a prompt left unanswered comes back later than one you "
        "skip (a skip starts the sitting clock again)"
    )


def snoozes_longer_than_sit(snoozes: str, longer: Sequence[str], sit: str) -> str:
    those = "that snooze puts" if len(longer) == 1 else "those snoozes put"
    listed = " and ".join([", ".join(longer[:-1]), longer[-1]] if len(longer) > 1 else longer)
    return (
        f"{snoozes} has {listed}, longer than {sit}: {those} a prompt off for "
        "longer than skipping it would (a skip starts the sitting clock again)"
    )


def hours_shorter_than_sit(start: str, end: str, open_minutes: float, sit: str) -> str:
    return (
        f"{start} and {end} leave {duration(open_minutes * 60)} of working hours, less than "
        f"{sit}: no sitting within them reaches a prompt; one comes only as they open"
    )


def apps_not_looked_at(apps: str, when: str) -> str:
    return f'{apps} but {when} leaves out "apps": those programs never hold a prompt'
