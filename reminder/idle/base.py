"""What every idle source is: seconds since the last input, and whether the screen is locked."""

from __future__ import annotations

from typing import Protocol


class IdleSource(Protocol):
    name: str
    #: False for the stand-in that cannot see input: every minute then counts as sitting.
    tracks_input: bool

    async def idle_seconds(self) -> float:
        """Seconds since the last input. Raises OSError (or a subclass) when the source fails."""
        ...

    async def locked(self) -> bool:
        """Whether the screen is locked, where the source can tell; False otherwise."""
        ...


class NoIdleSource:
    """Used when nothing can see input: the user is taken to be sitting whenever the daemon runs."""

    name = "none"
    tracks_input = False

    async def idle_seconds(self) -> float:
        return 0.0

    async def locked(self) -> bool:
        return False
