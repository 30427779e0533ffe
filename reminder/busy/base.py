"""What every busy signal is: a look, only when a prompt is due, at whether the user should not
be interrupted now (do-not-disturb, a fullscreen window, a call, a named app running)."""

from __future__ import annotations

from typing import Protocol


class BusySignal(Protocol):
    #: The config's word for this signal: "dnd", "fullscreen", "call" or "apps".
    name: str

    async def busy(self) -> str | None:
        """Why the user is busy now, as a reason word ("dnd", "fullscreen", "call", "camera",
        "apps"), or None when this signal says they are not. Raises OSError (or a subclass)
        when the signal cannot be read here (no bus, no pactl, no window manager, no permission).
        """
        ...
