"""What the doctor saw, part by part, before anything is judged: plain values, no verdicts.

The looks fill these in; :mod:`reminder.doctor.words` alone decides what they mean, so a unit test
can hand it any desktop it likes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Session:
    """The kind of session, as its environment says."""

    platform: str  # sys.platform
    session_type: str = ""  # XDG_SESSION_TYPE as set
    display: str = ""  # DISPLAY (an X server, or Xwayland under Wayland)
    wayland_display: str = ""  # WAYLAND_DISPLAY
    desktop: str = ""  # XDG_CURRENT_DESKTOP
    bus_address: str | None = None  # where the session bus is, None when nowhere

    @property
    def linux_like(self) -> bool:
        return self.platform not in ("darwin", "win32")

    @property
    def kind(self) -> str:
        """``wayland``, ``x11`` or ``none`` on Linux and the BSDs (as psoas's idle choice reads
        it); ``macos`` or ``windows`` elsewhere."""
        if self.platform == "darwin":
            return "macos"
        if self.platform == "win32":
            return "windows"
        if self.session_type == "wayland" or self.wayland_display:
            return "wayland"
        return "x11" if self.display else "none"

    @property
    def gnome(self) -> bool:
        return "gnome" in self.desktop.casefold().split(":")


@dataclass(frozen=True)
class BusLook:
    connected: bool
    error: str = ""


@dataclass(frozen=True)
class IdleLook:
    """One idle source: ``read`` (``seconds`` since the last input), ``failed`` (``why``), or
    ``skipped`` (ruled out for this kind of session: ``why``)."""

    name: str
    outcome: str
    seconds: float | None = None
    why: str = ""
    description: str = ""  # how the source reads, where it says (Wayland's protocol)
    #: The source is told of idleness (Wayland): just opened, it has nothing to tell yet.
    told: bool = False


@dataclass(frozen=True)
class TrayLook:
    """The tray host: a StatusNotifierWatcher on the session bus, else an XEmbed tray."""

    over_dbus: bool  # Linux: psoas's icon is a StatusNotifierItem (else pystray's)
    bus: bool = False
    watcher: str | None = None  # the watcher's owner on the bus
    watcher_program: str = ""  # the name of its process, where the system says
    watcher_pid: int | None = None
    host_registered: bool | None = None  # None: the watcher did not say
    items: dict[str, int | None] = field(default_factory=dict)  # registered item -> its pid
    xembed: bool | None = None  # an XEmbed tray on the X display; None: not looked at
    xembed_menu: bool = False  # pystray's GTK backend (the xembed extra) is installed
    error: str = ""


@dataclass(frozen=True)
class NotificationLook:
    """The freedesktop notification server on the session bus."""

    over_dbus: bool
    bus: bool = False
    owned: bool = False
    activatable: bool = False  # not running, but the bus would start it on the first prompt
    program: str = ""  # the name of the server's process, where the system says
    pid: int | None = None
    server: tuple[str, ...] = ()  # name, vendor, version, spec version (GetServerInformation)
    capabilities: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class SignalAnswer:
    """One busy signal asked once: ``busy`` (``reason``), ``free``, or ``cannot`` (``why``)."""

    subject: str  # what it looks for, in words ("a window is fullscreen")
    outcome: str
    reason: str = ""
    why: str = ""


@dataclass(frozen=True)
class QuietLook:
    """A name of the config's ``[quiet].when``, opened and asked once."""

    name: str
    answers: tuple[SignalAnswer, ...] = ()
    error: str = ""  # the whole look failed (it did not answer in time)


@dataclass(frozen=True)
class ConfigLook:
    """``defaults`` (no file), ``read`` or ``broken`` (``error``: psoas's one line)."""

    state: str
    path: str
    error: str = ""


@dataclass(frozen=True)
class HistoryLook:
    """``absent``, ``read`` (``events``, ``size``, ``first`` and ``last`` event times), ``busy``,
    ``damaged``, ``too new`` or ``unreadable`` (``error``)."""

    state: str
    path: str
    events: int = 0
    size: int = 0
    first: float | None = None
    last: float | None = None
    error: str = ""


@dataclass(frozen=True)
class EntryLook:
    """A login or menu entry: ``ours`` (as this psoas writes it), ``other`` (another install's),
    ``dangling`` (the program it starts is gone), ``absent``, ``foreign`` (someone else's file
    is there), ``unsupported`` (not on this system) or ``unreadable`` (``error``)."""

    state: str
    path: str
    program: str = ""  # what the entry starts (its TryExec), when it is not this psoas
    error: str = ""


@dataclass(frozen=True)
class RunningLook:
    """``running`` (``status`` as ``psoas status --json`` gives it), ``not running``, or
    ``unreachable`` (``error``)."""

    state: str
    status: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def pid(self) -> int | None:
        pid = self.status.get("pid")
        return pid if isinstance(pid, int) else None
