"""The settings page as the tests reach it: started by the real ``psoas settings --no-browser``
(or its process directly, with shorter waits), spoken to over HTTP with every header in the
test's hands, and stopped by its own pid afterwards."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from desktop_processes import wait_until
from e2e import ROOT, psoas


@dataclass
class Reply:
    status: int
    headers: dict[str, str]  # names in lower case
    body: str
    all_headers: list[tuple[str, str]]


@dataclass
class Page:
    """One open settings page: its first address, and a visitor with its cookie."""

    url: str
    port: int
    pid: int
    cookie: str | None = None
    form: dict[str, list[str]] = field(default_factory=dict)  # as the page's form sends it

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return f"http://{self.host}"

    def ask(self, method: str, path: str, body: str | bytes | None = None, **headers: str) -> Reply:
        """One request, headers as given (``Host`` the page's unless given; a ``_`` in a name is
        a ``-``); no cookie unless ``Cookie`` is given."""
        sent = {"Host": self.host} | {name.replace("_", "-"): v for name, v in headers.items()}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request(method, path, body, sent)
            reply = connection.getresponse()
            data = reply.read().decode("utf-8", "replace")
            pairs = reply.getheaders()
        finally:
            connection.close()
        return Reply(reply.status, {k.lower(): v for k, v in pairs}, data, pairs)

    def sign_in(self, url: str | None = None) -> Reply:
        """Visit the one-time address as the browser does; keep the cookie it gives."""
        reply = self.ask("GET", _path(url or self.url))
        cookie = reply.headers.get("set-cookie", "")
        if reply.status == 303 and cookie:
            self.cookie = cookie.split(";")[0]
        return reply

    def get(self, path: str, **headers: str) -> Reply:
        cookie = {"Cookie": self.cookie} if self.cookie else {}
        reply = self.ask("GET", path, **(cookie | headers))
        if path == "/settings" and reply.status == 200:
            self.form = form_fields(reply.body)
        return reply

    def post(self, path: str, fields: dict[str, str | list[str]], **headers: str) -> Reply:
        """A form sent as the page's own form is, unless the headers say otherwise."""
        usual = {
            "Cookie": self.cookie or "",
            "Origin": self.origin,
            "Content_Type": "application/x-www-form-urlencoded",
        }
        body = urlencode(fields, doseq=True)
        return self.ask("POST", path, body, **(usual | headers))

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return _not_a_zombie(self.pid)


class _Form(HTMLParser):
    """What the settings form would send as it stands: every field's value, each box ticked."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        name = found.get("name")
        if tag == "input" and name:
            kind = found.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in found:
                self.fields.setdefault(name, [])
                return
            self.fields.setdefault(name, []).append(found.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in found:
            self.fields[self._select].append(found.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def form_fields(page: str) -> dict[str, list[str]]:
    parser = _Form()
    parser.feed(page)
    return parser.fields


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def _not_a_zombie(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return status[status.rindex(")") + 2] != "Z"


def state(env: dict[str, str]) -> dict | None:
    path = Path(env["XDG_RUNTIME_DIR"]) / "psoas" / "settings.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def open_page(env: dict[str, str], *args: str) -> Page:
    """``psoas settings --no-browser`` (with ``args``): the page it printed."""
    done = psoas(env, "settings", "--no-browser", *args)
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/open\?token=[\w-]{40,}", url), url
    found = state(env)
    assert found is not None
    port = urlsplit(url).port
    assert found["port"] == port
    return Page(url, port, found["pid"])


def start_server(env: dict[str, str], config: Path, *args: str) -> tuple[Page, subprocess.Popen]:
    """The page's own process, started directly (``--idle``, ``--grace`` to shorten its waits)."""
    command = [sys.executable, "-m", "reminder.settings", "--config", str(config), *args]
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), process.stderr.read()
    return Page(url, urlsplit(url).port, process.pid), process


def refused(port: int) -> bool:
    """Whether nothing listens on the port any more."""
    try:
        socket_connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        socket_connection.connect()
    except ConnectionRefusedError:
        return True
    socket_connection.close()
    return False


def _is_a_page(pid: int) -> bool:
    """Whether ``pid`` is still a settings page's process (not a pid used again since)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"reminder.settings" in command


def wait_gone(page: Page, timeout: float) -> None:
    wait_until(lambda: not page.alive(), timeout, f"the settings page (pid {page.pid}) to end")


def stop_pages(env: dict[str, str], pids: list[int]) -> None:
    """End, by pid, the pages the test started and left open."""
    found = state(env)
    if found is not None:
        pids = [*pids, found["pid"]]
    for pid in set(pids):
        if _is_a_page(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_not_a_zombie(pid) for pid in pids):
        time.sleep(0.05)
