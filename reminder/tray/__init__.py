"""The tray: what it shows and does (``model``, ``menu``, ``icon``), and the front-ends that draw
it: ``sni_tray`` (a StatusNotifierItem over D-Bus, on Linux) and ``pystray_tray`` (Windows, macOS
and XEmbed-only panels, through pystray); ``choice`` picks one, in one place."""
