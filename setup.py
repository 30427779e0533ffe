"""psoas's one build step: each language's catalogue compiled from its ``.po`` (the source, kept
in reminder/data/locale) into the ``.mo`` the wheel ships, by psoas's own pure-Python writer
(reminder/language/po.py). So ``pip install .`` and ``pipx install .`` need no compiler, no
system msgfmt and no Babel. Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
LOCALE = Path("reminder", "data", "locale")


def _po_tools():
    """reminder/language/po.py on its own: importing the package would need its dependencies,
    which a build does not have."""
    source = HERE / "reminder" / "language" / "po.py"
    spec = importlib.util.spec_from_file_location("psoas_build_po", source)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


class BuildWithCatalogues(build_py):
    """build_py, then a ``.mo`` beside the package's data for each ``.po``."""

    def run(self) -> None:
        super().run()
        po = _po_tools()
        target = Path(self.build_lib) / LOCALE
        target.mkdir(parents=True, exist_ok=True)
        for source in sorted((HERE / LOCALE).glob("*.po")):
            compiled = po.compile_mo(po.parse_po(source.read_text("utf-8")))
            (target / f"{source.stem}.mo").write_bytes(compiled)
        # The sdist's MANIFEST.in brings the sources along and setuptools copies them despite
        # exclude-package-data: the wheel runs from the .mo, so they go here.
        for stale in (*target.glob("*.po"), *target.glob("*.pot")):
            stale.unlink()


setup(cmdclass={"build_py": BuildWithCatalogues})
