"""``python -m reminder.settings --config FILE``: the settings page's own process, as ``psoas
settings`` starts it."""

import sys

from reminder.settings.server import main

sys.exit(main())
