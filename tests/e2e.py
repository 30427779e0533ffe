"""Running the real ``psoas`` on a test desktop, and reading what its daemon logged."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop import Desktop, Process, wait_until
from PIL import Image


def start_psoas(desk: Desktop, config_text: str, *args: str) -> Process:
    """``psoas -v run`` on the desktop, with a config written from ``config_text``."""
    config = desk.home / "psoas.toml"
    config.write_text(config_text)
    command = [sys.executable, "-m", "reminder", "-v", "run", "--config", str(config), *args]
    return desk.spawn(command, name="psoas")


def open_menu(desk: Desktop) -> None:
    """Right-click the psoas tray icon (XEmbed: its own window in trayer)."""
    x, y, width, height = desk.find_window("psoas")
    desk.click(x + width // 2, y + height // 2, button=3)
    time.sleep(0.7)  # let GTK map the menu before keys go to it


def choose(desk: Desktop, *keys: str) -> None:
    """Walk the open menu with the keyboard."""
    for key in keys:
        desk.key(key)
        time.sleep(0.2)


# ----- menus by their labels ------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A menu item as a person sees it: its words, whether it can be chosen, what it opens."""

    label: str
    selectable: bool
    children: tuple[Entry, ...] = ()


def keys_to(entries: Sequence[Entry], *labels: str) -> list[str]:
    """The keys that choose the item at the end of ``labels`` (each matching the start of an
    item's words) in a GTK menu just opened: Down moves over items that can be chosen (never
    separators, greyed lines or hidden ones), Right opens a submenu on its first item."""
    keys: list[str] = []
    level = list(entries)
    for depth, label in enumerate(labels):
        selectable = [entry for entry in level if entry.selectable]
        found = [i for i, entry in enumerate(selectable) if entry.label.startswith(label)]
        assert found, f"no item {label!r} in {[entry.label for entry in selectable]}"
        keys += ["Down"] * (found[0] + (1 if depth == 0 else 0))
        if depth < len(labels) - 1:
            keys.append("Right")
            level = list(selectable[found[0]].children)
    return [*keys, "Return"]


def model_menu(desk: Desktop, catalogue: Any, config_text: str) -> list[Entry]:
    """The menu psoas shows now, from the state its ``status --json`` reports (for pystray's
    menus, which nothing outside the process can read)."""
    from reminder.config import parse_config
    from reminder.tray.menu import Item, MenuState, build_menu

    status = json.loads(psoas(desk.env, "status", "--json").stdout)
    config = parse_config(config_text, "test.toml", stretch_ids=list(catalogue.stretches))
    state = MenuState(status["state"], "status", "today", "stretch", False)

    class Nobody:
        def __getattr__(self, name: str) -> Any:
            return lambda *args: None

    def entry(item: Item) -> Entry:
        return Entry(
            item.label, item.enabled and not item.separator, tuple(map(entry, item.children))
        )

    items = build_menu(state, catalogue, config.snooze_minutes, config.routine_pace, Nobody())
    return [entry(item) for item in items]


def sni_menu(desk: Desktop) -> list[Entry]:
    """The menu psoas's StatusNotifierItem exports now, read as a panel reads it (GetLayout)."""
    from reminder.bus import call, connect

    (name,) = desk.sni_items()

    async def layout() -> Any:
        bus = await connect(desk.bus_address)
        try:
            _, root = await call(
                bus, name, "/MenuBar", "com.canonical.dbusmenu", "GetLayout", "iias", [0, -1, []]
            )
            return root
        finally:
            bus.disconnect()

    def entry(node: Any) -> Entry:
        _, props, children = node
        value = {key: getattr(v, "value", v) for key, v in props.items()}
        label = re.sub(r"_(.)", r"\1", str(value.get("label", "")))  # "__" is a plain "_"
        chosen = value.get("enabled", True) and value.get("visible", True)
        chosen = chosen and value.get("type") != "separator"
        return Entry(label, bool(chosen), tuple(entry(child.value) for child in children))

    return [entry(child.value) for child in asyncio.run(layout())[2]]


def choose_in_panel(desk: Desktop, *labels: str) -> None:
    """Right-click psoas's icon on the StatusNotifierItem panel and choose by labels."""
    _, box = icon_on_screen(desk, "panel")
    entries = sni_menu(desk)
    desk.click((box[0] + box[2]) // 2, (box[1] + box[3]) // 2, button=3)
    time.sleep(0.8)  # the panel asks AboutToShow and GetLayout, then GTK maps the menu
    choose(desk, *keys_to(entries, *labels))


Box = tuple[int, int, int, int]


def icon_box(picture: Path) -> Box | None:
    """Where something is drawn on the panel's bar (the top 32 px, black where empty)."""
    bar = Image.open(picture).convert("L").crop((0, 0, 1024, 32))
    return bar.point(lambda v: 255 if v > 40 else 0).getbbox()


def icon_on_screen(desk: Desktop, name: str) -> tuple[Path, Box]:
    """A screenshot (tests/artifacts/NAME.png) once the panel shows an icon, and its box."""

    def shown() -> tuple[Path, Box] | None:
        picture = desk.screenshot(name)
        box = icon_box(picture)
        return (picture, box) if box else None

    return wait_until(shown, 10, "an icon on the panel", 0.3)


def pixels_near(picture: Path, box: Box, colour: tuple[int, int, int]) -> int:
    """How many pixels in ``box`` are close to ``colour``."""
    data = Image.open(picture).convert("RGB").crop(box).tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(1 for p in pixels if all(abs(a - b) <= 40 for a, b in zip(p, colour, strict=True)))


ROOT = Path(__file__).resolve().parent.parent


def psoas(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """One ``psoas`` command as a separate process, its output captured."""
    options: dict[str, Any] = {"capture_output": True, "text": True, "timeout": 60} | kwargs
    return subprocess.run([sys.executable, "-m", "reminder", *args], env=env, cwd=ROOT, **options)


def start_headless(config: Path, env: dict[str, str], **kwargs: Any) -> subprocess.Popen[str]:
    """``psoas run --headless`` as a separate, real process, its warnings on a pipe."""
    options: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE} | kwargs
    return subprocess.Popen(
        [sys.executable, "-m", "reminder", "run", "--headless", "--config", str(config)],
        env=env,
        cwd=ROOT,
        text=True,
        **options,
    )


def log_events(desk: Desktop, kind: str) -> list[dict[str, str]]:
    """The core events of one kind the daemon logged, with their fields, in order."""
    log = daemon_log(desk)
    if not log.exists():
        return []
    rows = re.findall(rf"INFO reminder\.daemon: {kind}\((.*)\)$", log.read_text(), re.M)
    return [dict(re.findall(r"(\w+)=('[^']*'|[^,]+)", fields)) for fields in rows]


def daemon_log(desk: Desktop):
    return desk.home / "state" / "psoas" / "log" / "psoas.log"
