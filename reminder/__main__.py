"""Allows ``python -m reminder``."""

from reminder.cli.main import main

raise SystemExit(main())
