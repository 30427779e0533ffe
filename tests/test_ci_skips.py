"""In CI every test runs: a skip there (a missing tool, no root) is a failure, except one about
the operating system itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_skip_fails_in_ci_and_only_there(tmp_path, env):
    (tmp_path / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    (tmp_path / "test_sample.py").write_text(
        "import pytest\n"
        "from desktop_processes import ELSEWHERE\n"
        "def test_needs_a_tool():\n"
        "    pytest.skip('no such tool here')\n"
        "def test_of_another_system():\n"
        "    pytest.skip(f'{ELSEWHERE}Windows only')\n"
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfs", "."]
    env["PYTHONPATH"] = f"{ROOT / 'tests'}:{ROOT}"
    for ci, expected in ((None, "2 skipped"), ("true", "1 failed, 1 skipped")):
        run_env = dict(env)
        run_env.pop("CI", None)
        if ci is not None:
            run_env["CI"] = ci
        done = subprocess.run(command, cwd=tmp_path, env=run_env, capture_output=True, text=True)
        assert expected in done.stdout, done.stdout + done.stderr
    assert "skipped in CI, which must run every test: " in done.stdout
    assert "no such tool here" in done.stdout
