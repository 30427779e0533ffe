"""Where psoas keeps its files: every path it reads or writes is named here, and only here.

The platform's conventional per-user folders: on Linux and the other XDG desktops the XDG base
directories, read here (four variables and their defaults); on Windows and macOS platformdirs,
which knows their Known Folders and Library layout. (platformdirs on Linux would bring tempfile,
shutil, random, bz2 and lzma along: a megabyte held for as long as psoas runs.) The runtime folder
(socket, lock) is the session's private ``XDG_RUNTIME_DIR``, else a folder of our own in the temp
dir.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from reminder import APP_NAME

#: The macOS LaunchAgent's label, which is also its file's name.
LAUNCH_AGENT_LABEL = "org.psoas.reminder"


def package_data(name: str) -> Path:
    """A file psoas ships beside its code (reminder/data/...): psoas is always installed as
    files, so a plain path does, without importlib.resources and its zip support."""
    return Path(__file__).resolve().parent / "data" / name


#: The XDG base directories psoas uses, and where each is when its variable is not set.
XDG_DEFAULTS = {
    "XDG_CONFIG_HOME": ".config",
    "XDG_DATA_HOME": ".local/share",
    "XDG_STATE_HOME": ".local/state",
    "XDG_CACHE_HOME": ".cache",
}


def xdg_home(variable: str) -> Path:
    """An XDG base directory: the variable's value when it is an absolute path (the spec says a
    relative one is to be ignored), else its default under the home folder."""
    value = os.environ.get(variable, "")
    if os.path.isabs(value):
        return Path(value)
    return Path.home() / XDG_DEFAULTS[variable]


def _uses_xdg() -> bool:
    return sys.platform not in ("win32", "darwin")


def config_file() -> Path:
    if _uses_xdg():
        return xdg_home("XDG_CONFIG_HOME") / APP_NAME / "config.toml"
    import platformdirs

    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "config.toml"


def log_dir() -> Path:
    if _uses_xdg():
        return xdg_home("XDG_STATE_HOME") / APP_NAME / "log"
    import platformdirs

    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    if _uses_xdg():
        return xdg_home("XDG_CACHE_HOME") / APP_NAME
    import platformdirs

    return platformdirs.user_cache_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    if _uses_xdg():
        return xdg_home("XDG_DATA_HOME") / APP_NAME
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def chart_file() -> Path:
    """The week's chart the tray draws and opens."""
    return cache_dir() / "week.png"


def pictures_dir() -> Path:
    """The stretch pictures, drawn once and kept."""
    return cache_dir() / "pictures"


def app_icon_file() -> Path:
    """psoas's icon for the application menu and the login entry: kept, unlike the cache."""
    return data_dir() / "psoas.png"


def menu_entry_file() -> Path:
    """The application-menu entry (freedesktop: ``$XDG_DATA_HOME/applications``)."""
    return xdg_home("XDG_DATA_HOME") / "applications" / f"{APP_NAME}.desktop"


def autostart_file(platform: str | None = None, home: Path | None = None) -> Path:
    """The entry that starts psoas at login: an XDG autostart file, a LaunchAgent, or a file in
    the Windows Startup folder."""
    platform = platform or sys.platform
    home = home or Path.home()
    if platform == "darwin":
        return home / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"
    if platform == "win32":
        appdata = Path(os.environ.get("APPDATA", home / "AppData" / "Roaming"))
        return (
            appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / "psoas.cmd"
        )
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    return config / "autostart" / f"{APP_NAME}.desktop"


def user_bin_dir() -> Path:
    """Where a user's own commands go (XDG: ``~/.local/bin``); Debian's and Ubuntu's
    ``~/.profile`` put it on PATH when it exists at login."""
    return Path.home() / ".local" / "bin"


def command_link() -> Path:
    """The ``psoas`` command that ``./bootstrap`` links to its virtual environment's."""
    return user_bin_dir() / APP_NAME


def history_file() -> Path:
    return data_dir() / "history.sqlite3"


def journal_file() -> Path:
    """What the history could not take when psoas stopped, until the next start writes it in."""
    return data_dir() / "history.pending"


def control_key_file() -> Path:
    """The Windows control channel's secret (see reminder.control.pipe)."""
    return data_dir() / "control.key"


def runtime_dir() -> Path:
    """A folder only this user can enter: the session's runtime folder, else one in the temp dir."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isdir(base):
        return Path(base) / APP_NAME
    import tempfile  # only here: it loads shutil, random, bz2 and lzma with it

    return Path(tempfile.gettempdir()) / f"{APP_NAME}-{user_id()}"


#: Bytes in a Unix socket's path, its final NUL included (Linux; the BSDs and macOS allow 104).
SOCKET_PATH_MAX = 108 if sys.platform.startswith("linux") else 104


def socket_file(folder: Path | None = None) -> Path:
    return (folder or runtime_dir()) / "psoas.sock"


def socket_path_fits(path: Path) -> bool:
    """Whether a Unix socket can have this path (connect and bind refuse longer ones)."""
    return len(os.fsencode(path)) < SOCKET_PATH_MAX


def lock_file(folder: Path | None = None) -> Path:
    return (folder or runtime_dir()) / "psoas.lock"


def user_id() -> int:
    return os.getuid() if hasattr(os, "getuid") else 0


def make_folder(folder: Path) -> Path:
    """``folder``, made with each missing parent as XDG asks, 0700: what psoas keeps (a history,
    a log, its pictures) is its user's alone. A folder that exists is left as it is. (Path.mkdir
    gives the parents it makes the default mode.)"""
    try:
        folder.mkdir(mode=0o700)
    except FileNotFoundError:
        if folder.parent == folder:
            raise
        make_folder(folder.parent)
        make_folder(folder)
    except FileExistsError:
        if not folder.is_dir():
            raise
    return folder


def make_private(path: Path) -> bool:
    """Take away what others may do with an existing file; whether there was anything to take
    (a missing file is left missing; on Windows, which has no such modes, nothing)."""
    if sys.platform == "win32":
        return False
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return False
    if not mode & 0o077:
        return False
    os.chmod(path, mode & 0o700)
    return True


def private_opener(path: str, flags: int) -> int:
    """For ``open(..., opener=private_opener)``: a file it creates is 0600."""
    return os.open(path, flags, 0o600)


class NotPrivate(OSError):
    """A folder psoas will not keep its lock and socket in: the message says why."""


def private_dir(folder: Path) -> Path:
    """Make sure ``folder`` exists and only this user can enter it; OSError saying why not
    (:class:`NotPrivate` for a folder that is not safely this user's).

    Without a session runtime folder the folder is in the temp folder, which every user shares:
    someone else may have made it first, or psoas's own may have been opened to all. Either way
    others could put a lock or a socket in it, or take psoas's away, and two psoas would run
    unaware of each other: such a folder is refused, never repaired. One only others may read is
    closed to them, since nothing can have been put in it.
    """
    try:
        make_folder(folder)
    except OSError as error:
        raise OSError(f"{folder}: cannot be used ({error.strerror or error})") from None
    info = check_private(folder)
    if info.st_mode & 0o077:
        os.chmod(folder, 0o700)
    return folder


def check_private(folder: Path) -> os.stat_result:
    """``folder``'s own details if it is safely this user's: a folder (not a link to one), theirs,
    that nobody else may write in, in a parent where nobody else may rename it; else
    :class:`NotPrivate` saying which."""
    try:
        info, parent = folder.lstat(), folder.parent.stat()
    except OSError as error:
        raise OSError(f"{folder}: cannot be used ({error.strerror or error})") from None
    if not stat.S_ISDIR(info.st_mode):
        raise NotPrivate(f"{folder}: not a folder; refusing to use it")
    if sys.platform == "win32":  # no owners or modes to read: the user's profile guards it
        return info
    if info.st_uid != user_id():
        raise NotPrivate(f"{folder}: belongs to uid {info.st_uid}, not to you; refusing to use it")
    if info.st_mode & 0o022:
        raise NotPrivate(
            f"{folder}: others may write in it (mode {stat.S_IMODE(info.st_mode):o}); "
            "refusing to use it"
        )
    if parent.st_mode & 0o022 and not parent.st_mode & stat.S_ISVTX:
        raise NotPrivate(
            f"{folder}: others may replace it ({folder.parent} is writable by others without "
            "the sticky bit); refusing to use it"
        )
    return info
