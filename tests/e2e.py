"""Running the real ``psoas`` (on a test desktop or headless), and reading what it did back from
what a user can read too: ``psoas status --json``, the history, the notifications it sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from desktop import Desktop, Process, wait_until
from PIL import Image

from reminder.cli.main import main
from reminder.core import events as ev
from reminder.history.store import HistoryStore

E = TypeVar("E")

#: What a command for the running psoas says, on stderr, when none runs.
NOT_RUNNING = "psoas: not running (start it with 'psoas run')"


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
    from peer_bus import call, connect

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


def click_in_menu(desk: Desktop, *labels: str) -> None:
    """Choose an item of psoas's StatusNotifierItem menu as a panel does when clicked: its id from
    GetLayout, then com.canonical.dbusmenu Event "clicked", all over the private bus (no X, so
    this works while the panel itself is frozen). ``labels`` walk the menu, each the start of an
    item's words, as for :func:`keys_to`."""
    from dbus_fast import Variant
    from peer_bus import call, connect

    (name,) = desk.sni_items()
    menu, interface = "/MenuBar", "com.canonical.dbusmenu"

    async def click() -> None:
        bus = await connect(desk.bus_address)
        try:
            _, node = await call(bus, name, menu, interface, "GetLayout", "iias", [0, -1, []])
            for label in labels:
                children = [child.value for child in node[2]]
                words = [
                    re.sub(r"_(.)", r"\1", str(getattr(c[1].get("label"), "value", "")))
                    for c in children
                ]
                found = [c for c, w in zip(children, words, strict=True) if w.startswith(label)]
                assert found, f"no item {label!r} in {words}"
                node = found[0]
            await call(
                bus,
                name,
                menu,
                interface,
                "Event",
                "isvu",
                [node[0], "clicked", Variant("i", 0), 0],
            )
        finally:
            bus.disconnect()

    asyncio.run(click())


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


def copy_checkout(destination: Path) -> Path:
    """This checkout as a fresh clone has it: a stale .venv or build/ folder would make a test
    of installing psoas a different run (and hide a module the wheel misses)."""
    leave_out = shutil.ignore_patterns(
        ".git",
        ".venv",
        ".venv-test",
        "build",
        "dist",
        "*.egg-info",
        "__pycache__",
        ".*_cache",
        ".hypothesis",
        "artifacts",
        "results",
    )
    shutil.copytree(ROOT, destination, ignore=leave_out)
    return destination


def psoas(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """One ``psoas`` command as a separate process, its output captured."""
    options: dict[str, Any] = {"capture_output": True, "text": True, "timeout": 60} | kwargs
    return subprocess.run([sys.executable, "-m", "reminder", *args], env=env, cwd=ROOT, **options)


def in_process(*args: str) -> subprocess.CompletedProcess[str]:
    """One ``psoas`` command run by ``main()`` in this process (in the test's private environment,
    which ``os.environ`` holds), its output captured: what :func:`psoas` gives, without
    starting an interpreter for it."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # --help
            code = exit_.code if isinstance(exit_.code, int) else 0
    return subprocess.CompletedProcess(["psoas", *args], code, out.getvalue(), err.getvalue())


def start_headless(
    config: Path,
    env: dict[str, str] | None = None,
    *,
    name: str = "psoas",
    piped: bool = False,
    tray: bool = False,
    output_to: Path | None = None,
    **kwargs: Any,
) -> Process:
    """``psoas run --headless`` as a separate, real process (in ``env``, else the test's private
    environment), what it says read with ``stderr_text()`` while it runs. With ``tray``, a plain
    ``psoas run``, which wants a tray icon.

    Its output goes to files beside the config: nothing can fill a pipe and hold it up. With
    ``piped``, stderr is a pipe that a thread reads instead, for a child whose writes to files are
    made to fail (a full disk): its terminal must still work. With ``output_to``, both go to that
    file instead (``/dev/full``, say), opened for appending as a shell's ``2>>`` does;
    ``stderr_text()`` then reads as empty.
    """
    headless = [] if tray else ["--headless"]
    command = [sys.executable, "-m", "reminder", "run", *headless, "--config", str(config)]
    options: dict[str, Any] = {
        "env": os.environ.copy() if env is None else env,
        "cwd": ROOT,
        "stdin": subprocess.DEVNULL,
    } | kwargs
    count = len(list(config.parent.glob(f"{name}*.err")))
    label = name if count == 0 else f"{name}-{count + 1}"
    stdout_path = config.parent / f"{label}.out"
    stderr_path = config.parent / f"{label}.err"
    if output_to is not None:
        stdout_path.touch()
        stderr_path.touch()  # what it says goes to output_to; this stays empty
        with output_to.open("ab") as out:
            process = Process(command, stdout=out, stderr=out, **options)
    elif piped:
        stdout_path.touch()
        stderr_path.touch()  # counts for the next label; the words stay in memory
        process: Process = _Piped(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **options
        )
    else:
        with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
            process = Process(command, stdout=out, stderr=err, **options)
    process.name, process.stdout_path, process.stderr_path = label, stdout_path, stderr_path
    _STARTED.append(process)
    return process


#: Every psoas started by start_headless in this test, for kill_leftovers.
_STARTED: list[Process] = []


def kill_leftovers() -> list[int]:
    """Kill (by pid) each psoas the test started and left running, as a failed test does;
    return their pids. Called after every test (conftest.py)."""
    left = [process for process in _STARTED if process.poll() is None]
    for process in left:
        process.kill()
    for process in _STARTED:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(10)
    _STARTED.clear()
    return [process.pid for process in left]


class _Piped(Process):
    """A process whose stderr is a pipe, read line by line by a thread as it comes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._said: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.stderr is not None
        for line in self.stderr:
            self._said.append(line)

    def stderr_text(self) -> str:
        if self.returncode is not None:
            self._reader.join(5)  # everything it said before it ended
        return "".join(list(self._said))


def stop(process: Process, how: int | None = None, timeout: float = 15) -> int:
    """Stop a psoas (SIGTERM unless ``how`` says otherwise) and return its exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM if how is None else how)
    return process.finish(timeout)


# ----- what psoas did, as a user can read it back -----------------------------------------------


def history(data_home: Path | Desktop) -> list[ev.Event]:
    """Every event in the history of the user whose data folder (XDG_DATA_HOME) is ``data_home``
    (a desktop's, for a Desktop), read as ``psoas stats`` reads it: read-only, never changed.
    A history being created or busy this instant reads as empty: ask again."""
    folder = data_home.home / "data" if isinstance(data_home, Desktop) else Path(data_home)
    try:
        store = HistoryStore(folder / "psoas" / "history.sqlite3", read_only=True, busy_timeout=1)
    except sqlite3.OperationalError:
        return []
    try:
        return store.events()
    except sqlite3.OperationalError:
        return []
    finally:
        store.close()


def saved_clock(data_home: Path | Desktop) -> dict[str, Any]:
    """The sitting clock psoas saved in that history after its last look ({} while none is)."""
    folder = data_home.home / "data" if isinstance(data_home, Desktop) else Path(data_home)
    try:
        store = HistoryStore(folder / "psoas" / "history.sqlite3", read_only=True, busy_timeout=1)
        try:
            return store.load_state("sitting") or {}
        finally:
            store.close()
    except sqlite3.OperationalError:
        return {}


def recorded(data_home: Path | Desktop, kind: type[E]) -> list[E]:
    """The events of one kind in that history, in order."""
    return [event for event in history(data_home) if isinstance(event, kind)]


def status(env: dict[str, str]) -> dict[str, Any] | None:
    """``psoas status --json`` of the psoas running in ``env``; None while none answers."""
    reply = psoas(env, "status", "--json", timeout=10)
    return json.loads(reply.stdout) if reply.returncode == 0 else None


def daemon_log(desk: Desktop):
    return desk.home / "state" / "psoas" / "log" / "psoas.log"
