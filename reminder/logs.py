"""Logging: a rotating file in the user's log folder; warnings (everything with -v) on stderr."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from reminder.paths import log_dir

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(verbose: bool, directory: Path | None = None) -> Path | None:
    """Log to a file and the terminal; returns the file, or None if it cannot be written."""
    logger = logging.getLogger("reminder")
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.DEBUG if verbose else logging.WARNING)
    terminal.setFormatter(logging.Formatter("psoas: %(message)s" if not verbose else _FORMAT))
    logger.addHandler(terminal)
    path = (directory or log_dir()) / "psoas.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as error:
        reason = error.strerror or error
        logger.warning(
            "cannot write the log file %s (%s); logging to the terminal only", path, reason
        )
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    return path
