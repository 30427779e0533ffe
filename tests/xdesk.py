"""A real, private virtual desktop for end-to-end tests: Xvfb, a tray host, D-Bus and dunst.

Everything runs on its own display and its own session bus, never the machine's; every process is
started in its own session and killed by the fixture, pass or fail. Missing tools skip the tests
locally but fail them in CI (when ``CI`` is set), so CI can never pass by skipping.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
TOOLS = ("Xvfb", "xdpyinfo", "xset", "xdotool", "trayer", "dunst", "dunstctl", "dbus-daemon")


def require_tools(*names: str) -> None:
    """Skip when a tool is missing, except in CI, where a missing tool is a failure."""
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    message = f"desktop test tools missing: {', '.join(missing)} (./bootstrap test installs them)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def wait_until(check, timeout: float, what: str, interval: float = 0.1):
    """Poll ``check`` until it returns something truthy; fail naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Desktop:
    home: Path
    display: str = ""
    env: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen] = field(default_factory=list)
    dunst: subprocess.Popen | None = None

    # ----- processes ---------------------------------------------------------------------

    def spawn(self, *command: str, name: str | None = None, env: dict[str, str] | None = None):
        """Start a process on this desktop, output to files (pipes could fill), own session."""
        log = self.home / f"{name or Path(command[0]).name}.log"
        process = subprocess.Popen(
            command,
            env=env or self.env,
            stdin=subprocess.DEVNULL,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_path = log  # type: ignore[attr-defined]
        self.processes.append(process)
        return process

    def run(self, *command: str, timeout: float = 10) -> str:
        done = subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        return done.stdout

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    # ----- the pieces --------------------------------------------------------------------

    def start_x(self) -> None:
        number = next(n for n in range(90, 200) if not Path(f"/tmp/.X{n}-lock").exists())
        self.display = f":{number}"
        self.spawn(
            "Xvfb", self.display, "-screen", "0", "1024x768x24", "-noreset", "-nolisten", "tcp"
        )
        base = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_"))}
        for key in ("DISPLAY", "WAYLAND_DISPLAY"):
            base.pop(key, None)
        self.env = base | {
            "DISPLAY": self.display,
            "NO_AT_BRIDGE": "1",
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_STATE_HOME": str(self.home / "state"),
            "XDG_CACHE_HOME": str(self.home / "cache"),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_RUNTIME_DIR": str(self.home / "runtime"),
            "PYTHONUNBUFFERED": "1",
        }
        (self.home / "runtime").mkdir(mode=0o700, exist_ok=True)
        wait_until(lambda: self._answers("xdpyinfo"), 15, f"Xvfb on {self.display}")
        self.run("xset", "s", "off")

    def _answers(self, *command: str) -> bool:
        try:
            return (
                subprocess.run(command, env=self.env, capture_output=True, timeout=5).returncode
                == 0
            )
        except subprocess.TimeoutExpired:
            return False

    def start_bus(self) -> None:
        """A private session bus; started after DISPLAY is set, as the tray toolkits expect."""
        socket = self.home / "bus"
        bus = self.spawn(
            "dbus-daemon", "--session", "--nofork", f"--address=unix:path={socket}", name="dbus"
        )
        wait_until(socket.exists, 10, "the private D-Bus")
        assert bus.poll() is None
        self.env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={socket}"

    def start_tray_host(self) -> None:
        self.spawn(
            "trayer", "--edge", "top", "--align", "left", "--widthtype", "request", "--height", "32"
        )
        wait_until(self._tray_owned, 10, "trayer to own the system tray")

    def _tray_owned(self) -> bool:
        from Xlib import display as xdisplay

        screen = xdisplay.Display(self.display)
        try:
            return screen.get_selection_owner(screen.intern_atom("_NET_SYSTEM_TRAY_S0")) != 0
        finally:
            screen.close()

    def start_dunst(self) -> None:
        config = self.home / "dunstrc"
        config.write_text("[global]\n    history_length = 500\n    sticky_history = yes\n")
        self.dunst = self.spawn("dunst", "-config", str(config))
        wait_until(self._notifications_owned, 10, "dunst to own org.freedesktop.Notifications")

    def stop_dunst(self) -> None:
        if self.dunst is not None and self.dunst.poll() is None:
            os.killpg(self.dunst.pid, signal.SIGKILL)
            self.dunst.wait(10)
        wait_until(lambda: not self._notifications_owned(), 10, "dunst to leave the bus")

    def _notifications_owned(self) -> bool:
        out = self.run(
            "dbus-send",
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.Notifications",
        )
        return "boolean true" in out

    # ----- looking and touching ----------------------------------------------------------

    def received(self) -> list[dict[str, str]]:
        """Every notification dunst has received, oldest first (summary, body, appname, icon).

        dunst lists a notification in its history only once it is closed, so close everything
        shown first; the history then holds all of them (history_length is raised for this).
        """
        self.run("dunstctl", "close-all")
        data = json.loads(self.run("dunstctl", "history") or '{"data": [[]]}')["data"][0]
        shown = [{k: v["data"] for k, v in entry.items()} for entry in data]
        return sorted(shown, key=lambda n: n["id"])

    def wait_for_notifications(self, count: int, timeout: float = 30, match: str = "") -> list:
        def enough():
            found = [n for n in self.received() if match in n["summary"] + n["body"]]
            return found if len(found) >= count else None

        return wait_until(enough, timeout, f"{count} notification(s) matching {match!r}", 0.25)

    def find_window(self, klass: str, timeout: float = 15) -> tuple[int, int, int, int]:
        def found():
            ids = self.run("xdotool", "search", "--onlyvisible", "--class", klass).split()
            if not ids:
                return None
            shell = self.run("xdotool", "getwindowgeometry", "--shell", ids[-1])
            values = dict(re.findall(r"(\w+)=(\d+)", shell))
            return tuple(int(values[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))

        return wait_until(found, timeout, f"a visible window of class {klass!r}")

    def click(self, x: int, y: int, button: int = 1) -> None:
        self.run("xdotool", "mousemove", str(x), str(y), "click", str(button))

    def move_pointer(self, x: int, y: int) -> None:
        self.run("xdotool", "mousemove", str(x), str(y))

    def idle_ms(self) -> int:
        from Xlib import display as xdisplay

        screen = xdisplay.Display(self.display)
        try:
            return screen.screen().root.screensaver_query_info().idle
        finally:
            screen.close()

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        if shutil.which("import"):
            self.run("import", "-window", "root", str(path))
        return path


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    """Xvfb + private bus + trayer + dunst, all torn down after the test."""
    require_tools(*TOOLS)
    if not sys.platform.startswith("linux"):
        pytest.skip("the virtual desktop needs Linux")
    desk = Desktop(tmp_path)
    try:
        desk.start_x()
        desk.start_bus()
        desk.start_tray_host()
        desk.start_dunst()
        yield desk
    finally:
        desk.stop_all()


def psoas_process(desk: Desktop, config_text: str, *args: str) -> subprocess.Popen:
    """Start ``psoas run`` on the desktop with a config written from ``config_text``."""
    config = desk.home / "psoas.toml"
    config.write_text(config_text)
    return desk.spawn(
        sys.executable, "-m", "reminder", "-v", "run", "--config", str(config), *args, name="psoas"
    )


def log_events(desk: Desktop, kind: str) -> list[dict[str, str]]:
    """The core events of one kind the daemon logged, with their fields, in order."""
    log = desk.home / "state" / "psoas" / "log" / "psoas.log"
    if not log.exists():
        return []
    found = re.findall(rf"INFO reminder\.daemon: {kind}\((.*)\)$", log.read_text(), re.M)
    return [dict(re.findall(r"(\w+)=('[^']*'|[^,]+)", fields)) for fields in found]
