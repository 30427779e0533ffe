"""The notification monitor of the test desktop: ``python notification_monitor.py ADDRESS LOG``.

It calls BecomeMonitor on the private bus and writes one JSON line per
org.freedesktop.Notifications call, per reply to such a call and per signal of that interface, then
a "ready" line. It must never send anything after BecomeMonitor (the bus would drop it), so its
filter claims every message. Run with the tests' interpreter (dbus-python and GLib).
"""

import json
import sys
import time

import dbus
import dbus.bus
import dbus.lowlevel as low
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

INTERFACE = "org.freedesktop.Notifications"
KINDS = {
    low.MESSAGE_TYPE_METHOD_CALL: "call",
    low.MESSAGE_TYPE_METHOD_RETURN: "return",
    low.MESSAGE_TYPE_ERROR: "error",
    low.MESSAGE_TYPE_SIGNAL: "signal",
}
RULES = [
    f"type='method_call',interface='{INTERFACE}'",
    f"type='signal',interface='{INTERFACE}'",
    "type='method_return'",
    "type='error'",
]


def plain(value):
    """D-Bus values as JSON-ready Python ones."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def record(message, kind: str) -> dict:
    try:
        args = plain(message.get_args_list())
    except (dbus.DBusException, TypeError, ValueError) as error:
        args = [f"<undecodable: {error!r}>"]
    return {
        "type": kind,
        "time": time.time(),
        "sender": message.get_sender(),
        "destination": message.get_destination(),
        "serial": message.get_serial(),
        "reply_serial": message.get_reply_serial(),
        "member": message.get_member(),
        "error": message.get_error_name(),
        "args": args,
    }


def main(address: str, path: str) -> None:
    bus = dbus.bus.BusConnection(address, mainloop=DBusGMainLoop())
    calls: set[tuple[str, int]] = set()  # Notify calls whose answer is still to come

    with open(path, "a", buffering=1, encoding="utf-8") as out:

        def on_message(connection, message):
            kind = KINDS.get(message.get_type())
            if kind in ("call", "signal"):
                if message.get_interface() != INTERFACE:
                    return low.HANDLER_RESULT_HANDLED
                if kind == "call":
                    calls.add((message.get_sender(), message.get_serial()))
            elif kind in ("return", "error"):
                key = (message.get_destination(), message.get_reply_serial())
                if key not in calls:
                    return low.HANDLER_RESULT_HANDLED
                calls.discard(key)
            else:
                return low.HANDLER_RESULT_HANDLED
            out.write(json.dumps(record(message, kind)) + "\n")
            return low.HANDLER_RESULT_HANDLED

        bus.add_message_filter(on_message)
        bus.call_blocking(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.Monitoring",
            "BecomeMonitor",
            "asu",
            (RULES, 0),
        )
        out.write(json.dumps({"type": "ready", "time": time.time()}) + "\n")
        GLib.MainLoop().run()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
