"""Real sitting on real Wayland compositors: ``psoas run`` on headless sway, a fake user typing
through sway's virtual keyboard (wtype); and on headless KWin, which offers the standard protocol
but takes no input here.

Minutes are shrunk to seconds: a prompt after 15 s of sitting, a break after 6 s without input
(so the compositor is asked to say "idle" after 2 s).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop import wait_until
from e2e import recorded, start_headless, status, stop
from wayland_desktop import KWin, Sway

from reminder.core import events as ev

pytestmark = pytest.mark.desktop

SIT, BREAK, NOTICE = 15.0, 6.0, 2.0
CONFIG = (
    f"sit_minutes = {SIT / 60}\nbreak_minutes = {BREAK / 60}\nrepeat_minutes = 0\n"
    'idle_source = "auto"\n[quiet]\nwhen = []\n' + EVERY_DAY
)


class Typist:
    """Types a letter every ``every`` seconds while ``typing`` is set; keeps when it first typed
    after each start, and when it last typed."""

    def __init__(self, sway: Sway, every: float = 0.7) -> None:
        self.sway = sway
        self.every = every
        self.typing = threading.Event()
        self.done = threading.Event()
        self.first: float | None = None
        self.last: float | None = None
        self.thread = threading.Thread(target=self._play, daemon=True)
        self.thread.start()

    def start(self) -> None:
        self.first = None
        self.typing.set()

    def stop(self) -> float:
        """Stop typing; the time of the last key."""
        self.typing.clear()
        time.sleep(self.every + 0.3)  # a key being typed lands
        assert self.last is not None
        return self.last

    def _play(self) -> None:
        while not self.done.is_set():
            if self.typing.is_set():
                if self.first is None:  # set before the key, which psoas may see at once
                    self.first = time.time()
                self.sway.type("a")
                self.last = time.time()
            time.sleep(self.every)


def state(env: dict[str, str]) -> str | None:
    reply = status(env)
    return reply["state"] if reply else None


def test_sway_a_prompt_after_sitting_and_a_natural_break_seen_from_the_compositor(
    sway: Sway, private_env, tmp_path
):
    env = sway.env_for_client(private_env.env)
    config = tmp_path / "psoas.toml"
    config.write_text(CONFIG)
    psoas = start_headless(config, env)
    typist = Typist(sway)
    try:
        reply = wait_until(lambda: status(env), 15, "psoas to answer", process=psoas)
        assert reply["idle_source"] == "wayland"
        assert "x11" in reply["idle_passed_over"]
        # Nobody types: the compositor says "idle", and after a break psoas has the user away.
        wait_until(lambda: state(env) == "away", 20, "psoas to see nobody there", process=psoas)

        typist.start()
        first = recorded(private_env.data, ev.PromptShown)
        prompt = wait_until(
            lambda: recorded(private_env.data, ev.PromptShown)[len(first) :],
            SIT + 10,
            "the first prompt",
            process=psoas,
        )[0]
        assert typist.first is not None
        assert abs(prompt.at - (typist.first + SIT)) <= 1.5, prompt.at - typist.first

        # The user stops for longer than a break, then comes back.
        breaks = len(recorded(private_env.data, ev.BreakTaken))  # the one before typing began
        last_key = typist.stop()
        wait_until(lambda: state(env) == "away", 20, "the break to be seen", process=psoas)
        time.sleep(2)
        typist.start()
        taken = wait_until(
            lambda: recorded(private_env.data, ev.BreakTaken)[breaks:],
            10,
            "the break",
            process=psoas,
        )[0]
        assert taken.how == "natural"
        # Dated from the last key, within the compositor's notice; the return seen at once.
        assert last_key - 0.5 <= taken.start <= last_key + NOTICE + 0.5, taken.start - last_key
        assert typist.first is not None
        assert abs(taken.end - typist.first) <= 1.0, taken.end - typist.first

        second = wait_until(
            lambda: recorded(private_env.data, ev.PromptShown)[len(first) + 1 :],
            SIT + 10,
            "the second prompt",
            process=psoas,
        )[0]
        assert abs(second.at - (typist.first + SIT)) <= 1.5, second.at - typist.first
        assert abs(second.sitting_seconds - SIT) <= 1.5
        assert stop(psoas) == 0
        said = psoas.stderr_text()
        assert said.count("Time to stretch") >= 2 and "Traceback" not in said
    finally:
        typist.done.set()


def test_kwin_the_standard_idle_notification_is_seen(kwin: KWin, private_env, tmp_path):
    env = kwin.env_for_client(private_env.env, relative=True)
    config = tmp_path / "psoas.toml"
    config.write_text(CONFIG)
    psoas = start_headless(config, env)
    reply = wait_until(lambda: status(env), 15, "psoas to answer", process=psoas)
    assert reply["idle_source"] == "wayland"
    # KWin takes no input here: the compositor's "idle" is all that can move the clock to away.
    started = time.time()
    wait_until(lambda: state(env) == "away", 20, "KWin's idle to be seen", process=psoas)
    assert time.time() - started <= BREAK + NOTICE + 3
    # Away, with the compositor to say when the user is back: psoas does nothing at all.
    before = switches(psoas.pid)
    time.sleep(10)
    assert switches(psoas.pid) == before
    assert stop(psoas) == 0
    log = private_env.log.read_text()
    assert "idle source: wayland (ext_idle_notifier_v1, told after 2 s without input" in log
    assert "Traceback" not in log + psoas.stderr_text()


def test_the_x11_counter_is_never_trusted_on_a_wayland_session(sway: Sway, private_env, tmp_path):
    """An Xwayland DISPLAY beside a Wayland session: auto passes x11 over and says why."""
    env = sway.env_for_client(private_env.env) | {"DISPLAY": ":99"}
    config = tmp_path / "psoas.toml"
    config.write_text(CONFIG)
    psoas = start_headless(config, env)
    reply = wait_until(lambda: status(env), 15, "psoas to answer", process=psoas)
    assert reply["idle_source"] == "wayland"
    assert reply["idle_passed_over"]["x11"].startswith("a Wayland session")
    described = os.linesep.join(
        line for line in psoas_status_text(env).splitlines() if "passed over" in line
    )
    assert "x11 (a Wayland session" in described
    assert stop(psoas) == 0


def switches(pid: int) -> dict[str, int]:
    """Each thread of a process, and how often it has been switched to (woken) so far."""
    counts = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        fields = dict(
            line.split(":", 1) for line in (task / "status").read_text().splitlines() if ":" in line
        )
        counts[task.name] = sum(
            int(fields[key]) for key in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")
        )
    return counts


def psoas_status_text(env: dict[str, str]) -> str:
    from e2e import psoas

    return psoas(env, "status").stdout
