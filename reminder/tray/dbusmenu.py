"""The tray's menu on the bus as ``com.canonical.dbusmenu``, for StatusNotifierItem hosts to draw.

The menu arrives whole every time (what `build_menu` gives); this works out what
changed and tells hosts as little as it can: a new layout revision when items come, go or move,
only the changed properties when just words or greying change. Ids come from each item's stable
``key`` and are never given to another key, so a click sent against an older menu still reaches
the item it meant, or none.

No ``from __future__ import annotations`` here: dbus-fast reads the D-Bus signatures from the
annotations of the exported interface, and a postponed ``-> None`` would reach it as no signature.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from dbus_fast import DBusError, ErrorType, PropertyAccess, Variant
from dbus_fast.annotations import DBusBool, DBusInt32, DBusSignature, DBusStr, DBusUInt32
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from reminder.bus_service import NoReplyGuard, run_callback
from reminder.tray.menu import Item

log = logging.getLogger(__name__)

INTERFACE = "com.canonical.dbusmenu"
MENU_PATH = "/MenuBar"
UNKNOWN_ID = "com.canonical.dbusmenu.Error.UnknownId"
ROOT_ID = 0
VERSION = 3

#: The D-Bus type of each item property we send, and the value a host assumes when it is absent.
PROPERTY_TYPES = {
    "type": "s",
    "label": "s",
    "enabled": "b",
    "visible": "b",
    "children-display": "s",
    "toggle-type": "s",
    "toggle-state": "i",
    "icon-name": "s",
}
PROPERTY_DEFAULTS: dict[str, Any] = {
    "type": "standard",
    "label": "",
    "enabled": True,
    "visible": True,
    "children-display": "",
    "toggle-type": "",
    "toggle-state": -1,
    "icon-name": "",
}

# The D-Bus signatures of the interface, as dbus-fast reads them from the annotations.
Layout = list[Any]  # (ia{sv}av): id, properties, children each a variant of a Layout
LayoutReply = Annotated[tuple[int, Layout], DBusSignature("u(ia{sv}av)")]
IdList = Annotated[list[int], DBusSignature("ai")]
NameList = Annotated[list[str], DBusSignature("as")]
PropertiesList = Annotated[list[tuple[int, dict[str, Variant]]], DBusSignature("a(ia{sv})")]
EventList = Annotated[list[tuple[int, str, Variant, int]], DBusSignature("a(isvu)")]
GroupAnswer = Annotated[tuple[list[int], list[int]], DBusSignature("aiai")]
PropertiesUpdate = Annotated[
    tuple[list[tuple[int, dict[str, Variant]]], list[tuple[int, list[str]]]],
    DBusSignature("a(ia{sv})a(ias)"),
]
RevisionAndParent = Annotated[tuple[int, int], DBusSignature("ui")]
IdAndTime = Annotated[tuple[int, int], DBusSignature("iu")]
AnyValue = Annotated[Variant, DBusSignature("v")]


def escape_label(text: str) -> str:
    """A label for dbusmenu, whose single underscore marks an access key: '_' is written '__'."""
    return text.replace("_", "__")


def item_properties(item: Item) -> dict[str, Any]:
    """What a host is told about ``item``: label, enabled and visible always (some hosts do not
    honour a removed property), the others only when they differ from the default."""
    if item.separator:
        return {"type": "separator", "visible": True}
    properties: dict[str, Any] = {
        "label": escape_label(item.label),
        "enabled": item.enabled,
        "visible": True,
    }
    if item.children:
        properties["children-display"] = "submenu"
    return properties


@dataclass(frozen=True)
class _Node:
    """One entry of the menu as exported: its item (None for the root), children and properties."""

    item: Item | None
    children: tuple[int, ...]
    properties: dict[str, Any]

    def shape(self) -> tuple[tuple[int, ...], bool]:
        """What makes a layout: the children in order, and separator or not."""
        return self.children, self.item is not None and self.item.separator


def _unknown(item_id: int) -> DBusError:
    return DBusError(UNKNOWN_ID, f"no menu item with id {item_id}")


class DBusMenu:
    """The menu exported at ``/MenuBar``; feed it with :meth:`set_items` whenever it changes.

    ``on_about_to_show`` runs when a host is about to open the menu (or a submenu): call
    :meth:`set_items` from it with fresh words (the status line's clock times) and the host is
    told before it draws.
    """

    path = MENU_PATH

    def __init__(self, bus: Any, on_about_to_show: Callable[[], None] | None = None) -> None:
        self.bus = bus
        self.on_about_to_show = on_about_to_show
        self.revision = 0
        self._ids: dict[str, int] = {}
        self._nodes: dict[int, _Node] = {ROOT_ID: self._root(())}
        self._interface = _MenuInterface(self)
        self._guard = NoReplyGuard(
            MENU_PATH,
            INTERFACE,
            {
                "Event": ("isvu", self._interface.Event),
                "EventGroup": ("a(isvu)", self._interface.EventGroup),
                "AboutToShow": ("i", self._interface.AboutToShow),
                "AboutToShowGroup": ("ai", self._interface.AboutToShowGroup),
            },
        )
        self.exported = False

    # ----- what the daemon calls ------------------------------------------------------------

    def export(self) -> None:
        """Put the menu on the bus (the item's ``start`` does this for its menu)."""
        if not self.exported:
            self.bus.export(MENU_PATH, self._interface)
            self.bus.add_message_handler(self._guard)
            self.exported = True

    def unexport(self) -> None:
        if self.exported:
            self.bus.remove_message_handler(self._guard)
            self.bus.unexport(MENU_PATH, self._interface)
            self.exported = False

    def set_items(self, items: tuple[Item, ...]) -> None:
        """Show ``items`` from now on and tell hosts what changed, in as few words as it can.

        ValueError when a key appears twice: ids come from keys, so keys must be unique.
        """
        nodes: dict[int, _Node] = {}
        seen: set[str] = set()

        def add(entries: tuple[Item, ...]) -> tuple[int, ...]:
            ids = []
            for item in entries:
                if item.key in seen:
                    raise ValueError(f"the menu key {item.key!r} appears twice")
                seen.add(item.key)
                item_id = self._id_for(item.key)
                ids.append(item_id)
                nodes[item_id] = _Node(item, add(item.children), item_properties(item))
            return tuple(ids)

        nodes[ROOT_ID] = self._root(add(items))
        before, self._nodes = self._nodes, nodes
        if {i: n.shape() for i, n in before.items()} != {i: n.shape() for i, n in nodes.items()}:
            self.revision += 1
            self._emit(self._interface.LayoutUpdated, self.revision, ROOT_ID)
            return
        updated: list[tuple[int, dict[str, Variant]]] = []
        removed: list[tuple[int, list[str]]] = []
        for item_id, node in nodes.items():
            old = before[item_id].properties
            changed = {
                name: _variant(name, value)
                for name, value in node.properties.items()
                if name not in old or old[name] != value
            }
            gone = [name for name in old if name not in node.properties]
            if changed:
                updated.append((item_id, changed))
            if gone:
                removed.append((item_id, gone))
        if updated or removed:
            self._emit(self._interface.ItemsPropertiesUpdated, updated, removed)

    def id_of(self, key: str) -> int | None:
        """The id hosts know the item with ``key`` by (None: never shown)."""
        return self._ids.get(key)

    # ----- answers ----------------------------------------------------------------------------

    def layout(self, item_id: int, depth: int, names: Iterable[str] = ()) -> Layout:
        """(id, properties, children) under ``item_id``, ``depth`` levels down (-1: all)."""
        node = self._node(item_id)
        wanted = set(names)
        children = (
            []
            if depth == 0
            else [
                Variant("(ia{sv}av)", self.layout(child, depth - 1, wanted))
                for child in node.children
            ]
        )
        return [item_id, self._properties(node, wanted), children]

    def group_properties(
        self, ids: Iterable[int], names: Iterable[str]
    ) -> list[tuple[int, dict[str, Variant]]]:
        """The properties of each known id (of every item when ``ids`` is empty)."""
        wanted = set(names)
        asked = list(ids) or sorted(self._nodes)
        return [(i, self._properties(self._nodes[i], wanted)) for i in asked if i in self._nodes]

    def property(self, item_id: int, name: str) -> Variant:
        node = self._node(item_id)
        if name in node.properties:
            return _variant(name, node.properties[name])
        if name in PROPERTY_DEFAULTS:
            return _variant(name, PROPERTY_DEFAULTS[name])
        raise DBusError(ErrorType.INVALID_ARGS, f"menu items have no property {name!r}")

    def event(self, item_id: int, event_id: str) -> None:
        """A host's event on an item: a click runs its action; hovering and the rest are ignored."""
        node = self._node(item_id)
        item = node.item
        if event_id != "clicked" or item is None or not item.enabled or item.action is None:
            return
        run_callback(f"menu item {item.key!r}", item.action)

    def events(self, events: list[tuple[int, str, Variant, int]]) -> list[int]:
        """Several events at once; the ids not found (their events are dropped)."""
        not_found = []
        for item_id, event_id, _data, _timestamp in events:
            if item_id in self._nodes:
                self.event(item_id, event_id)
            else:
                not_found.append(item_id)
        return not_found

    def about_to_show(self, ids: list[int]) -> tuple[list[int], list[int]]:
        """Let the daemon refresh the menu; (the ids whose layout changed, the ids not found)."""
        known = [i for i in ids if i in self._nodes]
        errors = [i for i in ids if i not in self._nodes]
        if not known:
            return [], errors
        revision = self.revision
        run_callback("about-to-show", self.on_about_to_show)
        changed = self.revision != revision
        return ([i for i in known if i in self._nodes] if changed else []), errors

    # ----- inside -----------------------------------------------------------------------------

    def _id_for(self, key: str) -> int:
        item_id = self._ids.get(key)
        if item_id is None:
            item_id = self._ids[key] = len(self._ids) + 1
        return item_id

    @staticmethod
    def _root(children: tuple[int, ...]) -> _Node:
        return _Node(None, children, {"children-display": "submenu"})

    def _node(self, item_id: int) -> _Node:
        node = self._nodes.get(item_id)
        if node is None:
            raise _unknown(item_id)
        return node

    @staticmethod
    def _properties(node: _Node, wanted: set[str]) -> dict[str, Variant]:
        return {
            name: _variant(name, value)
            for name, value in node.properties.items()
            if not wanted or name in wanted
        }

    def _emit(self, signal: Callable[..., object], *args: object) -> None:
        """Send a signal while exported on a live connection; before that nobody listens."""
        if self.exported and self.bus.connected:
            signal(*args)


def _variant(name: str, value: Any) -> Variant:
    return Variant(PROPERTY_TYPES[name], value)


class _MenuInterface(ServiceInterface):
    """com.canonical.dbusmenu as dbus-fast exports it; every answer comes from the DBusMenu."""

    def __init__(self, menu: DBusMenu) -> None:
        super().__init__(INTERFACE)
        self.menu = menu

    @dbus_property(access=PropertyAccess.READ)
    def Version(self) -> DBusUInt32:
        return VERSION

    @dbus_property(access=PropertyAccess.READ)
    def TextDirection(self) -> DBusStr:
        return "ltr"

    @dbus_property(access=PropertyAccess.READ)
    def Status(self) -> DBusStr:
        return "normal"

    @dbus_property(access=PropertyAccess.READ)
    def IconThemePath(self) -> NameList:
        return []

    @dbus_method()
    def GetLayout(
        self, parent_id: DBusInt32, recursion_depth: DBusInt32, property_names: NameList
    ) -> LayoutReply:
        return self.menu.revision, self.menu.layout(parent_id, recursion_depth, property_names)

    @dbus_method()
    def GetGroupProperties(self, ids: IdList, property_names: NameList) -> PropertiesList:
        return self.menu.group_properties(ids, property_names)

    @dbus_method()
    def GetProperty(self, item_id: DBusInt32, name: DBusStr) -> AnyValue:
        return self.menu.property(item_id, name)

    @dbus_method()
    def Event(
        self, item_id: DBusInt32, event_id: DBusStr, data: AnyValue, timestamp: DBusUInt32
    ) -> None:
        self.menu.event(item_id, event_id)

    @dbus_method()
    def EventGroup(self, events: EventList) -> IdList:
        not_found = self.menu.events(events)
        if events and len(not_found) == len(events):  # the spec: none found is an error
            raise _unknown(not_found[0])
        return not_found

    @dbus_method()
    def AboutToShow(self, item_id: DBusInt32) -> DBusBool:
        updates, errors = self.menu.about_to_show([item_id])
        if errors:
            raise _unknown(item_id)
        return bool(updates)

    @dbus_method()
    def AboutToShowGroup(self, ids: IdList) -> GroupAnswer:
        updates, errors = self.menu.about_to_show(ids)
        if ids and len(errors) == len(ids):  # the spec: none found is an error
            raise _unknown(errors[0])
        return updates, errors

    @dbus_signal()
    def ItemsPropertiesUpdated(
        self,
        updated: list[tuple[int, dict[str, Variant]]],
        removed: list[tuple[int, list[str]]],
    ) -> PropertiesUpdate:
        return updated, removed

    @dbus_signal()
    def LayoutUpdated(self, revision: int, parent: int) -> RevisionAndParent:
        return revision, parent

    @dbus_signal()
    def ItemActivationRequested(self, item_id: int, timestamp: int) -> IdAndTime:
        return item_id, timestamp
