"""What goes wrong on a bus, said briefly."""

from __future__ import annotations


class BusError(OSError):
    """The bus, or a service on it, did not do what was asked; the text says why, briefly.

    ``error_name`` is the D-Bus error the service answered with (for example
    ``org.freedesktop.DBus.Error.UnknownProperty``), None when it did not answer at all: a caller
    can tell "this service has no such thing" from "this service is not answering".
    """

    def __init__(self, message: str, error_name: str | None = None) -> None:
        super().__init__(message)
        self.error_name = error_name


class ServiceError(Exception):
    """Raised by a method of an exported object: the caller gets the D-Bus error ``name``."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(text)
        self.name = name
        self.text = text


UNKNOWN_OBJECT = "org.freedesktop.DBus.Error.UnknownObject"
UNKNOWN_INTERFACE = "org.freedesktop.DBus.Error.UnknownInterface"
UNKNOWN_METHOD = "org.freedesktop.DBus.Error.UnknownMethod"
UNKNOWN_PROPERTY = "org.freedesktop.DBus.Error.UnknownProperty"
PROPERTY_READ_ONLY = "org.freedesktop.DBus.Error.PropertyReadOnly"
INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"
LIMITS_EXCEEDED = "org.freedesktop.DBus.Error.LimitsExceeded"
FAILED = "org.freedesktop.DBus.Error.Failed"


def short(error: object) -> str:
    """The first line of an error, cut to a readable length."""
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    return text[:160]
