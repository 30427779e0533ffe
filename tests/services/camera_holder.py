"""Hold open a file the kernel names /dev/video7, as a program using a camera holds its device.

    unshare --mount --propagation private python camera_holder.py

Run in a mount namespace of its own: a tmpfs is mounted over /dev there (never the machine's
/dev), the file made in it and opened; the process then sleeps holding it until it is killed.
"""

import subprocess
import sys
import time
from pathlib import Path

DEVICE = Path("/dev/video7")


def main() -> None:
    subprocess.run(["mount", "-t", "tmpfs", "psoas-test", "/dev"], check=True)
    DEVICE.touch()
    with DEVICE.open("rb"):
        print("ready", flush=True)
        time.sleep(60)


if __name__ == "__main__":
    sys.exit(main())
