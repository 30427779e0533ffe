"""The boundary around the daemon's code that a panel's click, scroll or menu sets off."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def run_callback(what: str, callback: Callable[..., object] | None, *args: object) -> bool:
    """Call the daemon's ``callback``; True when it returned, False (logged) when it raised."""
    if callback is None:
        return True
    try:
        callback(*args)
    except Exception:  # a boundary: a D-Bus handler must answer whatever the daemon's code does
        log.exception("the tray's %s callback failed", what)
        return False
    return True
