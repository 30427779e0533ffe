"""``psoas settings``: find the open settings page or start one, then open it in the browser.

The page runs as a process of its own, started here and left running when this command ends.
A page already open for the same config file is asked for a new one-time address (with the
secret its file in the runtime folder holds); one open for another file is asked to close first.
The browser is opened without a shell and without waiting for it (a browser that was not running
yet would keep the opener waiting until it is closed).
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from reminder.errors import UserError
from reminder.settings import state, words
from reminder.settings.guard import KEY_HEADER

#: How long a new page may take to say where it listens.
START_DEADLINE = 15.0
#: How long the opener is watched for a quick failure ("no application for it").
OPENER_GRACE = 2.0


def config_to_edit(explicit: Path | None) -> Path:
    """The file given; else the one the running psoas reads; else the one in the config folder."""
    if explicit is not None:
        return Path(os.path.abspath(explicit))
    from reminder.settings.confirm import file_read, running_status

    status = running_status()
    reads = file_read(status) if status is not None else None
    if reads is not None:
        return Path(reads)
    from reminder.paths import config_file

    return config_file()


def open_settings(explicit: Path | None, browser: bool) -> int:
    config = config_to_edit(explicit)
    url = _ask_open_page(config) or _start_page(config)
    if not browser:
        print(url)
        return 0
    problem = open_in_browser(url)
    if problem is not None:
        print(words.not_opened(url, problem))
        return 0
    print(words.opened(url))
    return 0


def _ask(page: state.OpenPage, path: str, body: bytes) -> tuple[int, str]:
    """One request of ``psoas settings`` to the open page."""
    connection = http.client.HTTPConnection("127.0.0.1", page.port, timeout=5)
    try:
        connection.request("POST", path, body, {KEY_HEADER: page.secret})
        reply = connection.getresponse()
        return reply.status, reply.read(4096).decode("utf-8", "replace")
    finally:
        connection.close()


def _ask_open_page(config: Path) -> str | None:
    """A new address of the page already open for ``config``, or None when there is none."""
    page = state.read()
    if page is None:
        return None
    try:
        status, said = _ask(page, "/psoas/open", str(config).encode("utf-8"))
        if status == 409:  # open for another file: that page makes way for this one
            _ask(page, "/psoas/close", b"")
            return None
    except OSError:  # it has gone without tidying up (killed): start afresh
        state.remove(page.pid)
        return None
    return said if status == 200 and said.startswith("http://127.0.0.1:") else None


def _start_page(config: Path) -> str:
    """Start the page's own process for ``config``; its first address."""
    command = [sys.executable, "-m", "reminder.settings", "--config", str(config)]
    options: dict[str, object] = {}
    if sys.platform == "win32":
        options["creationflags"] = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        options["start_new_session"] = True  # not ended with this command, nor its terminal
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            **options,  # type: ignore[call-overload]
        )
    except OSError as error:
        raise UserError(words.not_started(error.strerror or str(error))) from None
    first: list[bytes] = []
    reader = threading.Thread(target=lambda: first.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_DEADLINE)
    line = first[0].decode("utf-8", "replace").strip() if first else ""
    if line.startswith("http://127.0.0.1:"):
        process.stdout.close()
        process.stderr.close()
        return line
    try:
        if not first:  # not a word within the deadline
            raise subprocess.TimeoutExpired(command, START_DEADLINE)
        process.wait(5)  # it closed its output: it is ending, saying why on stderr
    except subprocess.TimeoutExpired:
        process.kill()
        raise UserError(words.not_started(words.NO_ANSWER)) from None
    said = process.stderr.read().decode("utf-8", "replace").strip().splitlines()
    raise UserError(words.not_started(said[-1] if said else f"exit status {process.returncode}"))


def open_in_browser(url: str) -> str | None:
    """Open ``url`` in the desktop's browser without a shell and without waiting for the
    browser; what went wrong in a few words, or None."""
    if sys.platform == "win32":
        try:
            os.startfile(url)  # type: ignore[attr-defined]
        except OSError as error:
            return error.strerror or str(error)
        return None
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener) is None:
        import webbrowser

        return None if webbrowser.open(url) else f"{opener} is not installed"
    try:
        process = subprocess.Popen(
            [opener, url],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as error:
        return f"{opener}: {error.strerror or error}"
    try:
        status = process.wait(OPENER_GRACE)
    except subprocess.TimeoutExpired:
        return None  # still going: the browser it started runs in its place
    return None if status == 0 else f"{opener} found no browser (exit status {status})"
