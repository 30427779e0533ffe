"""The notification monitor of the test desktop: ``python notification_monitor.py ADDRESS LOG``.

It calls BecomeMonitor on the private bus and writes one JSON line per
org.freedesktop.Notifications call, per reply to such a call and per signal of that interface, then
a "ready" line. It must never send anything after BecomeMonitor (the bus would drop it), so its
handler claims every message. Run with the tests' interpreter (dbus-fast).
"""

import asyncio
import json
import sys
import time

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

INTERFACE = "org.freedesktop.Notifications"
KINDS = {
    MessageType.METHOD_CALL: "call",
    MessageType.METHOD_RETURN: "return",
    MessageType.ERROR: "error",
    MessageType.SIGNAL: "signal",
}
RULES = [
    f"type='method_call',interface='{INTERFACE}'",
    f"type='signal',interface='{INTERFACE}'",
    "type='method_return'",
    "type='error'",
]


def plain(value):
    """D-Bus values as JSON-ready Python ones."""
    if isinstance(value, Variant):
        return plain(value.value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return list(value)
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def record(message: Message, kind: str) -> dict:
    return {
        "type": kind,
        "time": time.time(),
        "sender": message.sender,
        "destination": message.destination,
        "serial": message.serial,
        "reply_serial": message.reply_serial or None,
        "member": message.member,
        "error": message.error_name,
        "args": plain(list(message.body)),
    }


async def main(address: str, path: str) -> None:
    bus = await MessageBus(bus_address=address).connect()
    calls: set[tuple[str, int]] = set()  # Notify calls whose answer is still to come

    become = Message(
        destination="org.freedesktop.DBus",
        path="/org/freedesktop/DBus",
        interface="org.freedesktop.DBus.Monitoring",
        member="BecomeMonitor",
        signature="asu",
        body=[RULES, 0],
    )
    become.serial = bus.next_serial()

    with open(path, "a", buffering=1, encoding="utf-8") as out:

        def on_message(message: Message) -> bool:
            kind = KINDS.get(message.message_type)
            if kind in ("return", "error") and message.reply_serial == become.serial:
                return message.destination != bus.unique_name  # our own answer: let it through
            if kind in ("call", "signal"):
                if message.interface != INTERFACE:
                    return True
                if kind == "call":
                    calls.add((message.sender, message.serial))
            elif kind in ("return", "error"):
                key = (message.destination, message.reply_serial)
                if key not in calls:
                    return True
                calls.discard(key)
            else:
                return True
            out.write(json.dumps(record(message, kind)) + "\n")
            return True  # claimed: a monitor must never answer anything

        # Claim every message from the first: one left to dbus-fast could be answered, and a
        # monitor that sends anything is dropped by the bus.
        bus.add_message_handler(on_message)
        reply = await bus.call(become)
        assert reply.message_type == MessageType.METHOD_RETURN, reply.body
        out.write(json.dumps({"type": "ready", "time": time.time()}) + "\n")
        await bus.wait_for_disconnect()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
