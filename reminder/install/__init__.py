"""Installing psoas into a desktop: the login entry, the application menu's entry, the psoas
command on PATH."""
