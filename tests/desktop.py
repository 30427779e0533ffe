"""A private, throw-away virtual desktop for end-to-end tests: Xvfb, D-Bus, dunst, trayer, xdotool,
and a StatusNotifierItem panel (status-notifier-watcher + gtk-sni-tray-standalone).

Everything runs on its own X display and its own session bus, never the machine's, with HOME and
the XDG directories inside a temporary directory. Every process is started in its own session
(process group) and killed by PID/group when the desktop closes, pass or fail; then the temporary
directory is removed. Use the ``desktop`` fixture (or ``private_bus``, a bus alone; both in
conftest.py, and a test using either is marked ``desktop``), or ``with Desktop() as desk:``.

Missing tools skip the tests locally but fail them in CI (``CI`` set): CI never passes by skipping.

How notifications are captured: a small monitor process (``services/notification_monitor.py``)
calls ``BecomeMonitor`` on the private bus before anything else connects and logs every
``org.freedesktop.Notifications`` call, reply and signal; ``bus_log.py`` reads that log and says
why this beats asking dunst. ``Desktop.dunst_history`` still gives dunst's own view.

The bus is started from its own minimal configuration rather than ``--session``: the standard
session configuration lets the bus auto-start dunst from /usr/share/dbus-1/services whenever a
client calls a notification server that is not there. That would defeat ``stop_dunst`` (and start
a dunst that reads the machine's configuration and outlives the test).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from bus_log import BusLog
from desktop_processes import (
    ELSEWHERE,
    Process,
    exited,
    group_members,
    require_modules,
    require_tools,
    signal_group,
    wait_until,
)

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
MONITOR = ROOT / "tests" / "services" / "notification_monitor.py"

#: What every desktop needs; the rest is checked where it is used.
BASE_TOOLS = ("Xvfb", "xdpyinfo", "xset", "dbus-daemon", "dbus-send")
BASE_MODULES = ("Xlib", "dbus_fast")
NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATION_DAEMON = "/usr/lib/notification-daemon/notification-daemon"
SCREEN = "1024x768x24"
TRAYER = ("trayer", "--edge", "top", "--align", "left", "--widthtype", "request", "--height", "32")
SNI_WATCHER = "org.kde.StatusNotifierWatcher"
#: The SNI panel: a 32 px bar along the top that draws every registered item from the left.
SNI_HOST = ("gtk-sni-tray-standalone", "--top", "--beginning", "--size", "32")


# ----- configuration -------------------------------------------------------------------------

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>{address}</listen>
  <auth>EXTERNAL</auth>
  <!-- no servicedir: nothing is ever auto-started on this bus -->
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""
#: A bus that starts services on demand, as a desktop's does (see Desktop.start_activating_bus).
ACTIVATING_BUS = BUS_CONFIG.replace(
    "<!-- no servicedir: nothing is ever auto-started on this bus -->",
    "<servicedir>{services}</servicedir>",
)
assert "<servicedir>" in ACTIVATING_BUS
#: Every desktop service psoas may ask for.
ACTIVATABLE = (
    "org.freedesktop.Notifications",
    "org.gnome.Mutter.IdleMonitor",
    "org.freedesktop.ScreenSaver",
    "org.kde.StatusNotifierWatcher",
)

#: dunst must not fold identical notifications into one, must keep them all in its history and
#: must let them expire even though nobody touches this desktop (its idle_threshold).
DUNSTRC = """[global]
    history_length = 1000
    sticky_history = yes
    stack_duplicates = false
    idle_threshold = 0
    show_indicators = no
    font = Monospace 9
"""

# ----- the desktop -----------------------------------------------------------------------------


class Desktop:
    """Xvfb + a private session bus + a bus monitor; dunst and trayer on demand.

    ``display`` and ``env`` are set once started; start programs under test with :meth:`spawn`
    (or :func:`spawn`), which gives them ``env`` and registers them for teardown.
    """

    def __init__(
        self, root: Path | None = None, display: bool = True, bus_monitor: bool = True
    ) -> None:
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="desk-"))
        self.with_display = display  # False: only the private bus (no X, no monitor)
        # False: no bus monitor, for measurements. It is a Python process with dbus-fast loaded,
        # so it shares pages with psoas and would lower psoas's PSS; notifications() needs it.
        self.with_bus_monitor = bus_monitor
        self.home = self.root / "home"
        self.logs = self.root / "logs"
        self.display = ""
        self.bus_address = ""
        self.bus_process: Process | None = None
        self.env: dict[str, str] = {}
        self.processes: list[Process] = []
        self.dunst: Process | None = None
        self.tray_host: Process | None = None
        self.sni_watcher: Process | None = None
        self.sni_host: Process | None = None
        self._xvfb: Process | None = None
        self.bus_log = BusLog(self.logs / "bus-monitor.jsonl")
        self._names: dict[str, int] = {}

    # ----- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> Desktop:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        require_tools(*(BASE_TOOLS if self.with_display else ("dbus-daemon", "dbus-send")))
        require_modules(*BASE_MODULES)
        if not sys.platform.startswith("linux"):
            pytest.skip(f"{ELSEWHERE}the virtual desktop needs Linux")
        for folder in ("config", "data", "cache", "state"):
            (self.home / folder).mkdir(parents=True, exist_ok=True)
        (self.root / "runtime").mkdir(mode=0o700)
        self.logs.mkdir()
        self.env = self._base_env()
        # The bus first: then DISPLAY is never set without a bus address (dbus-x11 would
        # autolaunch the machine's kind of session bus, which outlives the test).
        self._start_bus()
        if self.with_display:
            if self.with_bus_monitor:
                self._start_monitor()
            self._start_x()

    def close(self) -> None:
        """Kill every process started here (process groups, TERM then KILL), remove temp files.

        Raises AssertionError if anything of ours is still alive afterwards.
        """
        leftovers: list[int] = []
        try:
            self.continue_x()  # a stopped X server would take TERM only once continued
            processes = list(reversed(self.processes))
            for process in processes:
                if not exited(process):
                    signal_group(process, signal.SIGTERM)
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and not all(map(exited, processes)):
                time.sleep(0.02)
            for process in processes:
                # The leader is unreaped (or alive), so its group id is still ours: KILL
                # whatever is left in the group, grandchildren included.
                signal_group(process, signal.SIGKILL)
            for process in processes:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(5)
            for process in processes:
                leftovers += group_members(process.pid)
        finally:
            self._remove_x_leftovers()
            shutil.rmtree(self.root, ignore_errors=True)
        assert not leftovers, f"processes outlived the desktop: {leftovers}"

    def keep_logs(self, destination: Path) -> Path:
        """Copy the logs of every process (and the bus monitor) somewhere that survives close."""
        if self.logs.exists():
            shutil.copytree(self.logs, destination, dirs_exist_ok=True)
        return destination

    def _base_env(self) -> dict[str, str]:
        dropped = ("DBUS_", "WAYLAND_", "XDG_", "AT_SPI_")
        gone = ("DISPLAY", "XAUTHORITY", "SESSION_MANAGER", "DESKTOP_SESSION")
        env = {k: v for k, v in os.environ.items() if not k.startswith(dropped) and k not in gone}
        return env | {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_CACHE_HOME": str(self.home / "cache"),
            "XDG_STATE_HOME": str(self.home / "state"),
            "XDG_RUNTIME_DIR": str(self.root / "runtime"),
            # Only the private bus: a system bus that is not there unless a test puts one there.
            "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={self.root / 'no-system-bus'}",
            "XDG_SESSION_TYPE": "x11",
            "NO_AT_BRIDGE": "1",
            "PYTHONUNBUFFERED": "1",
        }

    # ----- processes ----------------------------------------------------------------------

    def spawn(
        self,
        cmd: Sequence[str | os.PathLike[str]],
        *,
        name: str | None = None,
        env: dict[str, str] | None = None,
        **popen_kwargs: Any,
    ) -> Process:
        """Start ``cmd`` with this desktop's env (``env`` entries added on top), output to files,
        in its own session, registered for teardown."""
        command = [os.fspath(part) for part in cmd]
        base = name or Path(command[0]).name
        count = self._names[base] = self._names.get(base, 0) + 1
        label = base if count == 1 else f"{base}-{count}"
        stdout_path, stderr_path = self.logs / f"{label}.out", self.logs / f"{label}.err"
        with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
            process = Process(
                command,
                env=self.env | (env or {}),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
                **popen_kwargs,
            )
        process.name, process.stdout_path, process.stderr_path = label, stdout_path, stderr_path
        self.processes.append(process)
        return process

    def run(self, *cmd: str, timeout: float = 10) -> subprocess.CompletedProcess[str]:
        """Run a short command with this desktop's env and capture its output."""
        return subprocess.run(
            cmd, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )

    def _ok(self, *cmd: str) -> bool:
        try:
            return self.run(*cmd, timeout=5).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def _alive(self, process: Process, what: str) -> None:
        if process.poll() is not None:
            raise AssertionError(
                f"{what} exited with status {process.returncode}: {process.stderr_text()[-2000:]}"
            )

    # ----- X -----------------------------------------------------------------------------

    def _start_x(self) -> None:
        first = 100 + os.getpid() % 300
        for offset in range(300):
            number = 100 + (first - 100 + offset) % 300
            lock, socket = Path(f"/tmp/.X{number}-lock"), Path(f"/tmp/.X11-unix/X{number}")
            if lock.exists() or socket.exists():
                continue
            xvfb = self.spawn(
                ["Xvfb", f":{number}", "-screen", "0", SCREEN, "-noreset", "-nolisten", "tcp"]
            )
            if self._x_answers(xvfb, number):
                break
            # Lost a race for this number with another X server: try the next one.
            signal_group(xvfb, signal.SIGKILL)
            xvfb.wait(5)
            self.processes.remove(xvfb)
        else:
            raise AssertionError("no free X display number between :100 and :399")
        self._xvfb = xvfb
        self.display = f":{number}"
        self.env["DISPLAY"] = self.display
        done = self.run("xset", "s", "off")
        assert done.returncode == 0, f"xset s off failed: {done.stderr}"

    def _x_answers(self, xvfb: Process, number: int) -> bool:
        lock = Path(f"/tmp/.X{number}-lock")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if xvfb.poll() is not None:
                return False
            if self._ok("xdpyinfo", "-display", f":{number}"):
                # It answers; make sure it is our server and not a racing one.
                with contextlib.suppress(OSError, ValueError):
                    return int(lock.read_text().strip()) == xvfb.pid
                return False
            time.sleep(0.05)
        raise AssertionError(f"Xvfb :{number} did not answer within 15 s: {xvfb.stderr_text()}")

    def stop_x(self) -> None:
        """SIGSTOP the X server: it stops answering, its clients' calls hang, as a hung server's
        would. Every X client (a panel, dunst) is frozen with it."""
        assert self._xvfb is not None, "no X server on this desktop"
        signal_group(self._xvfb, signal.SIGSTOP)

    def continue_x(self) -> None:
        """SIGCONT the X server: it answers what was asked meanwhile, then goes on."""
        if self._xvfb is not None and not exited(self._xvfb):
            signal_group(self._xvfb, signal.SIGCONT)

    def _remove_x_leftovers(self) -> None:
        """Xvfb removes its lock and socket on TERM, not when KILLed: clean up after it."""
        if not self._xvfb or not self.display:
            return
        number = self.display.lstrip(":")
        lock = Path(f"/tmp/.X{number}-lock")
        with contextlib.suppress(OSError, ValueError):
            if int(lock.read_text().strip()) == self._xvfb.pid:
                lock.unlink()
                Path(f"/tmp/.X11-unix/X{number}").unlink(missing_ok=True)

    # ----- D-Bus -------------------------------------------------------------------------

    def _start_bus(self) -> None:
        config, address = self.root / "bus.conf", f"unix:path={self.root / 'bus'}"
        config.write_text(BUS_CONFIG.format(address=address))
        reader, writer = os.pipe()
        try:
            bus = self.spawn(
                [
                    "dbus-daemon",
                    f"--config-file={config}",
                    "--nofork",
                    f"--print-address={writer}",
                    f"--address={address}",
                ],
                pass_fds=(writer,),
            )
            os.close(writer)
            writer = -1
            ready, _, _ = select.select([reader], [], [], 10)
            address = os.read(reader, 4096).decode().strip() if ready else ""
        finally:
            os.close(reader)
            if writer >= 0:
                os.close(writer)
        self._alive(bus, "dbus-daemon")
        assert address.startswith("unix:"), f"dbus-daemon printed no address: {bus.stderr_text()}"
        self.bus_process = bus
        self.bus_address = address
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address

    def stop_bus(self) -> None:
        """Kill the session bus: every connection to it is gone."""
        old = self.bus_process
        assert old is not None, "no bus to stop"
        old.kill()
        old.wait(10)
        (self.root / "bus").unlink(missing_ok=True)

    def restart_bus(self) -> None:
        """Kill the session bus (if it runs) and start a new one at the same place, as a user's
        bus restarts: every connection to the old one is gone, the same address leads to the
        new one."""
        if self.bus_process is not None and self.bus_process.poll() is None:
            self.stop_bus()
        self._start_bus()

    def restart_desktop_services(self) -> None:
        """After :meth:`restart_bus`: the bus monitor, dunst and the SNI panel again, as a
        session brings them back (each of the old ones lost its bus and is ended here)."""
        had_panel, had_host = self.sni_watcher is not None, self.sni_host is not None
        for process in (self.dunst, self.sni_host, self.sni_watcher):
            if process is not None and process.poll() is None:
                signal_group(process, signal.SIGKILL)
                process.wait(5)
        self.dunst = self.sni_host = self.sni_watcher = None
        if self.with_bus_monitor and self.with_display:
            self._start_monitor(again=True)
        self.start_dunst()
        if had_panel:
            self.start_sni_host(host=had_host)

    def start_activating_bus(self, names: Sequence[str]) -> tuple[str, Path]:
        """A second session bus that starts each of ``names`` when first asked for it, as a
        desktop's bus does: each such start leaves a file named after it in the folder returned
        (the "service" is ``touch``, so it never owns its name). Its address, and that folder."""
        services, started = self.root / "services", self.root / "started"
        services.mkdir()
        started.mkdir()
        for name in names:
            (services / f"{name}.service").write_text(
                f"[D-BUS Service]\nName={name}\nExec=/usr/bin/touch {started / name}\n"
            )
        config = self.root / "activating.conf"
        socket = self.root / "activating-bus"
        address = f"unix:path={socket}"
        config.write_text(ACTIVATING_BUS.format(address=address, services=services))
        self.spawn(["dbus-daemon", f"--config-file={config}", "--nofork"])
        wait_until(socket.exists, 10, "the activating bus")
        return address, started

    def _start_monitor(self, again: bool = False) -> None:
        ready_before = sum(1 for r in self.bus_log.records() if r["type"] == "ready")
        monitor = self.spawn(
            [sys.executable, MONITOR, self.bus_address, str(self.bus_log.path)],
            name="bus-monitor",
        )

        def ready() -> bool:
            self._alive(monitor, "the bus monitor")
            if again:  # the log keeps the first monitor's records: wait for a new "ready"
                return sum(1 for r in self.bus_log.records() if r["type"] == "ready") > ready_before
            return self.bus_log.ready()

        wait_until(ready, 15, "the bus monitor")

    def name_has_owner(self, name: str) -> bool:
        done = self.run(
            "dbus-send",
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            f"string:{name}",
        )
        return "boolean true" in done.stdout

    # ----- notifications -----------------------------------------------------------------

    def start_dunst(
        self, timeout: float = 10, global_settings: str = "", rules: str = ""
    ) -> Process:
        """Start dunst (our own dunstrc, plus ``global_settings`` lines for its [global] section
        and ``rules``, sections of their own) and wait until it owns
        org.freedesktop.Notifications."""
        require_tools("dunst", "dunstctl")
        assert self.dunst is None or self.dunst.poll() is not None, "dunst is already running"
        config = self.root / "dunstrc"
        settings = DUNSTRC.replace("[global]\n", "[global]\n" + global_settings, 1)
        config.write_text(settings + rules)
        dunst = self.dunst = self.spawn(["dunst", "-config", str(config)])
        self._wait_for_notifications_owner(dunst, "dunst", timeout)
        return dunst

    def start_notification_daemon(self, timeout: float = 10) -> Process:
        """Start GNOME's notification-daemon (Debian's notification-daemon: GNOME Flashback's
        server), which offers what dunst does not: ``persistence``, ``resident`` and ``sound``.
        It shows one notification at a time, top right, and queues the rest."""
        require_tools(NOTIFICATION_DAEMON)
        server = self.spawn([NOTIFICATION_DAEMON], name="notification-daemon")
        self._wait_for_notifications_owner(server, "notification-daemon", timeout)
        return server

    def _wait_for_notifications_owner(self, server: Process, what: str, timeout: float) -> None:
        def owned() -> bool:
            self._alive(server, what)
            return self.name_has_owner(NOTIFICATIONS)

        wait_until(owned, timeout, f"{what} to own {NOTIFICATIONS}")

    def stop_dunst(self, timeout: float = 10) -> None:
        """Stop dunst (TERM, as a session logout would) and wait until its name is gone."""
        if self.dunst is not None and self.dunst.poll() is None:
            signal_group(self.dunst, signal.SIGTERM)
            try:
                self.dunst.wait(timeout)
            except subprocess.TimeoutExpired:
                signal_group(self.dunst, signal.SIGKILL)
                self.dunst.wait(5)
        wait_until(lambda: not self.name_has_owner(NOTIFICATIONS), timeout, "dunst to go away")

    def notification_attempts(self) -> list[dict[str, Any]]:
        """Every Notify call seen on the bus, with its outcome (see :class:`bus_log.BusLog`)."""
        return self.bus_log.notification_attempts()

    def notifications(self) -> list[dict[str, Any]]:
        """What the notification server received and accepted, in arrival order."""
        return self.bus_log.notifications()

    def wait_for_notifications(
        self, count: int, timeout: float = 10, match: str = "", process: Process | None = None
    ) -> list[dict[str, Any]]:
        """Poll until at least ``count`` notifications (whose summary or body contains
        ``match``) were received, and return those; fail at once if ``process`` (the sender)
        has exited."""

        def enough() -> list[dict[str, Any]] | None:
            found = [n for n in self.notifications() if match in f"{n['summary']}\n{n['body']}"]
            return found if len(found) >= count else None

        what = f"{count} notification(s) matching {match!r}"
        try:
            return wait_until(enough, timeout, what, 0.1, process=process)
        except AssertionError as error:
            attempts = [(a["summary"], a["outcome"]) for a in self.notification_attempts()]
            if self.dunst is None:
                dunst = "never started"
            elif self.dunst.poll() is None:
                dunst = "running"
            else:
                dunst = f"exited with status {self.dunst.returncode}: {self.dunst.stderr_text()}"
            raise AssertionError(f"{error}; attempts seen: {attempts}; dunst: {dunst}") from None

    def bus_signals(self, member: str | None = None) -> list[dict[str, Any]]:
        """Signals of org.freedesktop.Notifications (NotificationClosed, ActionInvoked...)."""
        return self.bus_log.signals(member)

    def dunst_history(self) -> list[dict[str, Any]]:
        """dunst's own records, oldest first, including ``message`` (what it renders).

        dunst lists a notification here only once it is closed, so this CLOSES every popup
        first: take screenshots before calling it.
        """
        require_tools("dunstctl")
        self.run("dunstctl", "close-all")
        done = self.run("dunstctl", "history")
        assert done.returncode == 0, f"dunstctl history failed: {done.stderr}"
        entries = json.loads(done.stdout)["data"][0]
        return [{k: v["data"] for k, v in entry.items()} for entry in reversed(entries)]

    # ----- the tray --------------------------------------------------------------------------

    def start_tray_host(self, timeout: float = 10) -> Process:
        """Start trayer (an XEmbed tray host) and wait until it owns _NET_SYSTEM_TRAY_S0."""
        require_tools("trayer")
        tray = self.tray_host = self.spawn(TRAYER)

        def owned() -> int:
            self._alive(tray, "trayer")
            return self.tray_owner()

        wait_until(owned, timeout, "trayer to own _NET_SYSTEM_TRAY_S0")
        return tray

    def tray_owner(self) -> int:
        """The X window owning the system tray selection, 0 when there is none."""
        from Xlib import display as xdisplay

        screen = xdisplay.Display(self.display)
        try:
            owner = screen.get_selection_owner(screen.intern_atom("_NET_SYSTEM_TRAY_S0"))
            return int(getattr(owner, "id", owner))
        finally:
            screen.close()

    # ----- the StatusNotifierItem panel -----------------------------------------------------

    def start_sni_host(
        self, timeout: float = 15, host: bool = True
    ) -> tuple[Process, Process | None]:
        """Start a StatusNotifierItem panel as a desktop would: status-notifier-watcher (waited
        for until it owns org.kde.StatusNotifierWatcher), then, with ``host``, the
        gtk-sni-tray-standalone bar (waited for until it registered with the watcher)."""
        require_tools("status-notifier-watcher", *(SNI_HOST[:1] if host else ()))
        assert self.sni_watcher is None, "the SNI panel is already running"
        watcher = self.sni_watcher = self.spawn(["status-notifier-watcher"])

        def watcher_owned() -> bool:
            # It owns its name a moment before its object exists: wait until that answers too.
            self._alive(watcher, "status-notifier-watcher")
            return self.name_has_owner(SNI_WATCHER) and self.sni_watcher_property(
                "IsStatusNotifierHostRegistered"
            ) in ("true", "false")

        wait_until(watcher_owned, timeout, f"status-notifier-watcher to own {SNI_WATCHER}")
        if not host:
            return watcher, None
        bar = self.sni_host = self.spawn(SNI_HOST)

        def registered() -> bool:
            self._alive(bar, "gtk-sni-tray-standalone")
            return self.sni_watcher_property("IsStatusNotifierHostRegistered") == "true"

        wait_until(registered, timeout, "gtk-sni-tray-standalone to register as a host")
        return watcher, bar

    def stop_sni_host(self, timeout: float = 10) -> None:
        """Stop the panel (bar and watcher, TERM) as a panel restart does; wait until the
        watcher's name is gone."""
        for process in (self.sni_host, self.sni_watcher):
            if process is not None and process.poll() is None:
                signal_group(process, signal.SIGTERM)
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    signal_group(process, signal.SIGKILL)
                    process.wait(5)
        self.sni_host = self.sni_watcher = None
        wait_until(lambda: not self.name_has_owner(SNI_WATCHER), timeout, "the watcher to go")

    def sni_watcher_property(self, name: str) -> str:
        """A property of the StatusNotifierWatcher as dbus-send prints it ("" when unanswered)."""
        done = self.run(
            "dbus-send",
            "--session",
            "--print-reply",
            f"--dest={SNI_WATCHER}",
            "/StatusNotifierWatcher",
            "org.freedesktop.DBus.Properties.Get",
            f"string:{SNI_WATCHER}",
            f"string:{name}",
        )
        if done.returncode != 0:
            return ""
        values = re.findall(r'(?:boolean|string|int32) "?([^"\n]*)"?', done.stdout)
        return " ".join(values)

    def sni_items(self) -> list[str]:
        """The items the watcher has registered (their bus names)."""
        return self.sni_watcher_property("RegisteredStatusNotifierItems").split()

    # ----- looking and touching ----------------------------------------------------------

    def find_window(self, name_or_class: str, timeout: float = 10) -> tuple[int, int, int, int]:
        """(x, y, width, height) on screen of the newest visible window with that class (or,
        failing that, name); waits for it to appear."""
        require_tools("xdotool")

        def found() -> tuple[int, int, int, int] | None:
            for flag in ("--class", "--name"):
                ids = self.run("xdotool", "search", "--onlyvisible", flag, name_or_class)
                if ids.stdout.split():
                    shell = self.run(
                        "xdotool", "getwindowgeometry", "--shell", ids.stdout.split()[-1]
                    ).stdout
                    values = {k: int(v) for k, v in re.findall(r"(\w+)=(-?\d+)", shell)}
                    if {"X", "Y", "WIDTH", "HEIGHT"} <= values.keys():
                        return values["X"], values["Y"], values["WIDTH"], values["HEIGHT"]
            return None

        return wait_until(found, timeout, f"a visible window {name_or_class!r}", 0.1)

    def _xdotool(self, *args: str) -> None:
        require_tools("xdotool")
        done = self.run("xdotool", *args)
        assert done.returncode == 0, f"xdotool {' '.join(args)} failed: {done.stderr}"

    def move_pointer(self, x: int, y: int) -> None:
        self._xdotool("mousemove", str(x), str(y))

    def click(self, x: int, y: int, button: int = 1) -> None:
        self._xdotool("mousemove", str(x), str(y), "click", str(button))

    def key(self, *keys: str) -> None:
        """Press keys as xdotool names them: ``key("Down", "Return")``, ``key("ctrl+q")``."""
        self._xdotool("key", "--delay", "50", *keys)

    def idle_ms(self) -> int:
        """Milliseconds since the last user input on this display (MIT-SCREEN-SAVER)."""
        from Xlib import display as xdisplay

        screen = xdisplay.Display(self.display)
        try:
            return int(screen.screen().root.screensaver_query_info().idle)
        finally:
            screen.close()

    def screenshot(self, path: str | os.PathLike[str]) -> Path:
        """Save the whole screen as PNG; a relative path goes under tests/artifacts/."""
        require_tools("import")
        target = Path(path)
        if not target.is_absolute():
            target = ARTIFACTS / target
        if not target.suffix:
            target = target.with_suffix(".png")
        target.parent.mkdir(parents=True, exist_ok=True)
        done = self.run("import", "-window", "root", str(target), timeout=30)
        assert done.returncode == 0, f"import failed: {done.stderr}"
        return target


def spawn(cmd: Sequence[str | os.PathLike[str]], desktop: Desktop, **kw: Any) -> Process:
    """Start ``cmd`` on ``desktop`` (its env, output to files, own session, killed at teardown).
    Keywords: ``name`` (log file name), ``env`` (extra variables), and anything Popen takes."""
    return desktop.spawn(cmd, **kw)
