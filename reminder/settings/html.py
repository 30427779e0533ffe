"""The frame every page of the settings shares: plain HTML5, one style sheet and one small script
served by the page itself (nothing from the network), a link to skip to the content, the two
pages' names with the current one marked for screen readers.
"""

from __future__ import annotations

from html import escape

from reminder.language import current
from reminder.settings import words


def pages() -> tuple[tuple[str, str], ...]:
    """The pages, by path, in the order the navigation names them."""
    return (("/settings", words.SETTINGS), ("/progress", words.PROGRESS))


def language() -> str:
    """The page's language, as HTML names it ('pt-BR')."""
    return current().replace("_", "-")


def attribute(value: object) -> str:
    """A value, quoted for an HTML attribute."""
    return '"' + escape(str(value), quote=True) + '"'


def text(value: object) -> str:
    return escape(str(value), quote=False)


def page(path: str, title: str, body: str, form_key: str | None = None) -> str:
    """A whole page: ``body`` (HTML) under the title, with the navigation and, for a signed-in
    visitor (``form_key``), the button that closes the settings."""
    current = ' aria-current="page"'
    links = "".join(
        f"<li><a href={attribute(href)}{current if href == path else ''}>{text(name)}</a></li>"
        for href, name in pages()
    )
    close = ""
    if form_key is not None:
        close = (
            '<form method="post" action="/close" class="close">'
            f"{hidden('form_key', form_key)}"
            f'<button type="submit">{text(words.CLOSE)}</button></form>'
        )
    nav = f'<nav aria-label={attribute(words.PAGES_LABEL)}><ul class="pages">{links}</ul></nav>'
    return (
        "<!doctype html>\n"
        f'<html lang={attribute(language())}><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{text(title)} · {text(words.TITLE)}</title>"
        '<link rel="stylesheet" href="/style.css">'
        '<script src="/page.js" defer></script></head>\n'
        f'<body><a class="skip" href="#main">{text(words.SKIP)}</a>'
        f'<header><p class="app">{text(words.TITLE)}</p>{nav}{close}</header>\n'
        f'<p id="closed" class="problem" role="alert" hidden>{text(words.CLOSED)}</p>'
        f'<main id="main" tabindex="-1"><h1>{text(title)}</h1>\n{body}</main></body></html>\n'
    )


def hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name={attribute(name)} value={attribute(value)}>'


def notice(line: str | None) -> str:
    """A line that says what just happened (a save), read out by screen readers."""
    return f'<p class="notice" role="status">{text(line)}</p>\n' if line else ""


def problem(line: str | None, extra: str = "") -> str:
    """A line about something that went wrong, announced at once."""
    if not line:
        return ""
    return f'<div class="problem" role="alert"><p>{text(line)}</p>{extra}</div>\n'


def plain_page(title: str, line: str) -> str:
    """A page of one sentence (a refusal, a goodbye), with nothing to click."""
    return (
        "<!doctype html>\n"
        f'<html lang={attribute(language())}><head><meta charset="utf-8">'
        f"<title>{text(title)}</title>"
        '<link rel="stylesheet" href="/style.css"></head>\n'
        f'<body><main id="main"><h1>{text(title)}</h1><p>{text(line)}</p></main></body></html>\n'
    )
