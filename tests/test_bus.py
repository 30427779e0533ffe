"""psoas's bus layer (reminder.bus) against a real dbus-daemon, with a peer on another library
(dbus-fast, tests/peer_bus.py): calls both ways, errors, signals from the right sender and from
impostors, a name that changes hands, a stalled bus, a restarted bus, oversized messages.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
import xml.etree.ElementTree as ElementTree
from typing import Any, ClassVar

import pytest
from conftest import EVERY_DAY
from dbus_fast import Message as PeerMessage
from dbus_fast import MessageType as PeerMessageType
from dbus_fast import Variant as PeerVariant
from dbus_fast.service import ServiceInterface, dbus_method, dbus_signal
from desktop import ACTIVATABLE, Desktop, wait_until
from peer_bus import call as peer_call
from peer_bus import connect as peer_connect

from reminder.bus import BusError, ServiceError, Signal, connect
from reminder.bus.connection import INCOMING_CAP
from reminder.bus.service import Interface, Objects, dbus_property, method, split_signature

pytestmark = pytest.mark.desktop

SERVICE = "org.example.Service"
PATH = "/org/example/Thing"
IFACE = "org.example.Thing"
TIMEOUT = 5.0
DBUS, DBUS_PATH = "org.freedesktop.DBus", "/org/freedesktop/DBus"


class Thing(Interface):
    """What psoas exports in these tests."""

    name = IFACE
    signals: ClassVar[dict[str, str]] = {"Changed": "sv"}

    def __init__(self) -> None:
        super().__init__()
        self.heard: list[Any] = []

    @method("si", "s")
    def Repeat(self, text: str, times: int) -> str:
        return text * times

    @method("", "ai(su)")
    def Two(self) -> tuple[list[int], tuple[str, int]]:
        return [1, 2], ("x", 3)

    @method("s")
    def Hear(self, what: str) -> None:
        self.heard.append(what)

    @method("ai", "i")
    def Count(self, values: list[int]) -> int:
        return len(values)

    @method("", "")
    def Refuse(self) -> None:
        raise ServiceError("org.example.Error.Nope", "not today")

    @method("", "")
    def Crash(self) -> None:
        raise RuntimeError("psoas's own bug")

    @dbus_property("s")
    def Colour(self) -> str:
        return "green"


class PeerService(ServiceInterface):
    """A service on the peer's side, for psoas to call."""

    def __init__(self) -> None:
        super().__init__(IFACE)

    @dbus_method()
    def Double(self, value: i) -> i:  # noqa: F821 (dbus-fast reads these as signatures)
        return value * 2

    @dbus_method()
    def Fail(self):
        from dbus_fast import DBusError

        raise DBusError("org.example.Error.Peer", "the peer says no")

    @dbus_signal()
    def Ping(self) -> s:  # noqa: F821
        return "hello"


def run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, 60))


async def until(check: Any, what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def peer_reply(peer: Any, destination: str, member: str, signature: str, body: list) -> Any:
    """The peer's raw reply (a method return or an error) to a call of psoas's Thing."""
    return await asyncio.wait_for(
        peer.call(
            PeerMessage(
                destination=destination,
                path=PATH,
                interface=IFACE,
                member=member,
                signature=signature,
                body=body,
            )
        ),
        TIMEOUT,
    )


async def changes_heard(peer: Any) -> list[Any]:
    """The bodies of the Changed signals the peer hears from now on, as they come."""
    heard: list[Any] = []

    def on_message(message: Any) -> None:
        if message.message_type == PeerMessageType.SIGNAL and message.member == "Changed":
            heard.append(message.body)

    peer.add_message_handler(on_message)
    rule = f"type='signal',interface='{IFACE}'"
    await peer_call(peer, DBUS, DBUS_PATH, DBUS, "AddMatch", "s", [rule])
    return heard


def test_calls_both_ways_with_their_answers_and_errors(private_bus: Desktop, caplog):
    async def scenario() -> None:
        psoas = await connect(private_bus.bus_address)
        peer = await peer_connect(private_bus.bus_address)
        thing = Thing()
        Objects.on(psoas).export(PATH, thing)
        await psoas.request_name(SERVICE)
        try:
            assert (await peer_reply(peer, SERVICE, "Repeat", "si", ["ab", 3])).body == ["ababab"]
            two = await peer_reply(peer, SERVICE, "Two", "", [])
            assert two.signature == "ai(su)" and two.body == [[1, 2], ("x", 3)]
            refused = await peer_reply(peer, SERVICE, "Refuse", "", [])
            assert refused.message_type == PeerMessageType.ERROR
            assert (refused.error_name, refused.body) == ("org.example.Error.Nope", ["not today"])
            crashed = await peer_reply(peer, SERVICE, "Crash", "", [])
            assert crashed.error_name == "org.freedesktop.DBus.Error.Failed"
            wrong = await peer_reply(peer, SERVICE, "Repeat", "s", ["ab"])
            assert wrong.error_name == "org.freedesktop.DBus.Error.InvalidArgs"
            nothing = await peer_reply(peer, SERVICE, "Nothing", "", [])
            assert nothing.error_name == "org.freedesktop.DBus.Error.UnknownMethod"
            colour = await peer_call(
                peer,
                SERVICE,
                PATH,
                "org.freedesktop.DBus.Properties",
                "Get",
                "ss",
                [IFACE, "Colour"],
            )
            assert colour[0].value == "green"
            (xml,) = await peer_call(
                peer, SERVICE, "/org/example", "org.freedesktop.DBus.Introspectable", "Introspect"
            )
            assert [n.get("name") for n in ElementTree.fromstring(xml).iter("node")][1:] == [
                "Thing"
            ]
            (xml,) = await peer_call(
                peer, SERVICE, PATH, "org.freedesktop.DBus.Introspectable", "Introspect"
            )
            tree = ElementTree.fromstring(xml)
            ours = next(i for i in tree.iter("interface") if i.get("name") == IFACE)
            repeat = next(m for m in ours.iter("method") if m.get("name") == "Repeat")
            assert [(a.get("type"), a.get("direction")) for a in repeat.iter("arg")] == [
                ("s", "in"),
                ("i", "in"),
                ("s", "out"),
            ]

            # psoas calling a service on the peer's side.
            peer.export(PATH, PeerService())
            await peer.request_name("org.example.Peer")
            assert await psoas.call("org.example.Peer", PATH, IFACE, "Double", "i", (21,)) == (42,)
            with pytest.raises(BusError) as failed:
                await psoas.call("org.example.Peer", PATH, IFACE, "Fail")
            assert failed.value.error_name == "org.example.Error.Peer"
            assert "the peer says no" in str(failed.value)
            with pytest.raises(BusError) as missing:
                await psoas.call("org.example.Nobody", PATH, IFACE, "Double", "i", (1,))
            # Asked without letting the bus start it: not there, and nothing started.
            assert missing.value.error_name == "org.freedesktop.DBus.Error.NameHasNoOwner"
        finally:
            psoas.close()
            peer.disconnect()

    run(scenario())
    assert "psoas's own bug" in caplog.text  # kept in the log, not sent to the caller


def test_signals_pass_only_from_the_current_owner_of_the_name_watched(private_bus: Desktop):
    async def scenario() -> None:
        psoas = await connect(private_bus.bus_address)
        owner = await peer_connect(private_bus.bus_address)
        impostor = await peer_connect(private_bus.bus_address)
        owner_service, impostor_service = PeerService(), PeerService()
        owner.export(PATH, owner_service)
        impostor.export(PATH, impostor_service)
        await owner.request_name("org.example.Peer")
        heard: list[Signal] = []
        await psoas.watch(IFACE, "Ping", heard.append, sender="org.example.Peer")
        unfiltered: list[Signal] = []
        await psoas.watch(IFACE, "Ping", unfiltered.append)
        try:
            impostor_service.Ping()
            owner_service.Ping()
            await until(lambda: len(unfiltered) == 2, "both signals on the bus")
            assert [s.sender for s in heard] == [owner.unique_name]

            # The name changes hands: now the other one is believed, and only it.
            owner.disconnect()
            await impostor.request_name("org.example.Peer")
            await until(
                lambda: psoas.owner_of("org.example.Peer") == impostor.unique_name, "the new owner"
            )
            impostor_service.Ping()
            await until(lambda: len(heard) == 2, "the new owner's signal")
            assert heard[1].sender == impostor.unique_name
        finally:
            psoas.close()
            impostor.disconnect()

    run(scenario())


def test_a_stalled_bus_costs_calls_their_deadline_never_the_connection(private_bus: Desktop):
    """The bus daemon stops answering (SIGSTOP) for a few seconds while psoas keeps calling and
    signalling: calls fail at their deadline, nothing else is lost, and afterwards all works."""
    bus = private_bus.bus_process
    assert bus is not None

    async def scenario() -> None:
        psoas = await connect(private_bus.bus_address)
        peer = await peer_connect(private_bus.bus_address)
        thing = Thing()
        Objects.on(psoas).export(PATH, thing)
        seen = await changes_heard(peer)
        os.kill(bus.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            with pytest.raises(BusError, match="no answer within"):
                await psoas.call(
                    "org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus",
                    "ListNames",
                    timeout=0.5,
                )
            assert time.monotonic() - started < 1.5
            for number in range(300):
                thing.emit("Changed", "n", ("i", number))
            assert psoas.connected
        finally:
            os.kill(bus.pid, signal.SIGCONT)
        names = await psoas.call(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListNames"
        )
        assert psoas.unique_name in names[0]
        await until(lambda: len(seen) == 300, "the signals sent while the bus was stopped")
        assert [body[1].value for body in seen] == list(range(300))
        psoas.close()
        peer.disconnect()

    run(scenario())


def test_a_restarted_bus_gets_back_every_name_rule_and_object(private_bus: Desktop, caplog):
    caplog.set_level(logging.INFO, logger="reminder.bus")

    async def scenario() -> None:
        psoas = await connect(private_bus.bus_address)
        thing = Thing()
        Objects.on(psoas).export(PATH, thing)
        await psoas.request_name(SERVICE)
        heard: list[Signal] = []
        await psoas.watch(IFACE, "Ping", heard.append, sender="org.example.Peer")
        lost: list[str] = []
        back: list[bool] = []
        psoas.when_lost(lost.append)
        psoas.when_reconnected(lambda: back.append(True))

        private_bus.restart_bus()
        await until(lambda: lost, "the loss to be told")
        with pytest.raises(BusError):
            await psoas.call(SERVICE, PATH, IFACE, "Two")  # meanwhile: a clear failure
        await until(lambda: back, "the reconnect", timeout=10)
        assert psoas.connected and psoas.unique_name  # a new bus: a name from it (maybe alike)

        peer = await peer_connect(private_bus.bus_address)
        try:
            # Its name, its object and its match rule (with the sender check) are back.
            assert (await peer_reply(peer, SERVICE, "Repeat", "si", ["z", 2])).body == ["zz"]
            service = PeerService()
            peer.export(PATH, service)
            await peer.request_name("org.example.Peer")
            await until(lambda: psoas.owner_of("org.example.Peer") == peer.unique_name, "owner")
            service.Ping()
            await until(lambda: len(heard) == 1, "a signal after the restart")
        finally:
            psoas.close()
            peer.disconnect()

    run(scenario())
    assert "the D-Bus session bus is back" in caplog.text


def test_a_message_past_the_cap_is_refused_unread_and_the_connection_goes_on(
    private_bus: Desktop,
):
    async def scenario() -> None:
        psoas = await connect(private_bus.bus_address)
        peer = await peer_connect(private_bus.bus_address)
        thing = Thing()
        Objects.on(psoas).export(PATH, thing)
        try:
            big = list(range(INCOMING_CAP // 4 + 10))
            started = time.monotonic()
            refused = await peer_reply(peer, psoas.unique_name, "Count", "ai", [big])
            assert refused.error_name == "org.freedesktop.DBus.Error.LimitsExceeded"
            assert time.monotonic() - started < 2
            small = await peer_reply(peer, psoas.unique_name, "Count", "ai", [list(range(1000))])
            assert small.body == [1000]
            # One that wants no reply: read past, nothing sent back, nothing broken.
            await peer.send(
                PeerMessage(
                    destination=psoas.unique_name,
                    path=PATH,
                    interface=IFACE,
                    member="Hear",
                    signature="s",
                    body=["x" * (INCOMING_CAP + 1)],
                    flags=1,
                )
            )
            await peer.send(
                PeerMessage(
                    destination=psoas.unique_name,
                    path=PATH,
                    interface=IFACE,
                    member="Hear",
                    signature="s",
                    body=["small"],
                    flags=1,
                )
            )
            await until(lambda: thing.heard == ["small"], "the small call after the big one")
        finally:
            psoas.close()
            peer.disconnect()

    run(scenario())


def test_variants_travel_as_tuples_and_come_back_whole(private_bus: Desktop):
    async def scenario() -> None:
        psoas = await connect(private_bus.bus_address)
        peer = await peer_connect(private_bus.bus_address)
        thing = Thing()
        Objects.on(psoas).export(PATH, thing)
        got = await changes_heard(peer)
        try:
            thing.emit("Changed", "nested", ("(ia{sv}av)", (1, {"a": ("b", True)}, [("s", "x")])))
            await until(lambda: got, "the signal")
            name, value = got[0]
            assert name == "nested" and value.signature == "(ia{sv}av)"
            number, props, children = value.value
            assert number == 1 and props["a"] == PeerVariant("b", True)
            assert children == [PeerVariant("s", "x")]
        finally:
            psoas.close()
            peer.disconnect()

    run(scenario())


def test_signatures_split_into_complete_types():
    assert split_signature("") == []
    assert split_signature("sa{sv}i") == ["s", "a{sv}", "i"]
    assert split_signature("u(ia{sv}av)") == ["u", "(ia{sv}av)"]
    assert split_signature("aai(s(ii))") == ["aai", "(s(ii))"]
    for bad in ("(s", "a", "s)"):
        with pytest.raises(ValueError):
            split_signature(bad)


def test_psoas_starts_no_service_it_only_asks_about(private_bus: Desktop, tmp_path):
    """Every desktop service psoas may ask for is one this bus would start on demand (each leaves
    a file when started): psoas run, with its tray, its idle sources tried and a prompt shown,
    starts only the notification server, which it means to use, never one it only looks for."""
    from e2e import start_headless, status, stop

    address, started = private_bus.start_activating_bus(ACTIVATABLE)
    env = os.environ | {"DBUS_SESSION_BUS_ADDRESS": address}
    psoas_config = tmp_path / "psoas.toml"
    psoas_config.write_text('sit_minutes = 0.05\nidle_source = "auto"\n' + EVERY_DAY)
    psoas = start_headless(psoas_config, env, tray=True)
    wait_until(lambda: "Time to stretch" in psoas.stderr_text(), 20, "the prompt", process=psoas)
    assert status(env)["idle_source"] == "none"  # Mutter's and the ScreenSaver's: not running
    assert stop(psoas) == 0
    assert sorted(path.name for path in started.iterdir()) == ["org.freedesktop.Notifications"]
