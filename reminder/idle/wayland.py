"""Wayland desktops other than GNOME (KDE Plasma, sway, Hyprland, river, niri, labwc, COSMIC): the
compositor itself says when the user has been idle for a while, and when they are back.

Two protocols say it: ``ext_idle_notifier_v1`` (the standard one, wlroots 0.17+ and KWin 5.27+)
and, where that is missing, ``org_kde_kwin_idle`` (older sway and KWin). Both notify rather than
answer a question, so this source keeps the answer itself:

- the compositor reports "idle" once no input came for ``notice`` seconds: the last input was
  then exactly ``notice`` seconds before, and the idle time grows from there;
- it reports "resumed" the moment input comes back: the idle time is zero, and the daemon is told
  at once (:meth:`watch`), so a return is seen within a second rather than at the next
  look;
- in between, the last input is less than ``notice`` ago and is taken as now. A break is
  therefore dated at most ``notice`` seconds late: see :func:`notice_for`.

An idle inhibitor (a video playing, a presentation) holds the "idle" back, which is right for
sitting: someone watching a film is sitting. Nothing here runs between the compositor's events.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from reminder.bus import Buses
from reminder.bus.wayland import Connection, Global, WaylandError, connect
from reminder.idle.base import OnNews
from reminder.idle.lock import LockWatch

log = logging.getLogger(__name__)

#: The longest the "idle" notice may wait: a break is dated within this of the real last input.
LONGEST_NOTICE = 10.0
#: The shortest: below it, every pause in typing would be a message from the compositor.
SHORTEST_NOTICE = 1.0


@dataclass(frozen=True)
class IdleProtocol:
    """One idle protocol: its global, the request making a notification, its events' names."""

    notifier: str
    version: int
    opcode: int  # the request that makes a notification on the notifier
    notification: str
    idle_event: str
    release_opcode: int  # the notification's destructor

    def request_args(self, seat: int, timeout_ms: int) -> tuple[str, tuple[int, ...]]:
        """The request's signature after the new id, and its arguments."""
        if self.notifier == "org_kde_kwin_idle":
            return "nou", (seat, timeout_ms)  # get_idle_timeout(id, seat, timeout)
        return "nuo", (timeout_ms, seat)  # get_idle_notification(id, timeout, seat)


#: Best first: the standard protocol, then KDE's older one (which sway 1.7 offers alone).
PROTOCOLS = (
    IdleProtocol("ext_idle_notifier_v1", 1, 1, "ext_idle_notification_v1", "idled", 0),
    IdleProtocol("org_kde_kwin_idle", 1, 0, "org_kde_kwin_idle_timeout", "idle", 0),
)


def notice_for(break_seconds: float) -> float:
    """How long without input before the compositor tells: a third of a break (so even the
    shortest break is seen), between one and ten seconds (so a break is dated within ten
    seconds, and typing's short pauses bring no messages)."""
    return min(LONGEST_NOTICE, max(SHORTEST_NOTICE, break_seconds / 3))


def _steady() -> float:
    """The daemon's steady clock (CLOCK_BOOTTIME: a suspend counts as time idle)."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


class WaylandIdleSource:
    """Idle time kept from the compositor's idle and resume events (see the module's docstring).

    Made by :func:`open_wayland`. When the conversation ends (the compositor gone, a global
    withdrawn, a protocol error), the source fails and says so once; asked again later, it
    connects afresh, so a compositor that came back is taken up again.
    """

    name = "wayland"
    tracks_input = True
    tells_returns = True

    def __init__(
        self,
        notice: float,
        lock: LockWatch | None = None,
        environ: Mapping[str, str] | None = None,
        steady: Callable[[], float] = _steady,
    ) -> None:
        self.notice = notice
        self.protocol: IdleProtocol | None = None
        self._lock = lock
        self._environ = environ
        self._steady = steady
        self._connection: Connection | None = None
        self._notification = 0
        self._globals: tuple[int, ...] = ()
        self._idle_since: float | None = None  # when the compositor said "idle"
        self._on_news: OnNews | None = None
        self._failed: str | None = "not connected yet"
        self._closed = False

    @property
    def failure(self) -> str | None:
        """Why the conversation with the compositor ended, while it is ended; else None."""
        return self._failed

    @property
    def description(self) -> str:
        if self.protocol is None:
            return "not connected"
        return f"{self.protocol.notifier}, told after {self.notice:g} s without input"

    async def attach(self) -> None:
        """Connect to the compositor and ask to be told of idleness with the best protocol it
        offers; WaylandError saying why not."""
        connection = await connect(self._environ)
        offered = [p for p in PROTOCOLS if connection.find(p.notifier) is not None]
        try:
            if not offered:
                names = " nor ".join(p.notifier for p in PROTOCOLS)
                raise WaylandError(f"the compositor offers neither {names}")
            self._ask(connection, offered[0])
            await connection.roundtrip()  # the compositor took the request: events will come
        except WaylandError:
            connection.close()
            raise
        old, self._connection = self._connection, connection
        if old is not None:
            old.close()
        self._failed, self._idle_since = None, None

    def _ask(self, connection: Connection, protocol: IdleProtocol) -> None:
        seat = connection.find("wl_seat")
        notifier = connection.find(protocol.notifier)
        if seat is None or notifier is None:
            missing = "wl_seat" if seat is None else protocol.notifier
            raise WaylandError(f"the compositor offers no {missing}")
        self.protocol = protocol
        self._globals = (seat.name, notifier.name)
        seat_id = connection.bind(seat, 1)
        notifier_id = connection.bind(notifier, protocol.version)
        signature, args = protocol.request_args(seat_id, round(self.notice * 1000))
        self._notification = (
            connection.request(
                notifier_id,
                protocol.opcode,
                signature,
                *args,
                makes=(protocol.notification, self._event),
            )
            or 0
        )
        # Only this connection's end counts: one let go of may still say it closed.
        connection.when_closed(lambda why: self._fail_on(connection, why))
        connection.when_global_removed(lambda gone: self._withdrawn(connection, gone))

    async def idle_seconds(self) -> float:
        if self._failed is not None:
            if self._closed:
                raise WaylandError(self._failed)
            await self.attach()  # asked again after a failure: the compositor may be back
        if self._idle_since is None:
            return 0.0
        return self.notice + max(0.0, self._steady() - self._idle_since)

    async def locked(self) -> bool:
        return await self._lock.locked() if self._lock is not None else False

    def watch(self, on_news: OnNews | None) -> None:
        self._on_news = on_news

    def close(self) -> None:
        """Release the notification, then the connection; no more events come."""
        self._on_news = None
        self._closed = True
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._failed is None and self.protocol is not None:
            with contextlib.suppress(WaylandError):
                connection.request(self._notification, self.protocol.release_opcode, "")
        self._fail("the Wayland idle source was closed")
        connection.close()

    def _event(self, event: str, args: tuple) -> None:
        if self.protocol is not None and event == self.protocol.idle_event:
            self._idle_since = self._steady()
        elif event == "resumed":
            was_idle, self._idle_since = self._idle_since is not None, None
            if was_idle:
                self._tell()

    def _withdrawn(self, connection: Connection, removed: Global) -> None:
        if removed.name in self._globals:
            self._fail_on(connection, f"the Wayland compositor withdrew its {removed.interface}")

    def _fail_on(self, connection: Connection, why: str) -> None:
        if connection is self._connection:
            self._fail(why)

    def _fail(self, why: str) -> None:
        if self._failed is None:
            self._failed = why
            self._idle_since = None
            self._tell()

    def _tell(self) -> None:
        if self._on_news is not None:
            self._on_news()


async def open_wayland(
    break_seconds: float,
    lock: LockWatch | None = None,
    environ: Mapping[str, str] | None = None,
) -> WaylandIdleSource:
    """The source on the session's compositor, with the best protocol it offers; WaylandError
    saying why not."""
    source = WaylandIdleSource(notice_for(break_seconds), lock, environ)
    await source.attach()
    log.debug("Wayland idle: %s", source.description)
    return source


async def open_source(buses: Buses, break_seconds: float) -> WaylandIdleSource:
    return await open_wayland(break_seconds, LockWatch(buses))
