"""The user's config file as the settings page reads, checks and writes it.

Checking is ``psoas config check``'s own parser, run on the file as it would be written; writing
goes through tomlkit, which keeps every comment, blank line, key order and number format the user
had, and changes only the values that changed on the page. The file is replaced atomically, and
never over a version the page did not see.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.exceptions
from tomlkit.items import InlineTable, Table

from reminder.catalogue.model import Catalogue
from reminder.config import example_text, parse_config
from reminder.config.checks import ConfigError
from reminder.errors import read_user_file
from reminder.paths import make_folder
from reminder.settings.fields import FIELDS, FormValue, raw_value, shown, submitted, to_file
from reminder.system.files import sync_folder

#: The stamp of a file that is not there.
ABSENT = "absent"
#: Where a problem that belongs to no one field is shown.
WHOLE_FILE = ""


@dataclass(frozen=True)
class ConfigFile:
    """The file as the page saw it: its text (None when there is none yet), a stamp of its bytes
    to tell whether it changed since, and the one line that says why it cannot be edited."""

    path: Path
    text: str | None
    stamp: str
    newline: str = "\n"
    problem: str | None = None

    @property
    def origin(self) -> str:
        """The file's name as the config's messages begin with it."""
        return str(self.path)


def read(path: Path) -> ConfigFile:
    """The file at ``path`` now."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if not os.path.islink(path):
            return ConfigFile(path, None, ABSENT)
        data = b""
    except OSError:
        data = b""
    stamp = hashlib.sha256(data).hexdigest()
    newline = "\r\n" if b"\r\n" in data else "\n"
    try:
        text = read_user_file(path, "config file", ConfigError)  # its checks, its words
        tomlkit.parse(text)
    except ConfigError as error:
        return ConfigFile(path, None, stamp, newline, str(error))
    except tomlkit.exceptions.TOMLKitError:
        try:
            parse_config(text, str(path))
        except ConfigError as error:  # the line ``psoas config check`` would say
            return ConfigFile(path, None, stamp, newline, str(error))
        return ConfigFile(path, None, stamp, newline, f"{path}: not valid TOML")
    return ConfigFile(path, text, stamp, newline)


def values(file: ConfigFile, stretch_ids: Sequence[str]) -> dict[str, FormValue]:
    """What the page shows in each field for the file as it is."""
    data = tomlkit.parse(file.text).unwrap() if file.text is not None else {}
    return {field.key: shown(field, raw_value(data, field), stretch_ids) for field in FIELDS}


def form_values(
    form: Mapping[str, Sequence[str]], stretch_ids: Sequence[str]
) -> dict[str, FormValue]:
    """What the page sent for each field."""
    return {field.key: submitted(field, form, stretch_ids) for field in FIELDS}


def with_changes(file: ConfigFile, changes: Mapping[str, Any]) -> str:
    """The file's text with ``changes`` (key: value) made and everything else as it was; a
    missing file starts from the commented example, as ``psoas config init`` writes it."""
    doc = tomlkit.parse(file.text if file.text is not None else example_text())
    for key, value in changes.items():
        table, _, name = key.rpartition(".")
        if not table:
            doc[name] = value
            continue
        if table not in doc:
            doc[table] = tomlkit.table()
        holder = doc[table]
        if isinstance(holder, Table | InlineTable):  # else the file's own mistake, said already
            holder[name] = value
    return tomlkit.dumps(doc)


def check(text: str, origin: str, catalogue: Catalogue) -> None:
    """ConfigError in ``psoas config check``'s words, for the first problem of ``text``."""
    desk = [stretch.id for stretch in catalogue.allowed("desk", ())]
    parse_config(text, origin, stretch_ids=list(catalogue.stretches), desk_ids=desk)


def field_of(message: str, origin: str) -> str:
    """The field a config error is about ("hours.days: ..." is about hours.days), else
    :data:`WHOLE_FILE`."""
    said = message.removeprefix(f"{origin}: ")
    for field in sorted(FIELDS, key=lambda f: -len(f.key)):
        if said.startswith(field.key) and said[len(field.key) : len(field.key) + 1] in " :":
            return field.key
    return WHOLE_FILE


@dataclass(frozen=True)
class Outcome:
    """What a save would do: the new text (None when nothing changed), or a line per field."""

    text: str | None
    errors: dict[str, str]


def validate(file: ConfigFile, sent: Mapping[str, FormValue], catalogue: Catalogue) -> Outcome:
    """Check the file as the page would write it. A field left as it was is not written, so
    nothing changes in the file but what the user changed. Each field in error gets its own line:
    one found, that field is set back and the file checked again, until no other is found."""
    stretch_ids = list(catalogue.stretches)
    before = values(file, stretch_ids)
    fields = {field.key: field for field in FIELDS}
    changes = {
        key: to_file(fields[key], value, stretch_ids)
        for key, value in sent.items()
        if key in fields and value != before[key]
    }
    errors: dict[str, str] = {}
    trial = dict(changes)
    for _ in range(len(FIELDS) + 1):
        try:
            check(with_changes(file, trial), file.origin, catalogue)
            break
        except ConfigError as error:
            key = field_of(str(error), file.origin)
            errors.setdefault(key, str(error).removeprefix(f"{file.origin}: "))
            if key not in trial:
                break
            del trial[key]
    if errors:
        return Outcome(None, errors)
    return Outcome(with_changes(file, changes) if changes else None, {})


def write(file: ConfigFile, text: str) -> None:
    """Replace the file with ``text`` in one step (a reader sees the old file or the new, never
    half of one), with the line endings and permissions it had. A symbolic link is kept: the
    file it leads to is the one replaced. OSError when it cannot be."""
    target = Path(os.path.realpath(file.path))
    make_folder(target.parent)
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    data = text.replace("\n", file.newline).encode("utf-8")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with open(descriptor, "wb") as out:
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), mode)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)  # only still there if something failed
    sync_folder(target.parent)
