"""The Wayland idle source against a scripted compositor: the requests it makes, the idle time it
keeps from the compositor's events, and every way the compositor can let it down.

The real compositors (sway, KWin) are in test_wayland_e2e.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wayland_script import ScriptedCompositor, message, string, words

from reminder.bus.wayland import WaylandError, decode, encode, socket_path
from reminder.idle import IdleChoice, choose
from reminder.idle.wayland import LONGEST_NOTICE, SHORTEST_NOTICE, notice_for, open_wayland

BOTH = [("wl_seat", 7), ("ext_idle_notifier_v1", 2), ("org_kde_kwin_idle", 1)]
KDE_ONLY = [("wl_compositor", 4), ("wl_seat", 5), ("org_kde_kwin_idle", 1)]

# Opcodes of the requests and events, as the protocol files number them.
GET_IDLE_NOTIFICATION, GET_IDLE_TIMEOUT, RELEASE = 1, 0, 0
IDLED, RESUMED = 0, 1


class SteadyClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def env_for(tmp_path):
    return {"XDG_RUNTIME_DIR": str(tmp_path), "WAYLAND_DISPLAY": "wayland-test"}


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 10))


async def opened(tmp_path, offered, break_seconds=30.0, **script):
    compositor = ScriptedCompositor(tmp_path / "wayland-test", offered, **script)
    await compositor.__aenter__()
    source = await open_wayland(break_seconds, environ=env_for(tmp_path))
    clock = SteadyClock()
    source._steady = clock
    news: list[str] = []
    source.watch(lambda: news.append("news"))
    return compositor, source, clock, news


def test_ext_idle_notifier_is_preferred_and_asked_for_the_notice_on_the_seat(tmp_path):
    async def scenario():
        compositor, source, _, _ = await opened(tmp_path, BOTH, break_seconds=30.0)
        async with compositor:
            assert source.protocol.notifier == "ext_idle_notifier_v1"
            seat_id, seat_version = compositor.binds["wl_seat"]
            notifier_id, notifier_version = compositor.binds["ext_idle_notifier_v1"]
            assert "org_kde_kwin_idle" not in compositor.binds
            assert (seat_version, notifier_version) == (1, 1)  # no more than psoas speaks
            request = compositor.made((notifier_id, GET_IDLE_NOTIFICATION))
            assert request is not None
            new_id, timeout_ms, seat = struct.unpack("=III", request.body)
            assert (timeout_ms, seat) == (10_000, seat_id)  # a third of 30 s
            assert new_id not in (seat_id, notifier_id, 1)
            source.close()
            await compositor.wait_for(lambda: compositor.made((new_id, RELEASE)))

    run(scenario())


def test_kde_idle_is_used_where_it_is_the_only_one_with_its_own_argument_order(tmp_path):
    async def scenario():
        compositor, source, _, _ = await opened(tmp_path, KDE_ONLY, break_seconds=6.0)
        async with compositor:
            assert source.protocol.notifier == "org_kde_kwin_idle"
            seat_id, _ = compositor.binds["wl_seat"]
            kde_id, _ = compositor.binds["org_kde_kwin_idle"]
            request = compositor.made((kde_id, GET_IDLE_TIMEOUT))
            _, seat, timeout_ms = struct.unpack("=III", request.body)
            assert (seat, timeout_ms) == (seat_id, 2_000)
            source.close()

    run(scenario())


def test_idle_time_is_kept_from_the_compositors_events(tmp_path):
    async def scenario():
        compositor, source, clock, news = await opened(tmp_path, BOTH, break_seconds=30.0)
        async with compositor:
            notifier_id, _ = compositor.binds["ext_idle_notifier_v1"]
            notification = struct.unpack_from(
                "=I", compositor.made((notifier_id, GET_IDLE_NOTIFICATION)).body
            )[0]
            assert await source.idle_seconds() == 0.0  # no word yet: the last input is recent

            compositor.send_event(notification, IDLED)
            await asyncio.sleep(0.05)
            assert await source.idle_seconds() == 10.0  # told after 10 s without input
            clock.t += 95
            assert await source.idle_seconds() == 105.0
            assert news == []  # going idle needs no look: the core's own clock covers it

            compositor.send_event(notification, RESUMED)
            await asyncio.sleep(0.05)
            assert await source.idle_seconds() == 0.0
            assert news == ["news"]  # the return is said at once
            compositor.send_event(notification, RESUMED)  # said twice: only one return
            await asyncio.sleep(0.05)
            assert news == ["news"]
            source.close()

    run(scenario())


def test_the_compositor_going_away_fails_the_source_and_says_so(tmp_path):
    async def scenario():
        compositor, source, _, news = await opened(tmp_path, BOTH)
        async with compositor:
            compositor.hang_up()
            await asyncio.sleep(0.05)
            assert "closed the connection" in source.failure
            assert news == ["news"]  # the daemon looks
            await compositor.__aexit__()  # the compositor is gone for good
            with pytest.raises(WaylandError, match="cannot reach the Wayland compositor"):
                await source.idle_seconds()  # asked, it tries again: the daemon replaces it
            source.close()  # closing a failed source is fine

    run(scenario())


def test_a_removed_global_fails_the_source_only_when_it_is_one_it_uses(tmp_path):
    async def scenario():
        compositor, source, _, news = await opened(tmp_path, BOTH)
        async with compositor:
            remove = compositor.registry
            compositor.send_event(remove, 1, words(compositor.global_name("org_kde_kwin_idle")))
            await asyncio.sleep(0.05)
            assert await source.idle_seconds() == 0.0 and news == []
            compositor.send_event(remove, 1, words(compositor.global_name("ext_idle_notifier_v1")))
            await asyncio.sleep(0.05)
            assert "withdrew its ext_idle_notifier_v1" in source.failure
            assert news == ["news"]
            source.close()

    run(scenario())


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        (struct.pack("=II", 1, 6 << 16), "malformed message"),  # shorter than its own header
        (message(2, 0, words(9) + struct.pack("=I", 40) + b"x" * 8), "runs past the message"),
        (message(2, 0, words(9) + string("wl_seat")), "ends inside an argument"),
        (message(2, 0, words(9) + struct.pack("=I", 4) + b"abcd" + words(1)), "not ended by NUL"),
        (message(2, 1, words(1, 2)), "longer than its arguments"),
        (message(1, 0, words(2, 3) + string("invalid object")), "error 3: invalid object"),
    ],
)
def test_a_malformed_event_or_a_protocol_error_fails_the_source_cleanly(tmp_path, bad, why):
    async def scenario():
        compositor, source, _, news = await opened(tmp_path, BOTH)
        async with compositor:
            assert compositor.registry == 2
            compositor.send(bad)
            await asyncio.sleep(0.05)
            assert why in source.failure
            assert news == ["news"]
            source.close()

    run(scenario())


def test_asked_after_a_failure_the_source_takes_up_a_compositor_that_is_back(tmp_path):
    async def scenario():
        compositor, source, _, news = await opened(tmp_path, BOTH)
        async with compositor:
            compositor.hang_up()
            await asyncio.sleep(0.05)
            assert source.failure is not None and news == ["news"]
        back = ScriptedCompositor(tmp_path / "wayland-test", KDE_ONLY)
        async with back:
            assert await source.idle_seconds() == 0.0  # connected afresh
            assert source.failure is None
            assert source.protocol.notifier == "org_kde_kwin_idle"
            kde_id, _ = back.binds["org_kde_kwin_idle"]
            notification = struct.unpack_from("=I", back.made((kde_id, GET_IDLE_TIMEOUT)).body)[0]
            back.send_event(notification, 0)  # idle
            await asyncio.sleep(0.05)
            assert await source.idle_seconds() == 10.0
            source.close()

    run(scenario())


def test_unknown_events_and_objects_are_passed_over(tmp_path):
    async def scenario():
        compositor, source, _, _ = await opened(tmp_path, BOTH)
        async with compositor:
            notifier_id, _ = compositor.binds["ext_idle_notifier_v1"]
            notification = struct.unpack_from(
                "=I", compositor.made((notifier_id, GET_IDLE_NOTIFICATION)).body
            )[0]
            compositor.send_event(notification, 7, words(1, 2, 3))  # a newer version's event
            compositor.send_event(4242, 0, words(1))  # an object psoas never had
            compositor.send_event(notification, IDLED)
            await asyncio.sleep(0.05)
            assert await source.idle_seconds() == 10.0  # still listening after both
            source.close()

    run(scenario())


def test_a_compositor_without_an_idle_protocol_is_passed_over_with_why(tmp_path):
    async def scenario():
        offered = [("wl_compositor", 4), ("wl_seat", 7)]
        async with ScriptedCompositor(tmp_path / "wayland-test", offered):
            with pytest.raises(WaylandError, match="neither ext_idle_notifier_v1 nor org_kde"):
                await open_wayland(300, environ=env_for(tmp_path))

    run(scenario())


@pytest.mark.slow
def test_a_compositor_that_never_answers_is_given_up_on_in_time(tmp_path):
    async def scenario():
        async with ScriptedCompositor(tmp_path / "wayland-test", BOTH, answer_sync=False):
            loop = asyncio.get_running_loop()
            started = loop.time()
            with pytest.raises(WaylandError, match="no answer within"):
                await open_wayland(300, environ=env_for(tmp_path))
            assert loop.time() - started < 3

    run(scenario())


def test_no_compositor_is_one_clear_reason(tmp_path):
    with pytest.raises(
        WaylandError, match=r"cannot reach the Wayland compositor at .*wayland-test"
    ):
        run(open_wayland(300, environ=env_for(tmp_path)))
    with pytest.raises(WaylandError, match="XDG_RUNTIME_DIR is not set"):
        socket_path({"WAYLAND_DISPLAY": "wayland-0"})
    assert str(socket_path({"WAYLAND_DISPLAY": "/run/w/sock"})) == "/run/w/sock"


def test_auto_takes_the_compositor_on_a_wayland_session_and_says_what_it_passed_over(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-test")
    monkeypatch.setenv("DISPLAY", ":7")  # Xwayland's: never trusted on a Wayland session
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "sway")

    async def scenario() -> IdleChoice:
        from reminder.bus import Buses

        async with ScriptedCompositor(tmp_path / "wayland-test", KDE_ONLY):
            choice = await choose("auto", Buses(None), break_seconds=60)
            choice.source.close()
            return choice

    choice = run(scenario())
    assert choice.source.name == "wayland"
    assert dict(choice.passed_over) == {
        "x11": "a Wayland session: the X server sees only the input of X programs"
    }
    assert "org_kde_kwin_idle, told after 10 s without input" in str(choice)


def test_notice_is_a_third_of_the_break_within_bounds():
    assert notice_for(300) == LONGEST_NOTICE
    assert notice_for(6) == 2.0
    assert notice_for(3) == SHORTEST_NOTICE
    for break_seconds in (3, 4.5, 6, 9, 12, 60, 600, 604800):
        assert notice_for(break_seconds) < break_seconds  # every break can be seen


def test_requests_are_encoded_as_the_protocol_says():
    bind = encode(2, 0, "usun", 5, "wl_seat", 1, 3)
    assert bind == message(2, 0, words(5) + string("wl_seat") + words(1, 3))
    assert len(string("wl_seat")) == 12  # 4 for the length, 8 for "wl_seat\0"
    assert decode("usu", words(5) + string("wl_seat") + words(7)) == (5, "wl_seat", 7)
    assert decode("s", words(0)) == (None,)
    assert decode("i", words(0xFFFFFFFF)) == (-1,)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(signature=st.text(alphabet="iuonsa", max_size=4), body=st.binary(max_size=40))
def test_decoding_anything_gives_values_or_one_kind_of_error(signature, body):
    with contextlib.suppress(ValueError):  # anything else fails the test
        decode(signature, body)


def test_the_daemon_sleeps_through_an_absence_and_sees_the_return_at_once(tmp_path, catalogue):
    """With the compositor telling of returns, an hour away costs the daemon no wake-up, and the
    return is seen (the break recorded) as soon as the compositor says "resumed"."""
    from test_adapters import Recorder, Seen, VirtualClock, _daemon, _running, _stopped

    from reminder.core import events as ev

    async def scenario():
        compositor, source, _, _ = await opened(tmp_path, BOTH, break_seconds=6.0)
        async with compositor:
            clock = VirtualClock(time.time())
            source._steady = lambda: clock.t
            seen = Seen()
            daemon, outbox = _daemon(
                catalogue, source, Recorder(), "break_minutes = 0.1\n", clock, [seen]
            )
            task = await _running(daemon, outbox)
            notifier_id, _ = compositor.binds["ext_idle_notifier_v1"]
            notification = struct.unpack_from(
                "=I", compositor.made((notifier_id, GET_IDLE_NOTIFICATION)).body
            )[0]
            started = clock.t
            compositor.send_event(notification, IDLED)  # 2 s after the last input
            await asyncio.sleep(0.05)
            await clock.advance(10, daemon)
            assert daemon.core.status(clock.now()).state == "away"
            woken = clock.fired
            await clock.advance(3600, daemon)
            assert clock.fired == woken  # an hour away: not one look
            assert all(timer.at is None for timer in clock.timers[:1])

            compositor.send_event(notification, RESUMED)
            await asyncio.sleep(0.05)
            await daemon.settled()
            taken = [e for events in seen.calls for e in events if isinstance(e, ev.BreakTaken)]
            assert len(taken) == 1 and taken[0].how == "natural"
            assert taken[0].end == clock.now().epoch  # dated by the return itself
            # The last input was 2 s before "idled"; the first look took it as then: within
            # the notice of the truth.
            seen_last = clock.now().at(started).epoch
            assert seen_last - 2 <= taken[0].start <= seen_last
            assert daemon.core.status(clock.now()).state == "sitting"
            await _stopped(daemon, outbox, task)

    run(scenario())
