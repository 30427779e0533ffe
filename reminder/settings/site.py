"""What each page of the settings answers, once the request has passed the guard: the settings
form (shown, and saved), Progress, the stretch pictures, the charts and the history export."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reminder.catalogue.model import Catalogue
from reminder.config import DEFAULTS, Config, parse_config
from reminder.config.checks import ConfigError
from reminder.errors import UserError
from reminder.paths import package_data, pictures_dir
from reminder.settings import confirm, document, words
from reminder.settings.form import SettingsView, settings_page
from reminder.settings.guard import Session
from reminder.settings.html import plain_page
from reminder.settings.progress import chart_png, history_csv, progress_page

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = HTML
    headers: tuple[tuple[str, str], ...] = ()
    then: Callable[[], None] | None = None  # done once the answer is sent (closing the page)


def html(status: int, text: str) -> Response:
    return Response(status, text.encode("utf-8"))


def see(location: str, *headers: tuple[str, str]) -> Response:
    """Go on to ``location`` with a GET (after a POST, a reload does not send the form again)."""
    return Response(303, b"", headers=(("Location", location), *headers))


def refusal(status: int, line: str) -> Response:
    return html(status, plain_page(words.TITLE, line))


#: The page's own style sheet and script, by path.
STATIC = {
    "/style.css": ("settings.css", "text/css; charset=utf-8"),
    "/page.js": ("settings.js", "text/javascript; charset=utf-8"),
}


class Site:
    """The pages of one config file."""

    def __init__(self, config_path: Path, catalogue: Catalogue) -> None:
        self.config_path = config_path
        self.source = catalogue  # in English: the words of a page are those of its request
        self.stretch_ids = list(catalogue.stretches)
        self._writing = threading.Lock()
        self._pictures: dict[str, bytes] = {}

    @property
    def catalogue(self) -> Catalogue:
        """The stretches and routines in the language of this request."""
        return self.source.in_language()

    # ----- settings ---------------------------------------------------------------------------

    def settings(self, session: Session) -> Response:
        file = document.read(self.config_path)
        values = document.values(file, self.stretch_ids) if file.problem is None else {}
        notice, session.notice = session.notice, None
        view = SettingsView(file, values, session.form_key, notice=notice)
        return html(200, settings_page(view, self.catalogue))

    def save(self, session: Session, form: Mapping[str, Sequence[str]]) -> Response:
        """Check the form as the file it would make; write it only when all of it is right,
        and only over the file the page was showing."""
        sent = document.form_values(form, self.stretch_ids)
        stamp = form.get("stamp", [""])[0]
        with self._writing:
            file = document.read(self.config_path)
            if file.stamp != stamp:
                changed = words.changed_on_disk(self.config_path)
                view = SettingsView(file, sent, session.form_key, problem=changed, reload=True)
                return html(409, settings_page(_as_shown(view, stamp), self.catalogue))
            if file.problem is not None:
                return self.settings(session)
            outcome = document.validate(file, sent, self.catalogue)
            if outcome.errors:
                view = SettingsView(file, sent, session.form_key, errors=outcome.errors)
                return html(422, settings_page(view, self.catalogue))
            if outcome.text is None:
                session.notice = words.NOTHING_CHANGED
                return see("/settings")
            before = confirm.running_status()
            try:
                document.write(file, outcome.text)
            except OSError as error:
                problem = words.cannot_write(
                    f"{error.filename or self.config_path}: {error.strerror or error}"
                )
                view = SettingsView(file, sent, session.form_key, problem=problem)
                return html(500, settings_page(view, self.catalogue))
        session.notice = confirm.taken_up(self.config_path, before)
        return see("/settings")

    def config(self) -> Config:
        """The config the file holds now, for the Progress page's working days (the defaults
        while it has a mistake)."""
        file = document.read(self.config_path)
        if file.text is None:
            return DEFAULTS
        try:
            return parse_config(file.text, file.origin)
        except ConfigError:
            return DEFAULTS

    def edits(self, path: str) -> bool:
        """Whether this page edits the file at ``path``."""
        return os.path.realpath(path) == os.path.realpath(self.config_path)

    # ----- progress ---------------------------------------------------------------------------

    def progress(self, session: Session) -> Response:
        return html(200, progress_page(self.config(), self.catalogue, session.form_key))

    def chart(self, which: str) -> Response:
        try:
            return Response(200, chart_png(which, self.config(), self.catalogue), "image/png")
        except (UserError, ValueError, OSError):
            return refusal(404, words.NOT_HERE)

    def export(self) -> Response:
        try:
            data = history_csv()
        except UserError as error:
            return refusal(503, words.history_problem(str(error)))
        disposition = ("Content-Disposition", 'attachment; filename="psoas-history.csv"')
        return Response(200, data, "text/csv; charset=utf-8", (disposition,))

    # ----- files ------------------------------------------------------------------------------

    def picture(self, stretch_id: str) -> Response:
        """A stretch's picture: the one psoas ships where it is up to date, else drawn once."""
        if stretch_id not in self.catalogue.stretches:
            return refusal(404, words.NOT_HERE)
        if stretch_id not in self._pictures:
            from reminder.pictures.cache import PictureCache

            cache = PictureCache(self.catalogue, pictures_dir())
            try:
                cache.draw_all()
                self._pictures |= {
                    stretch: path.read_bytes()
                    for stretch in self.stretch_ids
                    if (path := cache.of(stretch)) is not None
                }
            except OSError:
                return refusal(404, words.NOT_HERE)
        return Response(200, self._pictures[stretch_id], "image/png")

    @staticmethod
    def static(path: str) -> Response:
        name, kind = STATIC[path]
        return Response(200, package_data(name).read_bytes(), kind)


def _as_shown(view: SettingsView, stamp: str) -> SettingsView:
    """The page as the user had it, its stamp the one they saw: saving it again is refused too,
    until they reload."""
    from dataclasses import replace

    return replace(view, file=replace(view.file, stamp=stamp))
