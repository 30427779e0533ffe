"""``python -m reminder.settings --config FILE``: the settings page's own process, as ``psoas
settings`` starts it."""

import sys

from reminder.settings.server import main

if __name__ == "__main__":  # imported (as the packaging test imports every module), it waits
    sys.exit(main())
