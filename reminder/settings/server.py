"""The settings page's own short-lived process: an HTTP server on 127.0.0.1, a port the system
picks, for one user's browser.

It is started by ``psoas settings`` (``python -m reminder.settings --config FILE``), never by the
daemon, whose memory it leaves as it is. It prints its first address (with a one-time key) on
standard output and lets go of the terminal. It ends, and its port closes with it, when the page
is closed (its button, or the last tab gone for :data:`GRACE` seconds), after :data:`IDLE`
seconds without a request, or on SIGTERM. While it waits it sleeps: no loop looks at the clock.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from reminder.config import language_in
from reminder.language import accepted, best_match, choose, current, speaking
from reminder.settings import state, words
from reminder.settings.guard import Guard, session_cookie
from reminder.settings.html import plain_page
from reminder.settings.site import STATIC, Response, Site, html, refusal, see

log = logging.getLogger(__name__)

#: Without a request this long (10 min), the page ends.
IDLE = 600.0
#: Once the last open page is gone (closed, or moved away from), this long for another to load.
GRACE = 20.0
#: The most a form may send.
MAX_BODY = 64 * 1024
#: What every answer says about where it may be used: only on this page, by its own files.
SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)


class Presence:
    """When the page is to end: the last request, the pages open now, and a close asked for."""

    def __init__(self, idle: float = IDLE, grace: float = GRACE) -> None:
        self.idle, self.grace = idle, grace
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self._last = time.monotonic()
        self._open = 0
        self._seen = False
        self._closing = False

    def touched(self) -> None:
        with self._lock:
            self._last = time.monotonic()
        self._changed.set()

    def opened(self) -> None:
        with self._lock:
            self._open += 1
            self._seen = True
        self._changed.set()

    def left(self) -> None:
        with self._lock:
            self._open -= 1
            self._last = time.monotonic()
        self._changed.set()

    def close(self) -> None:
        with self._lock:
            self._closing = True
        self._changed.set()

    def _end(self) -> float:
        with self._lock:
            if self._closing:
                return 0.0
            end = self._last + self.idle
            if self._seen and self._open == 0:
                end = min(end, self._last + self.grace)
            return end

    def wait(self) -> None:
        """Sleep until the page is to end, waking only when something changed."""
        while True:
            self._changed.clear()
            left = self._end() - time.monotonic()
            if left <= 0:
                return
            self._changed.wait(left)


class SettingsServer(ThreadingHTTPServer):
    daemon_threads = True  # an open page's wait for its tab to go never holds the exit up

    def __init__(self, site: Site, presence: Presence) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.site = site
        self.guard = Guard(self.server_address[1])
        self.presence = presence


class Handler(BaseHTTPRequestHandler):
    server: SettingsServer

    def version_string(self) -> str:
        return "psoas"

    timeout = 30  # a request must arrive whole within this (the open page's stream excepted)

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _answer(self, method: str) -> None:
        with speaking(self._language()):
            try:
                response = self._route(method)
            except Exception:  # a boundary: the page says so in a line; the log keeps why
                log.exception("the settings page failed on %s %s", method, self.path)
                response = refusal(500, words.NOT_HERE)
        if response is not None:
            self._send(response)
            if response.then is not None:
                self.wfile.flush()
                response.then()

    def _language(self) -> str:
        """The config's language when it names one (a save that changes it shows at once);
        else the browser's (Accept-Language), else the desktop's."""
        configured = language_in(self.server.site.config_path)
        if configured != "auto":
            return best_match([configured])
        header = self.headers.get("Accept-Language", "")
        return best_match(accepted(header)) if header else current()

    def _route(self, method: str) -> Response | None:
        guard, site, presence = self.server.guard, self.server.site, self.server.presence
        if not guard.right_host(self.headers):
            return refusal(403, words.wrong_host(guard.host))
        path = urlsplit(self.path).path
        if method == "POST" and path.startswith("/psoas/"):
            return self._from_psoas(path)
        if method == "GET" and path in STATIC:
            return site.static(path)
        if method == "GET" and path == "/open":
            token = parse_qs(urlsplit(self.path).query).get("token", [""])[0]
            session_id = guard.exchange(token)
            if session_id is None:
                return refusal(403, words.LINK_USED)
            presence.touched()
            return see("/settings", ("Set-Cookie", session_cookie(session_id)))
        session = guard.session(self.headers)
        if session is None:
            return refusal(403, words.NO_SESSION)
        if method == "GET" and path == "/alive":
            self._stay(presence)
            return None
        presence.touched()
        if method == "POST":
            if not guard.same_origin(self.headers):
                return refusal(403, words.OTHER_ORIGIN)
            if not self._sends_a_form():
                return refusal(415, words.NOT_A_FORM)
            form = self._form()
            if form is None:
                return refusal(413, words.TOO_LARGE)
            if not guard.form_key_ok(session, form.get("form_key", [""])[0]):
                return refusal(403, words.NO_FORM_KEY)
            if path == "/settings":
                return site.save(session, form)
            if path == "/close":
                bye = plain_page(words.TITLE, words.BYE)
                return replace(html(200, bye), then=presence.close)
            return refusal(404, words.NOT_HERE)
        if path in ("/", "/settings"):
            return site.settings(session)
        if path == "/progress":
            return site.progress(session)
        if path in ("/chart/week.png", "/chart/trend.png"):
            return site.chart(path.split("/")[-1].removesuffix(".png"))
        if path == "/export.csv":
            return site.export()
        if path.startswith("/picture/") and path.endswith(".png"):
            return site.picture(path.removeprefix("/picture/").removesuffix(".png"))
        return refusal(404, words.NOT_HERE)

    def _from_psoas(self, path: str) -> Response:
        """``psoas settings`` asking, with the secret from the runtime folder, for a new
        one-time address (for the config file it names) or for the page to end."""
        guard = self.server.guard
        if not guard.from_psoas(self.headers):
            return refusal(403, words.OTHER_ORIGIN)
        body = self._body()
        if path == "/psoas/open" and body is not None:
            if not self.server.site.edits(body.decode("utf-8", "replace")):
                return Response(409, b"another config file", "text/plain; charset=utf-8")
            self.server.presence.touched()
            return Response(200, guard.url(guard.new_token()).encode(), "text/plain")
        if path == "/psoas/close":
            return Response(200, b"closing", "text/plain", then=self.server.presence.close)
        return refusal(404, words.NOT_HERE)

    def _body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            return None
        if not 0 <= length <= MAX_BODY:
            return None
        return self.rfile.read(length)

    def _sends_a_form(self) -> bool:
        """A form as the page's own sends it: what a script of another site may send without
        asking first (text/plain, say) is not one."""
        kind = self.headers.get("Content-Type", "").split(";")[0].strip()
        return kind == "application/x-www-form-urlencoded"

    def _form(self) -> dict[str, list[str]] | None:
        body = self._body()
        if body is None:
            return None
        text = body.decode("utf-8", "replace")
        return parse_qs(text, keep_blank_values=True, max_num_fields=200)

    def _stay(self, presence: Presence) -> None:
        """An open page's stream (the page's script opens it): nothing is ever sent on it, but
        the browser closes it when the tab closes or moves on, which is how the page learns it
        is no longer shown. The thread sleeps in recv until then."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        for name, value in SECURITY_HEADERS:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(b"retry: 5000\n\n")
        self.wfile.flush()
        presence.opened()
        try:
            self.connection.settimeout(None)
            while self.connection.recv(1024):
                pass
        except OSError:
            pass
        finally:
            presence.left()
        self.close_connection = True

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in (*SECURITY_HEADERS, *response.headers):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)


def main(argv: list[str] | None = None) -> int:
    """Serve the settings of one config file until the page is closed or left alone."""
    parser = argparse.ArgumentParser(prog="python -m reminder.settings")
    parser.add_argument("--config", type=Path, required=True)
    # For the tests: shorter waits than a person needs.
    parser.add_argument("--idle", type=float, default=IDLE, help=argparse.SUPPRESS)
    parser.add_argument("--grace", type=float, default=GRACE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    _log_to_file()
    choose(language_in(args.config))
    from reminder.catalogue.loader import load_catalogue

    site = Site(Path(os.path.abspath(args.config)), load_catalogue())
    try:
        server = SettingsServer(site, Presence(args.idle, args.grace))
        state.write(
            state.OpenPage(
                os.getpid(), server.server_address[1], server.guard.secret, str(site.config_path)
            )
        )
    except OSError as error:
        print(f"{error.strerror or error}", file=sys.stderr)
        return 1
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: server.presence.close())
    serving = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": None},  # asleep until a request comes, never looking
        name="settings page",
        daemon=True,
    )
    serving.start()
    print(server.guard.url(server.guard.new_token()), flush=True)
    _let_go_of_the_terminal()
    try:
        server.presence.wait()
    finally:
        state.remove(os.getpid())
        server.socket.close()  # the port is closed from here on
        log.info("the settings page closed")
    return 0


def _let_go_of_the_terminal() -> None:
    """``psoas settings`` read the address and is gone: nothing more is said on its pipes."""
    null = os.open(os.devnull, os.O_RDWR)
    for descriptor in (0, 1, 2):
        os.dup2(null, descriptor)
    os.close(null)


def _log_to_file() -> None:
    """What goes wrong is kept in the log folder, beside psoas's own log (0600)."""
    from reminder.paths import log_dir, make_folder, private_opener

    try:
        folder = make_folder(log_dir())
        path = folder / "settings.log"
        os.close(private_opener(str(path), os.O_WRONLY | os.O_CREAT | os.O_APPEND))
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("reminder")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
