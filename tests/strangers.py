"""Acting as another user: root reads every file whatever its mode, so tests of "permission
denied" run a psoas command in a forked child that has become someone else."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from reminder.cli.main import main

STRANGER = 65534  # nobody: a user who may not read what another user locked away


def as_stranger(home: Path, *args: str, runtime: Path | None = None) -> tuple[int, str, str]:
    """``psoas ARGS`` (exit status, stdout, stderr) run by a user whose home is ``home``.

    Root may read any file whatever its mode, so when the tests run as root the command runs in
    a forked child that has become another user first (a new ``python`` could not be started as
    that user: this interpreter lives under /root). Without root, the tests' user is the stranger.
    Load what the command needs before (a stranger cannot read this interpreter's library).
    """
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 70
        try:
            if os.getuid() == 0:
                os.setgroups([])
                os.setgid(STRANGER)
                os.setuid(STRANGER)
            os.dup2(out_write, 1)
            os.dup2(err_write, 2)
            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
            os.environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"))
            os.environ.update(XDG_STATE_HOME=str(home / "state"), XDG_DATA_HOME=str(home / "data"))
            os.environ.update(XDG_RUNTIME_DIR=str(runtime or home))
            code = main(list(args))
        except BaseException:  # what the user would see: the traceback, for the test to catch
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(out_write)
    os.close(err_write)
    with open(out_read) as out, open(err_read) as err:
        stdout, stderr = out.read(), err.read()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), stdout, stderr
