"""Durability of a file's name: what the history's journal and the settings page's save share."""

from __future__ import annotations

import os
from pathlib import Path


def sync_folder(folder: Path) -> None:
    """Make a file made or renamed in ``folder`` durable, not only its bytes: fsync the folder,
    where the system allows opening one (Windows does not)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
