"""psoas's per-user folders on Linux: the XDG base directories, read by psoas itself, land where
platformdirs (which psoas uses on Windows and macOS) would put them."""

from __future__ import annotations

import sys

import platformdirs
import pytest
from desktop_processes import ELSEWHERE

from reminder import paths

CASES = [
    {},  # every variable unset: the defaults under HOME
    {
        "XDG_CONFIG_HOME": "/x/conf",
        "XDG_DATA_HOME": "/x/data",
        "XDG_STATE_HOME": "/x/state",
        "XDG_CACHE_HOME": "/x/cache",
    },
    {"XDG_CONFIG_HOME": "relative/conf", "XDG_DATA_HOME": "", "XDG_CACHE_HOME": "~/c"},
]


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason=f"{ELSEWHERE}XDG is Linux's")
@pytest.mark.parametrize("variables", CASES)
def test_xdg_folders_are_where_platformdirs_puts_them(monkeypatch, tmp_path, variables):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in paths.XDG_DEFAULTS:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    app = {"appname": "psoas", "appauthor": False}
    assert paths.config_file() == platformdirs.user_config_path(**app) / "config.toml"
    assert paths.data_dir() == platformdirs.user_data_path(**app)
    assert paths.cache_dir() == platformdirs.user_cache_path(**app)
    assert paths.log_dir() == platformdirs.user_log_path(**app)
    assert paths.menu_entry_file() == platformdirs.user_data_path() / "applications/psoas.desktop"
