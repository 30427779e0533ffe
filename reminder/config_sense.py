"""Settings that are each allowed but make no sense together, such as a break longer than the
sitting that brings a prompt: a warning naming both, never a refusal (psoas runs on what the
file says; the user may have meant it, and may be in the middle of editing)."""

from __future__ import annotations

from datetime import datetime, timedelta

from reminder import words
from reminder.config import DEFAULTS, Config, file_settings


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
            words.break_not_shorter_than_sit(
                setting("break_minutes"), setting("sit_minutes"), config.break_minutes, sit
            )
        )
    if config.repeat_minutes > sit:  # 0, never, is not longer
        found.append(
            words.repeat_longer_than_sit(setting("repeat_minutes"), setting("sit_minutes"))
        )
    longer = [f"{minutes:g}" for minutes in config.snooze_minutes if minutes > sit]
    if longer:
        found.append(
            words.snoozes_longer_than_sit(setting("snooze_minutes"), longer, setting("sit_minutes"))
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
                words.hours_shorter_than_sit(
                    setting("hours.start"),
                    setting("hours.end"),
                    open_minutes,
                    setting("sit_minutes"),
                )
            )
    if config.quiet.apps and "apps" not in config.quiet.when:
        found.append(words.apps_not_looked_at(setting("quiet.apps"), setting("quiet.when")))
    return found
