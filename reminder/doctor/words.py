"""What the doctor says: each part's verdict, what was seen, and what to do, in plain words;
here the session, the bus and psoas's own things, and the report's heading and footer (the
desktop's parts: :mod:`reminder.doctor.desktop_words`).

Pure: facts in, :class:`Part` out. The verdicts are decided in these two modules and nowhere
else (see :data:`reminder.doctor.report.VERDICTS`), so a test can hand in any desktop it likes.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from datetime import datetime

from reminder.doctor.facts import (
    BusLook,
    ConfigLook,
    EntryLook,
    HistoryLook,
    RunningLook,
    Session,
)
from reminder.doctor.report import TROUBLE, Part
from reminder.language import ngettext

SYSTEMS = {"darwin": "macOS", "win32": "Windows"}
IN_SESSION = (
    "start psoas from inside your desktop session (its login entry does: psoas autostart enable)"
)


def system_name(session: Session) -> str:
    if session.platform in SYSTEMS:
        return SYSTEMS[session.platform]
    return "Linux" if session.platform.startswith("linux") else session.platform


def heading(version: str, session: Session) -> str:
    return f"psoas {version} on {system_name(session)}: what psoas can do here, part by part"


def footer(parts: Sequence[Part]) -> str:
    # A part's own line sums up its sub-parts ("idle" for every idle source): a source that
    # fails where another works is no trouble.
    trouble = sum(part.verdict in TROUBLE for part in parts if "." not in part.name)
    if not trouble:
        return "Everything psoas needs works here. For a bug report: psoas doctor --json"
    return (
        ngettext(
            "{n} part could be better: what to do follows each '->'. "
            "For a bug report: psoas doctor --json",
            "{n} parts could be better: what to do follows each '->'. "
            "For a bug report: psoas doctor --json",
            trouble,
        )
    ).format(n=trouble)


# ----- the session ---------------------------------------------------------------------------


def session_part(session: Session) -> Part:
    facts = {
        "kind": session.kind,
        "session_type": session.session_type,
        "display": session.display,
        "wayland_display": session.wayland_display,
        "desktop": session.desktop,
    }
    if not session.linux_like:
        return Part("session", "works", system_name(session), facts=facts)
    desktop = (
        f"desktop {session.desktop}"
        if session.desktop
        else "desktop not named (XDG_CURRENT_DESKTOP is not set)"
    )
    if session.kind == "wayland":
        where = session.wayland_display or "its default socket"
        return Part("session", "works", f"Wayland ({where}); {desktop}", facts=facts)
    if session.kind == "x11":
        return Part("session", "works", f"X11 (display {session.display}); {desktop}", facts=facts)
    return Part(
        "session",
        "missing",
        "no graphical session: neither DISPLAY nor WAYLAND_DISPLAY is set",
        f"psoas reads your input and shows its icon in your desktop session: {IN_SESSION}",
        facts,
    )


def bus_part(session: Session, look: BusLook) -> Part:
    if not session.linux_like:
        return Part("bus", "skipped", f"psoas needs no D-Bus on {system_name(session)}")
    lost = (
        "without it psoas has no tray icon and no notifications (prompts go to the terminal), "
        f"and no GNOME or KDE idle source: {IN_SESSION}"
    )
    facts = {"address": session.bus_address}
    if session.bus_address is None:
        return Part(
            "bus",
            "missing",
            "no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set, and XDG_RUNTIME_DIR "
            "holds no bus",
            lost,
            facts,
        )
    if not look.connected:
        return Part("bus", "missing", f"the session bus cannot be used: {look.error}", lost, facts)
    where = session.bus_address.split(",")[0]  # without the bus's guid
    return Part("bus", "works", f"the session bus answers ({where})", facts=facts)


# ----- psoas's own files, and a psoas running ------------------------------------------------


def config_part(look: ConfigLook) -> Part:
    facts = {"state": look.state, "path": look.path}
    path = _shown(look.path)
    if look.state == "defaults":
        detail = f"no config file ({path}): the defaults; to change them: psoas config init"
        return Part("config", "works", detail, facts=facts)
    if look.state == "read":
        return Part("config", "works", f"{path}: read fine", facts=facts)
    advice = (
        "psoas will not start with it (this report assumes the defaults): put it right, then "
        f"psoas config check {shlex.quote(look.path)}"
    )
    return Part("config", "broken", look.error, advice, facts)


def history_part(look: HistoryLook) -> Part:
    facts = {"state": look.state, "path": look.path, "events": look.events, "bytes": look.size}
    path = _shown(look.path)
    if look.state == "absent":
        detail = f"no history yet ({path}): psoas starts one when it first runs"
        return Part("history", "off", detail, facts=facts)
    if look.state == "read":
        span = f", {_day(look.first)} to {_day(look.last)}" if look.first and look.last else ""
        events = ngettext("{n} event", "{n} events", look.events).format(n=look.events)
        detail = f"{path}: {events}, {_size(look.size)}{span}"
        return Part("history", "works", detail, facts=facts)
    if look.state == "busy":
        detail = f"{path}: another program holds it now"
        advice = "psoas waits for it; if it stays so, close what holds the file"
        return Part("history", "limited", detail, advice, facts)
    if look.state == "damaged":
        detail = f"{path}: damaged ({look.error})"
        advice = "psoas run keeps it aside under a new name and starts a new one"
        return Part("history", "broken", detail, advice, facts)
    if look.state == "too new":
        detail = f"{path}: {look.error}; this psoas leaves it alone"
        return Part("history", "broken", detail, "update psoas", facts)
    detail = f"{path}: cannot be read ({look.error})"
    advice = "check the permissions of the file and of its folder"
    return Part("history", "broken", detail, advice, facts)


def entry_part(name: str, look: EntryLook) -> Part:
    """The login entry ("autostart") or the application-menu entry ("menu")."""
    login = name == "autostart"
    does = "psoas starts at login" if login else "psoas is in the application menu"
    write = "psoas autostart enable" if login else "psoas desktop-entry install"
    facts = {"state": look.state, "path": look.path, "program": look.program}
    path = _shown(look.path)
    if look.state == "unsupported":
        return Part(name, "skipped", "application-menu entries are for Linux and BSD desktops")
    if look.state == "unreadable":
        advice = "check the folder it is in, and the disk or network that holds it"
        return Part(name, "missing", f"cannot tell: {look.error}", advice, facts)
    if look.state == "ours":
        return Part(name, "works", f"{does} ({path})", facts=facts)
    if look.state == "other":
        by = f": {look.program}" if look.program else ""
        detail = f"{does}, through another psoas install{by} ({path})"
        return Part(name, "works", detail, f"for this one instead: {write}", facts)
    if look.state == "dangling":
        detail = f"{path} starts {look.program}, which is no longer there: a desktop skips it"
        return Part(name, "broken", detail, f"write it anew for this psoas: {write}", facts)
    if look.state == "foreign":
        detail = f"{path} is another program's entry, not psoas's; psoas leaves it alone"
        return Part(name, "off", detail, facts=facts)
    not_yet = "psoas does not start at login" if login else "psoas is not in the application menu"
    return Part(name, "off", not_yet, f"to change that: {write}", facts)


def running_part(look: RunningLook) -> Part:
    status = look.status
    if look.state == "not running":
        advice = "start it: psoas run (psoas autostart enable starts it at each login)"
        return Part("running", "off", "no psoas runs now", advice)
    if look.state != "running":
        detail = f"a psoas may be running, but cannot be asked: {look.error}"
        return Part(
            "running", "broken", detail, "if it stays so, stop that psoas and start it again"
        )
    detail = (
        f"pid {status.get('pid')}: idle source {status.get('idle_source')}, tray "
        f"{status.get('tray')}, notifications via {status.get('notifier')}"
    )
    facts = {key: status.get(key) for key in ("pid", "idle_source", "tray", "notifier", "state")}
    config = status.get("config")
    if isinstance(config, dict) and config.get("problem"):
        detail += f"; your last config change was not applied: {config['problem']}"
        return Part("running", "limited", detail, "put the config right: psoas config check", facts)
    return Part("running", "works", detail, facts=facts)


def _shown(path: str) -> str:
    """A path in the user's home as '~/...', the way people write it."""
    home = os.path.expanduser("~")
    if home not in ("", "~", "/") and path.startswith(home + os.sep):
        return "~" + path[len(home) :]
    return path


def process(name: str, pid: int | None) -> str:
    """'dunst, pid 4242'."""
    return ", ".join(part for part in (name, f"pid {pid}" if pid is not None else "") if part)


def listed(things: Sequence[str], last: str) -> str:
    """'a, b and c'."""
    if len(things) < 2:
        return "".join(things)
    return f"{', '.join(things[:-1])} {last} {things[-1]}"


def _day(epoch: float | None) -> str:
    return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d") if epoch else "?"


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / (1024 * 1024):.1f} MiB"
