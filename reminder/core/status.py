"""What the core says of the present moment: for the tray, ``psoas status`` and the icon."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    """Where the user stands, as the tray's picture and words tell it."""

    AWAY = "away"  # no sit under way: a break, a locked screen, a sleeping machine
    SITTING = "sitting"
    DUE = "due"  # a prompt is out and unanswered
    HELD = "held"  # a prompt is due, but the user is busy (a call, a film...): it waits
    SNOOZED = "snoozed"
    STANDING = "standing"  # at a sit-stand desk: the sitting clock is stopped
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
    next_stretch: str | None  # what the next prompt, or Stretch now, names (one out: its own)
    routine: str | None = None
    routine_progress: float = 0.0
    routine_step: int = -1
    routine_paused: bool = False
    held_for: str | None = None  # why a due prompt waits ("call", "dnd"...)
    held_since: float | None = None  # epoch seconds
    prompted_stretch: str | None = None  # what the prompt that is out names (so do its repeats)
    standing_since: float | None = None  # epoch seconds: the user stands at their desk since then


@dataclass(frozen=True)
class Busy:
    """What the busy signals said when asked: why the user should not be interrupted (a call,
    do-not-disturb, a fullscreen window...), or None when nothing says so."""

    reason: str | None
