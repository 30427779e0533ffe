"""The names a config may use for the parts psoas chooses from: the idle sources and the busy
signals. Here, where the config reads them, so that reading a config loads no adapter (nor
asyncio); each registry (reminder.idle.SOURCES, reminder.busy.SIGNALS) is checked against these
names by the tests."""

from __future__ import annotations

#: The idle sources by the name the config uses (see reminder.idle), best known first.
IDLE_SOURCE_NAMES = ("x11", "wayland", "gnome", "freedesktop", "windows", "macos", "none")
#: The busy signals by the name ``[quiet] when`` uses (see reminder.busy).
BUSY_SIGNAL_NAMES = ("dnd", "fullscreen", "call", "apps")
