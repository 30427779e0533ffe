"""The tray's menu on the bus as ``com.canonical.dbusmenu``, for StatusNotifierItem hosts to draw.

The menu arrives whole every time (what `build_menu` gives); this works out what
changed and tells hosts as little as it can: a new layout revision when items come, go or move,
only the changed properties when just words or greying change. Ids come from each item's stable
``key`` and are never given to another key, so a click sent against an older menu still reaches
the item it meant, or none.

Whatever a host (or anyone on the bus) asks, one call costs little: at most :data:`MOST_IDS` ids,
:data:`MOST_NAMES` property names and :data:`MOST_EVENTS` events, each id once; past that, an error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from reminder.bus import Connection, ServiceError, Variant
from reminder.bus.errors import INVALID_ARGS, LIMITS_EXCEEDED
from reminder.bus.service import Interface, Objects, dbus_property, method
from reminder.tray.callbacks import run_callback
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

#: What one call may ask for at most: psoas's menu has a few dozen items and a few properties.
MOST_IDS = 256
MOST_NAMES = 32
MOST_EVENTS = 64

Layout = tuple[int, dict[str, Variant], list[Variant]]  # (ia{sv}av): children are variants


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


def _unknown(item_id: int) -> ServiceError:
    return ServiceError(UNKNOWN_ID, f"no menu item with id {item_id}")


def _capped(what: str, values: Iterable[Any], most: int) -> list[Any]:
    """``values`` with each kept once, in order; an error when more than ``most`` are asked,
    repeats counted (a call that asks for one id a million times is refused, not worked out)."""
    asked = list(values)
    if len(asked) > most:
        raise ServiceError(LIMITS_EXCEEDED, f"at most {most} {what} in one call")
    return list(dict.fromkeys(asked))


class DBusMenu:
    """The menu exported at ``/MenuBar``; feed it with :meth:`set_items` whenever it changes.

    ``on_about_to_show`` runs when a host is about to open the menu (or a submenu): call
    :meth:`set_items` from it with fresh words (the status line's clock times) and the host is
    told before it draws.
    """

    path = MENU_PATH

    def __init__(self, bus: Connection, on_about_to_show: Callable[[], None] | None = None) -> None:
        self.bus = bus
        self.on_about_to_show = on_about_to_show
        self.revision = 0
        self._ids: dict[str, int] = {}
        self._nodes: dict[int, _Node] = {ROOT_ID: self._root(())}
        self._interface = _MenuInterface(self)
        self.exported = False

    # ----- what the daemon calls ------------------------------------------------------------

    def export(self) -> None:
        """Put the menu on the bus (the item's ``start`` does this for its menu)."""
        if not self.exported:
            Objects.on(self.bus).export(MENU_PATH, self._interface)
            self.exported = True

    def unexport(self) -> None:
        if self.exported:
            Objects.on(self.bus).unexport(MENU_PATH, self._interface)
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
            self._emit("LayoutUpdated", self.revision, ROOT_ID)
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
            self._emit("ItemsPropertiesUpdated", updated, removed)

    def id_of(self, key: str) -> int | None:
        """The id hosts know the item with ``key`` by (None: never shown)."""
        return self._ids.get(key)

    # ----- answers ----------------------------------------------------------------------------

    def layout(self, item_id: int, depth: int, names: Iterable[str] = ()) -> Layout:
        """(id, properties, children) under ``item_id``, ``depth`` levels down (-1: all; the
        menu's own depth bounds it)."""
        node = self._node(item_id)
        wanted = set(_capped("property names", names, MOST_NAMES))
        children = (
            []
            if depth == 0
            else [
                Variant("(ia{sv}av)", self.layout(child, depth - 1, wanted))
                for child in node.children
            ]
        )
        return (item_id, self._properties(node, wanted), children)

    def group_properties(
        self, ids: Iterable[int], names: Iterable[str]
    ) -> list[tuple[int, dict[str, Variant]]]:
        """The properties of each known id (of every item when ``ids`` is empty)."""
        wanted = set(_capped("property names", names, MOST_NAMES))
        asked = _capped("ids", ids, MOST_IDS) or sorted(self._nodes)
        return [(i, self._properties(self._nodes[i], wanted)) for i in asked if i in self._nodes]

    def property(self, item_id: int, name: str) -> Variant:
        node = self._node(item_id)
        if name in node.properties:
            return _variant(name, node.properties[name])
        if name in PROPERTY_DEFAULTS:
            return _variant(name, PROPERTY_DEFAULTS[name])
        raise ServiceError(INVALID_ARGS, f"menu items have no property {name!r}")

    def event(self, item_id: int, event_id: str) -> None:
        """A host's event on an item: a click runs its action; hovering and the rest are ignored."""
        node = self._node(item_id)
        item = node.item
        if event_id != "clicked" or item is None or not item.enabled or item.action is None:
            return
        run_callback(f"menu item {item.key!r}", item.action)

    def events(self, events: list[tuple[int, str, Variant, int]]) -> list[int]:
        """Several events at once; the ids not found (their events are dropped)."""
        if len(events) > MOST_EVENTS:
            raise ServiceError(LIMITS_EXCEEDED, f"at most {MOST_EVENTS} events in one call")
        not_found = []
        for item_id, event_id, _data, _timestamp in events:
            if item_id in self._nodes:
                self.event(item_id, event_id)
            else:
                not_found.append(item_id)
        return not_found

    def about_to_show(self, ids: list[int]) -> tuple[list[int], list[int]]:
        """Let the daemon refresh the menu; (the ids whose layout changed, the ids not found)."""
        ids = _capped("ids", ids, MOST_IDS)
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

    def _emit(self, signal: str, *args: object) -> None:
        """Send a signal while exported; before that nobody listens."""
        if self.exported:
            self._interface.emit(signal, *args)


def _variant(name: str, value: Any) -> Variant:
    return Variant(PROPERTY_TYPES[name], value)


class _MenuInterface(Interface):
    """com.canonical.dbusmenu; every answer comes from the DBusMenu."""

    name = INTERFACE
    signals: ClassVar[dict[str, str]] = {
        "ItemsPropertiesUpdated": "a(ia{sv})a(ias)",
        "LayoutUpdated": "ui",
        "ItemActivationRequested": "iu",
    }

    def __init__(self, menu: DBusMenu) -> None:
        super().__init__()
        self.menu = menu

    @dbus_property("u")
    def Version(self) -> int:
        return VERSION

    @dbus_property("s")
    def TextDirection(self) -> str:
        return "ltr"

    @dbus_property("s")
    def Status(self) -> str:
        return "normal"

    @dbus_property("as")
    def IconThemePath(self) -> list[str]:
        return []

    @method("iias", "u(ia{sv}av)")
    def GetLayout(
        self, parent_id: int, recursion_depth: int, property_names: list[str]
    ) -> tuple[int, Layout]:
        return self.menu.revision, self.menu.layout(parent_id, recursion_depth, property_names)

    @method("aias", "a(ia{sv})")
    def GetGroupProperties(
        self, ids: list[int], property_names: list[str]
    ) -> list[tuple[int, dict[str, Variant]]]:
        return self.menu.group_properties(ids, property_names)

    @method("is", "v")
    def GetProperty(self, item_id: int, name: str) -> Variant:
        return self.menu.property(item_id, name)

    @method("isvu")
    def Event(self, item_id: int, event_id: str, data: Any, timestamp: int) -> None:
        self.menu.event(item_id, event_id)

    @method("a(isvu)", "ai")
    def EventGroup(self, events: list[tuple[int, str, Any, int]]) -> list[int]:
        not_found = self.menu.events(events)
        if events and len(not_found) == len(events):  # the spec: none found is an error
            raise _unknown(not_found[0])
        return not_found

    @method("i", "b")
    def AboutToShow(self, item_id: int) -> bool:
        updates, errors = self.menu.about_to_show([item_id])
        if errors:
            raise _unknown(item_id)
        return bool(updates)

    @method("ai", "aiai")
    def AboutToShowGroup(self, ids: list[int]) -> tuple[list[int], list[int]]:
        updates, errors = self.menu.about_to_show(ids)
        if ids and len(errors) == len(ids):  # the spec: none found is an error
            raise _unknown(errors[0])
        return updates, errors
