"""The settings page's process, over real HTTP: it opens once from its link, a second ``psoas
settings`` finds it, each way in that another site or user could try is refused, a save is taken
up by the running psoas, and the process (and its port) ends when the page is closed or left
alone. The browser's side is tests/test_settings_browser.py."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import EVERY_DAY, make_config
from desktop_processes import wait_until
from e2e import ROOT, psoas, status
from settings_page import Page, open_page, refused, start_server, state, stop_pages, wait_gone
from test_progress import generated_weeks
from tray_doubles import connected

from reminder.config import example_text
from reminder.history.store import HistoryStore
from reminder.settings import words
from reminder.system.clock import SystemCalendar
from reminder.tray.model import TrayModel

CONFIG = '# mine\nsit_minutes = 60  # an hour\nidle_source = "none"\n' + EVERY_DAY


@pytest.fixture
def pages(env):
    """The pages a test opens are ended by their pid afterwards, whatever happened."""
    started: list[int] = []
    yield started
    stop_pages(env, started)


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "psoas.toml"
    path.write_text(CONFIG)
    return path


def signed_in(env, config, pages) -> Page:
    page = open_page(env, "--config", str(config))
    pages.append(page.pid)
    assert page.sign_in().status == 303
    assert page.get("/settings").status == 200
    return page


def no_cors(reply) -> bool:
    return not [name for name, _ in reply.all_headers if name.lower().startswith("access-control")]


@pytest.mark.slow
def test_the_link_opens_the_page_once_and_a_second_command_reuses_the_page(env, config, pages):
    page = open_page(env, "--config", str(config))
    pages.append(page.pid)
    first = page.sign_in()
    assert first.status == 303 and first.headers["location"] == "/settings"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    shown = page.get("/settings")
    assert shown.status == 200 and words.editing(config) in shown.body
    assert "Minutes of sitting before a prompt" in shown.body and 'value="60"' in shown.body
    assert page.ask("GET", page.url.removeprefix(page.origin)).status == 403  # used up
    again = open_page(env, "--config", str(config))
    assert (again.port, again.pid) == (page.port, page.pid)  # the same page, a new link
    assert again.url != page.url
    assert again.sign_in().status == 303
    assert again.get("/settings").status == 200


@pytest.mark.slow
def test_a_request_under_any_other_host_name_is_refused(env, config, pages):
    """DNS rebinding: a site whose name now leads to 127.0.0.1 sends its own name as Host."""
    page = signed_in(env, config, pages)
    fresh = open_page(env, "--config", str(config))
    for host in (
        "evil.example",
        f"evil.example:{page.port}",
        f"localhost:{page.port}",
        "127.0.0.1",
        f"127.0.0.1:{page.port + 1}",
        f"127.0.0.1.evil.example:{page.port}",
    ):
        for method, path in (("GET", "/settings"), ("GET", "/progress"), ("GET", "/export.csv")):
            reply = page.ask(method, path, Cookie=page.cookie, Host=host)
            assert reply.status == 403 and "Refused" in reply.body, (host, path)
            assert no_cors(reply)
        link = fresh.ask("GET", fresh.url.removeprefix(fresh.origin), Host=host)
        assert link.status == 403 and "set-cookie" not in link.headers
        sent = page.post("/settings", page.form | {"sit_minutes": "1"}, Host=host)
        assert sent.status == 403
    assert fresh.sign_in().status == 303  # the refused visits did not use the link up
    assert config.read_text() == CONFIG


@pytest.mark.slow
def test_without_the_session_cookie_nothing_is_shown_or_read(env, config, pages):
    page = signed_in(env, config, pages)
    forged = "psoas-settings=" + "A" * 43
    for path in (
        "/",
        "/settings",
        "/progress",
        "/export.csv",
        "/picture/bridge.png",
        "/chart/week.png",
        "/alive",
    ):
        for cookie in ({}, {"Cookie": forged}, {"Cookie": "other=" + page.cookie.split("=")[1]}):
            reply = page.ask("GET", path, **cookie)
            assert reply.status == 403, (path, cookie)
            assert words.NO_SESSION in reply.body
    for token in ("", "x", page.url.split("token=")[1][:-1] + "x"):
        assert page.ask("GET", f"/open?token={token}").status == 403
    assert page.get("/picture/bridge.png").status == 200  # with the cookie: there


@pytest.mark.slow
def test_a_change_needs_the_form_key_and_the_pages_own_origin(env, config, pages):
    page = signed_in(env, config, pages)
    change = page.form | {"sit_minutes": "30"}
    attempts = [
        ({k: v for k, v in change.items() if k != "form_key"}, {}),  # no form key
        (change | {"form_key": ["x" * 43]}, {}),  # a wrong one
        (change | {"form_key": [""]}, {}),
        (change, {"Origin": "http://evil.example"}),  # another site's form
        (change, {"Origin": "null"}),  # a sandboxed frame's, a file's
        (change, {"Origin": f"http://localhost:{page.port}"}),
        (change, {"Sec_Fetch_Site": "cross-site"}),
        (change, {"Sec_Fetch_Site": "same-site"}),
        (change, {"Origin": "", "Referer": "http://evil.example/"}),
        (change, {"Cookie": ""}),  # no session: SameSite=Strict keeps it from other sites
        (change, {"Content_Type": "text/plain"}),  # what a cross-site fetch may send unasked
    ]
    for fields, headers in attempts:
        if headers.get("Origin") == "":
            page_headers = {"Referer": headers["Referer"]}
            reply = page.ask(
                "POST",
                "/settings",
                urlencode(fields, doseq=True),
                Cookie=page.cookie,
                Content_Type="application/x-www-form-urlencoded",
                **page_headers,
            )
        else:
            reply = page.post("/settings", fields, **headers)
        assert reply.status in (403, 415), (fields.get("form_key"), headers, reply.status)
        assert no_cors(reply)
        assert config.read_text() == CONFIG
    assert page.post("/close", {"form_key": "x"}).status == 403
    assert page.alive()
    done = page.post("/settings", change)  # the page's own form
    assert done.status == 303
    assert "sit_minutes = 30  # an hour" in config.read_text()


@pytest.mark.slow
def test_no_answer_carries_a_cors_header_and_every_one_keeps_the_page_to_itself(env, config, pages):
    page = signed_in(env, config, pages)
    evil = {"Origin": "http://evil.example"}
    replies = [
        page.ask("OPTIONS", "/settings", **evil, Access_Control_Request_Method="POST"),
        page.get("/settings", **evil),
        page.get("/progress", **evil),
        page.get("/export.csv", **evil),
        page.get("/picture/bridge.png", **evil),
        page.get("/style.css", **evil),
        page.get("/nothing", **evil),
        page.post("/settings", page.form, **evil),
    ]
    assert [reply.status for reply in replies] == [501, 200, 200, 200, 200, 200, 404, 403]
    assert all(no_cors(reply) for reply in replies)
    for reply in replies[1:]:
        policy = reply.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert reply.headers["x-frame-options"] == "DENY"
        assert reply.headers["cross-origin-resource-policy"] == "same-origin"


@pytest.mark.slow
def test_only_psoas_settings_with_the_runtime_folders_secret_gets_a_new_link(env, config, pages):
    page = signed_in(env, config, pages)
    secret = state(env)["secret"]
    body = str(config)
    for headers in ({}, {"X_Psoas_Key": "x" * 43}, {"X_Psoas_Key": secret, "Origin": page.origin}):
        assert page.ask("POST", "/psoas/open", body, **headers).status == 403
        assert page.ask("POST", "/psoas/close", "", **headers).status == 403
    assert page.alive()
    link = page.ask("POST", "/psoas/open", body, X_Psoas_Key=secret)
    assert link.status == 200 and link.body.startswith(page.origin + "/open?token=")
    mode = os.stat(Path(env["XDG_RUNTIME_DIR"]) / "psoas" / "settings.json").st_mode
    assert mode & 0o777 == 0o600


@pytest.mark.slow
def test_closing_the_page_ends_its_process_and_closes_its_port(env, config, pages):
    page = signed_in(env, config, pages)
    bye = page.post("/close", {"form_key": page.form["form_key"]})
    assert bye.status == 200 and words.BYE in bye.body
    wait_gone(page, 10)
    assert refused(page.port)
    assert state(env) is None
    again = open_page(env, "--config", str(config))  # and a new one starts afresh
    pages.append(again.pid)
    assert again.port != page.port or again.pid != page.pid


@pytest.mark.slow
def test_left_alone_the_page_ends_and_a_killed_one_is_replaced(env, config, pages):
    page, process = start_server(env, config, "--idle", "1.5")
    pages.append(page.pid)
    assert page.sign_in().status == 303
    started = time.monotonic()
    assert process.wait(15) == 0
    assert time.monotonic() - started >= 1.4
    assert refused(page.port) and state(env) is None
    killed = open_page(env, "--config", str(config))
    os.kill(killed.pid, 9)
    wait_gone(killed, 10)
    assert state(env) is not None  # it had no time to tidy up
    fresh = open_page(env, "--config", str(config))
    pages.append(fresh.pid)
    assert fresh.pid != killed.pid and fresh.sign_in().status == 303


@pytest.mark.slow
def test_a_page_for_another_file_makes_way(env, config, tmp_path, pages):
    first = open_page(env, "--config", str(config))
    pages.append(first.pid)
    other = tmp_path / "other.toml"
    other.write_text("sit_minutes = 50\n")
    second = open_page(env, "--config", str(other))
    pages.append(second.pid)
    wait_gone(first, 10)
    assert second.sign_in().status == 303
    assert words.editing(other) in second.get("/settings").body


@pytest.mark.slow
def test_a_file_changed_on_disk_since_the_page_was_opened_is_not_written_over(env, config, pages):
    page = signed_in(env, config, pages)
    by_hand = CONFIG.replace("sit_minutes = 60", "sit_minutes = 55")
    config.write_text(by_hand)
    reply = page.post("/settings", page.form | {"sit_minutes": "30"})
    assert reply.status == 409
    assert words.changed_on_disk(config) in reply.body.replace("&#x27;", "'")
    assert 'href="/settings"' in reply.body and words.RELOAD in reply.body
    assert config.read_text() == by_hand
    assert page.post("/settings", page.form | {"sit_minutes": "30"}).status == 409  # again
    assert 'value="55"' in page.get("/settings").body  # reloaded: the file as it is now
    assert page.post("/settings", page.form | {"sit_minutes": "30"}).status == 303
    assert "sit_minutes = 30  # an hour" in config.read_text()
    notice = re.search(r'<p class="notice" role="status">(.*?)</p>', page.get("/settings").body)
    assert notice and notice[1] == words.SAVED_NOT_RUNNING  # no psoas runs here


@pytest.mark.slow
def test_a_bad_value_is_said_beside_its_field_and_nothing_is_written(env, config, pages):
    page = signed_in(env, config, pages)
    reply = page.post("/settings", page.form | {"sit_minutes": "-5", "break_minutes": "7"})
    assert reply.status == 422
    assert words.errors_summary(1) in reply.body
    error = re.search(
        r'<p class="error" id="f-sit_minutes-error"><strong>Error:</strong> (.*?)</p>', reply.body
    )
    assert error and error[1].startswith("sit_minutes = -5: must be a number of minutes")
    assert (
        'aria-describedby="f-sit_minutes-help f-sit_minutes-error" aria-invalid="true"'
        in reply.body
    )
    assert 'value="-5"' in reply.body and 'value="7"' in reply.body  # what the user typed
    assert config.read_text() == CONFIG


@pytest.mark.slow
def test_a_save_with_no_config_yet_writes_the_example_and_the_running_psoas_takes_it_up(env, pages):
    """A new user: no config file, no config folder. The page (opened without --config) edits
    the file the running psoas watches, writes the commented example with the change, and the
    psoas running on the defaults takes it up at once."""
    folder = Path(env["XDG_CONFIG_HOME"]) / "psoas"
    assert not folder.exists()
    log = Path(env["HOME"]) / "psoas.err"
    with log.open("wb") as err:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "reminder", "run", "--headless"],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=err,
            stderr=err,
        )
    try:
        before = wait_until(lambda: status(env), 20, "psoas to answer")
        assert before["config"]["path"] == str(folder / "config.toml")
        page = open_page(env)  # no --config: the running psoas's file
        pages.append(page.pid)
        assert page.sign_in().status == 303
        shown = page.get("/settings").body
        assert words.NO_FILE_YET in shown.replace("&#x27;", "'")
        every_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        change = {
            "sit_minutes": "30",
            "idle_source": "none",
            "hours.days": list(every_day),
            "hours.start": "00:00",
            "hours.end": "24:00",
        }
        saved = page.post("/settings", page.form | change)
        assert saved.status == 303, saved.body
        notice = re.search(r'<p class="notice" role="status">(.*?)</p>', page.get("/settings").body)
        after = status(env)
        # Taken up: psoas now runs on the file it wrote (the read time has only whole seconds).
        assert before["config"]["file"] != str(folder / "config.toml")
        assert after["config"]["file"] == str(folder / "config.toml")
        moment = datetime.fromisoformat(after["next_prompt"])
        assert notice and notice[1] == words.saved_next_prompt(f"{moment:%H:%M}")
        written = (folder / "config.toml").read_text()
        assert written.startswith(example_text()[:200])  # the example's comments, first to last
        assert "sit_minutes = 30\n" in written and 'end = "24:00"' in written
        assert written.count("#") == example_text().count("#")
        other = Path(env["HOME"]) / "other.toml"  # a file the running psoas does not read
        other.write_text(CONFIG)
        elsewhere = open_page(env, "--config", str(other))
        pages.append(elsewhere.pid)
        assert elsewhere.sign_in().status == 303 and elsewhere.get("/settings").status == 200
        assert elsewhere.post("/settings", elsewhere.form | {"sit_minutes": "20"}).status == 303
        notice = re.search(
            r'class="notice" role="status">(.*?)</p>', elsewhere.get("/settings").body
        )
        assert notice and notice[1] == words.saved_other_file(str(folder / "config.toml"))
        assert status(env)["next_prompt"] == after["next_prompt"]  # it goes on as before
    finally:
        daemon.terminate()
        daemon.wait(15)
    assert "Traceback" not in log.read_text()


@pytest.mark.slow
def test_the_progress_page_shows_the_weeks_figures_the_trend_and_the_export(env, config, pages):
    store = HistoryStore(Path(env["XDG_DATA_HOME"]) / "psoas" / "history.sqlite3")
    store.record(generated_weeks(date.today(), SystemCalendar()))
    store.close()
    page = signed_in(env, config, pages)
    shown = page.get("/progress")
    assert shown.status == 200
    assert f"{date.today():%a %Y-%m-%d}" in shown.body
    stats = psoas(env, "stats", "--config", str(config)).stdout
    for line in stats.split("\n\n")[-1].splitlines():  # the trend, word for word
        assert line.replace("'", "&#x27;") in shown.body
    for chart in ("/chart/week.png", "/chart/trend.png"):
        picture = page.get(chart)
        assert picture.status == 200 and picture.headers["content-type"] == "image/png"
    exported = page.get("/export.csv")
    assert exported.headers["content-disposition"].startswith("attachment")
    exported_by_command = psoas(env, "export", "--csv").stdout
    assert exported.body.replace("\r\n", "\n") == exported_by_command.replace("\r\n", "\n")


@pytest.mark.slow
def test_settings_from_the_tray_that_cannot_start_says_why_in_a_notification(
    tmp_path, monkeypatch, catalogue, caplog
):
    """The tray's entry runs psoas settings as another process; when the page cannot start (here
    a runtime folder others may write in), the user hears its one line, not nothing."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    config = tmp_path / "psoas.toml"
    config.write_text(CONFIG)
    model = TrayModel(catalogue, make_config(CONFIG, catalogue), lambda: config, tmp_path / "w.png")

    async def play() -> list[tuple[str, str]]:
        told = connected(model)
        await model._open_settings()
        return told

    told = asyncio.run(play())
    assert len(told) == 1
    title, body = told[0]
    assert title == "psoas: the settings"
    assert "the settings page could not start" in body and "others may replace it" in body
    assert "cannot open the settings" in caplog.text
