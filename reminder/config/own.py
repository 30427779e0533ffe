"""The user's own stretches and routines (``stretches.toml`` beside the config, or the file
``[stretches] file`` names), read with the config: the config's stretch ids are checked against
the shipped catalogue and the user's together.

The default file may be absent (most users have none); a file the config names must be there.
Every mistake in it is one line naming the file and the culprit, as in the shipped catalogue.
"""

from __future__ import annotations

import os
from pathlib import Path

from reminder.catalogue.loader import with_own
from reminder.catalogue.model import Catalogue
from reminder.config import STRETCHES_FILE, Config, find_config, load_config
from reminder.config.checks import ConfigError
from reminder.errors import read_user_file
from reminder.paths import config_file


class StretchesFileError(ConfigError):
    """A mistake in the user's own stretches file: their stretches cannot be passed over."""


def own_stretches_file(config: Config, found: Path | None) -> Path:
    """Where the user's own stretches are: ``config.stretches_file`` (~ for the home), a path
    without a folder being beside the config file (or where the default config would be)."""
    named = Path(os.path.expanduser(config.stretches_file))
    beside = (found if found is not None else config_file()).parent
    return named if named.is_absolute() else beside / named


def read_config_and_catalogue(
    explicit: Path | None, shipped: Catalogue
) -> tuple[Config, Catalogue]:
    """The config psoas runs on and the catalogue it prompts from: the shipped one with the
    user's own stretches and routines added. ConfigError (one line) for any problem in either."""
    found = find_config(explicit)
    first = load_config(found)  # every check but the stretch ids, which need the catalogue
    catalogue = with_own_stretches(first, found, shipped)
    desk = [stretch.id for stretch in catalogue.allowed("desk", ())]
    config = load_config(found, stretch_ids=list(catalogue.stretches), desk_ids=desk)
    return config, catalogue


def with_own_stretches(config: Config, found: Path | None, shipped: Catalogue) -> Catalogue:
    """The shipped catalogue with the stretches file ``config`` names (read from beside
    ``found``, the config file) added; StretchesFileError (one line) if it cannot be read."""
    path = own_stretches_file(config, found)
    if config.stretches_file == STRETCHES_FILE and not path.exists() and not os.path.islink(path):
        return shipped  # the default file, plainly not there: no stretches of one's own
    text = read_user_file(path, "stretches file", StretchesFileError)
    try:
        return with_own(shipped, text, str(path))
    except ValueError as error:
        raise StretchesFileError(str(error)) from None


def catalogue_for_page(config_path: Path, shipped: Catalogue) -> Catalogue:
    """The catalogue the settings page shows for ``config_path`` (which need not exist yet):
    with the user's own stretches where the config and they can be read, else the shipped one
    (the page says itself what is wrong with the config)."""
    try:
        config = load_config(config_path) if config_path.exists() else Config()
        return with_own_stretches(config, config_path, shipped)
    except ConfigError:
        return shipped
