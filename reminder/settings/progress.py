"""The Progress page: the last seven days and the trend, worked out and drawn by the same code as
``psoas stats`` (the figures, the columns, the charts), and the history as ``psoas export``
writes it.

Each chart is also said in words: the table holds the same figures, and the trend's three lines
are printed beside its picture.
"""

from __future__ import annotations

import io

from reminder import words as psoas_words
from reminder.catalogue.model import Catalogue
from reminder.config import Config
from reminder.errors import UserError
from reminder.history.reading import Figures, figures, read_history, write_csv
from reminder.language import _
from reminder.settings import words
from reminder.settings.html import attribute, page, problem, text
from reminder.units import weekday

#: Weeks the trend's chart spans, as ``psoas stats --chart FILE --weeks`` draws by default.
TREND_WEEKS = 12


def read_figures(config: Config, catalogue: Catalogue) -> Figures:
    """This week's days and the trend's weeks; UserError (one line) when the history cannot be
    read."""
    return figures(config, catalogue, 7, TREND_WEEKS)


def progress_page(config: Config, catalogue: Catalogue, form_key: str) -> str:
    try:
        found = read_figures(config, catalogue)
    except UserError as error:
        body = problem(words.history_problem(str(error)))
        return page("/progress", words.PROGRESS, body, form_key)
    if not found.recorded:
        body = f"<p>{text(_(psoas_words.NO_HISTORY_YET))}</p>\n" + _export()
        return page("/progress", words.PROGRESS, body, form_key)
    parts = [f"<h2>{text(words.THIS_WEEK)}</h2>\n", _table(found), _week_chart(found)]
    parts.append(f"<h2>{text(words.TREND)}</h2>\n")
    if found.trend is None:
        parts.append(f"<p>{text(words.NO_TREND_YET)}</p>\n")
    else:
        lines = "".join(f"<li>{text(line)}</li>" for line in psoas_words.trend_lines(*found.trend))
        parts.append(f'<ul class="trend">{lines}</ul>\n')
    if found.weeks:
        alt = words.trend_chart_text(len(found.weeks))
        parts.append(_figure("/chart/trend.png", alt, words.TREND_CHART, 1000, 420))
    parts.append(_export())
    return page("/progress", words.PROGRESS, "".join(parts), form_key)


def _table(found: Figures) -> str:
    columns = psoas_words.STATS_COLUMNS
    head = "".join(
        f'<th scope="col">{text(psoas_words.column_name(name))}</th>' for name, _w, _c in columns
    )
    rows = []
    for day in found.days[-7:]:
        cells = "".join(f"<td>{text(cell(day))}</td>" for _n, _w, cell in columns)
        rows.append(
            f'<tr><th scope="row">{weekday(day.day)} {day.day:%Y-%m-%d}</th>{cells}'
            f"<td>{text(psoas_words.stretches_done(day))}</td></tr>"
        )
    return (
        '<div class="table"><table>'
        f'<thead><tr><th scope="col">{text(words.DAY)}</th>{head}'
        f'<th scope="col">{text(words.STRETCHES_DONE)}</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>\n"
        f'<p class="help">{text(psoas_words.stats_meaning())}</p>\n'
    )


def _week_chart(found: Figures) -> str:
    days = found.days[-7:]
    alt = words.week_chart_text(f"{days[0].day:%a %d %b}", f"{days[-1].day:%a %d %b}")
    height = 70 + 48 * len(days) + 40  # as reminder.pictures.chart draws it
    return _figure("/chart/week.png", alt, words.WEEK_CHART, 1000, height)


def _figure(source: str, alt: str, caption: str, width: int, height: int) -> str:
    return (
        f"<figure><img src={attribute(source)} alt={attribute(alt)} "
        f'width="{width}" height="{height}"><figcaption>{text(caption)}</figcaption></figure>\n'
    )


def _export() -> str:
    return (
        f"<h2>{text(words.HISTORY)}</h2>\n"
        f'<p><a class="button" href="/export.csv" download="psoas-history.csv">'
        f'{text(words.EXPORT)}</a></p>\n<p class="help">{text(words.EXPORT_NOTE)}</p>\n'
    )


def chart_png(which: str, config: Config, catalogue: Catalogue) -> bytes:
    """A chart as ``psoas stats --chart`` draws it: "week" or "trend". UserError when the
    history cannot be read, ValueError when there is nothing to draw."""
    from reminder.pictures.chart import draw_trend, draw_week
    from reminder.system.clock import SystemCalendar

    found = read_figures(config, catalogue)
    if which == "week":
        image = draw_week(found.days[-7:], SystemCalendar())
    else:
        image = draw_trend(found.weeks)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def history_csv() -> bytes:
    """Every recorded event, as ``psoas export --csv`` writes it."""
    events = read_history(lambda store: store.events())
    out = io.StringIO(newline="")
    write_csv(events, out)
    return out.getvalue().encode("utf-8")
