"""The ``psoas`` command in ``~/.local/bin``: a link to the one in a virtual environment, which
``./bootstrap`` makes so that a new terminal finds psoas.

Only a link that ``./bootstrap`` made (one to a ``.venv/bin/psoas``, say from a checkout since
moved) is ever replaced. Any other ``psoas`` there, pipx's or a file of the user's, is left as it
is, and this says so. Run by ``./bootstrap`` as ``python -m reminder.install.command_link TARGET``.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from reminder import APP_NAME, paths

#: What every link ``./bootstrap`` makes points to, whichever checkout it was run in.
BOOTSTRAP_TARGET_END = f"/.venv/bin/{APP_NAME}"


def place_link(target: Path, link: Path) -> str:
    """Make ``link`` point to ``target`` unless something not ours is there; one line saying
    what was done."""
    if os.path.islink(link):
        pointed = os.readlink(link)
        if Path(pointed) == target:
            return f"{link} -> {target} (already)"
        if not pointed.endswith(BOOTSTRAP_TARGET_END):
            return _not_ours(link, f"a link to {pointed}", target)
        _symlink(target, link)
        return f"{link} -> {target} (it pointed to {pointed})"
    if os.path.lexists(link):
        what = "a folder" if link.is_dir() else "a file"
        return _not_ours(link, what, target)
    paths.make_folder(link.parent)
    _symlink(target, link)
    return f"{link} -> {target}"


def _not_ours(link: Path, what: str, target: Path) -> str:
    return (
        f"{link} is already there and is not ours ({what}); left as it is, so 'psoas' runs that "
        f"one; this psoas is {target}"
    )


def _symlink(target: Path, link: Path) -> None:
    """Point ``link`` at ``target`` in one step: a new link renamed over the old one."""
    temporary = link.with_name(f".{link.name}.new")
    if os.path.lexists(temporary):
        temporary.unlink()
    temporary.symlink_to(target)
    temporary.replace(link)


def _same_folder(entry: str, folder: Path) -> bool:
    if not entry:
        return False
    try:
        return Path(entry) == folder or Path(entry).resolve() == folder.resolve()
    except OSError:
        return False


def path_notes(link: Path, search_path: str) -> list[str]:
    """What to say when a new terminal would not find ``link`` as ``psoas``."""
    folder = link.parent
    entries = search_path.split(os.pathsep)
    if not any(_same_folder(entry, folder) for entry in entries):
        return [
            f"{folder} is not on the PATH here: if a new terminal says 'psoas: command not "
            "found', log out and back in (the ~/.profile of Debian and Ubuntu adds that folder "
            "when it exists), or add this line to ~/.profile: "
            'export PATH="$HOME/.local/bin:$PATH"'
        ]
    found = shutil.which(APP_NAME, path=search_path)
    if found and not _same_folder(str(Path(found).parent), folder):
        return [f"note: 'psoas' in a terminal runs {found}, which comes before {folder} on PATH"]
    return []


def pipx_note(link: Path) -> str:
    """What to do to change to pipx later: a plain ``pipx install .`` finds this link in its
    place, leaves it, and still says done."""
    return (
        f"to change to pipx's psoas later, use pipx install --force . (a plain pipx install . "
        f"leaves {link} as it is and says done, and psoas stays this one)"
    )


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if len(arguments) != 1:
        usage = "usage: python -m reminder.install.command_link /path/to/.venv/bin/psoas"
        print(usage, file=sys.stderr)
        return 2
    target = Path(arguments[0]).absolute()
    link = paths.command_link()
    try:
        print(place_link(target, link))
    except OSError as error:
        print(f"{link}: cannot make the link ({error.strerror or error})", file=sys.stderr)
        return 1
    if os.path.islink(link) and Path(os.readlink(link)) == target:
        print(pipx_note(link))
    for note in path_notes(link, os.environ.get("PATH", "")):
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
