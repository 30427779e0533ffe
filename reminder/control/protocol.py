"""The control channel's language, written once for both ends: one JSON object per line each way.

A request is ``{"command": NAME, ...}`` with ``minutes`` (snooze, pause) or ``name`` (routine),
NAME being ``status``, ``quit`` or one of the core's commands (reminder.core.commands);
a reply is ``{"ok": true, ...}`` or ``{"ok": false, "error": "one line"}``. Anything else, however
malformed, is refused with a :class:`ControlError` whose text becomes that one-line error.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from reminder.core.commands import COMMANDS, Argument
from reminder.language import _
from reminder.limits import MAX_MINUTES, MINUTES_ALLOWED, minutes_allowed

#: A request is a short JSON line; more than this is not one of ours.
MAX_REQUEST = 4096
#: How long one client may take to send its whole request: a slow one is dropped, not waited on.
REQUEST_DEADLINE = 5.0
#: How long a command waits for the daemon's reply.
CLIENT_TIMEOUT = 5.0

#: A reply may carry, under this key, something to do once the reply has been sent (quit).
THEN = "then"

#: The requests that are not the core's commands: the daemon's own.
STATUS, QUIT = "status", "quit"

#: The field each kind of argument travels in (a routine goes by its name).
FIELDS: dict[Argument, str] = {"minutes": "minutes", "routine": "name"}

#: Every request and the field of the argument it takes: the daemon's own and the core's
#: commands, as reminder.core.commands names them.
REQUESTS: dict[str, str | None] = {
    STATUS: None,
    **{name: FIELDS[spec.argument] if spec.argument else None for name, spec in COMMANDS.items()},
    QUIT: None,
}

#: The daemon's side: given a request's raw line, the reply to send back.
Answer = Callable[[bytes], Awaitable[dict[str, Any]]]


class ControlError(Exception):
    """The channel cannot be used, or a request is not one; the message says why in one line."""


class NotRunning(ControlError):
    """No psoas answers here. The message follows the command line's "psoas: " and says what
    to do."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("not running (start it with 'psoas run')"))


@dataclass(frozen=True)
class Request:
    command: str
    minutes: float | None = None
    name: str | None = None

    @property
    def argument(self) -> float | str | None:
        """The command's argument: its minutes, or the routine it names."""
        return self.minutes if self.minutes is not None else self.name

    def to_line(self) -> bytes:
        fields: dict[str, Any] = {"command": self.command}
        if self.minutes is not None:
            fields["minutes"] = self.minutes
        if self.name is not None:
            fields["name"] = self.name
        return encode(fields)


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message).encode("utf-8") + b"\n"


def decode_request(line: bytes, routines: Collection[str]) -> Request:
    """A request checked as strictly as the command line checks its arguments."""
    message = _decode(line, "request")
    command = message.get("command")
    if not isinstance(command, str):
        raise ControlError('not a request: expected {"command": ...}')
    if command not in REQUESTS:
        raise ControlError(f"unknown command {_short(command)}; use one of {', '.join(REQUESTS)}")
    field = REQUESTS[command]
    extra = set(message) - {"command"} - ({field} if field else set())
    if extra:
        raise ControlError(f"{command}: unexpected field {_short(sorted(extra)[0])}")
    if field == FIELDS["minutes"]:
        return Request(command, minutes=checked_minutes(message.get(field)))
    if field == FIELDS["routine"]:
        name = message.get(field, COMMANDS[command].default)
        if not isinstance(name, str) or name not in routines:
            raise ControlError(
                f"{command}: {_short(name)} is not a routine; use one of {', '.join(routines)}"
            )
        return Request(command, name=name)
    return Request(command)


def decode_reply(data: bytes) -> dict[str, Any]:
    reply = _decode(data, "answer")
    if not isinstance(reply.get("ok"), bool):
        raise ControlError("the running psoas sent an answer without 'ok'")
    return reply


def checked_minutes(value: Any) -> float | None:
    """``minutes`` of a request: absent, or a number of minutes from 0 to a week."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f"'minutes' must be a number, not {_short(value)}")
    if isinstance(value, int) and abs(value) > MAX_MINUTES:  # also the 400-digit ones
        raise ControlError(f"'minutes' must be {MINUTES_ALLOWED}")
    if not minutes_allowed(value):
        raise ControlError(f"'minutes' must be {MINUTES_ALLOWED}")
    return float(value)


def _decode(data: bytes, what: str) -> dict[str, Any]:
    try:
        message = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ControlError(f"not a {what}: send one JSON object on one line") from None
    if not isinstance(message, dict):
        raise ControlError(f"not a {what}: expected a JSON object")
    return message


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
