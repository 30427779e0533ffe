#!/bin/bash
# A manual check that the tests never reach the user's own psoas (conftest.private_env).
#
# A stand-in for the user's psoas runs in an outer environment of its own making (a home and,
# with "runtime", a runtime folder, or without one the temp folder where psoas then keeps its
# socket, as on a machine with no XDG_RUNTIME_DIR); then the test files given run in that same
# environment. Afterwards the user's psoas must still be running, untouched: the same pid,
# sitting, nothing paused or snoozed, nothing in its history; and the tests must pass (a test
# psoas that met the user's would say "already running").
#
#   tests/outer_check.sh runtime|tmp [TEST FILE...]    (default: the command-line tests)
#
# Paths are kept short: a Unix socket's path may not be longer than 107 bytes.
set -u
VARIANT=$1
shift
TESTS=("$@")
[ ${#TESTS[@]} -eq 0 ] && TESTS=(tests/test_cli.py tests/test_control.py tests/test_limits.py
    tests/test_history.py tests/test_private_env.py tests/test_restart.py)
TREE=$(cd "$(dirname "$0")/.." && pwd)
PY=$TREE/.venv-test/bin/python
O=$(mktemp -d /tmp/oc-XXXX)
mkdir -p "$O/home" "$O/tmp"
chmod 755 "$O" && chmod 1777 "$O/tmp"  # as /tmp is: tests hand folders there to another user
mkdir -m 700 "$O/run"
export HOME=$O/home XDG_CONFIG_HOME=$O/home/.config XDG_DATA_HOME=$O/home/.local/share
export XDG_STATE_HOME=$O/home/.local/state XDG_CACHE_HOME=$O/home/.cache TMPDIR=$O/tmp
unset XDG_RUNTIME_DIR DISPLAY WAYLAND_DISPLAY
export DBUS_SESSION_BUS_ADDRESS=unix:path=$O/no-bus
[ "$VARIANT" = runtime ] && export XDG_RUNTIME_DIR=$O/run
printf 'sit_minutes = 30\nidle_source = "none"\n[hours]\nstart = "00:00"\nend = "24:00"\n' \
    >"$O/user.toml"
printf 'days = ["mon","tue","wed","thu","fri","sat","sun"]\n' >>"$O/user.toml"
"$PY" -m reminder run --headless --config "$O/user.toml" 2>"$O/user.err" &
USER_PID=$!
for _ in $(seq 100); do
    "$PY" -m reminder status --json >"$O/before.json" 2>/dev/null && break
    sleep 0.1
done
echo "the user's psoas: pid $USER_PID, socket in $(ls -d "$O"/run/psoas "$O"/tmp/psoas-* 2>/dev/null)"
(cd "$TREE" && "$PY" -m pytest -q -p no:cacheprovider "${TESTS[@]}" >"$O/tests.out")
TESTS_STATUS=$?
tail -3 "$O/tests.out"
"$PY" -m reminder status --json >"$O/after.json"
"$PY" - "$O" "$USER_PID" <<'PY'
import json, pathlib, sqlite3, sys

outer, pid = pathlib.Path(sys.argv[1]), int(sys.argv[2])
before = json.loads((outer / "before.json").read_text())
after = json.loads((outer / "after.json").read_text())
history = outer / "home/.local/share/psoas/history.sqlite3"
kinds = [k for (k,) in sqlite3.connect(history).execute("SELECT kind FROM events")] if history.exists() else []
untouched = (
    after["pid"] == pid
    and after["state"] == "sitting"
    and after["paused_until"] is None
    and after["next_prompt"] == before["next_prompt"]
    and kinds == []
)
print(f"the user's psoas afterwards: {after['state']}, pid {after['pid']}, history {kinds}:",
      "untouched" if untouched else "TOUCHED")
sys.exit(0 if untouched else 1)
PY
STATUS=$?
kill "$USER_PID"
wait "$USER_PID"
rm -rf "$O"
[ $TESTS_STATUS -eq 0 ] && exit $STATUS
exit $TESTS_STATUS
