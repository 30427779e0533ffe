"""psoas in another language, end to end: with ``LANG=de_DE.UTF-8`` the prompt that reaches the
real dunst (its title, its body and its buttons), the labels of the StatusNotifierItem's menu as
a panel reads them over D-Bus, and ``psoas status`` are German; the settings page in Chromium
whose languages are French is French; and the catalogue costs the daemon little memory.

What each should say is looked up in the catalogues here, through the same gettext psoas uses,
and checked to differ from the English: a psoas that spoke English would fail every test.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from browser import chromium, whole_page
from conftest import EVERY_DAY
from desktop import ARTIFACTS, Desktop, wait_until
from e2e import ROOT, Entry, psoas, recorded, sni_menu, start_headless, start_psoas, status, stop
from settings_page import open_page, stop_pages
from test_notify_actions import press
from test_settings_browser import by_id, css, rss_kib

from reminder.core import events as ev
from reminder.language import LOCALE, _, speaking
from reminder.language.po import compile_mo, parse_po
from reminder.settings import words as page_words
from reminder.words import prompt_buttons

pytestmark = pytest.mark.desktop

GERMAN = "de_DE.UTF-8"
#: One prompt after 9 s of sitting, never repeated: it stays until it is answered.
ONCE = "sit_minutes = 0.15\nrepeat_minutes = 0\nbreak_minutes = 10\nsnooze_minutes = [10]\n"


def said_in(code: str, english: str) -> str:
    """``english`` as the catalogue of ``code`` says it, which must not be English."""
    with speaking(code):
        translated = _(english)
    assert translated != english, f"{code}.po does not translate {english!r}"
    return translated


def untranslated(labels: Iterable[str], code: str) -> list[str]:
    """The labels still in English: each the source of a sentence ``code`` says otherwise."""
    english = {
        message.msgid
        for message in parse_po((LOCALE / f"{code}.po").read_text("utf-8"))[1:]
        if message.translated and message.msgstr[0] != message.msgid
    }
    return [label for label in labels if label in english]


def every_label(entries: Iterable[Entry]) -> list[str]:
    return [label for e in entries for label in (e.label, *every_label(e.children)) if label]


def around(form: str, name: str) -> tuple[str, str]:
    """What a sentence says before and after its ``{name}``."""
    before, _sep, after = form.partition("{" + name + "}")
    return before, after


# ----- German on the desktop ---------------------------------------------------------------------


def test_with_lang_german_the_prompt_on_dunst_the_panel_menu_and_status_are_german(
    desktop: Desktop, catalogue
):
    picker = desktop.root / "picker.sh"  # dunst's menu of a note's buttons picks the one named
    picker.write_text(f'#!/bin/sh\ngrep -m1 -F "$(cat {desktop.root / "pick"})"\n')
    picker.chmod(0o755)
    desktop.start_sni_host()
    desktop.start_dunst(global_settings=f"    dmenu = {picker}\n")
    desktop.env["LANG"] = GERMAN  # for psoas and the commands: the panel and dunst are started
    process = start_psoas(desktop, ONCE + EVERY_DAY)
    wait_until(lambda: desktop.sni_items(), 15, "psoas's item on the panel", process=process)

    with speaking("de"):
        german = catalogue.in_language()
        buttons = list(prompt_buttons(10))
        title = _("Time to stretch: {stretch}")
        sitting = around(_("You have been sitting for {time}."), "time")
        due = around(_("Sitting for {sitting}; time to stretch: {stretch}."), "sitting")
        parts = _("idle source {idle}, tray {tray}, notifications via {notifier} (pid {pid})")
    with speaking("en"):
        assert buttons != list(prompt_buttons(10))

    # The prompt, as dunst received and accepted it.
    (prompt,) = desktop.wait_for_notifications(1, 40, around(title, "stretch")[0], process)
    (stretch,) = [
        s for s in german.stretches.values() if prompt["summary"] == title.format(stretch=s.name)
    ]
    assert stretch.name != catalogue.stretch(stretch.id).name
    assert prompt["body"].startswith(sitting[0])
    with speaking("de"):
        how = stretch.summary()  # its doses are said in German too
    assert prompt["body"].endswith(how)
    assert list(zip(prompt["actions"][::2], prompt["actions"][1::2], strict=True)) == buttons
    desktop.screenshot("language-german-prompt")

    # The panel's menu, read over D-Bus as the panel reads it.
    labels = every_label(sni_menu(desktop))
    wanted = [
        said_in("de", "Stretch now: {stretch}").format(stretch=stretch.name),
        said_in("de", "I stretched"),
        said_in("de", "Snooze"),
        said_in("de", "Pause reminders"),
        said_in("de", "Settings…"),
        said_in("de", "Quit"),
    ]
    assert [label for label in wanted if label not in labels] == [], labels
    assert untranslated(labels, "de") == []

    # psoas status: the running psoas's sentence, then its parts, both German.
    now = json.loads(psoas(desktop.env, "status", "--json").stdout)
    assert now["language"] == "de" and now["state"] == "due"
    said = psoas(desktop.env, "status")
    assert said.returncode == 0, said.stderr
    first, second, *_rest = said.stdout.splitlines()
    assert first.startswith(due[0]) and first.endswith(due[1].format(stretch=stretch.name))
    assert second == parts.format(
        idle=now["idle_source"], tray=now["tray"], notifier=now["notifier"], pid=now["pid"]
    )

    # The German button, pressed in dunst, is the answer it says.
    assert buttons[0][0] == "done"
    press(desktop, buttons[0][1])
    (taken,) = wait_until(lambda: recorded(desktop, ev.BreakTaken), 15, "the button's answer")
    assert (taken.how, taken.stretch) == ("done", stretch.id)
    shown = [entry for entry in desktop.dunst_history() if entry["summary"] == prompt["summary"]]
    assert shown and shown[0]["body"] == prompt["body"]
    assert "Traceback" not in process.stderr_text()


# ----- French in the browser ---------------------------------------------------------------------

CONFIG = 'sit_minutes = 60\nidle_source = "none"\n' + EVERY_DAY


def test_the_settings_page_in_a_french_chromium_is_french(env, tmp_path):
    config = tmp_path / "psoas.toml"
    config.write_text(CONFIG)
    by_hand = tmp_path / "by-hand.toml"  # the mistake the page is sent, made in an editor
    by_hand.write_text(CONFIG.replace("sit_minutes = 60", "sit_minutes = -5"))
    checked = psoas(env | {"LANG": "fr_FR.UTF-8"}, "config", "check", str(by_hand))
    assert checked.returncode == 2
    with speaking("fr"):
        title = f"{page_words.SETTINGS} · {page_words.TITLE}"
        label, save = page_words.LABELS["sit_minutes"], page_words.SAVE
        error, progress = page_words.ERROR, page_words.PROGRESS
    assert label == said_in("fr", "Minutes of sitting before a prompt")
    assert save == said_in("fr", "Save") and progress == said_in("fr", "Progress")
    page = open_page(env, "--config", str(config))  # the desktop's language: C, English
    try:
        with chromium(tmp_path / "profile", language="fr-FR,fr") as driver:
            driver.get(page.url)
            assert driver.execute_script("return navigator.languages")[0].startswith("fr")
            assert css(driver, "html")[0].get_attribute("lang") == "fr"
            assert driver.title == title
            assert css(driver, 'label[for="f-sit_minutes"]')[0].text == label
            assert css(driver, 'nav a[href="/progress"]')[0].text == progress
            assert css(driver, "button.save")[0].text == save
            sit = by_id(driver, "f-sit_minutes")
            sit.clear()
            sit.send_keys("-5")
            css(driver, "button.save")[0].click()
            wait_until(lambda: css(driver, ".error"), 15, "the error")
            said = by_id(driver, "f-sit_minutes-error").text
            assert said == f"{error}: " + checked.stderr.strip().removeprefix(f"psoas: {by_hand}: ")
            whole_page(driver, ARTIFACTS / "settings" / "french.png")
            english = psoas(env, "config", "check", str(by_hand)).stderr
            assert english.strip().split(": ", 2)[-1] not in said
    finally:
        stop_pages(env, [page.pid])
    assert config.read_text() == CONFIG


# ----- what the catalogue costs -----------------------------------------------------------------


def settled_rss(config: Path, env: dict[str, str], language: str, where: Path) -> int:
    """The RSS (KiB) of a headless psoas run from ``where`` in ``language``, once it has said
    its status (the catalogue read) and settled."""
    spoken = env | {"LANG": language}
    daemon = start_headless(config, spoken, cwd=where)
    try:
        wait_until(lambda: status(spoken), 20, "psoas to answer", process=daemon)
        assert psoas(spoken, "status").returncode == 0
        time.sleep(3)
        return rss_kib(daemon.pid)
    finally:
        stop(daemon)


def built_copy(destination: Path) -> Path:
    """psoas's package as the wheel has it: each language a .mo, not a .po."""
    shutil.copytree(
        ROOT / "reminder", destination / "reminder", ignore=shutil.ignore_patterns("__pycache__")
    )
    locale = destination / "reminder" / "data" / "locale"
    for source in locale.glob("*.po"):
        (locale / f"{source.stem}.mo").write_bytes(compile_mo(parse_po(source.read_text("utf-8"))))
        source.unlink()
    found = subprocess.run(
        [sys.executable, "-c", "import reminder; print(reminder.__file__)"],
        cwd=destination,
        capture_output=True,
        text=True,
    )
    assert found.stdout.strip() == str(destination / "reminder" / "__init__.py"), found
    return destination


def test_the_german_catalogue_costs_the_headless_daemon_at_most_1_mib(env, tmp_path):
    """Three rounds of C.UTF-8 then German, from the checkout (each .po compiled in memory) and
    from the wheel's files (a .mo); the medians are compared. Figures in
    tests/artifacts/language-rss.txt."""
    config = tmp_path / "psoas.toml"
    config.write_text('idle_source = "none"\n' + EVERY_DAY)
    lines = []
    for name, where in (("checkout", ROOT), ("built", built_copy(tmp_path / "built"))):
        seen: dict[str, list[int]] = {"C.UTF-8": [], GERMAN: []}
        for _round in range(3):
            for language, figures in seen.items():
                figures.append(settled_rss(config, env, language, where))
        english, german = (statistics.median(figures) for figures in seen.values())
        lines.append(
            f"{name}: RSS KiB with LANG=C.UTF-8 {seen['C.UTF-8']}, median {english:.0f}; "
            f"with LANG={GERMAN} {seen[GERMAN]}, median {german:.0f}; "
            f"German costs {german - english:+.0f} KiB"
        )
        assert german - english <= 1024, lines[-1]
    (ARTIFACTS / "language-rss.txt").write_text("\n".join(lines) + "\n")
