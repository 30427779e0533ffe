"""A notification server whose every move a test chooses: it owns org.freedesktop.Notifications on
a private bus, offers buttons, keeps what it was sent, answers late when told to, and sends the
signals a test asks for, well formed or not. It runs on a loop of its own in a thread of the
test's process, on dbus-fast (not psoas's bus library).

No ``from __future__ import annotations``: dbus-fast reads the D-Bus signatures from the
annotations of the exported interface.
"""

import asyncio
import threading
import time
from typing import Any

from dbus_fast import Message
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, dbus_method

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class _Server(ServiceInterface):
    def __init__(self, owner: "FakeNotifier") -> None:
        super().__init__(NAME)
        self.owner = owner

    @dbus_method()
    def GetCapabilities(self) -> "as":  # noqa: F722 (a D-Bus signature)
        return ["actions", "body"]

    @dbus_method()
    def GetServerInformation(self) -> "ssss":  # noqa: F821
        return ["fake", "psoas tests", "1", "1.2"]

    @dbus_method()
    async def Notify(
        self,
        app_name: "s",  # noqa: F821
        replaces_id: "u",  # noqa: F821
        app_icon: "s",  # noqa: F821
        summary: "s",  # noqa: F821
        body: "s",  # noqa: F821
        actions: "as",  # noqa: F722
        hints: "a{sv}",  # noqa: F722
        expire_timeout: "i",  # noqa: F821
    ) -> "u":  # noqa: F821
        self.owner.next_id += 1
        given = replaces_id or self.owner.next_id
        self.owner.received.append(
            {"id": given, "summary": summary, "replaces_id": replaces_id, "at": time.time()}
        )
        if self.owner.answer_after:
            await asyncio.sleep(self.owner.answer_after)
        return given

    @dbus_method()
    def CloseNotification(self, notification_id: "u"):  # noqa: F821
        self.owner.closed.append(notification_id)


class FakeNotifier:
    """``with FakeNotifier(address) as server:``; ``received`` lists each Notify."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.received: list[dict[str, Any]] = []
        self.closed: list[int] = []
        self.next_id = 0
        self.answer_after = 0.0  # seconds before Notify answers (a slow server)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._bus: Any = None

    def __enter__(self) -> "FakeNotifier":
        self._thread.start()
        self._run(self._start())
        return self

    def __exit__(self, *exc: object) -> None:
        self._run(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def signal(self, member: str, signature: str, body: list[Any], *, from_us: bool = True):
        """Send a signal from the server itself, or (``from_us`` False) from another connection
        that merely claims to be it."""
        return self._run(self._signal(member, signature, body, from_us))

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    async def _start(self) -> None:
        self._bus = await MessageBus(bus_address=self.address).connect()
        self._bus.export(PATH, _Server(self))
        await self._bus.request_name(NAME)

    async def _stop(self) -> None:
        self._bus.disconnect()

    async def _signal(self, member: str, signature: str, body: list[Any], from_us: bool) -> None:
        bus = self._bus if from_us else await MessageBus(bus_address=self.address).connect()
        message = Message.new_signal(PATH, NAME, member, signature, body)
        await bus.send(message)
        if not from_us:
            await asyncio.sleep(0.1)
            bus.disconnect()
