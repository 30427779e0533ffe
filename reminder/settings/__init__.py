"""The settings page: psoas's config and progress in the user's browser, served by a short-lived
process of its own on 127.0.0.1 (``psoas settings``, or the tray's Settings… entry).

Nothing here is loaded by the running psoas: its tray starts ``psoas settings`` as another
process, so the daemon's memory stays what it was.
"""
