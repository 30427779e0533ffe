"""``psoas doctor``: what psoas can and cannot do on this desktop, and why.

``looks`` (the session, the bus, the idle sources, the tray, the notification server, the busy
signals) and ``files`` (config, history, login and menu entries, a running psoas) gather what is
there, each look on a thread and loop of its own under a deadline (``isolate``), so a frozen
desktop service costs a line saying so, never a hang. ``facts`` is what they saw; ``words`` and
``desktop_words`` turn it into one :class:`~reminder.doctor.report.Part` per thing, with a
verdict and what to do; ``report`` prints them for a person or as JSON for a bug report;
``examine`` runs it all.

The doctor starts nothing: names are looked up on the bus before anything is asked of them (no
D-Bus activation), the history is opened read-only, and a running psoas is only asked its status.
"""
