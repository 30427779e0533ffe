"""The objects psoas puts on the bus (the tray item, its menu): each interface described once, in
its class, and every method call routed to it, answered or refused here.

An interface is a class: its methods marked :func:`method` with their D-Bus signatures, its
properties marked :func:`dbus_property`, its signals named in ``signals``. :class:`Objects`
answers every call on one connection: the interface's own methods, the standard Properties,
Introspectable and Peer, and an error for whatever is unknown or malformed. Nothing a caller sends
can escape it: a method that fails answers with an error (and the log keeps why), and a call that
wants no reply runs all the same, quietly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from jeepney.low_level import HeaderFields, Message, MessageFlag, parse_signature
from jeepney.wrappers import new_error, new_method_return

from reminder.bus.errors import (
    FAILED,
    INVALID_ARGS,
    PROPERTY_READ_ONLY,
    UNKNOWN_INTERFACE,
    UNKNOWN_METHOD,
    UNKNOWN_OBJECT,
    UNKNOWN_PROPERTY,
    ServiceError,
)

log = logging.getLogger(__name__)

#: An attribute's value as XML writes it (xml.sax.saxutils would bring urllib.request, http and
#: email into the daemon, 1.5 MiB, for names and signatures).
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def quoteattr(value: str) -> str:
    """``value`` as a double-quoted XML attribute."""
    return '"' + value.translate(_ATTRIBUTE) + '"'


PROPERTIES = "org.freedesktop.DBus.Properties"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"
PEER = "org.freedesktop.DBus.Peer"
MACHINE_ID = Path("/etc/machine-id")


def split_signature(signature: str) -> list[str]:
    """The complete types a signature is made of: "sa{sv}i" -> ["s", "a{sv}", "i"]."""
    types, start, depth = [], 0, 0
    for at, char in enumerate(signature):
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        if depth == 0 and char != "a":
            types.append(signature[start : at + 1])
            start = at + 1
    if depth or start != len(signature):
        raise ValueError(f"not a D-Bus signature: {signature!r}")
    return types


def method(in_signature: str = "", out_signature: str = "") -> Callable[[Callable], Callable]:
    """Mark an interface's method; it is called with the arguments and returns the answer (a
    tuple when ``out_signature`` has several complete types)."""

    def mark(function: Callable) -> Callable:
        function._dbus_method = (in_signature, out_signature)  # type: ignore[attr-defined]
        return function

    return mark


def dbus_property(signature: str) -> Callable[[Callable], Callable]:
    """Mark an interface's read-only property: the function gives its value."""

    def mark(function: Callable) -> Callable:
        function._dbus_property = signature  # type: ignore[attr-defined]
        return function

    return mark


@dataclass(frozen=True)
class _Description:
    methods: dict[str, tuple[str, str]]
    properties: dict[str, str]


class Interface:
    """An interface psoas exports (subclass it; see the module's docstring)."""

    name: ClassVar[str]
    #: Each signal's name and signature.
    signals: ClassVar[dict[str, str]] = {}

    def __init__(self) -> None:
        self._at: tuple[Any, str] | None = None  # (connection, path) once exported

    @classmethod
    def description(cls) -> _Description:
        return _describe(cls)

    def emit(self, member: str, *args: Any) -> bool:
        """Send one of this interface's signals, if it is exported on a live connection."""
        if self._at is None:
            return False
        connection, path = self._at
        if not connection.connected:
            return False
        return connection.emit(path, self.name, member, self.signals[member], args)


@cache
def _describe(cls: type[Interface]) -> _Description:
    methods, properties = {}, {}
    for attribute in dir(cls):
        value = getattr(cls, attribute, None)
        if hasattr(value, "_dbus_method"):
            methods[attribute] = value._dbus_method
        elif hasattr(value, "_dbus_property"):
            properties[attribute] = value._dbus_property
    return _Description(methods, properties)


Send = Callable[[Message], bool]


class Objects:
    """The objects exported on one connection, by path; the router for method calls to them."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self._paths: dict[str, dict[str, Interface]] = {}
        connection.dispatch = self

    @classmethod
    def on(cls, connection: Any) -> Objects:
        """The objects of ``connection``, made the first time they are asked for."""
        existing = connection.dispatch
        return existing if isinstance(existing, Objects) else cls(connection)

    def export(self, path: str, interface: Interface) -> None:
        self._paths.setdefault(path, {})[interface.name] = interface
        interface._at = (self.connection, path)

    def unexport(self, path: str, interface: Interface) -> None:
        at_path = self._paths.get(path, {})
        if at_path.get(interface.name) is interface:
            del at_path[interface.name]
            interface._at = None
        if not at_path:
            self._paths.pop(path, None)

    def __call__(self, message: Message, send: Send) -> None:
        fields = message.header.fields
        wants_reply = not message.header.flags & MessageFlag.no_reply_expected
        try:
            signature, body = self._answer(
                fields.get(HeaderFields.path, "/"),
                fields.get(HeaderFields.interface),
                fields.get(HeaderFields.member, ""),
                fields.get(HeaderFields.signature, ""),
                tuple(message.body),
            )
        except ServiceError as error:
            if wants_reply:
                send(new_error(message, error.name, "s", (error.text,)))
            else:  # nobody reads the answer: the log keeps why the call did nothing
                log.debug("%s without reply: %s", fields.get(HeaderFields.member), error.text)
            return
        except Exception:  # a boundary: whatever a method does, the caller gets an answer
            member = fields.get(HeaderFields.member)
            log.exception(
                "the D-Bus method %s.%s failed", fields.get(HeaderFields.interface), member
            )
            if wants_reply:
                send(new_error(message, FAILED, "s", (f"{member} failed inside psoas",)))
            return
        if wants_reply:
            send(new_method_return(message, signature or None, body))

    # ----- answers ----------------------------------------------------------------------------

    def _answer(
        self, path: str, interface: str | None, member: str, signature: str, args: tuple
    ) -> tuple[str, tuple]:
        at_path = self._paths.get(path)
        if interface == INTROSPECTABLE and member == "Introspect":
            if signature:
                raise ServiceError(INVALID_ARGS, "Introspect takes no arguments")
            return "s", (self._introspect(path),)
        if at_path is None:
            raise ServiceError(UNKNOWN_OBJECT, f"no object at {path}")
        if interface == PEER:
            return self._peer(member, signature)
        if interface == PROPERTIES:
            return self._properties(at_path, member, signature, args)
        if interface is None:
            found = [i for i in at_path.values() if member in i.description().methods]
            if not found:
                raise ServiceError(UNKNOWN_METHOD, f"no method {member} at {path}")
            target = found[0]
        else:
            target = at_path.get(interface)
            if target is None:
                raise ServiceError(UNKNOWN_INTERFACE, f"no interface {interface} at {path}")
        wanted = target.description().methods.get(member)
        if wanted is None:
            raise ServiceError(UNKNOWN_METHOD, f"{target.name} has no method {member}")
        in_signature, out_signature = wanted
        if signature != in_signature:
            raise ServiceError(INVALID_ARGS, f"{member} takes ({in_signature}), not ({signature})")
        result = getattr(target, member)(*args)
        count = len(split_signature(out_signature))
        body = () if count == 0 else (result,) if count == 1 else tuple(result)
        return out_signature, body

    def _properties(
        self, at_path: dict[str, Interface], member: str, signature: str, args: tuple
    ) -> tuple[str, tuple]:
        if member == "Get" and signature == "ss":
            target = self._owner(at_path, args[0])
            kind = target.description().properties.get(args[1])
            if kind is None:
                raise ServiceError(UNKNOWN_PROPERTY, f"{target.name} has no property {args[1]}")
            return "v", ((kind, getattr(target, args[1])()),)
        if member == "GetAll" and signature == "s":
            target = self._owner(at_path, args[0])
            values = {
                name: (kind, getattr(target, name)())
                for name, kind in target.description().properties.items()
            }
            return "a{sv}", (values,)
        if member == "Set" and signature == "ssv":
            self._owner(at_path, args[0])
            raise ServiceError(PROPERTY_READ_ONLY, f"{args[1]} cannot be set")
        raise ServiceError(UNKNOWN_METHOD, f"no {member}({signature}) in {PROPERTIES}")

    @staticmethod
    def _owner(at_path: dict[str, Interface], interface: str) -> Interface:
        target = at_path.get(interface)
        if target is None:
            raise ServiceError(UNKNOWN_INTERFACE, f"no interface {interface} here")
        return target

    @staticmethod
    def _peer(member: str, signature: str) -> tuple[str, tuple]:
        if member == "Ping" and not signature:
            return "", ()
        if member == "GetMachineId" and not signature:
            try:
                return "s", (MACHINE_ID.read_text().strip(),)
            except OSError as error:
                raise ServiceError(FAILED, f"no machine id ({error.strerror})") from None
        raise ServiceError(UNKNOWN_METHOD, f"no {member}({signature}) in {PEER}")

    def _introspect(self, path: str) -> str:
        """The XML of the interfaces at ``path`` and the nodes just below it."""
        lines = [
            '<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"',
            ' "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">',
            "<node>",
        ]
        at_path = self._paths.get(path, {})
        if at_path:
            lines += _STANDARD_XML
        for interface in at_path.values():
            lines += _interface_xml(type(interface))
        prefix = path.rstrip("/") + "/"
        children = {
            other[len(prefix) :].split("/", 1)[0]
            for other in self._paths
            if other.startswith(prefix) and other != path
        }
        lines += [f"  <node name={quoteattr(child)}/>" for child in sorted(children)]
        lines.append("</node>")
        return "\n".join(lines)


def _args(signature: str, direction: str | None = None) -> list[str]:
    where = f" direction={quoteattr(direction)}" if direction else ""
    return [f"      <arg type={quoteattr(kind)}{where}/>" for kind in split_signature(signature)]


@cache
def _interface_xml(cls: type[Interface]) -> list[str]:
    described = cls.description()
    lines = [f"  <interface name={quoteattr(cls.name)}>"]
    for name, (in_signature, out_signature) in sorted(described.methods.items()):
        lines.append(f"    <method name={quoteattr(name)}>")
        lines += _args(in_signature, "in") + _args(out_signature, "out")
        lines.append("    </method>")
    for name, signature in sorted(cls.signals.items()):
        lines.append(f"    <signal name={quoteattr(name)}>")
        lines += _args(signature)
        lines.append("    </signal>")
    for name, signature in sorted(described.properties.items()):
        lines.append(
            f'    <property name={quoteattr(name)} type={quoteattr(signature)} access="read"/>'
        )
    lines.append("  </interface>")
    return lines


_STANDARD_XML = [
    f'  <interface name="{INTROSPECTABLE}">',
    '    <method name="Introspect"><arg type="s" direction="out"/></method>',
    "  </interface>",
    f'  <interface name="{PEER}">',
    '    <method name="Ping"/>',
    '    <method name="GetMachineId"><arg type="s" direction="out"/></method>',
    "  </interface>",
    f'  <interface name="{PROPERTIES}">',
    '    <method name="Get"><arg type="s" direction="in"/><arg type="s" direction="in"/>'
    '<arg type="v" direction="out"/></method>',
    '    <method name="GetAll"><arg type="s" direction="in"/>'
    '<arg type="a{sv}" direction="out"/></method>',
    '    <method name="Set"><arg type="s" direction="in"/><arg type="s" direction="in"/>'
    '<arg type="v" direction="in"/></method>',
    '    <signal name="PropertiesChanged"><arg type="s"/><arg type="a{sv}"/><arg type="as"/>'
    "</signal>",
    "  </interface>",
]


def checked_signature(signature: str) -> str:
    """``signature`` if jeepney can write it; ValueError otherwise (for the interfaces' tests)."""
    parse_signature(list(f"({signature})"))
    return signature
