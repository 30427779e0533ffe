"""``./bootstrap test`` beside a psoas that ``./bootstrap run`` started, in the same checkout, on a
real desktop (dunst, a StatusNotifierItem panel): the running psoas goes on working. Its next
prompt still carries its picture, and its chart still opens.

Both are drawn from files and modules psoas loads only when they are needed, so a psoas whose
installed package was swapped under it (``pip install -e`` into its own environment) fails
only then: the picture's path leads nowhere and the chart's module is not found.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop import Desktop, wait_until
from e2e import click_in_menu, copy_checkout, daemon_log

pytestmark = pytest.mark.desktop

#: A prompt 3 s after the start, then every 3 s while nobody answers (no idle source: all the
#: time psoas runs counts as sitting).
CONFIG = 'sit_minutes = 0.05\nrepeat_minutes = 0.05\nidle_source = "none"\n' + EVERY_DAY


def prompts_since(desk: Desktop, since: float) -> list[dict]:
    """The prompts psoas sent after ``since`` (the bus monitor's clock: time.time)."""
    return [
        note
        for note in desk.notifications()
        if note["time"] >= since and note["summary"].startswith("Time to stretch")
    ]


def a_prompt_with_its_picture(desk: Desktop, since: float, process) -> Path:
    """Wait for a prompt sent after ``since``; the picture it names, which must be there."""
    (prompt, *_) = wait_until(
        lambda: prompts_since(desk, since), 30, "a prompt after bootstrap test", process=process
    )
    picture = Path(prompt["hints"].get("image-path", ""))
    assert picture.is_file(), f"the prompt's picture {picture} is not there: {prompt['hints']}"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return picture


def test_bootstrap_test_leaves_the_psoas_bootstrap_run_started_working(desktop, tmp_path):
    desktop.start_dunst()
    desktop.start_sni_host()
    checkout = copy_checkout(tmp_path / "psoas")
    config = tmp_path / "psoas.toml"
    config.write_text(CONFIG)
    # The desktop's opener, as a user's would be: it notes what it was asked to open.
    opened = tmp_path / "opened"
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "xdg-open").write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{opened}"\n')
    (tools / "xdg-open").chmod(0o755)
    env = desktop.env | {"PATH": f"{tools}{os.pathsep}{os.environ['PATH']}"}

    running = desktop.spawn(
        ["./bootstrap", "run", "--config", str(config)], name="bootstrap-run", cwd=checkout, env=env
    )
    wait_until(lambda: desktop.sni_items(), 300, "psoas's icon", 0.5, process=running)
    a_prompt_with_its_picture(desktop, 0, running)

    tested = subprocess.run(
        ["./bootstrap", "test", "--co", "-q"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert tested.returncode == 0, tested.stderr[-3000:] + tested.stdout[-3000:]
    done = time.time()

    # The running psoas goes on as before: its next prompt carries its picture...
    a_prompt_with_its_picture(desktop, done, running)
    # ... and This week's chart is drawn and opened.
    click_in_menu(desktop, "This week's chart")
    chart = wait_until(
        lambda: opened.is_file() and opened.read_text().split(), 15, "the chart opened", 0.1
    )
    assert Path(chart[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert running.poll() is None
    log = daemon_log(desktop).read_text()
    assert "Traceback" not in log and "ModuleNotFoundError" not in log, log[-3000:]
