"""What the objects psoas exports on the bus share: nothing a caller sends may escape them.

dbus-fast answers a failing handler with a D-Bus error, except when the caller asked for no reply:
then the handler runs outside dbus-fast's error handling and whatever it raises (a D-Bus error
for an unknown menu id, say) lands in the connection's reader. :class:`NoReplyGuard` runs those
calls itself and keeps what they raise. :func:`run_callback` is the boundary around the daemon's
own code that a host's click or scroll sets off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from dbus_fast import DBusError, Message, MessageFlag, MessageType

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


class NoReplyGuard:
    """A bus message handler for method calls on ``path`` that want no reply.

    ``side_effects`` maps each member whose call does something (a click, an activation) to its
    D-Bus signature and the Python callable to run; every other such call (a getter, whose
    answer nobody wants, or a call with the wrong arguments) is dropped. Calls that want a reply
    are left to dbus-fast.
    """

    def __init__(
        self, path: str, interface: str, side_effects: Mapping[str, tuple[str, Callable[..., Any]]]
    ) -> None:
        self.path = path
        self.interface = interface
        self.side_effects = dict(side_effects)

    def __call__(self, message: Message) -> bool | None:
        if (
            message.message_type is not MessageType.METHOD_CALL
            or message.path != self.path
            or not message.flags & MessageFlag.NO_REPLY_EXPECTED
        ):
            return None
        wanted = self.side_effects.get(message.member or "")
        if message.interface not in (None, self.interface) or wanted is None:
            return True
        signature, run = wanted
        if message.signature != signature:
            return True
        try:
            run(*message.body)
        except DBusError as error:
            log.debug("%s.%s without reply: %s", self.interface, message.member, error.text)
        except Exception:  # a boundary: this runs inside the bus reader, which every part shares
            log.exception("%s.%s without reply failed", self.interface, message.member)
        return True
