"""The control channel between real processes: commands, status, one daemon, strangers refused."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop_processes import wait_until
from e2e import NOT_RUNNING, in_process, psoas, start_headless, status
from strangers import STRANGER, as_stranger

from reminder.cli import remote as cli_remote
from reminder.cli.main import main
from reminder.control.client import unix_request
from reminder.control.protocol import ControlError, NotRunning, Request
from reminder.control.unix import UnixServer
from reminder.limits import parse_duration


@pytest.fixture
def daemon(private_env, tmp_path):
    """``psoas run --headless`` in the test's private environment, once its socket is there."""
    config = tmp_path / "psoas.toml"
    config.write_text('sit_minutes = 30\nidle_source = "none"\n' + EVERY_DAY)
    process = start_headless(config)
    sock = private_env.runtime / "psoas" / "psoas.sock"
    wait_until(sock.exists, 20, "the control socket", process=process)
    yield process, sock
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


@pytest.mark.slow
def test_commands_reach_the_daemon_and_status_tells_the_state(env, daemon):
    process, sock = daemon
    assert oct(sock.stat().st_mode & 0o777) == "0o600"
    first = json.loads(psoas(env, "status", "--json").stdout)  # from a process of its own
    assert first["state"] == "sitting" and first["idle_source"] == "none"
    assert first["tray"] == "none (headless)" and first["pid"] == process.pid
    assert "counts as sitting" in first["note"]

    def state() -> dict:
        return json.loads(in_process("status", "--json").stdout)

    assert in_process("snooze", "5").returncode == 0
    assert state()["state"] == "snoozed"
    assert in_process("pause", "1h30m").returncode == 0
    paused = state()
    assert paused["state"] == "paused"
    until = datetime.fromisoformat(paused["paused_until"]).timestamp()
    assert abs(until - time.time() - 90 * 60) < 60
    assert in_process("resume").returncode == 0
    assert state()["state"] == "snoozed"  # the pause is over; the snooze still holds
    assert in_process("routine", "desk").returncode == 0
    assert state()["routine"] == "desk"
    words = in_process("status").stdout.splitlines()
    assert words[0] == "Desk break: step 1 of 4.", words
    assert in_process("quit").returncode == 0
    assert process.wait(timeout=15) == 0
    assert not sock.exists()


@pytest.mark.slow
def test_one_daemon_per_user(env, daemon):
    process, _ = daemon
    second = psoas(env, "run", "--headless")
    assert second.returncode == 1
    assert second.stderr.strip() == f"psoas: already running (pid {process.pid})"


@pytest.mark.slow
def test_a_crashed_daemon_leaves_nothing_that_blocks_the_next(env, daemon, tmp_path):
    process, sock = daemon
    process.kill()  # no cleanup at all: lock file and socket stay behind
    process.wait()
    assert sock.exists()
    stale = psoas(env, "status")
    assert (stale.returncode, stale.stderr.strip()) == (1, NOT_RUNNING)
    again = start_headless(tmp_path / "psoas.toml")
    try:
        answered = wait_until(lambda: status(env), 20, "the new psoas to answer", process=again)
        assert answered["pid"] == again.pid
    finally:
        again.kill()
        again.wait(timeout=10)


def test_without_a_daemon_each_command_says_so_in_one_line():
    for args in (
        ["status"],
        ["snooze"],
        ["skip"],
        ["done"],
        ["pause", "30m"],
        ["routine", "--pause"],
    ):
        result = in_process(*args)
        assert result.returncode == 1, args
        assert result.stderr == NOT_RUNNING + "\n", args
    stopping = in_process("quit")
    assert (stopping.returncode, stopping.stderr) == (1, "psoas: not running; nothing to stop\n")


@pytest.mark.slow
def test_garbage_on_the_socket_gets_an_error_and_the_daemon_lives_on(env, daemon):
    _, sock = daemon
    for garbage in (
        b"\xff\xfe\n",
        b"[1, 2]\n",
        b'{"command": 5}\n',
        b"x" * 10000,
        b'{"command": "rm -rf"}\n',
        b'{"command": "snooze", "minutes": "soon"}\n',
    ):
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(str(sock))
            client.sendall(garbage)
            client.shutdown(socket.SHUT_WR)
            reply = json.loads(client.recv(4096).decode())
        assert reply["ok"] is False and reply["error"], garbage
    assert json.loads(psoas(env, "status", "--json").stdout)["state"]


@pytest.mark.slow
@pytest.mark.skipif(os.getuid() != 0, reason="needs root to act as another user")
@pytest.mark.skipif(not Path("/usr/bin/python3").exists(), reason="needs a python anyone can run")
def test_another_user_is_refused_even_if_the_socket_is_opened_up(env, daemon):
    _, sock = daemon
    # Open every folder on the way and the socket itself on purpose: the uid check must still
    # turn a stranger away.
    opened = [folder for folder in sock.parents if folder != Path("/")][:8]
    modes = {folder: folder.stat().st_mode & 0o777 for folder in opened}
    for folder in opened:
        os.chmod(folder, modes[folder] | 0o711)
    os.chmod(sock, 0o666)
    script = (
        "import contextlib, socket, sys\n"
        "s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])\n"
        'with contextlib.suppress(BrokenPipeError): s.sendall(b\'{"command": "quit"}\\n\')\n'
        "print(s.recv(4096).decode())"
    )
    try:
        stranger = subprocess.run(
            ["/usr/bin/python3", "-c", script, str(sock)],
            capture_output=True,
            text=True,
            timeout=20,
            user=65534,
            group=65534,
            cwd="/",
        )
    finally:
        for folder, mode in modes.items():
            os.chmod(folder, mode)
        os.chmod(sock, 0o600)
    assert stranger.returncode == 0 and stranger.stdout.strip(), (stranger.stdout, stranger.stderr)
    assert json.loads(stranger.stdout)["ok"] is False
    assert "refused" in json.loads(stranger.stdout)["error"]
    assert json.loads(psoas(env, "status", "--json").stdout)["state"]  # still running


def _serving(folder: Path, answer, then) -> None:
    """Run a UnixServer with ``answer`` until ``then`` (a blocking function) returns."""

    async def play() -> None:
        server = UnixServer(answer, folder)
        await server.start()
        try:
            await asyncio.to_thread(then, server)
        finally:
            await server.stop()

    asyncio.run(play())


def test_a_socket_that_is_not_private_is_not_trusted(tmp_path):
    folder = tmp_path / "channel"

    async def answer(line: bytes) -> dict:
        return {"ok": True}

    def check(server: UnixServer) -> None:
        status = Request("status").to_line()
        assert unix_request(status, folder) == {"ok": True}
        os.chmod(server.path, 0o666)
        with pytest.raises(ControlError, match="others may open it"):
            unix_request(status, folder)

    _serving(folder, answer, check)
    with pytest.raises(NotRunning):
        unix_request(Request("status").to_line(), folder)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("30m", 30), ("2h", 120), ("1h30m", 90), ("45", 45), ("0.5h", 30), ("tomorrow", None)],
)
def test_durations(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "soon", "-5", "0", "1d", "h", "9999h"])
def test_bad_durations_are_one_line_errors(text):
    result = in_process("pause", text)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "minutes"),
    [((), None), (("5",), 5), (("5m",), 5), (("1h",), 60), (("1h30m",), 90), (("0.05",), 0.05)],
)
def test_snooze_takes_the_durations_pause_takes(monkeypatch, args, minutes):
    sent: list[Request] = []

    def answer(request: Request) -> dict:
        sent.append(request)
        return {"ok": True, "said": "Snoozed"}

    monkeypatch.setattr(cli_remote, "request", answer)
    result = in_process("snooze", *args)
    assert result.returncode == 0, result.stderr
    assert sent == [Request("snooze", minutes=minutes)]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("tomorrow", "'psoas pause tomorrow'"),
        ("5x", "is not a duration; write e.g. 30m"),
        ("0.01", "at least 0.05 (3 seconds)"),
        ("9999h", "at most 10080 (a week)"),
    ],
)
def test_a_snooze_that_cannot_be_is_one_line_naming_it(text, named):
    result = in_process("snooze", text)
    assert result.returncode == 2, result
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"psoas: snooze: '{text}'") and named in line, line


def test_the_windows_pipe_channel_answers_only_holders_of_the_key(tmp_path):
    """The named-pipe channel's logic, run over a Unix socket here (only the transport differs)."""
    from reminder.control.pipe import PipeServer, pipe_request

    key = tmp_path / "data" / "control.key"
    address = str(tmp_path / "pipe")
    seen: list = []
    after: asyncio.Event | None = None

    def then() -> None:
        seen.append("after")
        assert after is not None
        after.set()

    async def answer(line: bytes) -> dict:
        seen.append(json.loads(line))
        return {"ok": True, "then": then}

    def ask(command: bytes, key_file: Path = key) -> dict:
        return pipe_request(command, key_file, address, family="AF_UNIX")

    async def play() -> None:
        nonlocal after
        after = asyncio.Event()
        server = PipeServer(answer, key, address, family="AF_UNIX")
        await server.start()
        try:
            assert oct(key.stat().st_mode & 0o777) == "0o600"
            reply = await asyncio.to_thread(ask, Request("status").to_line())
            await asyncio.wait_for(after.wait(), 5)  # the "then" runs on the loop, after the reply
            assert reply == {"ok": True} and seen == [{"command": "status"}, "after"]
            key.write_text(os.urandom(32).hex())  # someone without the real key
            with pytest.raises(ControlError):
                await asyncio.to_thread(ask, Request("quit").to_line())
            assert len(seen) == 2
        finally:
            await server.stop()

    asyncio.run(play())
    with pytest.raises(NotRunning):
        ask(Request("status").to_line(), tmp_path / "missing.key")


#: Requests that once ended the control thread for good, and more of their kind.
MALFORMED = [
    b'{"command":"routine","name":["desk"]}\n',
    b"[" * 4000 + b"\n",
    b'{"command":"snooze","minutes":1' + b"0" * 400 + b"}\n",
    b'{"command":"snooze","minutes":1e999}\n',
    b'{"command":"pause","minutes":true}\n',
    b'{"command":"routine","name":{"a":1}}\n',
    b'{"command":"status","then":"quit"}\n',
    b"\n",
    b"\x00" * 100 + b"\n",
]


def _raw(sock: Path, data: bytes, timeout: float = 10) -> dict:
    with socket.socket(socket.AF_UNIX) as client:
        client.settimeout(timeout)
        client.connect(str(sock))
        client.sendall(data)
        client.shutdown(socket.SHUT_WR)
        return json.loads(client.recv(65536).decode())


@pytest.mark.slow
def test_no_request_however_malformed_ends_the_control_server(env, daemon):
    process, sock = daemon
    for garbage in MALFORMED:
        reply = _raw(sock, garbage)
        assert reply["ok"] is False, garbage[:60]
        assert reply["error"] and "\n" not in reply["error"], garbage[:60]
        status = in_process("status", "--json")
        assert status.returncode == 0, (garbage[:60], status.stderr)
    assert in_process("quit").returncode == 0
    assert process.wait(timeout=15) == 0


@pytest.mark.slow
def test_a_slow_client_holds_up_nobody_and_is_dropped_at_the_deadline(env, daemon):
    _, sock = daemon
    silent = []
    for _ in range(20):  # connections that never say a word
        client = socket.socket(socket.AF_UNIX)
        client.connect(str(sock))
        silent.append(client)
    slow = socket.socket(socket.AF_UNIX)
    slow.settimeout(15)
    slow.connect(str(sock))
    started = time.monotonic()
    try:
        for byte in b'{"co':  # a byte a second: within any per-read timeout, never done
            slow.sendall(bytes([byte]))
            asked = time.monotonic()
            status = in_process("status", "--json")
            assert status.returncode == 0 and time.monotonic() - asked < 3, status.stderr
            time.sleep(1)
        reply = json.loads(slow.recv(4096).decode())
        assert reply["ok"] is False and "timed out" in reply["error"]
        assert time.monotonic() - started < 8, "dropped at the request deadline"
    finally:
        slow.close()
        for client in silent:
            client.close()
    assert psoas(env, "status").returncode == 0


def test_a_runtime_folder_the_user_cannot_enter_is_one_line(stranger_home, tmp_path):
    """XDG_RUNTIME_DIR pointing at another user's folder: `psoas status` says so in one line."""
    theirs = Path(tempfile.mkdtemp(prefix="psoas-runtime-"))
    try:
        (theirs / "psoas").mkdir(mode=0o700)
        theirs.chmod(0o700)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            main(["status"])  # load what the command needs before becoming the stranger
        code, _, stderr = as_stranger(stranger_home, "status", runtime=theirs)
    finally:
        shutil.rmtree(theirs)
    assert code == 1 and "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and str(theirs) in lines[0] and "ermission denied" in lines[0], lines


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give a socket to another user")
def test_a_socket_of_another_user_is_named_as_such(tmp_path):
    folder = tmp_path / "channel"

    async def answer(line: bytes) -> dict:
        return {"ok": True}

    def check(server: UnixServer) -> None:
        os.chown(server.path, STRANGER, STRANGER)
        with pytest.raises(ControlError, match=f"belongs to uid {STRANGER}, not to you"):
            unix_request(Request("status").to_line(), folder)

    _serving(folder, answer, check)


@pytest.mark.slow
def test_status_times_carry_their_utc_offset(env, daemon):
    status = json.loads(psoas(env, "status", "--json").stdout)
    when = datetime.fromisoformat(status["next_prompt"])
    assert when.utcoffset() is not None
    assert abs(when.timestamp() - time.time() - 30 * 60) < 60


# A byte too long (the shorter name psoas binds first would fit), and far too long.
@pytest.mark.slow
@pytest.mark.parametrize("spare", [-1, 10])
def test_a_runtime_folder_too_long_for_a_socket_is_said_on_both_ends(env, tmp_path, spare):
    runtime = tmp_path / ("r" * (107 - len(str(tmp_path)) - len("/psoas/psoas.sock") + 1 + spare))
    runtime.mkdir(mode=0o700)
    env["XDG_RUNTIME_DIR"] = str(runtime)
    config = tmp_path / "psoas.toml"
    config.write_text('idle_source = "none"\n' + EVERY_DAY)
    daemon = start_headless(config, env)
    said = wait_until(
        lambda: "no control channel" in daemon.stderr_text() and daemon.stderr_text(),
        20,
        "the daemon to say it has no control channel",
        process=daemon,
    )
    assert "path too long" in said and daemon.poll() is None  # it runs on without one
    # The client does not claim psoas is not running: it says why it cannot tell.
    asked = psoas(env, "status")
    assert asked.returncode == 1 and "not running" not in asked.stderr, asked.stderr
    assert "longer than a Unix socket's path may be" in asked.stderr
    assert "XDG_RUNTIME_DIR" in asked.stderr and len(asked.stderr.splitlines()) == 1
    daemon.terminate()
    assert daemon.wait(15) == 0
