"""psoas runs whatever its standard output and error are: a display manager sends a session's
stderr to ~/.xsession-errors, nohup to nohup.out, and either can be on a full disk. What psoas
says on the terminal is best effort; the log file still gets its lines, and the reminder goes on.
"""

from __future__ import annotations

import resource
import shutil
from pathlib import Path

import pytest
from conftest import EVERY_DAY
from desktop_processes import wait_until
from e2e import in_process, recorded, start_headless, status, stop

from reminder.core import events as ev

#: No busy signals: another test's camera or recording, on this machine, must not hold prompts.
FAST = (
    'sit_minutes = 0.05\nrepeat_minutes = 0.05\nbreak_minutes = 10\nidle_source = "none"\n'
    + EVERY_DAY
    + "[quiet]\nwhen = []\n"
)


@pytest.mark.slow
def test_psoas_runs_with_its_terminal_output_going_to_a_full_device(private_env, env, tmp_path):
    """``psoas run >/dev/full 2>&1``: every write to the terminal fails (ENOSPC)."""
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    daemon = start_headless(config, output_to=Path("/dev/full"))
    wait_until(lambda: status(env), 30, "psoas to answer", process=daemon)
    wait_until(
        lambda: len(recorded(private_env.data, ev.PromptShown)) >= 2, 30, "prompts", process=daemon
    )
    assert in_process("snooze", "5").returncode == 0
    assert stop(daemon) == 0
    log = private_env.log.read_text()
    assert "config: " in log and "running: idle source" in log and "stopped" in log
    assert "Traceback" not in log
    # The prompts could be shown nowhere: the log says so once, not once a prompt.
    assert log.count("cannot show notifications") == 1, log
    assert recorded(private_env.data, ev.Snoozed)


def _file_size_limit(limit: int):
    def limited() -> None:  # in the child: no file may grow past ``limit`` bytes (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    return limited


@pytest.mark.slow
def test_psoas_runs_on_when_both_its_log_and_its_stderr_file_are_full(private_env, env, tmp_path):
    """``psoas run 2>>~/.xsession-errors`` on a full disk: the log file fails, and so does the
    notice about it on stderr. The file size limit stands in for the full disk (the history is
    well under it); lifted, the log takes lines again."""
    limit = 400_000
    errors = tmp_path / "xsession-errors"
    errors.write_bytes(b"x" * limit)  # full: any line added fails
    private_env.log.parent.mkdir(parents=True)
    private_env.log.write_bytes(b"old line\n" * (limit // 9))  # full too, under the rotation
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    daemon = start_headless(config, output_to=errors, preexec_fn=_file_size_limit(limit))
    wait_until(lambda: status(env), 30, "psoas to answer", process=daemon)
    wait_until(
        lambda: len(recorded(private_env.data, ev.PromptShown)) >= 2, 30, "prompts", process=daemon
    )
    assert errors.stat().st_size == limit  # nothing reached it
    resource.prlimit(daemon.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)
    assert in_process("skip").returncode == 0  # a line for the log, now it can take it
    wait_until(
        lambda: "is written again" in errors.read_text()[limit:],
        20,
        "the log written again",
        process=daemon,
    )
    assert stop(daemon) == 0
    said = errors.read_text()[limit:]
    assert "Traceback" not in said and "Logging error" not in said, said
    assert private_env.log.read_text().rstrip().endswith("stopped")


@pytest.mark.slow
def test_a_log_file_deleted_while_psoas_runs_is_started_anew(private_env, env, tmp_path):
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    daemon = start_headless(config)
    wait_until(lambda: status(env), 30, "psoas to answer", process=daemon)
    wait_until(lambda: private_env.log.exists(), 10, "the log", process=daemon)
    shutil.rmtree(private_env.log.parent)  # the whole log folder, as a user tidying up
    assert stop(daemon) == 0
    said = private_env.log.read_text()
    assert "was deleted or moved while psoas ran" in said, said
    assert said.rstrip().endswith("stopped"), said
    assert private_env.log.stat().st_mode & 0o777 == 0o600
