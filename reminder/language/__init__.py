"""psoas in its user's language: every sentence a user reads goes through :func:`_` (or
:func:`ngettext` where a number decides the form), with English as the source.

The language is chosen once a process knows its config (:func:`choose`): the config's
``language`` when it names one, else the desktop's (:mod:`reminder.language.desktop`). Only that
language's catalogue is read, and only when the first sentence is looked up: a GNUTranslations of
the standard library, from the ``.mo`` the wheel's build made of each ``.po``
(``reminder/data/locale``), or from the ``.po`` itself in a checkout, which has none. A language
psoas has no catalogue for is English, quietly; a message a catalogue lacks is English too.

The choice is process-wide, as the locale itself is: one holder keeps it. A process that serves
people in several languages (the settings page, by each browser's Accept-Language) says one for
the length of a request with :func:`speaking`, which holds for that thread alone.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

#: The language psoas is written in: it needs no catalogue.
SOURCE = "en"
#: Where the catalogues are: ``de.po`` (the source, in the repository) and ``de.mo`` (built).
LOCALE = Path(__file__).resolve().parent.parent / "data" / "locale"


def N_(message: str) -> str:
    """Marks a sentence kept in a constant for the catalogue; :func:`_` says it when used."""
    return message


class Speaker:
    """One language's messages, read from its catalogue the first time one is asked for."""

    def __init__(self, code: str) -> None:
        self.code = code
        self._messages: gettext.NullTranslations | None = None

    @property
    def messages(self) -> gettext.NullTranslations:
        if self._messages is None:
            self._messages = read_catalogue(self.code)
        return self._messages


def read_catalogue(code: str) -> gettext.NullTranslations:
    """The catalogue of ``code``: its built ``.mo``, else its ``.po`` compiled in memory (a
    checkout), else none (English)."""
    if code == SOURCE:
        return gettext.NullTranslations()
    built = LOCALE / f"{code}.mo"
    try:
        with built.open("rb") as mo:
            return gettext.GNUTranslations(mo)
    except FileNotFoundError:
        pass
    except OSError:
        return gettext.NullTranslations()
    try:
        text = (LOCALE / f"{code}.po").read_text("utf-8")
    except OSError:
        return gettext.NullTranslations()
    from reminder.language.po import compile_mo, parse_po

    return gettext.GNUTranslations(io.BytesIO(compile_mo(parse_po(text))))


def available() -> tuple[str, ...]:
    """The languages psoas speaks: English and each one with a catalogue, built or not."""
    try:
        found = {path.stem for path in LOCALE.iterdir() if path.suffix in (".po", ".mo")}
    except OSError:
        found = set()
    return (SOURCE, *sorted(found - {SOURCE}))


def best_match(wanted: Iterable[str], have: Iterable[str] | None = None) -> str:
    """The first of ``wanted`` psoas speaks ('de_AT.UTF-8' is 'de_AT', then 'de'); English when
    none is. 'C' and 'POSIX' are English, as the C library reads them."""
    known = set(available() if have is None else have) | {SOURCE}
    for code in wanted:
        for candidate in _forms(code):
            if candidate in known:
                return candidate
            if candidate in ("C", "POSIX"):
                return SOURCE
    return SOURCE


def _forms(code: str) -> list[str]:
    """'de_DE.UTF-8@euro' -> ['de_DE', 'de']; 'fr-CA' -> ['fr_CA', 'fr']."""
    bare = code.strip().split(".")[0].split("@")[0].replace("-", "_")
    if not bare:
        return []
    language, _sep, region = bare.partition("_")
    language = language.lower()
    return [f"{language}_{region.upper()}", language] if region else [language]


def accepted(header: str) -> list[str]:
    """A browser's Accept-Language ('fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5'), most wanted first;
    what it refuses (q=0) and '*' left out."""
    weighed = []
    for order, part in enumerate(header.split(",")):
        code, _sep, rest = part.strip().partition(";")
        weight = 1.0
        if rest.strip().startswith("q="):
            try:
                weight = float(rest.strip()[2:])
            except ValueError:
                weight = 0.0
        if code and code != "*" and weight > 0:
            weighed.append((-weight, order, code))
    return [code for _weight, _order, code in sorted(weighed)]


class _Chosen:
    """The process's language, and each language's speaker once made (there are four)."""

    def __init__(self) -> None:
        self.speakers: dict[str, Speaker] = {}
        self.code = SOURCE

    def speaker(self, code: str) -> Speaker:
        if code not in self.speakers:
            self.speakers[code] = Speaker(code)
        return self.speakers[code]


_CHOSEN = _Chosen()
_HERE: contextvars.ContextVar[str | None] = contextvars.ContextVar("psoas_language", default=None)


def choose(language: str | None = None) -> str:
    """Speak ``language`` (a config's, 'auto' or None: the desktop's) from now on; the language
    chosen, after the fallbacks ('de_CH' -> 'de'; 'pt' -> 'en')."""
    if language and language != "auto":
        wanted: list[str] = [language]
    else:
        from reminder.language.desktop import desktop_languages

        wanted = desktop_languages()
    _CHOSEN.code = best_match(wanted)
    return _CHOSEN.code


def current() -> str:
    """The language sentences are said in here and now."""
    return _HERE.get() or _CHOSEN.code


@contextlib.contextmanager
def speaking(code: str) -> Iterator[None]:
    """Say everything in ``code`` (one psoas speaks) until the block ends, in this thread only."""
    token = _HERE.set(code)
    try:
        yield
    finally:
        _HERE.reset(token)


def _(message: str) -> str:
    """``message`` in the user's language, or as it is when the catalogue lacks it."""
    return _CHOSEN.speaker(current()).messages.gettext(message)


def ngettext(one: str, many: str, n: int) -> str:
    """The form of a sentence for ``n`` of something, as the user's language counts."""
    return _CHOSEN.speaker(current()).messages.ngettext(one, many, n)


def pgettext(context: str, message: str) -> str:
    """``message`` where the same English says two things ('Stop' a routine, 'Stop' psoas)."""
    return _CHOSEN.speaker(current()).messages.pgettext(context, message)
