"""What the core knows of the user's config: every duration in seconds, nothing to parse."""

from __future__ import annotations

from dataclasses import dataclass

from reminder.core.hours import WorkingHours


@dataclass(frozen=True)
class Settings:
    """What the core needs to know of the user's config, in seconds."""

    sit: float
    break_: float
    repeat: float  # 0: never repeat an unanswered prompt
    snooze: float  # the default snooze
    hours: WorkingHours
    stretches: tuple[str, ...]  # the stretch ids a prompt may name, in rotation order
    away_poll: float = 60.0  # how often to look for the user's return while they are away
    wake_grace: float = 60.0  # no prompt this soon after the machine wakes or the screen unlocks
    routine_pace: float = 1.0  # multiplies the length of every routine step
    recheck: float = 120.0  # while a prompt is held (the user is busy), look again this often
    desk: bool = False  # the user has a sit-stand desk: they may stand (I'll stand)
    standing_limit: float = 1800.0  # after standing this long, suggest sitting down or moving
