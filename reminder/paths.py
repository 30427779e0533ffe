"""Where psoas keeps its files: the platform's conventional per-user folders (platformdirs)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from reminder import APP_NAME


def log_dir() -> Path:
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    return platformdirs.user_cache_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False)
