"""Logging: a rotating file in the user's log folder; warnings (everything with -v) on stderr."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from reminder.paths import log_dir, make_folder, make_private, private_opener

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def say(line: str) -> None:
    """A line on the terminal, best effort. A session's stderr may be a file on a full disk
    (a display manager's ~/.xsession-errors, nohup.out), /dev/full or closed: psoas runs on
    without it, and the log file keeps what matters."""
    stream = sys.stderr
    if stream is None:  # started with stderr closed
        return
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError):  # full, gone or closed: the line is lost, nothing else
        pass


class _Terminal(logging.StreamHandler):
    """Warnings (everything with -v) on stderr, best effort: a line it cannot write is lost
    without logging's "--- Logging error ---" and traceback, which could not be written either."""

    def handleError(self, record: logging.LogRecord) -> None:
        return None


class _LogFile(logging.FileHandler):
    """The log file, kept to a few files of ``max_bytes`` (psoas.log, psoas.log.1 ...), which
    may stop taking lines (a full disk): say so once on the terminal (if it takes the line)
    instead of logging's traceback per line, and say when it takes them again.

    Its own rotation, not logging.handlers': that module brings pickle, socket and queue into
    the daemon for nothing (a third of a MiB)."""

    failing = False
    _failed_now = False
    _moved = False  # the file was found gone from its path, and not yet made again

    def __init__(self, path: Path, max_bytes: int, keep: int) -> None:
        super().__init__(path, encoding="utf-8", delay=False)
        self.max_bytes, self.keep = max_bytes, keep

    def emit(self, record: logging.LogRecord) -> None:
        self._failed_now = False  # emit runs under the handler's lock
        try:
            self._follow_the_path(record)
            if self.stream is not None and self.stream.tell() >= self.max_bytes:
                self._rotate()
        except OSError:
            self.handleError(record)
            return
        super().emit(record)
        if self.failing and not self._failed_now:
            self.failing = False
            say(f"psoas: the log file {self.baseFilename} is written again")

    def _open(self) -> TextIO:
        """The file, 0600 when it is made: what one sits, and when, is nobody else's."""
        return self._builtin_open(  # type: ignore[attr-defined]
            self.baseFilename,
            self.mode,
            encoding=self.encoding,
            errors=self.errors,
            opener=private_opener,
        )

    def _follow_the_path(self, record: logging.LogRecord) -> None:
        """The file open is still the one at the log's path: one deleted (or moved away) while
        psoas runs would take every later line with it, unseen. A new one is started there (its
        folder too, if it went), saying why. (logging.handlers' WatchedFileHandler has the idea,
        and brings the module.)"""
        if self.stream is not None:
            try:
                if os.path.samestat(os.stat(self.baseFilename), os.fstat(self.stream.fileno())):
                    return
            except FileNotFoundError:
                pass
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
            self._moved = True
        if not self._moved:
            return
        make_folder(Path(self.baseFilename).parent)  # OSError: tried again at the next line
        self.stream = self._open()
        self._moved = False
        note = logging.makeLogRecord(
            {"name": __name__, "levelno": logging.WARNING, "levelname": "WARNING"}
            | {"msg": "the log file was deleted or moved while psoas ran; this is a new one"}
            | {"created": record.created, "msecs": record.msecs}
        )
        self.stream.write(self.format(note) + self.terminator)

    def _rotate(self) -> None:
        """psoas.log becomes psoas.log.1, .1 becomes .2 ...; the oldest goes."""
        self.close()
        for number in range(self.keep - 1, 0, -1):
            older = f"{self.baseFilename}.{number}"
            if os.path.exists(older):
                os.replace(older, f"{self.baseFilename}.{number + 1}")
        if os.path.exists(self.baseFilename):
            os.replace(self.baseFilename, f"{self.baseFilename}.1")
        self.stream = self._open()

    def handleError(self, record: logging.LogRecord) -> None:
        self._failed_now = True
        if not self.failing:
            self.failing = True
            error = sys.exc_info()[1]
            reason = getattr(error, "strerror", None) or error
            say(
                f"psoas: cannot write the log file {self.baseFilename} ({reason}); "
                "only warnings reach the terminal until it can"
            )


def setup_logging(verbose: bool, directory: Path | None = None) -> Path | None:
    """Log to a file and the terminal; returns the file, or None if it cannot be written."""
    logger = logging.getLogger("reminder")
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    terminal = _Terminal(sys.stderr)
    terminal.setLevel(logging.DEBUG if verbose else logging.WARNING)
    terminal.setFormatter(logging.Formatter("psoas: %(message)s" if not verbose else _FORMAT))
    logger.addHandler(terminal)
    path = (directory or log_dir()) / "psoas.log"
    try:
        make_folder(path.parent)
        opened_up = make_private(path)
        handler = _LogFile(path, max_bytes=1_000_000, keep=3)
    except OSError as error:
        reason = error.strerror or error
        logger.warning(
            "cannot write the log file %s (%s); logging to the terminal only", path, reason
        )
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    if opened_up:
        logger.warning("%s was readable by others; now only you can read it", path)
    return path
