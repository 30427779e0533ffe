"""Every test runs in a private environment (conftest.private_env): its own folders, no desktop,
and never the user's own psoas, whether that one keeps its socket in the session's runtime
folder or, without one, in the temp folder.

tests/outer_check.sh checks the same from outside: a stand-in for the user's psoas runs in the
environment the whole suite (or the test files named) then runs in, and must come out untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EVERY_DAY, OUTER_ENV
from desktop_processes import wait_until
from e2e import NOT_RUNNING, in_process, psoas, recorded, start_headless, status, stop

from reminder import paths
from reminder.core import events as ev
from reminder.history.store import HistoryStore

XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR")


def test_a_test_sees_only_folders_of_its_own_and_no_desktop(private_env, tmp_path):
    assert os.environ["HOME"] == str(tmp_path)
    for key in XDG:
        assert Path(os.environ[key]).is_relative_to(tmp_path), key
    assert private_env.runtime.is_dir() and private_env.runtime.stat().st_mode & 0o777 == 0o700
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY"):
        assert key not in os.environ, key
    for key in ("DBUS_SESSION_BUS_ADDRESS", "DBUS_SYSTEM_BUS_ADDRESS"):
        address = os.environ[key]
        assert address.startswith(f"unix:path={tmp_path}/"), key
        assert not Path(address.removeprefix("unix:path=")).exists(), key
    # Where psoas itself looks: all of it in the test's folder.
    assert paths.runtime_dir() == private_env.runtime / "psoas"
    assert paths.history_file() == private_env.history
    for folder in (paths.config_file(), paths.log_dir(), paths.cache_dir()):
        assert folder.is_relative_to(tmp_path), folder


@pytest.mark.slow
@pytest.mark.parametrize("where", ["XDG_RUNTIME_DIR", "TMPDIR"], ids=["runtime", "temp folder"])
def test_the_users_own_psoas_is_never_reached(where, tmp_path_factory, tmp_path, monkeypatch):
    """A stand-in for the user's psoas, in the environment the tests were started from (with a
    home and a runtime folder of its own, so that the real user's psoas is not touched either):
    a test's commands find no psoas, its own psoas starts beside the user's, and the user's
    sees nothing of either. Without a runtime folder the user's psoas keeps its socket in the
    temp folder, which the tests share with it: their own runtime folder still keeps them apart.
    """
    user = tmp_path_factory.mktemp("user")
    (user / "run").mkdir(mode=0o700)
    if where == "TMPDIR":
        monkeypatch.setenv("TMPDIR", str(user / "run"))
    env = dict(os.environ)
    user_env = {
        key: value
        for key, value in OUTER_ENV.items()
        if not key.startswith(("XDG_", "DBUS_", "WAYLAND_")) and key not in ("DISPLAY", "TMPDIR")
    }
    user_env |= {key: str(user / key.lower()) for key in XDG[:4]}
    user_env |= {
        "HOME": str(user),
        where: str(user / "run"),  # its socket: run/psoas/ or, in the temp folder, run/psoas-UID/
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={user}/no-bus",
    }
    config = user / "psoas.toml"
    config.write_text('sit_minutes = 30\nidle_source = "none"\n' + EVERY_DAY)
    theirs = start_headless(config, user_env, name="users-psoas")
    try:
        before = wait_until(lambda: status(user_env), 20, "the user's psoas", process=theirs)
        # What tests do, in their own environment: no psoas is running there...
        assert in_process("snooze").stderr.strip() == NOT_RUNNING
        assert psoas(env, "pause", "30m").stderr.strip() == NOT_RUNNING
        # ...and one of their own starts beside the user's, takes commands and quits.
        (tmp_path / "ours.toml").write_text(config.read_text())
        ours = start_headless(tmp_path / "ours.toml")
        mine = wait_until(lambda: status(env), 20, "the test's own psoas", process=ours)
        assert mine["pid"] == ours.pid != theirs.pid
        assert in_process("skip").returncode == 0
        assert in_process("quit").returncode == 0
        assert ours.finish(15) == 0, ours.stderr_text()
        # The user's psoas saw none of it: still running, sitting, nothing skipped or paused.
        after = status(user_env)
        assert after is not None and after["pid"] == theirs.pid
        assert (after["state"], after["paused_until"]) == ("sitting", None)
        assert after["next_prompt"] == before["next_prompt"]
    finally:
        assert stop(theirs) == 0, theirs.stderr_text()
    assert "already running" not in ours.stderr_text()
    theirs_kept = HistoryStore(user / "xdg_data_home" / "psoas" / "history.sqlite3", read_only=True)
    assert theirs_kept.load_state("sitting") is not None  # their history is there and reads...
    theirs_kept.close()
    assert recorded(user / "xdg_data_home", ev.Skipped) == []  # ...and holds none of ours
    assert recorded(tmp_path / "data", ev.Skipped) != []
