"""How psoas says a length of time, a number and a time of day: one way each, everywhere, in the
user's language ('1 h 30 min', '1 Std. 30 Min.'; '2.5 s', '2,5 Sek.'). A leaf: it imports
nothing of psoas but the language, so any part (the catalogue, the busy signals, the words) can
say a duration the same way.

Counting things ('3 breaks') is said where the thing is, with ``ngettext``: each language
counts in its own way.
"""

from __future__ import annotations

from datetime import date, datetime

from reminder.language import N_, _, pgettext

#: The days and months as a date says them in short ('Mon 09:00', 'Mon 07 Dec 09:00'), in
#: strftime's order: not strftime's own words, which are the C locale's, English.
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
MONTHS = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)


def number(value: float, digits: str = "g") -> str:
    """A number as the language writes it: '2.5' in English, '2,5' in German."""
    text = f"{value:{digits}}"
    # TRANSLATORS: the decimal separator of your language: "," in most of Europe.
    return text.replace(".", pgettext("decimal separator", "."))


def duration(seconds: float, exact: bool = False) -> str:
    """How long, as people say it: '45 s', '42 min', '1 h 05 min'.

    ``exact`` keeps the seconds of anything under an hour ('2 min 15 s'), for routine lengths
    and countdowns. Under ten seconds it gives two figures ('2.5 s'), as tiny demo minutes and
    quick routine paces make them.
    """
    seconds = max(0.0, seconds)
    if seconds < 10 and seconds != round(seconds):
        return _("{seconds} s").format(seconds=number(seconds, ".2g"))
    if round(seconds) < 60:
        return _("{seconds} s").format(seconds=round(seconds))
    if exact and seconds < 3600:
        minutes, rest = divmod(round(seconds), 60)
        if rest:
            return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=rest)
        return _("{minutes} min").format(minutes=minutes)
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if minutes:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=f"{minutes:02d}")
    return _("{hours} h").format(hours=hours)


def clock(epoch: float) -> str:
    """A time of day: '10:17' (the 24-hour clock, as psoas's four languages write it)."""
    return datetime.fromtimestamp(epoch).strftime("%H:%M")


def weekday(day: date) -> str:
    """'Mon', 'Mo', 'lun.', 'lun'."""
    return _(WEEKDAYS[day.weekday()])


def short_date(day: date) -> str:
    """'Mon 07 Dec', in the order the language puts them."""
    return _("{weekday} {day} {month}").format(
        weekday=weekday(day), day=f"{day.day:02d}", month=_(MONTHS[day.month - 1])
    )


def day_month(day: date, year: bool = False) -> str:
    """'07 Dec', '07 Dec 2026': a date in a chart's labels, in the language's order."""
    month = _(MONTHS[day.month - 1])
    if year:
        return _("{day} {month} {year}").format(day=f"{day.day:02d}", month=month, year=day.year)
    return _("{day} {month}").format(day=f"{day.day:02d}", month=month)


def snooze_choice(minutes: float) -> str:
    """A snooze choice as the tray's menu and the prompt's button say it ('15 min', '9 s'). Two
    choices that read the same are the same choice: the config check refuses the second."""
    return duration(minutes * 60, exact=True)
