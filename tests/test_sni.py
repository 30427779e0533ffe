"""The StatusNotifierItem tray (reminder.tray.sni) and its menu (reminder.tray.dbusmenu), for real.

Protocol: the item and the menu run in this process on a private bus; a second connection calls
them exactly as a panel does (dbus-fast, and dbus-send as in /work/shared/desktop-testing.md) and
listens to their signals. Registration runs the real status-notifier-watcher; end to end, the
real panel (gtk-sni-tray-standalone) under Xvfb draws a standalone item (services/sni_item.py)
that a person clicks with xdotool.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from dbus_fast import DBusError, ErrorType, Message, MessageFlag, PropertyAccess, Variant
from dbus_fast.annotations import DBusBool, DBusStr
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal
from desktop import (
    ARTIFACTS,
    Desktop,
    wait_until,
)
from e2e import icon_on_screen, keys_to, pixels_near, sni_menu
from peer_bus import call, connect, get_property, watch_signals
from PIL import Image

from reminder.bus import BusError
from reminder.bus import connect as connect_psoas
from reminder.catalogue.loader import load_catalogue
from reminder.pictures.palette import GREEN
from reminder.tray import dbusmenu, sni
from reminder.tray.dbusmenu import DBusMenu, escape_label
from reminder.tray.icon import draw_icon, look_for
from reminder.tray.menu import Item, MenuState, build_menu, separator
from reminder.tray.sni import StatusNotifierItem, pixmaps

ITEM_SCRIPT = Path(__file__).parent / "services" / "sni_item.py"
ITEM_PATH = sni.ITEM_PATH
MENU_PATH = dbusmenu.MENU_PATH
PROPERTIES = "org.freedesktop.DBus.Properties"
#: Generous: both ends share one loop on a busy two-core machine.
TIMEOUT = 5.0


# ----- a menu to export --------------------------------------------------------------------------


def sample_menu(
    did: list[str],
    status: str = "Sitting since 09:00",
    done_enabled: bool = True,
    extra: tuple[Item, ...] = (),
) -> tuple[Item, ...]:
    """A small menu whose actions write what they did to ``did``."""

    def doing(what: str) -> Callable[[], None]:
        return lambda: did.append(what)

    snoozes = (
        Item("snooze/5", "5 min", doing("snooze 5")),
        Item("snooze/15", "15 min", doing("snooze 15")),
    )
    return (
        Item("status", status, enabled=False),
        separator("sep"),
        Item("stretch-now", "Stretch now: Kneeling_lunge", doing("stretch-now"), default=True),
        Item("done", "I stretched", doing("done"), enabled=done_enabled),
        Item("snooze", "Snooze", children=snoozes),
        *extra,
        Item("quit", "Quit", doing("quit")),
    )


def plain(layout: Any) -> dict[str, Any]:
    """A (ia{sv}av) layout as plain data: id, properties' values and children, recursively."""
    item_id, properties, children = layout
    return {
        "id": item_id,
        "props": {name: value.value for name, value in properties.items()},
        "children": [plain(child.value) for child in children],
    }


def labels(tree: dict[str, Any]) -> list[str]:
    return [child["props"].get("label", "-") for child in tree["children"]]


# ----- a panel's side of the bus ------------------------------------------------------------------


class Host:
    """A second connection on the private bus that calls the item and the menu and listens to
    their signals, the way a panel does."""

    def __init__(self, client: Any, name: str, address: str) -> None:
        self.client = client
        self.name = name
        self.address = address
        self.signals: list[Any] = []

    async def listen(self) -> None:
        for interface in (sni.INTERFACE, dbusmenu.INTERFACE):
            await watch_signals(self.client, interface, None, self.signals.append)

    async def item(self, member: str, signature: str = "", *body: Any) -> list[Any]:
        return await self.call(ITEM_PATH, sni.INTERFACE, member, signature, *body)

    async def menu(self, member: str, signature: str = "", *body: Any) -> list[Any]:
        return await self.call(MENU_PATH, dbusmenu.INTERFACE, member, signature, *body)

    async def call(
        self, path: str, interface: str, member: str, signature: str = "", *body: Any
    ) -> list[Any]:
        return await call(
            self.client, self.name, path, interface, member, signature, list(body), TIMEOUT
        )

    async def prop(self, path: str, interface: str, name: str) -> Any:
        return await get_property(self.client, self.name, path, interface, name)

    async def layout(self, parent: int = 0, depth: int = -1, names: tuple[str, ...] = ()) -> Any:
        revision, layout = await self.menu("GetLayout", "iias", parent, depth, list(names))
        return revision, plain(layout)

    async def received(self) -> list[tuple[str, list[Any]]]:
        """Every signal the item and menu sent so far, as (member, body); then forget them.

        A Ping answered by the item's connection comes after every signal it sent before.
        """
        await self.call(ITEM_PATH, "org.freedesktop.DBus.Peer", "Ping")
        got = [(message.member, list(message.body)) for message in self.signals]
        self.signals.clear()
        return got

    async def no_reply(
        self, path: str, interface: str, member: str, signature: str = "", *body: Any
    ) -> None:
        """A call flagged NO_REPLY_EXPECTED, as some hosts send clicks: nothing comes back."""
        message = Message(
            destination=self.name,
            path=path,
            interface=interface,
            member=member,
            signature=signature,
            body=list(body),
            flags=MessageFlag.NO_REPLY_EXPECTED,
        )
        await self.client.send(message)

    async def dbus_send(self, *args: str, reply: bool = True) -> str:
        """dbus-send to the item's connection (without ``reply``: dbus-send does not wait for
        the answer; it does not flag the call NO_REPLY_EXPECTED either)."""
        command = ["dbus-send", f"--bus={self.address}", f"--dest={self.name}"]
        command += ["--type=method_call"]  # dbus-send's default without --print-reply: a signal
        command += ["--print-reply"] if reply else []
        process = await asyncio.create_subprocess_exec(
            *command,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 10)
        return out.decode() + err.decode()


Scenario = Callable[[StatusNotifierItem, DBusMenu, Host], Awaitable[Any]]


def play(bus: Desktop, scenario: Scenario, items: tuple[Item, ...] = (), **options: Any) -> Any:
    """Run ``scenario`` with an item and its menu (showing ``items``) started on ``bus``.

    ``options`` go to the item, except ``on_about_to_show`` (the menu's).
    """

    async def main() -> Any:
        service = await connect_psoas(bus.bus_address)
        client = await connect(bus.bus_address)
        menu = DBusMenu(service, on_about_to_show=options.pop("on_about_to_show", None))
        menu.set_items(items)
        item = StatusNotifierItem(service, "psoas", "psoas", menu=menu, **options)
        item.set_icon(pixmaps(lambda size: draw_icon(look_for("sitting", 0.5), size)))
        await item.start()
        host = Host(client, item.name, bus.bus_address)
        await host.listen()
        try:
            return await scenario(item, menu, host)
        finally:
            await item.stop()
            service.close()
            client.disconnect()

    return asyncio.run(main())


async def refused(call_: Awaitable[Any], error: str) -> str:
    """The text of the D-Bus error ``call_`` ended in; fail if it did not, or named another."""
    with pytest.raises(BusError) as raised:
        await call_
    assert error in str(raised.value), raised.value
    return str(raised.value)


def reader_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What reached the bus layer's own error logging: an exception out of a handler would."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("reminder.bus") and r.levelno >= logging.WARNING
    ]


# ----- pictures and words, no bus ---------------------------------------------------------------


def test_pixmaps_are_argb32_in_network_byte_order_at_every_size():
    def draw(size: int) -> Image.Image:
        image = Image.new("RGBA", (size, size), (10, 20, 30, 40))
        image.putpixel((0, 0), (200, 100, 50, 255))
        return image

    result = pixmaps(draw)
    assert [(w, h) for w, h, _ in result] == [(s, s) for s in sni.ICON_SIZES]
    assert {16, 22, 24, 32, 48} <= set(sni.ICON_SIZES)
    for size, (_, _, data) in zip(sni.ICON_SIZES, result, strict=True):
        assert len(data) == size * size * 4
        assert data[:4] == bytes((255, 200, 100, 50))  # A, R, G, B
        assert data[4:8] == bytes((40, 10, 20, 30))
    # An RGB or palette picture is converted, opaque.
    (_, _, rgb), *_ = pixmaps(lambda size: Image.new("RGB", (size, size), (1, 2, 3)), (16,))
    assert rgb[:4] == bytes((255, 1, 2, 3))


def test_pixmaps_reorder_channels_in_c_not_per_pixel():
    """Five sizes of the real icon in well under a millisecond once drawn (a per-pixel Python
    loop takes about 0.6 ms for the 48 px one alone)."""
    drawn = {size: draw_icon(look_for("due", 1.0), size) for size in sni.ICON_SIZES}
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        pixmaps(drawn.__getitem__)
    per_set = (time.perf_counter() - started) / rounds
    assert per_set < 0.002, f"{per_set * 1e3:.3f} ms for the five sizes"


def test_labels_escape_underscores_as_dbusmenu_mnemonics_require():
    assert escape_label("Kneeling_lunge") == "Kneeling__lunge"
    assert escape_label("a__b_") == "a____b__"
    assert escape_label("no underscore") == "no underscore"
    assert dbusmenu.item_properties(Item("x", "snooze_5")) == {
        "label": "snooze__5",
        "enabled": True,
        "visible": True,
    }
    assert dbusmenu.item_properties(separator("s")) == {"type": "separator", "visible": True}


@pytest.mark.parametrize("state", ["sitting", "due", "paused", "routine", "away"])
def test_every_menu_the_daemon_builds_exports_whole(state):
    """build_menu's items for each state, read back as a host would: every label, in order,
    with submenus where the menu has children."""
    menu = DBusMenu(bus=None)
    did: list[str] = []
    doers = type(
        "Doers",
        (),
        {
            "send": lambda self, c: did.append(repr(c)),
            "quit": lambda self: did.append("quit"),
            "show_chart": lambda self: did.append("chart"),
            "open_config": lambda self: did.append("config"),
            "open_settings": lambda self: did.append("settings"),
        },
    )()
    items = build_menu(
        MenuState(state, "Sitting since 09:00", "Today: 1 h", "Kneeling_lunge"),
        load_catalogue(),
        (5, 15),
        1.0,
        doers,
    )
    menu.set_items(items)
    tree = plain(menu.layout(0, -1))

    def expected(entries: tuple[Item, ...]) -> list[Any]:
        return [
            ("-" if i.separator else escape_label(i.label), expected(i.children)) for i in entries
        ]

    def seen(node: dict[str, Any]) -> list[Any]:
        return [(c["props"].get("label", "-"), seen(c)) for c in node["children"]]

    assert seen(tree) == expected(items)
    for node in tree["children"]:
        if node["children"]:
            assert node["props"]["children-display"] == "submenu"
    last = tree["children"][-1]
    menu.event(last["id"], "clicked")
    assert did == ["quit"]


def test_a_key_twice_is_refused_and_the_menu_stays_as_it_was():
    menu = DBusMenu(bus=None)
    menu.set_items(sample_menu([]))
    revision = menu.revision
    with pytest.raises(ValueError, match="'done' appears twice"):
        menu.set_items((Item("done", "a"), Item("x", "b", children=(Item("done", "c"),))))
    assert menu.revision == revision
    assert labels(plain(menu.layout(0, 1)))[-1] == "Quit"


# ----- the item, as a host sees it -------------------------------------------------------------


@pytest.mark.desktop
def test_item_properties_as_a_host_reads_them(private_bus: Desktop):
    async def scenario(item: StatusNotifierItem, menu: DBusMenu, host: Host) -> None:
        assert item.name == f"org.kde.StatusNotifierItem-{os.getpid()}-1"
        (owner,) = await call(
            host.client,
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "GetNameOwner",
            "s",
            [item.name],
        )
        assert owner == item.bus.unique_name
        (everything,) = await host.call(ITEM_PATH, PROPERTIES, "GetAll", "s", sni.INTERFACE)
        values = {name: variant.value for name, variant in everything.items()}
        signatures = {name: variant.signature for name, variant in everything.items()}
        assert values["Category"] == "ApplicationStatus"
        assert values["Id"] == "psoas"
        assert values["Title"] == "psoas"
        assert values["Status"] == "Active"
        assert values["WindowId"] == 0
        assert values["IconName"] == ""
        assert values["ItemIsMenu"] is False
        assert values["Menu"] == "/MenuBar"
        assert signatures["Menu"] == "o"
        assert signatures["IconPixmap"] == signatures["AttentionIconPixmap"] == "a(iiay)"
        assert [(w, h) for w, h, _ in values["IconPixmap"]] == [(s, s) for s in sni.ICON_SIZES]
        for width, height, data in values["IconPixmap"]:
            assert len(data) == width * height * 4
        assert values["AttentionIconPixmap"] == values["IconPixmap"]
        assert values["AttentionIconName"] == values["OverlayIconName"] == ""
        assert values["OverlayIconPixmap"] == []
        assert signatures["ToolTip"] == "(sa(iiay)ss)"
        assert tuple(values["ToolTip"]) == ("", [], "psoas", "")
        (xml,) = await host.call(ITEM_PATH, "org.freedesktop.DBus.Introspectable", "Introspect")
        for member in ("ContextMenu", "Activate", "SecondaryActivate", "Scroll", "NewStatus"):
            assert f'name="{member}"' in xml
        for member in ("NewTitle", "NewIcon", "NewAttentionIcon", "NewOverlayIcon", "NewToolTip"):
            assert f'<signal name="{member}"' in xml

    play(private_bus, scenario, sample_menu([]))


@pytest.mark.desktop
def test_item_methods_reach_the_daemon(private_bus: Desktop, caplog):
    heard: list[tuple[Any, ...]] = []

    def broken(x: int, y: int) -> None:
        raise RuntimeError("the daemon's bug")

    async def scenario(item: StatusNotifierItem, menu: DBusMenu, host: Host) -> None:
        await host.item("Activate", "ii", 10, 20)
        await host.item("SecondaryActivate", "ii", -1, 5)
        # A wheel over the icon, and the context menu the host draws itself: answered, and
        # nothing done.
        await host.item("Scroll", "is", 120, "vertical")
        await host.item("Scroll", "is", -3, "Horizontal")  # some hosts capitalise it
        await host.item("ContextMenu", "ii", 1, 2)
        assert heard == [("activate", 10, 20), ("secondary", -1, 5)]
        item.on_activate = broken
        await host.item("Activate", "ii", 0, 0)  # answered all the same; the failure is logged
        assert await host.prop(ITEM_PATH, sni.INTERFACE, "Status") == "Active"

    play(
        private_bus,
        scenario,
        on_activate=lambda x, y: heard.append(("activate", x, y)),
        on_secondary_activate=lambda x, y: heard.append(("secondary", x, y)),
    )
    assert "the tray's activate callback failed" in caplog.text
    assert "the daemon's bug" in caplog.text


@pytest.mark.desktop
def test_item_setters_signal_only_what_really_changed(private_bus: Desktop):
    async def scenario(item: StatusNotifierItem, menu: DBusMenu, host: Host) -> None:
        assert await host.received() == []
        red = pixmaps(lambda size: draw_icon(look_for("due", 1.0), size))
        item.set_icon(red)
        item.set_icon(red)
        assert await host.received() == [("NewIcon", []), ("NewAttentionIcon", [])]
        pictures = await host.prop(ITEM_PATH, sni.INTERFACE, "IconPixmap")
        assert [bytes(p[2]) for p in pictures] == [p[2] for p in red]

        item.set_tooltip("psoas", "Sitting 42 min - stretch in 18 min")
        item.set_tooltip("psoas", "Sitting 42 min - stretch in 18 min")
        assert await host.received() == [("NewToolTip", [])]
        tooltip = await host.prop(ITEM_PATH, sni.INTERFACE, "ToolTip")
        assert tuple(tooltip[2:]) == ("psoas", "Sitting 42 min - stretch in 18 min")

        item.set_status("NeedsAttention")
        item.set_status("NeedsAttention")
        item.set_status("Passive")
        assert await host.received() == [
            ("NewStatus", ["NeedsAttention"]),
            ("NewStatus", ["Passive"]),
        ]
        assert await host.prop(ITEM_PATH, sni.INTERFACE, "Status") == "Passive"
        with pytest.raises(ValueError, match="Sleepy"):
            item.set_status("Sleepy")

    play(private_bus, scenario)


@pytest.mark.desktop
def test_garbage_from_a_host_gets_errors_and_the_item_keeps_answering(private_bus: Desktop, caplog):
    caplog.set_level(logging.DEBUG, logger="reminder")
    did: list[str] = []

    async def scenario(item: StatusNotifierItem, menu: DBusMenu, host: Host) -> None:
        # A known method with the wrong arguments is InvalidArgs, as GDBus and sd-bus answer.
        await refused(host.item("Activate", "ss", "a", "b"), "InvalidArgs")
        await refused(host.item("Activate"), "InvalidArgs")
        await refused(host.item("Explode", "i", 1), "UnknownMethod")
        await refused(
            host.call(ITEM_PATH, "org.example.Nothing", "Activate", "ii", 1, 2), "UnknownInterface"
        )
        await refused(host.item("Scroll", "is", 1, "diagonal"), "InvalidArgs")
        await refused(host.menu("GetLayout", "s", "everything"), "InvalidArgs")
        await refused(host.menu("Event", "is", 3, "clicked"), "InvalidArgs")
        await refused(host.menu("GetLayout", "iias", 4242, -1, []), "UnknownId")
        await refused(host.menu("GetProperty", "is", -7, "label"), "UnknownId")
        await refused(
            host.call(ITEM_PATH, PROPERTIES, "Get", "ss", sni.INTERFACE, "Nonsense"), "Error"
        )
        await refused(
            host.call(
                ITEM_PATH,
                PROPERTIES,
                "Set",
                "ssv",
                sni.INTERFACE,
                "Status",
                Variant("s", "Passive"),
            ),
            "Error",
        )
        # Odd but well-typed: a huge depth, names that are no property, a negative id.
        _, tree = await host.layout(0, 2**31 - 1, ("no-such-property", ""))
        assert all(child["props"] == {} for child in tree["children"])
        await refused(host.menu("AboutToShow", "i", -1), "UnknownId")
        # Calls that want no reply: an unknown id, garbage, a getter; none may escape.
        events = dbusmenu.INTERFACE
        zero = Variant("i", 0)
        await host.no_reply(MENU_PATH, events, "Event", "isvu", 999, "clicked", zero, 0)
        await host.no_reply(MENU_PATH, events, "GetLayout", "iias", 9, -1, [])
        await host.no_reply(MENU_PATH, events, "AboutToShow", "i", 999)
        await host.no_reply(MENU_PATH, events, "Event", "s", "garbage")
        await host.no_reply(MENU_PATH, events, "EventGroup", "a(isvu)", [(1, "clicked", zero, 0)])
        await host.no_reply(ITEM_PATH, sni.INTERFACE, "Scroll", "is", 1, "sideways")
        await host.no_reply(ITEM_PATH, PROPERTIES, "Get", "ss", "x", "y")
        await host.no_reply(ITEM_PATH, "org.example.Nothing", "Boom")
        await host.no_reply(
            MENU_PATH, events, "Event", "isvu", menu.id_of("done"), "clicked", zero, 0
        )
        # dbus-send without --print-reply: a call whose answer nobody reads.
        assert (
            await host.dbus_send(
                MENU_PATH,
                f"{events}.Event",
                "int32:999",
                "string:clicked",
                "variant:int32:0",
                "uint32:0",
                reply=False,
            )
            == ""
        )
        await wait_async(lambda: did == ["done"], "the click without reply")
        assert await host.prop(ITEM_PATH, sni.INTERFACE, "Id") == "psoas"
        assert (await host.layout())[1]["children"]

    play(private_bus, scenario, sample_menu(did))
    assert did == ["done"]  # the status line clicked in the EventGroup is disabled
    assert reader_errors(caplog) == []
    assert "Event without reply: no menu item with id 999" in caplog.text
    assert "Scroll without reply: orientation" in caplog.text


async def wait_async(check: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    """Wait on the loop (it keeps serving the bus) until ``check`` holds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


# ----- the menu, as a host sees it ----------------------------------------------------------


@pytest.mark.desktop
def test_menu_properties_and_layout_at_each_depth_with_a_property_filter(private_bus: Desktop):
    async def scenario(item: StatusNotifierItem, menu: DBusMenu, host: Host) -> None:
        (everything,) = await host.call(MENU_PATH, PROPERTIES, "GetAll", "s", dbusmenu.INTERFACE)
        values = {name: variant.value for name, variant in everything.items()}
        assert values == {
            "Version": 3,
            "TextDirection": "ltr",
            "Status": "normal",
            "IconThemePath": [],
        }
        assert everything["Version"].signature == "u"

        revision, root = await host.layout(0, 0)
        assert revision == menu.revision == 1
        assert root == {"id": 0, "props": {"children-display": "submenu"}, "children": []}

        _, top = await host.layout(0, 1)
        assert labels(top) == [
            "Sitting since 09:00",
            "-",
            "Stretch now: Kneeling__lunge",
            "I stretched",
            "Snooze",
            "Quit",
        ]
        snooze = top["children"][4]
        assert snooze["props"] == {
            "label": "Snooze",
            "enabled": True,
            "visible": True,
            "children-display": "submenu",
        }
        assert snooze["children"] == []  # depth 1: the submenu's items are not sent
        assert top["children"][0]["props"]["enabled"] is False
        assert top["children"][1]["props"] == {"type": "separator", "visible": True}

        _, whole = await host.layout(0, -1)
        assert labels(whole["children"][4]) == ["5 min", "15 min"]
        assert whole["children"][:4] == top["children"][:4]

        _, filtered = await host.layout(0, -1, ("label",))
        assert all(set(c["props"]) <= {"label"} for c in filtered["children"])
        assert filtered["props"] == {}
        assert labels(filtered["children"][4]) == ["5 min", "15 min"]

        _, submenu = await host.layout(snooze["id"], -1, ("enabled",))
        assert submenu["id"] == snooze["id"]
        assert [c["props"] for c in submenu["children"]] == [{"enabled": True}] * 2

    play(private_bus, scenario, sample_menu([]))


@pytest.mark.desktop
def test_menu_group_properties_and_single_properties(private_bus: Desktop):
    async def scenario(item: StatusNotifierItem, menu: DBusMenu, host: Host) -> None:
        done, status = menu.id_of("done"), menu.id_of("status")
        (group,) = await host.menu("GetGroupProperties", "aias", [done, 999, status], ["label"])
        assert [(i, {k: v.value for k, v in p.items()}) for i, p in group] == [
            (done, {"label": "I stretched"}),
            (status, {"label": "Sitting since 09:00"}),
        ]
        (everything,) = await host.menu("GetGroupProperties", "aias", [], [])
        assert sorted(i for i, _ in everything) == [0, *range(1, 9)]

        (label,) = await host.menu("GetProperty", "is", done, "label")
        assert (label.signature, label.value) == ("s", "I stretched")
        (kind,) = await host.menu("GetProperty", "is", done, "type")
        assert kind.value == "standard"  # not sent in layouts: the default
        (enabled,) = await host.menu("GetProperty", "is", status, "enabled")
        assert enabled.value is False
        await refused(host.menu("GetProperty", "is", done, "colour"), "InvalidArgs")
        await refused(host.menu("GetProperty", "is", 999, "label"), "UnknownId")

    play(private_bus, scenario, sample_menu([]))


@pytest.mark.desktop
def test_dbus_send_reads_the_layout_and_clicks_as_a_host_does(private_bus: Desktop):
    did: list[str] = []

    async def scenario(item: StatusNotifierItem, menu: DBusMenu, host: Host) -> None:
        layout = await host.dbus_send(
            MENU_PATH, "com.canonical.dbusmenu.GetLayout", "int32:0", "int32:-1", "array:string:"
        )
        assert 'string "Stretch now: Kneeling__lunge"' in layout
        assert 'string "15 min"' in layout
        clicked = await host.dbus_send(
            MENU_PATH,
            "com.canonical.dbusmenu.Event",
            f"int32:{menu.id_of('snooze/15')}",
            "string:clicked",
            "variant:int32:0",
            "uint32:0",
        )
        assert "method return" in clicked
        assert did == ["snooze 15"]
        unknown = await host.dbus_send(
            MENU_PATH,
            "com.canonical.dbusmenu.Event",
            "int32:4242",
            "string:clicked",
            "variant:int32:0",
            "uint32:0",
        )
        assert "com.canonical.dbusmenu.Error.UnknownId" in unknown
        status = await host.dbus_send(
            ITEM_PATH, f"{PROPERTIES}.Get", f"string:{sni.INTERFACE}", "string:Status"
        )
        assert 'string "Active"' in status

    play(private_bus, scenario, sample_menu(did))
    assert did == ["snooze 15"]


@pytest.mark.desktop
def test_a_label_only_change_sends_just_the_changed_properties(private_bus: Desktop):
    did: list[str] = []

    async def scenario(item: StatusNotifierItem, menu: DBusMenu, host: Host) -> None:
        revision = menu.revision
        menu.set_items(sample_menu(did))  # the same menu again: nothing to say
        assert await host.received() == []

        menu.set_items(sample_menu(did, status="Sitting since 09:00 · snoozed"))
        status = menu.id_of("status")
        got = await host.received()
        assert [member for member, _ in got] == ["ItemsPropertiesUpdated"]
        updated, removed = got[0][1]
        assert [(i, {k: v.value for k, v in p.items()}) for i, p in updated] == [
            (status, {"label": "Sitting since 09:00 · snoozed"})
        ]
        assert removed == []

        menu.set_items(sample_menu(did, status="Sitting since 09:00 · snoozed", done_enabled=False))
        got = await host.received()
        updated, removed = got[0][1]
        assert [(i, {k: v.value for k, v in p.items()}) for i, p in updated] == [
            (menu.id_of("done"), {"enabled": False})
        ]
        assert menu.revision == revision
        revision_seen, tree = await host.layout(0, 1)
        assert revision_seen == revision
        assert tree["children"][3]["props"]["enabled"] is False
        assert tree["children"][0]["props"]["label"] == "Sitting since 09:00 · snoozed"

    play(private_bus, scenario, sample_menu(did))


@pytest.mark.desktop
def test_a_structural_change_sends_a_new_layout_revision(private_bus: Desktop):
    did: list[str] = []

    async def scenario(item: StatusNotifierItem, menu: DBusMenu, host: Host) -> None:
        first = menu.revision
        resume = Item("resume", "Resume reminders", lambda: did.append("resume"))
        menu.set_items(sample_menu(did, extra=(resume,)))  # an item more
        assert await host.received() == [("LayoutUpdated", [first + 1, 0])]
        revision, tree = await host.layout(0, 1)
        assert revision == first + 1
        assert labels(tree)[-2:] == ["Resume reminders", "Quit"]

        menu.set_items(tuple(reversed(sample_menu(did))))  # the same items, another order
        assert await host.received() == [("LayoutUpdated", [first + 2, 0])]

        # A submenu that gains a child, and a label changed at the same time: one new layout.
        items = list(sample_menu(did, status="other words"))
        snooze = items[4]
        items[4] = Item(
            "snooze", "Snooze", children=(*snooze.children, Item("snooze/30", "30 min"))
        )
        menu.set_items(tuple(items))
        assert await host.received() == [("LayoutUpdated", [first + 3, 0])]
        _, tree = await host.layout(0, -1)
        assert labels(tree["children"][4]) == ["5 min", "15 min", "30 min"]
        assert labels(tree)[0] == "other words"

    play(private_bus, scenario, sample_menu(did))


@pytest.mark.desktop
def test_a_click_after_the_menu_changed_reaches_the_item_it_meant_or_none(private_bus: Desktop):
    did: list[str] = []

    async def scenario(item: StatusNotifierItem, menu: DBusMenu, host: Host) -> None:
        _, tree = await host.layout()
        ids = {child["props"].get("label"): child["id"] for child in tree["children"]}
        done, stretch = ids["I stretched"], ids["Stretch now: Kneeling__lunge"]

        # The daemon's state moves on while the host still shows the old menu: an item before
        # "I stretched" is gone, one is new, and "I stretched" has a new action.
        menu.set_items(
            (
                Item("status", "Routine under way", enabled=False),
                Item("cancel-routine", "Cancel routine", lambda: did.append("cancel")),
                Item("done", "I stretched", lambda: did.append("done (new)")),
                Item("quit", "Quit", lambda: did.append("quit")),
            )
        )
        await host.menu("Event", "isvu", done, "clicked", Variant("i", 0), 0)
        assert did == ["done (new)"]
        await refused(
            host.menu("Event", "isvu", stretch, "clicked", Variant("i", 0), 0),
            "UnknownId",
        )
        assert did == ["done (new)"]
        # A new key never takes an old id; an old key coming back gets its own id again.
        assert menu.id_of("cancel-routine") not in ids.values()
        menu.set_items(sample_menu(did))
        assert menu.id_of("stretch-now") == stretch
        await host.menu("Event", "isvu", stretch, "clicked", Variant("s", ""), 0)
        assert did == ["done (new)", "stretch-now"]

    play(private_bus, scenario, sample_menu(did))


@pytest.mark.desktop
def test_events_click_only_enabled_items_and_a_failing_action_is_logged(
    private_bus: Desktop, caplog
):
    did: list[str] = []

    def broken() -> None:
        raise RuntimeError("action exploded")

    async def scenario(item: StatusNotifierItem, menu: DBusMenu, host: Host) -> None:
        data = Variant("i", 0)
        await host.menu("Event", "isvu", menu.id_of("stretch-now"), "hovered", data, 0)
        await host.menu("Event", "isvu", menu.id_of("status"), "clicked", data, 0)  # disabled
        await host.menu("Event", "isvu", menu.id_of("sep"), "clicked", data, 0)
        await host.menu("Event", "isvu", menu.id_of("snooze"), "clicked", data, 0)  # a submenu
        await host.menu("Event", "isvu", 0, "clicked", data, 0)  # the root
        await host.menu("Event", "isvu", menu.id_of("done"), "x-vendor-thing", data, 0)
        assert did == []
        events = [
            (menu.id_of("snooze/5"), "clicked", data, 0),
            (777, "clicked", data, 0),
            (menu.id_of("quit"), "clicked", data, 0),
        ]
        (not_found,) = await host.menu("EventGroup", "a(isvu)", events)
        assert not_found == [777]
        assert did == ["snooze 5", "quit"]
        only_unknown = [(777, "clicked", data, 0), (778, "clicked", data, 0)]
        await refused(host.menu("EventGroup", "a(isvu)", only_unknown), "UnknownId")
        menu.set_items(sample_menu(did, extra=(Item("broken", "Broken", broken),)))
        await host.menu("Event", "isvu", menu.id_of("broken"), "clicked", data, 0)
        assert await host.prop(MENU_PATH, dbusmenu.INTERFACE, "Version") == 3

    play(private_bus, scenario, sample_menu(did))
    assert "menu item 'broken' callback failed" in caplog.text
    assert "action exploded" in caplog.text


@pytest.mark.desktop
def test_about_to_show_refreshes_the_menu_and_says_whether_its_layout_changed(
    private_bus: Desktop,
):
    did: list[str] = []
    clock = {"line": "Sitting since 09:00", "extra": ()}
    refreshed: list[int] = []

    async def scenario(item: StatusNotifierItem, menu: DBusMenu, host: Host) -> None:
        def refresh() -> None:
            refreshed.append(1)
            menu.set_items(sample_menu(did, status=clock["line"], extra=clock["extra"]))

        menu.on_about_to_show = refresh
        (changed,) = await host.menu("AboutToShow", "i", 0)
        assert changed is False and refreshed == [1]
        assert await host.received() == []

        clock["line"] = "Sitting since 09:00 · stretch at 10:00"
        (changed,) = await host.menu("AboutToShow", "i", 0)
        assert changed is False  # only words: ItemsPropertiesUpdated, sent before the answer
        assert [m for m, _ in await host.received()] == ["ItemsPropertiesUpdated"]

        clock["extra"] = (Item("resume", "Resume reminders"),)
        (changed,) = await host.menu("AboutToShow", "i", menu.id_of("snooze"))
        assert changed is True
        assert [m for m, _ in await host.received()] == ["LayoutUpdated"]

        clock["extra"] = ()
        updates, errors = await host.menu("AboutToShowGroup", "ai", [0, 4242, menu.id_of("done")])
        assert (updates, errors) == ([0, menu.id_of("done")], [4242])
        updates, errors = await host.menu("AboutToShowGroup", "ai", [0])
        assert (updates, errors) == ([], [])
        await refused(host.menu("AboutToShowGroup", "ai", [4242]), "UnknownId")  # none known
        assert len(refreshed) == 5  # not for a group of unknown ids only
        await refused(host.menu("AboutToShow", "i", 4242), "UnknownId")

    play(private_bus, scenario, sample_menu(did))


@pytest.mark.desktop
def test_stop_takes_the_item_and_its_menu_off_the_bus(private_bus: Desktop):
    async def main() -> None:
        service = await connect_psoas(private_bus.bus_address)
        client = await connect(private_bus.bus_address)
        menu = DBusMenu(service)
        menu.set_items(sample_menu([]))
        item = StatusNotifierItem(service, "psoas", "psoas", menu=menu, number=7)
        await item.start()
        host = Host(client, item.name, private_bus.bus_address)
        assert await host.prop(ITEM_PATH, sni.INTERFACE, "Id") == "psoas"
        await item.stop()
        await item.stop()  # twice is harmless
        (owned,) = await call(
            client,
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "NameHasOwner",
            "s",
            [item.name],
        )
        assert owned is False
        host.name = service.unique_name
        await refused(host.prop(ITEM_PATH, sni.INTERFACE, "Id"), "Error")
        await refused(host.menu("GetLayout", "iias", 0, -1, []), "Unknown")
        item.set_status("Passive")  # after stop: kept, nothing sent, nothing raised
        await item.start()  # and it can come back
        host.name = item.name
        assert await host.prop(ITEM_PATH, sni.INTERFACE, "Status") == "Passive"
        await item.stop()
        service.close()
        client.disconnect()

    asyncio.run(main())


# ----- registration, against a watcher the test controls ---------------------------------------


class FakeWatcher(ServiceInterface):
    """org.kde.StatusNotifierWatcher as far as an item uses it, with its answers in the test's
    hands: whether a host is there, and whether registering works at all."""

    def __init__(self) -> None:
        super().__init__(sni.WATCHER)
        self.registered: list[str] = []
        self.host = False
        self.refuse = False
        self.asked = 0  # how often an item read IsStatusNotifierHostRegistered

    @dbus_method()
    # No "-> None" on the D-Bus members: postponed, dbus-fast would read it as no signature.
    def RegisterStatusNotifierItem(self, service: DBusStr):
        if self.refuse:
            raise DBusError(ErrorType.FAILED, "not today")
        self.registered.append(service)

    @dbus_property(access=PropertyAccess.READ)
    def IsStatusNotifierHostRegistered(self) -> DBusBool:
        self.asked += 1
        return self.host

    @dbus_signal()
    def StatusNotifierHostRegistered(self):
        return None


async def start_watcher(address: str, watcher: FakeWatcher, export_after: float = 0.0) -> Any:
    """A connection owning the watcher's name; its object appears ``export_after`` s later."""
    bus = await connect(address)
    await bus.request_name(sni.WATCHER)
    if export_after:
        await asyncio.sleep(export_after)
    bus.export(sni.WATCHER_PATH, watcher)
    return bus


@pytest.mark.desktop
def test_host_presence_follows_the_watcher_and_its_hosts(private_bus: Desktop, monkeypatch, caplog):
    monkeypatch.setattr(sni, "REGISTER_RETRY_DELAYS", (0.05, 0.1, 0.2))
    changes: list[bool] = []
    address = private_bus.bus_address

    async def scenario(item: StatusNotifierItem, menu: DBusMenu, host: Host) -> None:
        assert item.host_present is False

        # A panel whose watcher owns its name a moment before its object is there.
        watcher = FakeWatcher()
        panel = await start_watcher(address, watcher, export_after=0.15)
        await wait_async(lambda: watcher.registered == [item.name], "the registration")
        await host.received()
        assert changes == [] and item.host_present is False  # a watcher, but no host yet

        watcher.host = True
        watcher.StatusNotifierHostRegistered()
        await wait_async(lambda: changes == [True], "'tray back'")
        assert item.host_present is True

        # The same signal from anyone but the watcher is not believed.
        watcher.host = False
        impostor = await connect(address)
        impostor.export(sni.WATCHER_PATH, FakeWatcher())
        impostor.send(
            Message.new_signal(sni.WATCHER_PATH, sni.WATCHER, "StatusNotifierHostRegistered")
        )
        asked = watcher.asked
        await call(impostor, item.name, ITEM_PATH, "org.freedesktop.DBus.Peer", "Ping")
        await asyncio.sleep(0.3)  # time for a question to the watcher, which must not come
        assert watcher.asked == asked and changes == [True]

        panel.disconnect()  # the panel crashes
        await wait_async(lambda: changes == [True, False], "'no tray host'")

        # A watcher that refuses: a few tries, then a warning, and the item keeps running.
        refusing = FakeWatcher()
        refusing.refuse = True
        refusing.host = True
        panel = await start_watcher(address, refusing)
        await wait_async(lambda: "could not register" in caplog.text, "the warning")
        assert changes == [True, False] and refusing.registered == []

        # It learns better; the next host it announces brings the item in.
        refusing.refuse = False
        refusing.StatusNotifierHostRegistered()
        await wait_async(lambda: changes == [True, False, True], "registered at last")
        assert refusing.registered == [item.name]
        assert await host.prop(ITEM_PATH, sni.INTERFACE, "Status") == "Active"
        panel.disconnect()
        impostor.disconnect()

    play(private_bus, scenario, on_host_change=changes.append)


# ----- registration with the real watcher ----------------------------------------------------


def start_item(desk: Desktop, log: Path) -> Any:
    """services/sni_item.py on ``desk``; returns once its item is on the bus."""
    item = desk.spawn([sys.executable, str(ITEM_SCRIPT), str(log)], name="sni-item")

    def started() -> bool:
        assert item.poll() is None, item.stderr_text()
        return "started" in item.stdout_text()

    wait_until(started, 15, "the item to start")
    return item


def log_lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.desktop
def test_item_waits_for_a_missing_watcher_and_registers_each_time_one_appears(
    private_bus: Desktop, tmp_path: Path
):
    log = tmp_path / "did.log"
    item = start_item(private_bus, log)
    name = item.stdout_text().split()[1]
    time.sleep(1)
    assert item.poll() is None
    assert log_lines(log) == []  # no host, and nothing said about it yet: it never was there

    private_bus.start_sni_host(host=False)
    wait_until(lambda: name in private_bus.sni_items(), 10, "the item to register")
    assert private_bus.sni_watcher_property("IsStatusNotifierHostRegistered") == "false"

    private_bus.stop_sni_host()  # the panel goes...
    private_bus.start_sni_host(host=False)  # ...and a new watcher, knowing nothing, comes
    wait_until(lambda: name in private_bus.sni_items(), 10, "the item to register again")
    assert private_bus.sni_items() == [name]
    assert log_lines(log) == []  # a watcher without a host is no tray to show

    item.send_signal(signal.SIGTERM)
    assert item.finish(10) == 0
    wait_until(lambda: not private_bus.name_has_owner(name), 5, "the item's name to go")
    assert "Traceback" not in item.stderr_text()


# ----- the real panel ------------------------------------------------------------------------


def open_menu(desk: Desktop, log: Path, centre: tuple[int, int]) -> None:
    """Right-click the icon; wait until the panel asked the menu AboutToShow, then for GTK."""
    shown = sum(line.startswith("about-to-show") for line in log_lines(log))
    desk.click(*centre, button=3)
    wait_until(
        lambda: sum(line.startswith("about-to-show") for line in log_lines(log)) > shown,
        10,
        "the panel to ask AboutToShow",
    )
    time.sleep(0.7)


def keys(desk: Desktop, *names: str) -> None:
    for name in names:
        desk.key(name)
        time.sleep(0.2)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.mark.desktop
def test_the_real_panel_draws_the_icon_and_a_menu_click_runs_its_action(
    desktop: Desktop, tmp_path: Path
):
    desktop.start_sni_host()
    log = tmp_path / "did.log"
    started = time.monotonic()
    item = start_item(desktop, log)
    wait_until(lambda: "host True" in log_lines(log), 10, "the item to see the panel")

    # The icon: our ring, drawn by the panel from IconPixmap (green: the bytes are A,R,G,B).
    shot, box = icon_on_screen(desktop, "sni-icon")
    assert box[2] - box[0] <= 32 and box[3] - box[1] <= 32, box
    assert pixels_near(shot, box, GREEN) > 20, "no green ring: IconPixmap bytes misread?"
    centre = ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)

    # Left click: Activate, at the pointer.
    desktop.click(*centre, button=1)
    wait_until(lambda: any(x.startswith("activate") for x in log_lines(log)), 10, "Activate")

    # Right click: the menu, drawn by the panel from GetLayout; Snooze > 5 min by keyboard.
    open_menu(desktop, log, centre)
    menu_shot = desktop.screenshot("sni-menu")
    below = Image.open(menu_shot).convert("L").crop((0, 32, 400, 400))
    assert sum(below.histogram()[151:]) > 20000, "no menu drawn below the icon"
    keys(desktop, "Down", "Down", "Down", "Down", "Right")  # Today, Stretch now, Done, Snooze
    desktop.screenshot("sni-submenu")
    keys(desktop, "Return")
    wait_until(lambda: "send Snooze(minutes=5)" in log_lines(log), 10, "the snooze action")

    # Only the status line's words change: the panel redraws them from ItemsPropertiesUpdated
    # alone (AboutToShow then says the layout is the same, so it fetches nothing more).
    item.send_signal(signal.SIGUSR2)
    time.sleep(0.5)
    open_menu(desktop, log, centre)
    words_shot = desktop.screenshot("sni-menu-new-words")
    keys(desktop, "Escape")
    status_row = (0, 32, 300, 60)
    before = Image.open(menu_shot).convert("L").crop(status_row)
    after = Image.open(words_shot).convert("L").crop(status_row)
    redrawn = before.tobytes() != after.tobytes()
    assert redrawn, "the status line was not redrawn"
    rest = (0, 62, 300, 300)
    same = Image.open(menu_shot).crop(rest).tobytes() == Image.open(words_shot).crop(rest).tobytes()
    assert same, "more than the status line changed"

    # The daemon's menu changes shape (a routine starts): the panel reads the new layout.
    item.send_signal(signal.SIGUSR1)
    time.sleep(0.5)
    entries = sni_menu(desktop)
    open_menu(desktop, log, centre)
    desktop.screenshot("sni-menu-routine")
    keys(desktop, *keys_to(entries, "Stop routine"))
    wait_until(lambda: "send CancelRoutine()" in log_lines(log), 10, "Stop routine")

    # Memory: the whole tray process (Python, dbus-fast, Pillow, item and menu), after 10 s.
    time.sleep(max(0.0, 10 - (time.monotonic() - started)))
    rss = rss_mib(item.pid)
    (ARTIFACTS / "sni-memory.txt").write_text(f"sni_item.py RSS after 10 s: {rss:.1f} MiB\n")
    print(f"sni_item.py RSS after 10 s: {rss:.1f} MiB")
    assert rss <= 45, f"{rss:.1f} MiB"

    item.send_signal(signal.SIGTERM)
    assert item.finish(10) == 0
    assert "Traceback" not in item.stderr_text()


@pytest.mark.desktop
def test_after_a_panel_restart_the_item_is_back_on_the_new_panel(desktop: Desktop, tmp_path: Path):
    desktop.start_sni_host()
    log = tmp_path / "did.log"
    item = start_item(desktop, log)
    name = item.stdout_text().split()[1]
    wait_until(lambda: log_lines(log) == ["host True"], 10, "the item to see the panel")

    desktop.stop_sni_host()
    wait_until(lambda: log_lines(log) == ["host True", "host False"], 10, "'no tray host'")
    desktop.start_sni_host()
    wait_until(
        lambda: log_lines(log) == ["host True", "host False", "host True"], 15, "'tray back'"
    )
    assert desktop.sni_items() == [name]
    shot, box = icon_on_screen(desktop, "sni-icon-after-restart")
    assert pixels_near(shot, box, GREEN) > 20
    centre = ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
    open_menu(desktop, log, centre)
    keys(desktop, "Down", "Down", "Return")  # past Today (it opens the chart)
    wait_until(lambda: "send StretchNow()" in log_lines(log), 10, "Stretch now")
    item.send_signal(signal.SIGTERM)
    assert item.finish(10) == 0
