"""Files the user names (a config, a scenario, an export): each problem is one line, never a
traceback, a hang or a machine out of memory."""

from __future__ import annotations

import contextlib
import io
import os
import resource
import subprocess

import pytest
from e2e import in_process, psoas
from strangers import STRANGER, as_stranger

import reminder.runtime.app
import reminder.runtime.launch  # noqa: F401
from reminder.cli.main import main
from reminder.config import Config, ConfigError, find_config, load_config
from reminder.errors import MAX_USER_FILE_BYTES
from reminder.replay.scenario import ScenarioError, load_scenario

ROUTINES = ["desk", "floor"]


def one_line(result: subprocess.CompletedProcess[str], *names: str) -> str:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


# ----- reading: what is refused, what is taken -----------------------------------------------


def test_a_symbolic_link_loop_is_named_as_one_not_as_a_missing_file(tmp_path):
    loop = tmp_path / "loop.toml"
    loop.symlink_to(loop)
    with pytest.raises(ConfigError) as raised:
        find_config(loop)
    assert "loop" in str(raised.value) and "no such" not in str(raised.value)
    assert str(raised.value).startswith(str(loop))


def test_a_broken_default_config_is_an_error_not_the_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    default = tmp_path / "psoas" / "config.toml"
    default.parent.mkdir()
    assert find_config(None) is None  # plainly no file: the defaults
    default.symlink_to(default)
    with pytest.raises(ConfigError, match="loops") as raised:
        find_config(None)
    assert str(raised.value).startswith(str(default))
    default.unlink()
    default.symlink_to(tmp_path / "moved-away.toml")
    with pytest.raises(ConfigError, match="target does not exist"):
        find_config(None)


def test_a_byte_order_mark_is_taken_as_the_utf8_it_marks(tmp_path):
    config = tmp_path / "notepad.toml"
    config.write_bytes(b"\xef\xbb\xbfsit_minutes = 30\r\n[hours]\r\nstart = '08:00'\r\n")
    assert load_config(config).sit_minutes == 30
    scenario = tmp_path / "day.txt"
    scenario.write_bytes(b"\xef\xbb\xbf09:00 active\r\n10:00 end\r\n")
    assert [e.name for e in load_scenario(scenario, ROUTINES).events] == ["active", "end"]


def test_files_over_a_mebibyte_are_refused(tmp_path):
    config = tmp_path / "big.toml"
    config.write_bytes(b"#" * MAX_USER_FILE_BYTES)  # a (very) long comment: still taken
    assert load_config(config) == Config(origin=str(config))
    config.write_bytes(b"#" * (MAX_USER_FILE_BYTES + 1))
    with pytest.raises(ConfigError, match="larger than 1 MiB"):
        load_config(config)
    scenario = tmp_path / "day.txt"
    scenario.write_bytes(b"09:00 active\n" + b"#" * MAX_USER_FILE_BYTES + b"\n10:00 end\n")
    with pytest.raises(ScenarioError, match=r"day\.txt: is larger than 1 MiB"):
        load_scenario(scenario, ROUTINES)


@pytest.mark.slow
def test_a_named_pipe_is_refused_at_once(env, tmp_path):
    fifo = tmp_path / "config.fifo"
    os.mkfifo(fifo)
    scenario = tmp_path / "day.txt"
    scenario.write_text("09:00 active\n10:00 end\n")
    # Reading a pipe with no writer waits for ever: the timeout makes the old behaviour a failure.
    one_line(psoas(env, "config", "check", str(fifo), timeout=20), str(fifo), "named pipe")
    simulate = psoas(env, "simulate", str(scenario), "--config", str(fifo), timeout=20)
    one_line(simulate, str(fifo), "not a config file")
    one_line(psoas(env, "simulate", str(fifo), timeout=20), str(fifo), "not a scenario file")


def _a_gibibyte_of_memory() -> None:
    """Keep a runaway read from taking the machine's memory (it fails fast instead)."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.slow
def test_an_endless_device_is_refused_without_reading_it(env):
    result = psoas(env, "run", "--config", "/dev/zero", preexec_fn=_a_gibibyte_of_memory)
    one_line(result, "/dev/zero", "is a device, not a config file")
    result = psoas(env, "config", "check", "/dev/zero", preexec_fn=_a_gibibyte_of_memory)
    one_line(result, "/dev/zero")


# ----- writing ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_an_export_to_a_full_disk_is_one_line(env, tmp_path):
    one_line(psoas(env, "export", "--csv", "--output", "/dev/full"), "/dev/full", "space")
    with open("/dev/full", "w") as full:
        result = psoas(
            env, "export", "--csv", capture_output=False, stdout=full, stderr=subprocess.PIPE
        )
    one_line(result, "standard output", "space")


# ----- files another user may not read ----------------------------------------------------------


@pytest.mark.slow
def test_a_config_folder_nobody_may_enter_is_one_line(stranger_home):
    folder = stranger_home / "config" / "psoas"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text("sit_minutes = 30\n")
    locked = stranger_home / "locked.toml"
    locked.write_text("sit_minutes = 30\n")
    if os.getuid() == 0:
        for path in (folder.parent, folder, folder / "config.toml", locked):
            os.chown(path, STRANGER, STRANGER)
    # The stranger cannot import from this interpreter's library: load what the commands need.
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["config", "check", str(locked)]) == 0
    folder.chmod(0o000)
    locked.chmod(0o000)
    config = str(folder / "config.toml")
    for args in (["config", "check"], ["run", "--headless"], ["config", "path"]):
        code, stdout, stderr = as_stranger(stranger_home, *args)
        assert code == 2 and "Traceback" not in stderr, (args, stderr)
        assert stderr.count("\n") == 1 and config in stderr and "permission denied" in stderr
    assert stdout.strip() == config  # config path still says where the file would be
    code, _, stderr = as_stranger(stranger_home, "config", "check", str(locked))
    assert code == 2 and stderr.count("\n") == 1 and str(locked) in stderr, stderr


def test_a_chart_for_a_folder_nobody_may_enter_is_one_line(stranger_home, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with contextlib.redirect_stdout(io.StringIO()):  # load the chart's modules, as above
        assert main(["stats", "--days", "1", "--chart", str(tmp_path / "warm-up.png")]) == 0
    locked = stranger_home / "locked"
    locked.mkdir(mode=0o000)
    chart = str(locked / "week.png")
    code, _, stderr = as_stranger(stranger_home, "stats", "--days", "1", "--chart", chart)
    assert code == 2 and "Traceback" not in stderr, stderr
    assert stderr.count("\n") == 1 and chart in stderr and "Permission denied" in stderr, stderr


@pytest.mark.slow
@pytest.mark.parametrize("args", [["stretches"], ["routines", "--json"], ["config", "path"]])
def test_a_full_standard_output_is_one_line_for_every_command(env, args):
    with open("/dev/full", "w") as full:
        result = psoas(env, *args, stdout=full, capture_output=False, stderr=subprocess.PIPE)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0] == "psoas: standard output: cannot be written (No space left on device)"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1970-01-01"])
def test_a_scenario_dated_past_the_calendar_is_one_line(tmp_path, day):
    scenario = tmp_path / "day.txt"
    scenario.write_text(f"date {day}\n09:00 active\n23:59 end\n")
    with pytest.raises(ScenarioError, match=rf"day.txt: line 1: {day}: give a date from 1971"):
        load_scenario(scenario, ["desk"])


def test_a_count_in_other_digits_is_refused_in_one_line():
    for args in (["stats", "--days", "²"], ["stats", "--chart", "w.png", "--weeks", "٣"]):
        result = in_process(*args)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, args
        assert "is not a number of" in result.stderr
