"""The running psoas: its start (the icon first), the parts put together in one place, the daemon's
loop around the core, one instance per user, its log."""
