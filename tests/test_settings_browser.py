"""The settings page in a real browser (Debian's Chromium, headless, through Selenium), as a
person uses it: opened from the address ``psoas settings`` gives, a value changed and saved, the
running psoas's next prompt moved; a wrong value said beside its field with nothing written; the
stretches left out by their pictures; the keyboard alone; Progress; and the page's process gone
once its tab is. Screenshots are kept in tests/artifacts/settings/."""

from __future__ import annotations

import os
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from browser import chromium, whole_page
from conftest import EVERY_DAY
from desktop import ARTIFACTS, Desktop
from desktop_processes import wait_until
from e2e import click_in_menu, psoas, start_headless, status, stop
from settings_page import open_page, refused, start_server, state, stop_pages
from test_progress import generated_weeks

from reminder.history.store import HistoryStore
from reminder.settings import words
from reminder.system.clock import SystemCalendar

pytestmark = pytest.mark.desktop

SHOTS = ARTIFACTS / "settings"
CONFIG = '# mine\nsit_minutes = 60  # an hour\nidle_source = "none"\n' + EVERY_DAY


@pytest.fixture
def pages(env):
    started: list[int] = []
    yield started
    stop_pages(env, started)


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "psoas.toml"
    path.write_text(CONFIG)
    return path


def by_id(driver, element_id: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id)


def css(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def test_a_changed_sit_minutes_is_saved_and_moves_the_running_psoas_next_prompt(
    env, config, tmp_path, pages
):
    daemon = start_headless(config, env)
    try:
        before = wait_until(lambda: status(env), 20, "psoas to answer", process=daemon)
        first = datetime.fromisoformat(before["next_prompt"])
        page = open_page(env)  # no --config: the file the running psoas reads
        pages.append(page.pid)
        with chromium(tmp_path / "profile") as driver:
            driver.get(page.url)
            assert driver.current_url == f"{page.origin}/settings"  # the key left the address
            assert driver.title == f"{words.SETTINGS} · {words.TITLE}"
            field = by_id(driver, "f-sit_minutes")
            label = css(driver, 'label[for="f-sit_minutes"]')[0]
            assert label.text == words.LABELS["sit_minutes"]
            assert field.get_attribute("value") == "60"
            field.clear()
            field.send_keys("30")
            css(driver, "button.save")[0].click()
            notice = wait_until(lambda: css(driver, ".notice"), 15, "the page to say it saved")
            after = status(env)
            moved = datetime.fromisoformat(after["next_prompt"])
            assert notice[0].text == words.saved_next_prompt(f"{moved:%H:%M}")
            assert notice[0].get_attribute("role") == "status"
            assert by_id(driver, "f-sit_minutes").get_attribute("value") == "30"
            whole_page(driver, SHOTS / "saved.png")
        assert abs((first - moved) - timedelta(minutes=30)) < timedelta(seconds=5)
        assert config.read_text() == CONFIG.replace("sit_minutes = 60", "sit_minutes = 30")
    finally:
        stop(daemon)
    assert "Traceback" not in daemon.stderr_text()


def test_a_bad_value_shows_its_error_beside_the_field_and_writes_nothing(
    env, config, tmp_path, pages
):
    page = open_page(env, "--config", str(config))
    pages.append(page.pid)
    written = config.read_bytes()
    by_hand = tmp_path / "by-hand.toml"  # the same mistake, made in an editor
    by_hand.write_text(CONFIG.replace("sit_minutes = 60", "sit_minutes = -5"))
    checked = psoas(env, "config", "check", str(by_hand))
    assert checked.returncode == 2
    with chromium(tmp_path / "profile") as driver:
        driver.get(page.url)
        sit, start = by_id(driver, "f-sit_minutes"), by_id(driver, "f-hours-start")
        sit.clear()
        sit.send_keys("-5")
        start.clear()
        start.send_keys("9am")
        css(driver, "button.save")[0].click()
        wait_until(lambda: css(driver, ".error"), 15, "the errors")
        error = by_id(driver, "f-sit_minutes-error")
        assert error.is_displayed()
        assert error.text == f"{words.ERROR}: " + checked.stderr.strip().removeprefix(
            f"psoas: {by_hand}: "
        )
        field = by_id(driver, "f-sit_minutes")
        assert field.get_attribute("aria-invalid") == "true"
        assert "f-sit_minutes-error" in field.get_attribute("aria-describedby")
        assert field.get_attribute("value") == "-5"  # what was typed stays, to be put right
        hours = by_id(driver, "f-hours-start-error").text
        assert hours.startswith(f'{words.ERROR}: hours.start = "9am": must be a time as "HH:MM"')
        summary = css(driver, "main .problem")[0]
        assert summary.get_attribute("role") == "alert"
        assert summary.text.startswith(words.errors_summary(2))
        whole_page(driver, SHOTS / "error.png")
        css(driver, '.problem a[href="#f-sit_minutes"]')[0].click()  # the summary leads there
        assert driver.switch_to.active_element == by_id(driver, "f-sit_minutes")
    assert config.read_bytes() == written


def test_stretches_are_left_out_by_their_pictures_and_desk_only_shows_which_remain(
    env, config, tmp_path, pages, catalogue
):
    page = open_page(env, "--config", str(config))
    pages.append(page.pid)
    floor = [s.id for s in catalogue.stretches.values() if s.needs_floor]
    desk = [s.id for s in catalogue.stretches.values() if not s.needs_floor]
    with chromium(tmp_path / "profile") as driver:
        driver.get(page.url)
        pictures = css(driver, ".stretch img")
        assert len(pictures) == len(catalogue.stretches)
        loaded = "return arguments[0].complete && arguments[0].naturalWidth"
        wait_until(lambda: all(driver.execute_script(loaded, p) for p in pictures), 10, "pictures")
        bridge = by_id(driver, "f-stretches-exclude-bridge")
        assert bridge.is_selected()
        css(driver, 'img[src="/picture/bridge.png"]')[0].click()  # the picture is its label
        assert not bridge.is_selected()
        out = css(driver, ".stretch:has(#f-stretches-exclude-bridge) .out-note")[0]
        assert out.is_displayed() and out.text == words.LEFT_OUT
        assert not [n for n in css(driver, ".floor-note") if n.is_displayed()]
        by_id(driver, "f-stretches-place-desk").click()
        shown = {
            note.find_element("xpath", "..")
            .find_element("css selector", "input")
            .get_attribute("value")
            for note in css(driver, ".floor-note")
            if note.is_displayed()
        }
        assert shown == set(floor)  # said in words, not only greyed
        assert all(
            note.text == words.NOT_AT_THE_DESK
            for note in css(driver, ".floor-note")
            if note.is_displayed()
        )
        group = css(driver, "fieldset.group")[3]
        driver.execute_script("arguments[0].scrollIntoView()", group)
        group.screenshot(str(SHOTS / "stretches.png"))
        css(driver, "button.save")[0].click()
        wait_until(lambda: css(driver, ".notice"), 15, "the page to say it saved")
    saved = config.read_text()
    assert '[stretches]\nplace = "desk"\nexclude = ["bridge"]' in saved
    assert desk  # the standing stretch is still suggested: the file is right
    assert psoas(env, "config", "check", str(config)).returncode == 0


def test_the_keyboard_alone_reaches_every_field_and_the_focus_is_seen(env, config, tmp_path, pages):
    from selenium.webdriver.common.keys import Keys

    page = open_page(env, "--config", str(config))
    pages.append(page.pid)
    with chromium(tmp_path / "profile") as driver:
        driver.get(page.url)
        body = css(driver, "body")[0]
        body.send_keys(Keys.TAB)
        skip = driver.switch_to.active_element
        assert skip.text == words.SKIP and skip.is_displayed()
        outline = "return getComputedStyle(arguments[0]).outlineStyle"
        assert driver.execute_script(outline, skip) == "solid"
        reached: list[str] = []
        for _ in range(80):
            driver.switch_to.active_element.send_keys(Keys.TAB)
            element = driver.switch_to.active_element
            name = element.get_attribute("name")
            if name and name not in reached:
                reached.append(name)
                assert driver.execute_script(outline, element) == "solid", name
            if element.get_attribute("class") == "save":
                break
        named = {"sit_minutes", "hours.days", "hours.start", "stretches.exclude", "quiet.apps"}
        assert named <= set(reached), reached
        labelled = "return arguments[0].labels.length"
        for field in css(driver, "input:not([type=hidden]), select"):
            assert driver.execute_script(labelled, field) >= 1, field.get_attribute("id")
        field = by_id(driver, "f-repeat_minutes")
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys("15", Keys.ENTER)  # Enter in a field sends the form
        wait_until(lambda: css(driver, ".notice"), 15, "the page to say it saved")
    assert "repeat_minutes = 15" in config.read_text()


def test_progress_shows_the_week_the_trend_and_the_export_from_the_history(
    env, config, tmp_path, pages
):
    store = HistoryStore(Path(env["XDG_DATA_HOME"]) / "psoas" / "history.sqlite3")
    store.record(generated_weeks(date.today(), SystemCalendar()))
    store.close()
    page = open_page(env, "--config", str(config))
    pages.append(page.pid)
    with chromium(tmp_path / "profile") as driver:
        driver.get(page.url)
        css(driver, 'nav a[href="/progress"]')[0].click()
        wait_until(lambda: driver.current_url.endswith("/progress"), 10, "Progress")
        rows = css(driver, "tbody tr")
        assert len(rows) == 7 and rows[-1].text.startswith(f"{date.today():%a %Y-%m-%d}")
        trend = [item.text for item in css(driver, ".trend li")]
        stats = psoas(env, "stats", "--config", str(config)).stdout
        assert trend == stats.strip().split("\n\n")[-1].splitlines()
        charts = css(driver, "figure img")
        loaded = "return arguments[0].complete && arguments[0].naturalWidth"
        wait_until(lambda: all(driver.execute_script(loaded, c) for c in charts), 15, "charts")
        assert len(charts) == 2 and all(c.get_attribute("alt") for c in charts)
        fetched = driver.execute_async_script(
            "const done = arguments[0];fetch('/export.csv').then(r => r.text()).then(done);"
        )
        assert fetched.replace("\r\n", "\n") == psoas(env, "export", "--csv").stdout.replace(
            "\r\n", "\n"
        )
        whole_page(driver, SHOTS / "progress.png")


def test_the_page_process_ends_once_its_tab_is_closed_not_when_it_moves_between_pages(
    env, config, tmp_path
):
    page, process = start_server(env, config, "--grace", "3")
    try:
        with chromium(tmp_path / "profile") as driver:
            driver.get(page.url)
            css(driver, 'nav a[href="/progress"]')[0].click()
            wait_until(lambda: driver.current_url.endswith("/progress"), 10, "Progress")
            css(driver, 'nav a[href="/settings"]')[0].click()
            time.sleep(4)  # longer than the grace: the open tab keeps the page
            assert process.poll() is None
            closed = by_id(driver, "closed")
            assert not closed.is_displayed()
        started = time.monotonic()
        assert process.wait(15) == 0
        assert time.monotonic() - started < 10
        assert refused(page.port) and state(env) is None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)


def test_an_open_tab_says_when_its_page_has_ended(env, config, tmp_path):
    page, process = start_server(env, config)
    try:
        with chromium(tmp_path / "profile") as driver:
            driver.get(page.url)
            process.terminate()
            assert process.wait(10) == 0
            closed = by_id(driver, "closed")
            wait_until(closed.is_displayed, 15, "the tab to say the page has ended")
            assert closed.text == words.CLOSED
            whole_page(driver, SHOTS / "closed.png")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def test_settings_from_the_tray_opens_the_page_in_the_browser_and_leaves_the_daemon_as_it_was(
    desktop: Desktop, tmp_path
):
    """The panel's menu, clicked as a panel does: Settings… starts psoas settings, which opens
    the page with the desktop's opener (here one that hands the address to the test's Chromium)
    and ends; the page is another process, and the tray's memory does not move."""
    desktop.start_sni_host()
    opened = desktop.home / "opened.txt"
    opener = desktop.home / "bin" / "xdg-open"
    opener.parent.mkdir()
    opener.write_text(f'#!/bin/sh\necho "$1" >> {opened}\n')
    opener.chmod(0o755)
    config = desktop.home / "psoas.toml"
    config.write_text(CONFIG)
    command = [sys.executable, "-m", "reminder", "-v", "run", "--config", str(config)]
    path = f"{opener.parent}{os.pathsep}{os.environ['PATH']}"
    daemon = desktop.spawn(command, name="psoas", env={"PATH": path})
    try:
        wait_until(lambda: desktop.sni_items(), 15, "psoas's item on the panel", process=daemon)
        time.sleep(3)  # settled: drawn, history open, pictures kept
        before = rss_kib(daemon.pid)
        click_in_menu(desktop, "Settings…")
        url = wait_until(
            lambda: opened.exists() and opened.read_text().strip(), 20, "the browser to be asked"
        )
        found = state(desktop.env)
        assert found is not None and found["pid"] != daemon.pid
        assert found["config"] == str(config)
        with chromium(tmp_path / "profile") as driver:
            driver.get(url)
            assert by_id(driver, "f-sit_minutes").get_attribute("value") == "60"
            time.sleep(2)
            after = rss_kib(daemon.pid)
            whole_page(driver, SHOTS / "from-the-tray.png")
        grew = after - before
        (SHOTS / "tray-rss.txt").write_text(
            f"tray psoas RSS before Settings…: {before} KiB; with the page open: {after} KiB; "
            f"grew {grew} KiB\n"
        )
        assert grew < 256, f"the tray's RSS grew {grew} KiB with the page open"
        assert "Traceback" not in daemon.stderr_text()
    finally:
        stop_pages(desktop.env, [])
        daemon.terminate()
        daemon.finish(15)
