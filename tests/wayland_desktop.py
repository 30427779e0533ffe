"""Real Wayland compositors, headless, for end-to-end tests of Wayland clients: sway 1.7 (wlroots
0.15) and KWin 5.27, each in a private temporary folder, killed by process group when it closes.

What a client sees. Each compositor listens on one socket in a runtime folder of its own (0700,
owned by the user it runs as): sway names it ``wayland-1``, KWin ``wayland-kw``. ``socket`` is its
absolute path. :meth:`Compositor.env_for_client` is the environment of a client on that desktop:
the caller's environment (the test's private one) with ``WAYLAND_DISPLAY`` set to that absolute
path (libwayland takes a name starting with ``/`` as the path itself, ignoring
``XDG_RUNTIME_DIR``), or with ``relative=True`` to the bare name plus ``XDG_RUNTIME_DIR`` set to
the compositor's folder, as a real session has it; ``XDG_SESSION_TYPE=wayland``, the desktop's
``XDG_CURRENT_DESKTOP`` (``sway``, or ``KDE`` with KDE's own session variables), never
``DISPLAY``. Globals seen here (``wayland-info``): sway has ``org_kde_kwin_idle`` v1 and
``zwp_virtual_keyboard_manager_v1`` v1 but no ``ext_idle_notifier_v1`` (wlroots 0.17 brought it);
KWin has both ``ext_idle_notifier_v1`` v1 and ``org_kde_kwin_idle`` v1 and no virtual input.

Who runs them. sway refuses root ("Unable to drop root"), so when the tests run as root both
compositors, and every program started with :meth:`Compositor.spawn` or :meth:`Compositor.run`,
run as ``nobody`` (65534, the stranger of tests/strangers.py; no account is made for it), switched
to by subprocess itself (``user=``, ``group=``, ``extra_groups=[]``: no runuser, no PAM, so the PID
is the compositor's own and its process group is ours to kill). The temporary folder is made by
root and handed to that user; a client running as root still reaches the socket (root passes the
folder's permissions). Run as an ordinary user, everything runs as that user and nothing changes
hands.

Pitfalls met on the way:
- sway needs ``WLR_RENDERER=pixman`` (no DRM render node here), ``WLR_BACKENDS=headless`` and
  ``WLR_LIBINPUT_NO_DEVICES=1``; it logs two harmless errors about DRM. ``xwayland disable`` in
  the config keeps it from looking for Xwayland, which ``--no-install-recommends`` leaves out.
  It starts with no WAYLAND_DISPLAY, DISPLAY or bus of the caller's; the programs started as its
  user get ``WAYLAND_DISPLAY=wayland-1``, as sway gives its own children.
- /usr/bin/kwin_wayland carries the file capability ``cap_sys_resource=ep`` and exec of it fails
  here with "Operation not permitted". Run a copy under the same name (another name breaks its Qt
  platform plugin), made with ``shutil.copyfile``: ``copy2`` copies the extended attributes, the
  capability with them, and the copy fails the same way.
- KWin needs a session bus (it owns ``org.kde.KWin``), hence ``dbus-run-session``; that bus is
  its own and a client does not get its address. It logs a missing decoration plugin (breeze), a
  tiles parse error and an unknown keysym, and runs fine on Mesa's llvmpipe.
- The socket accepts connections 50-250 ms before the compositor answers on it (measured). Started
  counts only once a ``wl_display.sync`` sent on it is answered; a client that connects sooner
  just waits.
- pytest's ``tmp_path`` is 0700 and root's, so the compositor's folder is a ``mkdtemp`` of its own
  handed to its user. The test interpreter may live where ``nobody`` cannot read (here under
  /root): start a Python client (psoas) as the test's own user with :meth:`env_for_client`, not
  with :meth:`spawn`, which is for the compositors' own C programs (swayidle, wtype).
- swayidle says it cannot reach D-Bus (logind on a system bus that is pointed nowhere) and works.
- A compositor killed with its ``dbus-run-session`` leaves zombies that PID 1 reaps a moment
  later; what is checked afterwards is that no live process of ours is left, by process group and
  by the compositor's private HOME in each process's environment.

Timings here (2 cores, shared): sway serves its socket ~0.05-0.15 s after exec, KWin ~0.2-0.4 s;
``globals()`` ~5 ms; close ~0.03 s. Idle, neither uses CPU (0.01 s in 5 s); RSS sway 20 MiB, KWin
125 MiB.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from desktop_processes import (
    ELSEWHERE,
    Process,
    require_tools,
    stop_groups,
    wait_until,
)
from strangers import STRANGER

#: How long a compositor may take to serve its socket (seen: well under a second, idle machine).
START_TIMEOUT = 20.0
HOME_FOLDERS = ("config", "data", "cache", "state")
SWAY_CONFIG = "output HEADLESS-1 resolution 1280x800\nxwayland disable\n"
#: ``interface: 'wl_shm',   version:  1, name:  1`` as wayland-info prints each global.
GLOBAL_LINE = re.compile(r"interface: '(\w+)',\s*version:\s*(\d+)")
#: What is never handed on from the caller's environment to a compositor or its client.
_SESSION_PREFIXES = ("WAYLAND_", "DBUS_", "XDG_", "KDE_", "WLR_")
_SESSION_NAMES = ("DISPLAY", "XAUTHORITY", "SESSION_MANAGER", "DESKTOP_SESSION")


def _served(path: Path, timeout: float = 2.0) -> bool:
    """Whether a Wayland compositor listens on ``path`` and answers: a ``wl_display.sync`` sent,
    its ``wl_callback.done`` received (object 2, opcode 0)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(timeout)
        try:
            client.connect(os.fspath(path))
            # wl_display (object 1) request 0, sync(new_id 2): header words are the object and
            # size << 16 | opcode, in the machine's byte order.
            client.sendall(struct.pack("=III", 1, 12 << 16 | 0, 2))
            received = b""
            while True:
                chunk = client.recv(4096)
                if not chunk:
                    return False
                received += chunk
                while len(received) >= 8:
                    sender, size_opcode = struct.unpack_from("=II", received)
                    size = size_opcode >> 16
                    if sender == 2 and size_opcode & 0xFFFF == 0:
                        return True
                    if size < 8 or len(received) < size:
                        break
                    received = received[size:]
        except OSError:  # not there yet, refused, reset, or timed out
            return False


def _processes_with(entry: bytes) -> list[int]:
    """Live processes (other than this one) whose environment holds ``entry`` (``KEY=value``)."""
    found = []
    for folder in Path("/proc").iterdir():
        if not folder.name.isdigit() or int(folder.name) == os.getpid():
            continue
        try:
            environment = (folder / "environ").read_bytes().split(b"\0")
            state = (folder / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if entry in environment and state != "Z":
            found.append(int(folder.name))
    return found


class Compositor:
    """A headless compositor in a temporary folder: start, serve, and close leaving nothing.

    Use as ``with Sway() as sway:`` (or the ``sway``/``kwin`` fixtures of conftest.py). After
    start: ``socket`` (absolute path), ``runtime`` (its XDG_RUNTIME_DIR), ``env`` (the
    environment it and every program of :meth:`spawn`/:meth:`run` get), ``log`` (its stdout and
    stderr), ``uid`` (the user it runs as).
    """

    #: The name of the log and of the compositor in messages.
    name = "compositor"
    tools: ClassVar[tuple[str, ...]] = ()
    #: What a client of this desktop has in its environment besides WAYLAND_DISPLAY.
    session: ClassVar[Mapping[str, str]] = {}

    def __init__(self) -> None:
        self.uid, self.gid = os.getuid(), os.getgid()
        if self.uid == 0:  # sway refuses root; KWin runs as the same user
            self.uid, self.gid = STRANGER, pwd.getpwuid(STRANGER).pw_gid
        # Not under pytest's tmp_path: that is 0700 and the test user's, closed to nobody.
        self.root = Path(tempfile.mkdtemp(prefix=f"wl-{self.name}-"))
        self.home = self.root / "home"
        self.runtime = self.root / "runtime"
        self.logs = self.root / "logs"
        self.log = self.logs / f"{self.name}.log"
        self.env: dict[str, str] = {}
        self.processes: list[Process] = []
        self._compositor: Process | None = None
        self._socket: Path | None = None
        self._names: dict[str, int] = {}
        #: From start to the socket answering, in seconds.
        self.start_seconds = 0.0

    # ----- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> Compositor:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def start(self) -> None:
        if not sys.platform.startswith("linux"):
            pytest.skip(f"{ELSEWHERE}Wayland compositors need Linux")
        require_tools(*self.tools)
        self._make_folders()
        self.env = self._own_env()
        self._compositor = self.spawn(self._command(), name=self.name, log=self.log)
        started = time.monotonic()
        try:
            self._socket = wait_until(
                self._serving,
                START_TIMEOUT,
                f"{self.name} to serve its socket",
                0.02,
                process=self._compositor,
            )
        except AssertionError as failure:
            why = str(failure).split("; stderr:")[0]
            raise AssertionError(f"{why}\n{self.name}'s log ends:\n{self.log_tail()}") from None
        self.start_seconds = time.monotonic() - started
        # What the compositor hands the programs it starts: its socket, by name.
        self.env["WAYLAND_DISPLAY"] = self.socket.name

    def close(self) -> None:
        """Kill every process started here (by process group, TERM then KILL), then any process
        left with this compositor's HOME in its environment; remove the folder. Raises
        AssertionError naming what was still alive."""
        leftovers: list[int] = []
        try:
            leftovers = stop_groups(self.processes)
            # Anything that left our process groups (none seen) still carries our HOME.
            strays = _processes_with(f"HOME={self.home}".encode()) if self.env else []
            for pid in strays:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            leftovers += strays
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
        assert not leftovers, f"processes outlived {self.name}: {sorted(set(leftovers))}"

    def keep_logs(self, destination: Path) -> Path:
        """Copy the logs somewhere that survives close (the folder itself is removed)."""
        if self.logs.exists():
            shutil.copytree(self.logs, destination, dirs_exist_ok=True)
        return destination

    def log_tail(self, characters: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-characters:]
        except OSError:
            return "(no log)"

    # ----- what a client needs ------------------------------------------------------------

    @property
    def socket(self) -> Path:
        """The absolute path of the compositor's Wayland socket."""
        if self._socket is None:
            raise AssertionError(f"{self.name} is not serving")
        return self._socket

    def env_for_client(
        self, base: Mapping[str, str] | None = None, *, relative: bool = False
    ) -> dict[str, str]:
        """The environment of a client on this desktop: ``base`` (default ``os.environ``) without
        any other session's display, with WAYLAND_DISPLAY the socket's absolute path; with
        ``relative`` its bare name and XDG_RUNTIME_DIR the compositor's folder, as in a real
        session (a client running as root may put its own files there; they go with it)."""
        base = os.environ if base is None else base
        gone = ("WAYLAND_DISPLAY", "WAYLAND_SOCKET", *_SESSION_NAMES, "XDG_SESSION_DESKTOP")
        env = {k: v for k, v in base.items() if k not in gone and not k.startswith("KDE_")}
        env |= {"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": str(self.socket)}
        env |= self.session
        if relative:
            env |= {"WAYLAND_DISPLAY": self.socket.name, "XDG_RUNTIME_DIR": str(self.runtime)}
        return env

    def globals(self) -> dict[str, int]:
        """The compositor's globals as ``wayland-info`` lists them (run as the test's own user,
        as a client would be): interface name -> version."""
        require_tools("wayland-info")
        done = subprocess.run(
            ["wayland-info"],
            env=self.env_for_client(),
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        assert done.returncode == 0, f"wayland-info failed: {done.stderr}"
        return {name: int(version) for name, version in GLOBAL_LINE.findall(done.stdout)}

    # ----- processes as the compositor's user ---------------------------------------------

    def spawn(
        self,
        cmd: Sequence[str | os.PathLike[str]],
        *,
        name: str | None = None,
        env: Mapping[str, str] | None = None,
        log: Path | None = None,
        **popen_kwargs: Any,
    ) -> Process:
        """Start ``cmd`` as the compositor's user with its env (``env`` added on top), in a
        session of its own, stdout and stderr to files in the logs folder (or both to ``log``);
        killed at close. The Wayland client programs (swayidle, wtype) are started so."""
        command = [os.fspath(part) for part in cmd]
        base = name or Path(command[0]).name
        count = self._names[base] = self._names.get(base, 0) + 1
        label = base if count == 1 else f"{base}-{count}"
        out_path = log or self.logs / f"{label}.out"
        err_path = log or self.logs / f"{label}.err"
        with out_path.open("ab") as out, err_path.open("ab") as err:
            process = Process(
                command,
                env=self.env | dict(env or {}),
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
                **self._as_user(),
                **popen_kwargs,
            )
        process.name, process.stdout_path, process.stderr_path = label, out_path, err_path
        self.processes.append(process)
        return process

    def run(self, *cmd: str, timeout: float = 10) -> subprocess.CompletedProcess[str]:
        """Run a short command as the compositor's user with its env; capture its output."""
        return subprocess.run(
            cmd,
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            start_new_session=True,
            **self._as_user(),
        )

    def _as_user(self) -> dict[str, Any]:
        if os.getuid() == self.uid:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    # ----- for each compositor ------------------------------------------------------------

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _serving(self) -> Path | None:
        """The socket, once the compositor answers on it."""
        raise NotImplementedError

    def _make_folders(self) -> None:
        for folder in (self.root, self.home, self.runtime):
            folder.mkdir(mode=0o700, exist_ok=True)
        for name in HOME_FOLDERS:
            (self.home / name).mkdir(exist_ok=True)
        self.logs.mkdir(exist_ok=True)
        if os.getuid() != self.uid:
            for folder, subfolders, files in os.walk(self.root):
                for entry in (folder, *(os.path.join(folder, f) for f in subfolders + files)):
                    os.chown(entry, self.uid, self.gid)

    def _own_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_SESSION_PREFIXES)}
        env = {k: v for k, v in env.items() if k not in _SESSION_NAMES}
        user = pwd.getpwuid(self.uid).pw_name
        env |= {f"XDG_{name.upper()}_HOME": str(self.home / name) for name in HOME_FOLDERS}
        env |= {"HOME": str(self.home), "USER": user, "LOGNAME": user}
        env["XDG_RUNTIME_DIR"] = str(self.runtime)
        # No session bus but a compositor's own; never the machine's system bus.
        env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={self.root / 'no-session-bus'}"
        env["DBUS_SYSTEM_BUS_ADDRESS"] = f"unix:path={self.root / 'no-system-bus'}"
        return env


class Sway(Compositor):
    """Headless sway with one 1280x800 output; :meth:`type` is real input (virtual keyboard)."""

    name = "sway"
    tools = ("sway", "wayland-info")
    session: ClassVar[Mapping[str, str]] = {
        "XDG_CURRENT_DESKTOP": "sway",
        "XDG_SESSION_DESKTOP": "sway",
    }

    def _command(self) -> list[str]:
        config = self.root / "sway.conf"
        config.write_text(SWAY_CONFIG)
        config.chmod(0o644)  # whatever root's umask: sway's user reads it
        self.env |= {"WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman"}
        self.env["WLR_LIBINPUT_NO_DEVICES"] = "1"
        return ["sway", "-c", str(config)]

    def _serving(self) -> Path | None:
        # sway takes the first free wayland-N in its folder; the folder is its alone.
        for path in sorted(self.runtime.glob("wayland-*")):
            if path.is_socket() and _served(path):
                return path
        return None

    def type(self, text: str) -> None:
        """Type ``text`` on the compositor's virtual keyboard (wtype): input as a user makes it."""
        require_tools("wtype")
        done = self.run("wtype", text, timeout=10)
        assert done.returncode == 0, f"wtype failed ({done.returncode}): {done.stderr}"


class KWin(Compositor):
    """KWin, virtual backend, no lock screen, in a private ``dbus-run-session``; it offers no
    virtual input, so a test can see idle come but cannot end it."""

    name = "kwin"
    tools = ("kwin_wayland", "dbus-run-session", "wayland-info")
    session: ClassVar[Mapping[str, str]] = {
        "XDG_CURRENT_DESKTOP": "KDE",
        "XDG_SESSION_DESKTOP": "KDE",
        "KDE_FULL_SESSION": "true",
        "KDE_SESSION_VERSION": "5",
    }
    socket_name = "wayland-kw"

    def _command(self) -> list[str]:
        # The installed binary's file capability makes exec fail here: a copy without it, under
        # the same name, in a folder of ours.
        folder = self.root / "bin"
        folder.mkdir(exist_ok=True)
        folder.chmod(0o755)  # whatever root's umask: KWin's user runs it
        binary = folder / "kwin_wayland"
        shutil.copyfile(str(shutil.which("kwin_wayland")), binary)
        binary.chmod(0o755)
        arguments = ["--virtual", "--socket", self.socket_name, "--no-lockscreen"]
        return ["dbus-run-session", "--", str(binary), *arguments]

    def _serving(self) -> Path | None:
        path = self.runtime / self.socket_name
        return path if path.is_socket() and _served(path) else None
