"""What every idle source is: seconds since the last input, whether the screen is locked, and,
for the sources a desktop tells of changes, a word the moment the user comes back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

#: Called (on the loop) when a source has news: input came back after an idle spell, or it failed.
OnNews = Callable[[], None]


class IdleSource(Protocol):
    name: str
    #: False for the stand-in that cannot see input: every minute then counts as sitting.
    tracks_input: bool
    #: True when the source says the moment input comes back (and when it fails), so an absence
    #: needs no looking at; False when it can only be asked.
    tells_returns: bool

    async def idle_seconds(self) -> float:
        """Seconds since the last input. Raises OSError (or a subclass) when the source fails."""
        ...

    async def locked(self) -> bool:
        """Whether the screen is locked, where the source can tell; False otherwise."""
        ...

    def watch(self, on_news: OnNews | None) -> None:
        """Have ``on_news`` called as soon as input comes back after an idle spell, or the source
        fails, where the desktop says so (Wayland); a source that can only be asked never calls it.
        """
        ...

    def close(self) -> None:
        """Let go of what the source holds (a connection); it is not asked again."""
        ...


class AskedSource:
    """What the sources that can only be asked share: no word on a return, nothing to let go,
    no lock known unless they say."""

    name = "?"
    tracks_input = True
    tells_returns = False

    async def locked(self) -> bool:
        return False

    def watch(self, on_news: OnNews | None) -> None:
        return None

    def close(self) -> None:
        return None


class NoIdleSource(AskedSource):
    """Used when nothing can see input: the user is taken to be sitting whenever the daemon runs."""

    name = "none"
    tracks_input = False

    async def idle_seconds(self) -> float:
        return 0.0
