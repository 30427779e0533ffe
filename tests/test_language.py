"""psoas in other languages: every catalogue complete and true to its placeholders, the template
up to date with the code, the language found where the desktop keeps it, and numbers, times and
durations said as each language writes them."""

from __future__ import annotations

import asyncio
import gettext
import io
import locale
import re
import string

import pytest
from e2e import psoas

from reminder import language, words
from reminder.core import events as ev
from reminder.language import (
    LOCALE,
    _,
    accepted,
    best_match,
    choose,
    current,
    ngettext,
    speaking,
)
from reminder.language.desktop import desktop_languages, macos_languages, windows_languages
from reminder.language.extract import TEMPLATE, from_catalogue, from_code
from reminder.language.po import Message, compile_mo, parse_po, write_po
from reminder.units import duration, number, short_date

#: The languages psoas speaks completely.
COMPLETE = ("de", "fr", "es")


def catalogue(code: str) -> list[Message]:
    return parse_po((LOCALE / f"{code}.po").read_text("utf-8"))


def template() -> list[Message]:
    return parse_po(TEMPLATE.read_text("utf-8"))[1:]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# ----- the catalogues ---------------------------------------------------------------------------


def test_the_template_holds_every_sentence_the_code_and_the_catalogue_say():
    """A sentence wrapped in _() but not extracted fails here: run the extraction (README,
    Development), then translate what the test below names."""
    found = {message.key for message in from_code() + from_catalogue()}
    kept = {message.key for message in template()}
    assert sorted(found - kept, key=str) == [], "run python -m reminder.language.extract"
    assert sorted(kept - found, key=str) == [], "run python -m reminder.language.extract"


@pytest.mark.parametrize("code", COMPLETE)
def test_each_catalogue_translates_every_sentence(code):
    translated = {message.key for message in catalogue(code) if message.translated}
    missing = [message.msgid for message in template() if message.key not in translated]
    assert missing == [], f"{code}.po lacks {len(missing)}: {missing[:5]}"


@pytest.mark.parametrize("code", COMPLETE)
def test_each_translation_keeps_the_placeholders_of_its_english(code):
    """A {minutes} in English must be in the translation, and nothing else may be: .format()
    would fail, or the number would go unsaid. A plural's form for one may leave the count out
    ('la dernière semaine'), as msgfmt allows."""
    wrong = []
    for message in catalogue(code)[1:]:
        wanted = placeholders(message.msgid) | placeholders(message.plural or "")
        for index, form in enumerate(message.msgstr):
            have = placeholders(form)
            may_leave_out = {"n"} if message.plural is not None and index == 0 else set()
            if have - wanted or (wanted - have) - may_leave_out:
                wrong.append((message.msgid, form))
            try:
                form.format(**{name: "x" for name in have})
            except (ValueError, IndexError, KeyError) as error:
                wrong.append((message.msgid, f"{form} ({error})"))
    assert wrong == []


def test_a_wrong_placeholder_is_caught():
    """The check above, shown failing: {minutes} in English and {minuten} in the translation."""
    message = Message("Snooze {minutes}", msgstr=["Schlummern {minuten}"])
    assert placeholders(message.msgid) != placeholders(message.msgstr[0])


@pytest.mark.parametrize("code", COMPLETE)
def test_each_catalogue_names_its_language_and_how_it_counts(code):
    header = catalogue(code)[0].msgstr[0]
    assert f"Language: {code}\n" in header
    assert "Plural-Forms: nplurals=2;" in header
    assert "charset=UTF-8" in header


def test_the_catalogues_read_back_as_written():
    """psoas's own .po writer and reader: what the extraction writes, it reads the same."""
    for code in COMPLETE:
        messages = catalogue(code)
        assert parse_po(write_po(messages)) == messages


def test_a_compiled_catalogue_is_one_gettext_reads_with_plurals_and_contexts():
    messages = [
        Message(
            "",
            msgstr=[
                "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: "
                "nplurals=2; plural=(n > 1);\n"
            ],
        ),
        Message("Stop", msgstr=["Arrêter"]),
        Message(".", context="decimal separator", msgstr=[","]),
        Message("{n} break", plural="{n} breaks", msgstr=["{n} pause", "{n} pauses"]),
        Message("Left out", msgstr=[""]),  # untranslated: English shows
        Message("Fuzzy", msgstr=["Flou"], fuzzy=True),  # not sure: English shows
    ]
    read = gettext.GNUTranslations(io.BytesIO(compile_mo(messages)))
    assert read.gettext("Stop") == "Arrêter"
    assert read.pgettext("decimal separator", ".") == ","
    assert read.ngettext("{n} break", "{n} breaks", 1) == "{n} pause"
    assert read.ngettext("{n} break", "{n} breaks", 0) == "{n} pause"  # French counts 0 as one
    assert read.ngettext("{n} break", "{n} breaks", 2) == "{n} pauses"
    assert read.gettext("Left out") == "Left out"
    assert read.gettext("Fuzzy") == "Fuzzy"


def test_the_extraction_refuses_an_f_string(tmp_path):
    """An f-string cannot be looked up: the extraction names its place instead of missing it."""
    package = tmp_path / "reminder"
    package.mkdir()
    (package / "words.py").write_text('name = "x"\nsaid = _(f"Hello {name}")\n')
    with pytest.raises(Exception, match=r"reminder/words\.py:2"):
        from_code(package)


# ----- which language -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "wanted"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "fr_CA.UTF-8"}, "fr"),
        ({"LANG": "es_MX"}, "es"),
        ({"LANGUAGE": "pt_BR:es", "LANG": "de_DE.UTF-8"}, "es"),  # a list, first spoken wins
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"}, "fr"),
        ({"LC_MESSAGES": "es_ES.UTF-8", "LANG": "de_DE.UTF-8"}, "es"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "pt_BR.UTF-8"}, "en"),  # no Portuguese: English, quietly
        ({"LANG": "de_DE@euro"}, "de"),
        ({}, "en"),
    ],
)
def test_the_language_follows_the_environment_as_gettext_reads_it(environment, wanted):
    assert best_match(desktop_languages(environment, platform="linux")) == wanted


class Kernel32:
    """Windows's kernel32 as psoas calls it: the user's display language as a LANGID."""

    def __init__(self, langid: int) -> None:
        self.langid = langid

    def GetUserDefaultUILanguage(self) -> int:
        return self.langid


def test_windows_says_its_display_language_as_a_langid():
    assert windows_languages(Kernel32(0x0407)) == ["de_DE"]
    assert windows_languages(Kernel32(0x040C)) == ["fr_FR"]
    assert windows_languages(Kernel32(0x0C0A)) == [locale.windows_locale[0x0C0A]]
    assert windows_languages(Kernel32(0x7FFF)) == []  # one Python does not know: English
    assert best_match(windows_languages(Kernel32(0x0C0A))) == "es"


class CoreFoundation:
    """CoreFoundation as psoas calls it: an array of CFStrings, each copied out into a buffer
    as UTF-8 (False when it does not fit), and the array released after."""

    def __init__(self, languages: list[str]) -> None:
        self.array = object() if languages else None
        self.languages = languages
        self.released: list[object] = []

    def CFLocaleCopyPreferredLanguages(self) -> object:
        return self.array

    def CFArrayGetCount(self, array: object) -> int:
        assert array is self.array
        return len(self.languages)

    def CFArrayGetValueAtIndex(self, array: object, index: int) -> str:
        assert array is self.array
        return self.languages[index]

    def CFStringGetCString(self, text: str, buffer, size: int, encoding: int) -> bool:
        data = text.encode("utf-8")
        if len(data) + 1 > size or encoding != 0x08000100:
            return False
        buffer.value = data
        return True

    def CFRelease(self, array: object) -> None:
        self.released.append(array)


def test_macos_says_its_preferred_languages_and_the_array_is_released():
    core = CoreFoundation(["fr-CH", "de-DE", "en"])
    assert macos_languages(core) == ["fr-CH", "de-DE", "en"]
    assert core.released == [core.array]
    assert best_match(macos_languages(CoreFoundation(["pt-PT", "es-419"]))) == "es"
    assert macos_languages(CoreFoundation([])) == []


def test_the_environment_comes_before_the_system_setting():
    """LANG set in a terminal speaks for the user even on Windows and macOS."""
    assert desktop_languages({"LANG": "de_DE.UTF-8"}, platform="win32") == ["de_DE.UTF-8"]


def test_a_browser_says_its_languages_most_wanted_first():
    assert accepted("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5") == [
        "fr-CH",
        "fr",
        "en",
        "de",
    ]
    assert accepted("en;q=0.1, es") == ["es", "en"]
    assert accepted("de;q=0, fr") == ["fr"]
    assert best_match(accepted("it-IT, fr;q=0.5")) == "fr"


def test_the_config_language_overrides_the_desktop(monkeypatch):
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert choose() == "de"
    assert _("Snooze") == "Später erinnern"
    assert choose("fr") == "fr"
    assert _("Snooze") == "Plus tard"
    assert choose("auto") == "de"
    assert choose("xx") == "en"  # unknown: English, quietly
    assert _("Snooze") == "Snooze"


def test_a_partial_catalogue_falls_back_to_english_sentence_by_sentence(tmp_path, monkeypatch):
    partial = [
        Message(
            "",
            msgstr=[
                "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: "
                "nplurals=2; plural=(n != 1);\n"
            ],
        ),
        Message("Snooze", msgstr=["Posticipa"]),
    ]
    (tmp_path / "it.po").write_text(write_po(partial), "utf-8")
    monkeypatch.setattr(language, "LOCALE", tmp_path)
    monkeypatch.setattr(language, "_CHOSEN", language._Chosen())
    assert choose("it_IT") == "it"
    assert _("Snooze") == "Posticipa"
    assert _("Quit") == "Quit"


def test_speaking_holds_for_its_thread_and_block_only():
    choose("de")
    with speaking("fr"):
        assert current() == "fr" and _("Quit") == "Quitter"
    assert current() == "de" and _("Quit") == "Beenden"


# ----- numbers, times and durations -------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("en", ["45 s", "42 min", "1 h 30 min", "2 h", "2 min 15 s", "2.5 s"]),
        ("de", ["45 Sek.", "42 Min.", "1 Std. 30 Min.", "2 Std.", "2 Min. 15 Sek.", "2,5 Sek."]),
        ("fr", ["45 s", "42 min", "1 h 30", "2 h", "2 min 15 s", "2,5 s"]),
        ("es", ["45 s", "42 min", "1 h 30 min", "2 h", "2 min 15 s", "2,5 s"]),
    ],
)
def test_durations_as_each_language_writes_them(code, said):
    with speaking(code):
        assert [
            duration(45),
            duration(42 * 60),
            duration(90 * 60),
            duration(120 * 60),
            duration(135, exact=True),
            duration(2.5),
        ] == said


def test_dates_and_counts_in_the_language():
    from datetime import date

    monday = date(2026, 12, 7)
    with speaking("de"):
        assert short_date(monday) == "Mo 07. Dez."
        assert number(1.5) == "1,5"
        assert ngettext("{n} break", "{n} breaks", 1).format(n=1) == "1 Pause"
    with speaking("fr"):
        assert short_date(monday) == "lun. 07 déc."
    with speaking("es"):
        assert short_date(monday) == "lun 07 dic"
        assert ngettext("{n} break", "{n} breaks", 3).format(n=3) == "3 pausas"


# ----- the command line, in German ----------------------------------------------------------


def test_psoas_stretches_in_german_from_the_environment(private_env):
    env = private_env.env | {"LANG": "de_DE.UTF-8"}
    shown = psoas(env, "stretches")
    assert shown.returncode == 0, shown.stderr
    assert "Hüftbeuger-Dehnung im Stehen [standing]" in shown.stdout
    assert "30 Sek. halten, 2-mal, jede Seite" in shown.stdout
    assert "ersetzt keinen ärztlichen Rat" in shown.stdout


@pytest.mark.slow
def test_the_config_language_beats_the_environment_and_a_bad_one_is_refused(private_env):
    config = private_env.home / "mine.toml"
    config.write_text('language = "es"\n')
    env = private_env.env | {"LANG": "de_DE.UTF-8"}
    checked = psoas(env, "config", "check", str(config))
    assert checked.returncode == 0, checked.stderr
    assert f"{config}: correcto" in checked.stdout
    assert re.search(r'language\s+= "es"', checked.stdout)
    config.write_text('language = "deutsch!"\n')
    refused = psoas(env, "config", "check", str(config))
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "language" in refused.stderr
    assert "muss" in refused.stderr  # said in the desktop's language: the file's is unknown


def test_why_an_x_display_cannot_be_read_is_said_in_the_language(tmp_path):
    """The X client's reasons reach `psoas status` (idle sources passed over): German here."""
    from reminder.bus import x11

    with speaking("de"):
        with pytest.raises(x11.X11Error, match=r"^keine X-Anzeige \(DISPLAY ist nicht gesetzt\)$"):
            x11.parse_display(None)
        nowhere = x11.Display(str(tmp_path / "X97"), "97", 0)  # no server listens there
        with pytest.raises(x11.X11Error, match=r"^die X-Anzeige :97 ist nicht erreichbar \("):
            asyncio.run(x11.connect(nowhere, 0.5, {"HOME": str(tmp_path)}))
    with pytest.raises(x11.X11Error, match=r"^cannot reach the X display :97 \("):
        asyncio.run(x11.connect(nowhere, 0.5, {"HOME": str(tmp_path)}))


@pytest.mark.parametrize("code", COMPLETE)
def test_a_sentence_ending_on_a_duration_has_one_full_stop(code, catalogue):
    """German says '9 Sek.': a sentence that puts a duration last must not add its own stop."""
    with speaking(code):
        said = []
        for seconds in (9.1, 42 * 60, 90 * 60):
            for held in (None, "call"):
                prompt = ev.PromptShown(0.0, "bridge", seconds, 0, held_for=held)
                said.extend(words.notification_for(prompt, catalogue))
        for routine in catalogue.routines.values():
            said.append(words.terminal_routine_start(routine, 1.0, keys=False))
            said.extend(words._amount(step, 36.0) for step in routine.steps)
    assert not [sentence for sentence in said if ".." in sentence]
