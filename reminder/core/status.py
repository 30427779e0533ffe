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
    """What the busy signals said at a look: ``reason`` why the user should not be interrupted
    (a call, do-not-disturb, a fullscreen window...), None when nothing says so (:data:`FREE`).

    They are asked only when it matters (a prompt due or waiting, a break about to come); at
    every other look they say nothing either way: :data:`NOT_ASKED`."""

    reason: str | None = None
    asked: bool = True

    def __post_init__(self) -> None:
        if self.reason is not None and not self.asked:
            raise ValueError("busy signals that were not asked give no reason")


#: The signals were asked, and nothing says the user is busy.
FREE = Busy()
#: The signals were not asked at this look.
NOT_ASKED = Busy(asked=False)
