"""A stop signal that comes while psoas is still starting, before its loop takes the signals.

Loading psoas takes a few tenths of a second (more on a busy machine); a SIGTERM from a session
that ends, or a service manager, in that time would otherwise kill it with no word. Kept here
instead, it stops psoas as soon as there is something to stop, with the exit status of any stop.
"""

from __future__ import annotations

import signal
from types import FrameType

#: What stops psoas: TERM (a service manager), INT (Ctrl-C), HUP (a closed terminal, a logout).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name)
)


class EarlyStop:
    """Notes a stop signal until the loop takes the signals over (:attr:`asked`)."""

    def __init__(self) -> None:
        self.asked = False

    def install(self) -> EarlyStop:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._note)
        return self

    def _note(self, signum: int, frame: FrameType | None) -> None:
        self.asked = True
