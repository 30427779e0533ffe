"""What the core says of the present moment: for the tray, ``psoas status`` and the icon."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    """Where the user stands, as the tray's picture and words tell it."""

    AWAY = "away"  # no sit under way: a break, a locked screen, a sleeping machine
    SITTING = "sitting"
    DUE = "due"  # a prompt is out and unanswered
    SNOOZED = "snoozed"
    PAUSED = "paused"
    ROUTINE = "routine"
    OFF_HOURS = "off-hours"


@dataclass(frozen=True)
class Status:
    """A snapshot for the tray, ``psoas status`` and the icon."""

    state: State
    sitting_seconds: float
    next_prompt: float | None  # epoch seconds
    paused_until: float | None  # epoch seconds
    next_stretch: str | None
    routine: str | None = None
    routine_progress: float = 0.0
    routine_step: int = -1
    routine_paused: bool = False
