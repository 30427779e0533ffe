"""Small helpers for the D-Bus idle sources: calls that fail as OSError, as the daemon expects."""

from __future__ import annotations

from typing import Any


def connect(address: str | None = None, system: bool = False) -> Any:
    """A bus connection (the session bus unless told otherwise); OSError if there is none."""
    try:
        import dbus
    except ImportError as error:
        raise OSError(f"dbus-python is missing ({error})") from None
    try:
        if address:
            return dbus.bus.BusConnection(address)
        return dbus.SystemBus() if system else dbus.SessionBus()
    except dbus.exceptions.DBusException as error:
        raise OSError(
            f"no D-Bus {'system' if system else 'session'} bus: {_short(error)}"
        ) from None


def call(bus: Any, name: str, path: str, interface: str, method: str, *args: Any) -> Any:
    """Call a method; any D-Bus failure (no such name, no reply) comes out as OSError."""
    import dbus

    try:
        return bus.call_blocking(name, path, interface, method, "", args, timeout=2.0)
    except dbus.exceptions.DBusException as error:
        raise OSError(f"{interface}.{method}: {_short(error)}") from None


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:160] if text else type(error).__name__
