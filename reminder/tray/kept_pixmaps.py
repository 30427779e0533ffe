"""The tray icon's pictures as a StatusNotifierItem sends them, kept on disk once drawn.

Drawing one look of the ring means loading Pillow (about 15 ms) and drawing five sizes; there
are a few dozen looks in all. Each is kept in the cache folder the first time it is drawn, so
every later start reads the look it starts with (a 19 kB file) and shows its icon before Pillow
is loaded at all. The folder's name carries psoas's version and a checksum of the drawing code's
text, so a new psoas never shows an old picture, and the same code finds the same folder wherever
and whenever it was installed; a file that is missing, cut short or unreadable is drawn again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import struct
import zlib
from pathlib import Path

from reminder import __version__
from reminder.paths import make_folder
from reminder.pictures import palette
from reminder.tray import icon
from reminder.tray.icon import IconLook, draw_icon
from reminder.tray.sni import ICON_SIZES, Pixmap, pixmaps

log = logging.getLogger(__name__)

#: Each picture in a kept file: width and height, then its ARGB32 bytes.
_HEADER = struct.Struct("<HH")


class KeptPixmaps:
    """The pixmaps of each look, from ``folder`` when kept there, else drawn and kept."""

    def __init__(self, folder: Path, sizes: tuple[int, ...] = ICON_SIZES) -> None:
        self.folder = folder / f"tray-{_drawing_version()}"
        self.sizes = sizes
        self.drawn = 0  # looks drawn (not read back): what a test counts
        self._pruned = False

    def of(self, look: IconLook) -> list[Pixmap]:
        path = self.folder / f"{look.state}-{look.fill:.4f}.argb"
        kept = _read(path, self.sizes)
        if kept is not None:
            return kept
        drawn = pixmaps(lambda size: draw_icon(look, size), self.sizes)
        self.drawn += 1
        if _keep(path, drawn) and not self._pruned:
            self._pruned = True
            self._forget_older()
        return drawn

    def _forget_older(self) -> None:
        """The pictures an earlier psoas kept are of no more use."""
        for old in self.folder.parent.glob("tray-*"):
            if old != self.folder and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)


def _drawing_version() -> str:
    """psoas's version and a checksum of the drawing code's text: a changed picture gets a new
    folder. Never the file's place or time: a checkout and the copy pip installed from it, or
    a reinstall of the same code, share their pictures."""
    try:
        code = b"".join(Path(module.__file__).read_bytes() for module in (icon, palette))
    except OSError:
        return __version__
    # A cache key, not a secret: crc32 spares loading OpenSSL's hashes into the daemon.
    return f"{__version__}-{zlib.crc32(code):08x}"


def _read(path: Path, sizes: tuple[int, ...]) -> list[Pixmap] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    result: list[Pixmap] = []
    offset = 0
    for size in sizes:
        if len(data) < offset + _HEADER.size:
            return None
        width, height = _HEADER.unpack_from(data, offset)
        offset += _HEADER.size
        end = offset + width * height * 4
        if (width, height) != (size, size) or len(data) < end:
            return None
        result.append((width, height, data[offset:end]))
        offset = end
    return result if offset == len(data) else None


def _keep(path: Path, drawn: list[Pixmap]) -> bool:
    """Write the file whole or not at all; a full disk or a read-only cache costs only the
    time to draw the look again next start."""
    data = b"".join(_HEADER.pack(width, height) + argb for width, height, argb in drawn)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    try:
        make_folder(path.parent)
        part.write_bytes(data)
        part.replace(path)
    except OSError as error:
        log.debug("the tray's pictures are not kept (%s): each is drawn when shown", error)
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        return False
    return True
