"""psoas's own X11 client (reminder.bus.x11): against a scripted server for what a real one
rarely does (silence, malformed or huge answers, errors, events in between), and against a real
Xvfb that wants the user's Xauthority cookie."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from reminder.bus import x11

ROOT_WINDOW = 0x1EA


def setup_reply(root: int = ROOT_WINDOW, vendor: bytes = b"Test") -> bytes:
    """A server's setup answer: one screen (root ``root``), one depth without visuals."""
    pad = b"\0" * (-len(vendor) % 4)
    fixed = struct.pack(
        "<IIIIHHBBBBBBBBxxxx",
        1,
        0x200000,
        0x1FFFFF,
        256,
        len(vendor),
        0xFFFF,
        1,
        0,
        0,
        0,
        32,
        32,
        8,
        255,
    )
    screen = struct.pack(
        "<IIIIIHHHHHHIBBBB",
        root,
        0x20,
        0xFFFFFF,
        0,
        0,
        1920,
        1080,
        500,
        300,
        1,
        1,
        0x21,
        0,
        0,
        24,
        1,
    )
    depth = struct.pack("<BxHxxxx", 24, 0)
    body = fixed + vendor + pad + screen + depth
    return struct.pack("<BxHHH", 1, 11, 0, len(body) // 4) + body


def reply(sequence: int, data: int = 0, words: tuple[int, ...] = (), extra: bytes = b"") -> bytes:
    head = struct.pack("<BBHI", 1, data, sequence, len(extra) // 4)
    fields = b"".join(struct.pack("<I", word) for word in words)
    return head + (fields + b"\0" * 24)[:24] + extra


def error(sequence: int, code: int) -> bytes:
    return struct.pack("<BBH", 0, code, sequence) + b"\0" * 28


Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def serve(tmp_path: Path, script: Script) -> tuple[x11.Display, asyncio.AbstractServer]:
    """A server on a socket of the test's own, running ``script`` once the setup is answered."""
    path = str(tmp_path / "X0")

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readexactly(12)
        name_length, data_length = struct.unpack_from("<HH", head, 6)
        await reader.readexactly(
            name_length + (-name_length % 4) + data_length + (-data_length % 4)
        )
        try:
            await script(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_unix_server(session, path)
    return x11.Display(path, "0", 0), server


async def read_request(reader: asyncio.StreamReader) -> tuple[int, int, bytes]:
    head = await reader.readexactly(4)
    opcode, data, length = struct.unpack("<BBH", head)
    return opcode, data, await reader.readexactly(4 * length - 4)


def run(coroutine: Awaitable[object]) -> object:
    return asyncio.run(asyncio.wait_for(coroutine, 10))


# ----- the scripted server --------------------------------------------------------------------


def test_the_idle_time_is_read_past_events_and_a_stale_answer(tmp_path: Path):
    async def script(reader, writer):
        writer.write(setup_reply())
        _, _, name = await read_request(reader)  # QueryExtension
        assert name[4:20] == b"MIT-SCREEN-SAVER"
        writer.write(reply(1, 0, (1 | 140 << 8,)))  # present, major opcode 140
        opcode, minor, body = await read_request(reader)
        assert (opcode, minor, body) == (140, 1, struct.pack("<I", ROOT_WINDOW))
        writer.write(b"\x0c" + b"\0" * 31)  # an Expose event in between
        writer.write(reply(1, 0, (0, 0, 4321)))  # an answer to an earlier request
        writer.write(reply(2, 1, (0, 0x2A, 7250)))  # idle 7250 ms
        await reader.read()

    async def main():
        display, server = await serve(tmp_path, script)
        connection = await x11.connect(display, 1.0, {})
        try:
            assert connection.root == ROOT_WINDOW
            return await connection.idle_milliseconds()
        finally:
            connection.close()
            server.close()

    assert run(main()) == 7250


def test_an_error_answer_refuses_one_request_and_keeps_the_connection(tmp_path: Path):
    async def script(reader, writer):
        writer.write(setup_reply())
        await read_request(reader)  # InternAtom
        writer.write(reply(1, 0, (77,)))
        await read_request(reader)  # GetProperty of a window that has gone
        writer.write(error(2, 3))  # BadWindow
        await read_request(reader)  # GetProperty again
        writer.write(reply(3, 32, (0x21, 0, 1), struct.pack("<I", 99)))  # WINDOW, 1 value
        await reader.read()

    async def main():
        display, server = await serve(tmp_path, script)
        connection = await x11.connect(display, 1.0, {})
        try:
            with pytest.raises(x11.Refused) as refused:
                await connection.words(0x400001, "_NET_WM_STATE")
            assert refused.value.code == 3 and not connection.closed
            return await connection.words(0x400002, "_NET_WM_STATE")
        finally:
            connection.close()
            server.close()

    assert run(main()) == [99]


@pytest.mark.slow
@pytest.mark.parametrize(
    "answer, said",
    [
        (None, "gave no answer within 0.3 s"),
        (struct.pack("<BBHI", 1, 0, 1, 1 << 20) + b"\0" * 24, "too large"),
        (b"short", "was lost"),
    ],
    ids=["silent", "huge", "cut-off"],
)
def test_a_bad_answer_ends_the_connection_in_time(tmp_path: Path, answer: bytes | None, said: str):
    async def script(reader, writer):
        writer.write(setup_reply())
        await read_request(reader)
        if answer is not None:
            writer.write(answer)
            if answer == b"short":
                writer.close()
        await reader.read()

    async def main():
        display, server = await serve(tmp_path, script)
        connection = await x11.connect(display, 0.3, {})
        started = time.monotonic()
        try:
            with pytest.raises(x11.X11Error) as failed:
                await connection.atom("_NET_ACTIVE_WINDOW")
            return failed.value, time.monotonic() - started, connection.closed
        finally:
            connection.close()
            server.close()

    failed, took, closed = run(main())
    assert said in str(failed) and closed and took < 0.8
    with pytest.raises(x11.X11Error, match="closed"):
        run(_closed_request())


async def _closed_request() -> None:
    reader, writer = asyncio.StreamReader(), None
    connection = x11.Connection(reader, writer, x11.Display("/nowhere", "5", 0), 1)  # type: ignore[arg-type]
    connection.closed = True
    await connection.atom("X")


@pytest.mark.slow
@pytest.mark.parametrize(
    "setup, said",
    [
        (None, "gave no answer within 0.3 s"),
        (struct.pack("<BBHHH", 0, 22, 11, 0, 6) + b"No protocol specified\n\0\0\0", "refused"),
        (struct.pack("<BxHHH", 1, 11, 0, 2) + b"\0" * 8, "malformed setup"),
    ],
    ids=["silent", "refused", "malformed"],
)
def test_a_display_that_will_not_set_up_is_said_why(tmp_path: Path, setup: bytes | None, said):
    path = str(tmp_path / "X0")

    async def session(reader, writer):
        await reader.readexactly(12)
        if setup is not None:
            writer.write(setup)
        await reader.read()

    async def main():
        server = await asyncio.start_unix_server(session, path)
        started = time.monotonic()
        try:
            with pytest.raises(x11.X11Error) as failed:
                await x11.connect(x11.Display(path, "0", 0), 0.3, {})
            return str(failed.value), time.monotonic() - started
        finally:
            server.close()

    text, took = run(main())
    assert said in text and took < 0.8, text
    if setup is not None and setup[0] == 0:
        assert "No protocol specified" in text


def test_a_link_connects_again_after_a_loss(tmp_path: Path):
    sessions: list[int] = []

    async def script(reader, writer):
        sessions.append(1)
        writer.write(setup_reply())
        await read_request(reader)
        writer.write(reply(1, 0, (1 | 140 << 8,)))
        await read_request(reader)
        if len(sessions) == 1:
            writer.close()  # the server goes away mid-question
            return
        writer.write(reply(2, 1, (0, 0x2A, 1500)))
        await reader.read()

    async def main():
        display, server = await serve(tmp_path, script)
        link = x11.Link(":0", 1.0)
        link.display = display
        try:
            with pytest.raises(x11.X11Error, match="lost"):
                await (await link.connection()).idle_milliseconds()
            return await (await link.connection()).idle_milliseconds()
        finally:
            link.close()
            server.close()

    assert run(main()) == 1500 and len(sessions) == 2


@pytest.mark.parametrize(
    "name, socket_path, screen",
    [
        (":0", "/tmp/.X11-unix/X0", 0),
        (":12.1", "/tmp/.X11-unix/X12", 1),
        ("unix:3", "/tmp/.X11-unix/X3", 0),
    ],
)
def test_local_display_names(name: str, socket_path: str, screen: int):
    display = x11.parse_display(name)
    assert (display.socket, display.screen) == (socket_path, screen)


@pytest.mark.parametrize("name", [None, "", "otherhost:0", "localhost:10.0", ":x", ":1.y", "0"])
def test_other_display_names_are_refused_saying_why(name: str | None):
    with pytest.raises(x11.X11Error) as refused:
        x11.parse_display(name)
    assert "display" in str(refused.value).lower()


def _entry(family: int, address: bytes, number: bytes, name: bytes, data: bytes) -> bytes:
    fields = b"".join(struct.pack(">H", len(f)) + f for f in (address, number, name, data))
    return struct.pack(">H", family) + fields


def test_the_cookie_is_the_one_for_this_host_and_display(tmp_path: Path):
    host = socket.gethostname().encode()
    mine, other_host, other_display = b"A" * 16, b"B" * 16, b"C" * 16
    authority = tmp_path / "Xauthority"
    cookie = b"MIT-MAGIC-COOKIE-1"
    authority.write_bytes(
        _entry(256, b"elsewhere", b"7", cookie, other_host)
        + _entry(256, host, b"8", cookie, other_display)
        + _entry(256, host, b"7", b"XDM-AUTHORIZATION-1", b"D" * 8)
        + _entry(256, host, b"7", cookie, mine)
    )
    env = {"XAUTHORITY": str(authority)}
    assert x11.cookie(x11.parse_display(":7"), env) == mine
    assert x11.cookie(x11.parse_display(":9"), env) is None
    authority.write_bytes(_entry(0xFFFF, b"", b"", cookie, other_host))  # any host, any display
    assert x11.cookie(x11.parse_display(":9"), env) == other_host
    authority.write_bytes(_entry(256, host, b"7", cookie, mine)[:-3])  # cut short
    assert x11.cookie(x11.parse_display(":7"), env) is None
    assert x11.cookie(x11.parse_display(":7"), {"HOME": str(tmp_path / "nobody")}) is None


# ----- a real X server that wants the cookie ----------------------------------------------------


@pytest.mark.desktop
def test_a_real_xvfb_with_a_cookie_is_read_and_refuses_without_it(tmp_path: Path):
    for tool in ("Xvfb", "xauth"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} is not installed")
    authority = tmp_path / "Xauthority"
    authority.touch(0o600)
    number = next(
        n
        for n in range(400 + os.getpid() % 200, 700)
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists()
    )
    secret = secrets.token_hex(16)
    env = {"XAUTHORITY": str(authority), "PATH": os.environ["PATH"]}
    subprocess.run(
        ["xauth", "-f", str(authority), "add", f":{number}", ".", secret], env=env, check=True
    )
    xvfb = subprocess.Popen(
        ["Xvfb", f":{number}", "-auth", str(authority), "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        display = x11.parse_display(f":{number}")
        deadline = time.monotonic() + 15
        while not Path(display.socket).exists():
            assert time.monotonic() < deadline and xvfb.poll() is None, "Xvfb did not start"
            time.sleep(0.05)

        async def idle(environ: dict[str, str]) -> int:
            connection = await x11.connect(display, 2.0, environ)
            try:
                return await connection.idle_milliseconds()
            finally:
                connection.close()

        assert 0 <= run(idle(env)) < 60_000
        empty = tmp_path / "empty"
        empty.touch()
        with pytest.raises(x11.X11Error, match="refused psoas"):
            run(idle({"XAUTHORITY": str(empty)}))
    finally:
        os.killpg(xvfb.pid, signal.SIGTERM)
        xvfb.wait(10)
