"""Logging: a rotating file in the user's log folder; warnings (everything with -v) on stderr."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from reminder.paths import log_dir

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _LogFile(logging.handlers.RotatingFileHandler):
    """The log file, which may stop taking lines (a full disk): say so once on the terminal
    instead of logging's traceback per line, and say when it takes them again."""

    failing = False
    _failed_now = False

    def emit(self, record: logging.LogRecord) -> None:
        self._failed_now = False  # emit runs under the handler's lock
        super().emit(record)
        if self.failing and not self._failed_now:
            self.failing = False
            sys.stderr.write(f"psoas: the log file {self.baseFilename} is written again\n")

    def handleError(self, record: logging.LogRecord) -> None:
        self._failed_now = True
        if not self.failing:
            self.failing = True
            error = sys.exc_info()[1]
            reason = getattr(error, "strerror", None) or error
            sys.stderr.write(
                f"psoas: cannot write the log file {self.baseFilename} ({reason}); "
                "only warnings reach the terminal until it can\n"
            )


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
        handler = _LogFile(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError as error:
        reason = error.strerror or error
        logger.warning(
            "cannot write the log file %s (%s); logging to the terminal only", path, reason
        )
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    return path
