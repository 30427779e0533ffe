"""Allows ``python -m reminder``."""

from reminder.cli import main

raise SystemExit(main())
