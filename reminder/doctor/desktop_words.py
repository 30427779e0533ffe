"""What the doctor says of the desktop's parts: the idle sources, the tray, the notification
server and the busy signals. Pure, as :mod:`reminder.doctor.words` is."""

from __future__ import annotations

from collections.abc import Sequence

from reminder.doctor.facts import (
    IdleLook,
    NotificationLook,
    QuietLook,
    RunningLook,
    Session,
    TrayLook,
)
from reminder.doctor.report import Part
from reminder.doctor.words import listed, process, system_name
from reminder.words import duration

#: For the parts that a missing bus costs: the bus's own line says what to do.
NO_BUS = "no session bus (see bus, above)"

#: How each idle source reads input, for "psoas uses ...".
IDLE_WAYS = {
    "x11": "the X server's own input counter",
    "wayland": "the compositor's idle notices",
    "gnome": "GNOME's idle monitor",
    "freedesktop": "the screensaver service's idle time",
    "windows": "Windows' time of the last input",
    "macos": "macOS's time since the last input",
}
#: What a notification server can do, as psoas uses it: the capability, and its words.
CAPABILITIES = (
    ("actions", "buttons"),
    ("body-images", "pictures"),
    ("sound", "sound"),
    ("body-markup", "markup"),
)
#: Whether the server promises to keep a prompt until it is answered (its ``persistence``).
KEEPS = "it keeps a prompt until you answer it"
MAY_DROP = (
    "it does not promise to keep a prompt until you answer it (no persistence): psoas asks it "
    "to, and says so in its log if it takes one down by itself"
)
NO_BUTTONS_ADVICE = (
    "it shows no buttons: answer a prompt from the tray menu, or with psoas done or psoas snooze"
)
SILENT = "sound = true in your config, but it plays no sounds: prompts come silent"
SILENT_ADVICE = "a notification server that offers sounds plays them (GNOME's does)"
DROPS_ADVICE = (
    "set it to keep notifications until they are closed (dunst: no override_dbus_timeout rule "
    "for psoas); meanwhile a prompt that waits shows in the tray icon and in psoas status"
)
#: Where each busy signal looks, said when it cannot tell.
QUIET_ADVICE = {
    "dnd": "psoas reads do-not-disturb from dunst, KDE, XFCE and GNOME; with another notification "
    "server it cannot tell, and prompts come while do-not-disturb is on there",
    "fullscreen": "psoas finds a fullscreen window through an X window manager or GNOME; on "
    "other Wayland desktops it cannot tell",
    "call": "psoas sees a call by a microphone recording (pactl, from PulseAudio or PipeWire's "
    "pulse server: apt install pulseaudio-utils) or a camera open (/dev/video*)",
    "apps": "psoas looks for your busy apps among your own processes (/proc)",
}
GNOME_TRAY = (
    "GNOME shows tray icons with the AppIndicator extension: install it (Debian, Ubuntu: "
    "gnome-shell-extension-appindicator), turn it on in Extensions, and psoas's icon appears"
)
OTHER_TRAY = (
    "add a system tray (status notifier) area to your panel, or run a panel that has one; "
    "psoas's icon appears as soon as one runs (meanwhile it runs on notifications alone)"
)


# ----- idle ----------------------------------------------------------------------------------


def uses(looks: Sequence[IdleLook], order: Sequence[str]) -> str | None:
    """The source psoas picks, as reminder.idle.choose does: the first in ``order`` that opened
    and answered."""
    read = {look.name for look in looks if look.outcome == "read"}
    return next((name for name in order if name != "none" and name in read), None)


def idle_parts(
    looks: Sequence[IdleLook], wanted: str, auto: Sequence[str], session: Session
) -> list[Part]:
    """The source psoas would use for the config's ``wanted`` ("auto": the first of ``auto``
    that answered), then each source."""
    return [_idle_summary(looks, wanted, auto, session), *map(_idle_source_part, looks)]


def _idle_source_part(look: IdleLook) -> Part:
    name = f"idle.{look.name}"
    facts = {"outcome": look.outcome, "seconds": look.seconds, "why": look.why}
    if look.outcome == "skipped":
        return Part(name, "skipped", f"not tried: {look.why}", facts=facts)
    if look.outcome == "read":
        if look.told:  # just opened, it has heard nothing yet: its reading says nothing
            return Part(name, "works", f"answers: {look.description or 'yes'}", facts=facts)
        how = f" ({look.description})" if look.description else ""
        seconds = look.seconds or 0.0
        return Part(name, "works", f"{duration(seconds)} since the last input{how}", facts=facts)
    return Part(name, "missing", look.why, facts=facts)


def _idle_summary(
    looks: Sequence[IdleLook], wanted: str, auto: Sequence[str], session: Session
) -> Part:
    order = list(auto) if wanted == "auto" else [wanted]
    chosen = uses(looks, order)
    instead = uses(looks, auto)
    facts = {"wanted": wanted, "uses": chosen or "none", "tried": order}
    switch = f'set idle_source = "auto" in your config (psoas would use {instead})'
    switch = switch if instead else ""
    if wanted == "none":
        return Part(
            "idle",
            "off",
            'idle_source = "none" in your config: every minute psoas runs counts as sitting',
            switch,
            facts,
        )
    if chosen is not None:
        how = "" if wanted == "auto" else ", as your config says"
        detail = f"psoas uses {chosen}{how}: {IDLE_WAYS.get(chosen, chosen)}"
        return Part("idle", "works", detail, facts=facts)
    lost = "every minute psoas runs counts as sitting"
    if wanted != "auto":
        detail = f'idle_source = "{wanted}" in your config does not work here: {lost}'
        return Part("idle", "missing", detail, switch or _no_idle_advice(session), facts)
    return Part(
        "idle", "missing", f"no idle source works here: {lost}", _no_idle_advice(session), facts
    )


def _no_idle_advice(session: Session) -> str:
    if session.kind == "none":
        return "psoas reads your input through your desktop session (see session, above)"
    if session.kind == "wayland" and session.gnome:
        return (
            "each source below says why it failed; on GNOME psoas reads Mutter's idle monitor "
            "(org.gnome.Mutter.IdleMonitor) on the session bus: is psoas running inside your "
            "GNOME session?"
        )
    if session.kind == "wayland":
        return (
            "each source below says why it failed; on Wayland psoas needs the compositor's "
            "ext_idle_notifier_v1 or org_kde_kwin_idle (KDE Plasma, sway, Hyprland, river, niri "
            "and labwc offer one): if yours offers neither, send us psoas doctor --json"
        )
    return "each source below says why it failed; psoas needs one of them to see your input"


# ----- tray and notifications ----------------------------------------------------------------


def tray_part(look: TrayLook, session: Session, running: RunningLook) -> Part:
    """The tray host, and what psoas shows there as reminder.tray.choice chooses it: pystray off
    Linux and on an XEmbed-only panel (with its GTK backend), else a StatusNotifierItem, which
    waits for a panel when there is none."""
    sni = "StatusNotifierItem"
    pystray = not look.over_dbus or bool(look.xembed and look.xembed_menu and not look.watcher)
    facts = {
        "uses": "pystray" if pystray else sni if look.bus and not look.error else "none",
        "watcher": look.watcher,
        "watcher_program": look.watcher_program,
        "watcher_pid": look.watcher_pid,
        "host_registered": look.host_registered,
        "items": list(look.items),
        "xembed": look.xembed,
    }
    if not look.over_dbus:
        place = "menu bar" if session.platform == "darwin" else "notification area"
        return Part("tray", "works", f"psoas's icon goes in the {place} (pystray)", facts=facts)
    if look.error:
        return Part("tray", "missing", f"cannot tell: {look.error}", facts=facts)
    if not look.bus:
        return Part("tray", "missing", f"{NO_BUS}: psoas runs without an icon", facts=facts)
    waits = f"psoas's icon, a {sni}, waits for a panel that shows them"
    if look.watcher is not None:
        watcher = process(look.watcher_program or look.watcher, look.watcher_pid)
        if look.host_registered is False:
            detail = (
                f"a StatusNotifierWatcher runs ({watcher}) but no panel shows its items: {waits}"
            )
            return Part("tray", "missing", detail, _tray_advice(session), facts)
        detail = f"psoas's icon is a {sni}, and a panel shows them (watcher: {watcher})"
        drawn, advice = _our_item(look, running)
        return Part("tray", "works" if not advice else "limited", detail + drawn, advice, facts)
    if look.xembed:
        if look.xembed_menu:
            detail = (
                "only an XEmbed system tray runs: psoas's icon goes there through pystray (GTK)"
            )
            return Part("tray", "works", detail, facts=facts)
        from reminder.tray.pystray_tray import INSTALL_HINT

        detail = (
            f"only an XEmbed system tray runs, and psoas's GTK backend for it is missing: {waits}"
        )
        return Part("tray", "missing", detail, INSTALL_HINT, facts)
    detail = f"no panel shows tray icons (no StatusNotifierWatcher, no XEmbed system tray): {waits}"
    return Part("tray", "missing", detail, _tray_advice(session), facts)


def _tray_advice(session: Session) -> str:
    return GNOME_TRAY if session.gnome else OTHER_TRAY


def _our_item(look: TrayLook, running: RunningLook) -> tuple[str, str]:
    """Whether the running psoas's item is on the panel: words to add, and advice if not."""
    if running.state != "running" or running.pid is None:
        return "", ""
    tray = str(running.status.get("tray", ""))
    if tray != "StatusNotifierItem":
        return f"; the running psoas has no item there (tray: {tray})", ""
    if running.pid in look.items.values():
        return "; the running psoas's icon is on it", ""
    return (
        "; the running psoas's item is not registered with it",
        "psoas registers again whenever the panel restarts; if the icon stays away, restart "
        "psoas and send us its log (psoas -v run)",
    )


def notifications_part(
    look: NotificationLook,
    session: Session,
    running: RunningLook | None = None,
    sound: bool = False,
) -> Part:
    """The server, what it offers psoas, and what the running psoas saw it fail to do; with
    ``sound`` (the config's), whether it plays the prompts' sound."""
    shortfalls = running.status.get("notifier_shortfalls") if running is not None else None
    seen = dict(shortfalls) if isinstance(shortfalls, dict) else {}
    facts = {
        "server": list(look.server),
        "program": look.program,
        "pid": look.pid,
        "capabilities": list(look.capabilities),
        "activatable": look.activatable,
        "shortfalls": seen,
    }
    if not look.over_dbus:
        detail = f"{system_name(session)}'s own notifications (the doctor does not look at them)"
        return Part("notifications", "works", detail, facts=facts)
    terminal = "prompts go to the terminal psoas runs in"
    if not look.bus:
        return Part("notifications", "missing", f"{NO_BUS}: {terminal}", facts=facts)
    if look.error:
        server = process(look.program or "", look.pid)
        detail = f"the notification server ({server}) did not answer: {look.error}"
        return Part("notifications", "missing", detail, "restart it", facts)
    if not look.owned:
        if look.activatable:
            detail = "no notification server runs now; the bus starts one at the first prompt"
            return Part("notifications", "works", detail, facts=facts)
        advice = "install one (dunst; mako on Wayland; xfce4-notifyd) or start your desktop's"
        return Part(
            "notifications", "missing", f"no notification server: {terminal}", advice, facts
        )
    name, vendor, version = (*look.server, "", "", "")[:3]
    who = " ".join(part for part in (name, version) if part) or "a server"
    who += f" by {vendor}" if vendor else ""
    if look.pid is not None:
        who += (
            f" (pid {look.pid})"
            if look.program == name
            else f" ({process(look.program, look.pid)})"
        )
    has = [words for capability, words in CAPABILITIES if _offers(look, capability)]
    lacks = [words for capability, words in CAPABILITIES if not _offers(look, capability)]
    offers = "; ".join(
        [f"with {listed(has, 'and')}"] * bool(has)
        + [f"without {listed(lacks, 'or')}"] * bool(lacks)
        + [KEEPS if "persistence" in look.capabilities else MAY_DROP]
    )
    troubles: list[tuple[str, str]] = []  # what is missing (beyond the list), what to do
    if "actions" not in look.capabilities:
        troubles.append(("", NO_BUTTONS_ADVICE))
    if "persistence" in seen:
        troubles.append((f"the running psoas saw: {seen['persistence']}", DROPS_ADVICE))
    if sound and "sound" not in look.capabilities:
        troubles.append((SILENT, SILENT_ADVICE))
    detail = "; ".join([f"{who}: {offers}", *(said for said, _ in troubles if said)])
    if not troubles:
        return Part("notifications", "works", detail, facts=facts)
    advice = "; ".join(advice for _, advice in troubles)
    return Part("notifications", "limited", detail, advice, facts)


def _offers(look: NotificationLook, capability: str) -> bool:
    if capability == "body-images":  # a picture goes as the image hint, or as the icon
        return bool({"body-images", "icon-static"} & set(look.capabilities))
    return capability in look.capabilities


# ----- busy signals --------------------------------------------------------------------------


def quiet_parts(looks: Sequence[QuietLook], when: Sequence[str]) -> list[Part]:
    """Whether psoas can tell when to hold a prompt, then each ``[quiet].when`` signal."""
    if not when:
        detail = "no busy signals in [quiet].when: prompts never wait"
        return [Part("quiet", "off", detail, facts={"when": []})]
    signals = [_signal_part(look) for look in looks]
    asked = [part for part in signals if part.verdict != "off"]  # "off": nothing to look for
    looking = [part for part in asked if part.verdict in ("works", "limited")]
    if all(part.verdict == "works" for part in asked):
        verdict = "works"
    else:
        verdict = "limited" if looking else "missing"
    detail = f"prompts wait while: {', '.join(when)} ({len(looking)} of {len(asked)} can look)"
    return [Part("quiet", verdict, detail, facts={"when": list(when)}), *signals]


def _signal_part(look: QuietLook) -> Part:
    name = f"quiet.{look.name}"
    facts = {
        "answers": [
            {"subject": a.subject, "outcome": a.outcome, "reason": a.reason, "why": a.why}
            for a in look.answers
        ]
    }
    advice = QUIET_ADVICE.get(look.name, "")
    if look.error:
        return Part(name, "missing", f"cannot tell: {look.error}", advice, facts)
    if not look.answers:
        return Part(name, "off", "no apps named in [quiet].apps: nothing to look for", facts=facts)
    said = []
    for answer in look.answers:
        if answer.outcome == "busy":
            said.append(f"says busy now: {answer.subject}")
        elif answer.outcome == "free":
            said.append(f"can tell whether {answer.subject}: not now")
        else:
            said.append(f"cannot tell whether {answer.subject}: {answer.why}")
    looking = sum(answer.outcome != "cannot" for answer in look.answers)
    if looking == len(look.answers):
        return Part(name, "works", "; ".join(said), facts=facts)
    return Part(name, "limited" if looking else "missing", "; ".join(said), advice, facts)
