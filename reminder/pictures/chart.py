"""The weekly chart (Pillow): one row a day, sitting drawn along the hours, breaks marked.

Everything is labelled where it is drawn (day, hours, totals, the longest sit), so the picture
reads without a legend hunt.
"""

from __future__ import annotations

from datetime import datetime, time

from PIL import Image, ImageDraw, ImageFont

from reminder.core.stats import ANSWER_WINDOW, DayStats
from reminder.core.timebase import Calendar
from reminder.core.trend import Week
from reminder.language import _
from reminder.pictures.palette import GREEN, PURPLE
from reminder.units import day_month, number, short_date
from reminder.words import duration

WIDTH, ROW, TOP, LEFT, RIGHT = 1000, 48, 70, 130, 170
SAT = (76, 120, 200)
LONGEST = (230, 130, 30)
BREAK = GREEN  # colours shared with the tray icon, so the two read alike
PROMPTED = PURPLE
GRID = (225, 225, 225)
TEXT = (40, 40, 40)


def _font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow older than 10.1
        return ImageFont.load_default()


def draw_week(days: list[DayStats], calendar: Calendar) -> Image.Image:
    """A chart of the given days (usually the last seven)."""
    if not days:
        raise ValueError("no days to draw")
    height = TOP + ROW * len(days) + 40
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    title, small = _font(18), _font(12)
    hours = [
        calendar.local(t).hour + calendar.local(t).minute / 60
        for d in days
        for s in d.spans
        for t in s
    ]
    first_hour = max(0, min([8, *[int(h) for h in hours]]))
    last_hour = min(24, max([18, *[int(h) + 1 for h in hours]]))
    span = max(1, last_hour - first_hour)
    plot = WIDTH - LEFT - RIGHT

    def x(epoch: float, day: DayStats) -> float:
        midnight = calendar.epoch(datetime.combine(day.day, time()))
        hour = (epoch - midnight) / 3600
        return LEFT + plot * min(1.0, max(0.0, (hour - first_hour) / span))

    heading = _("Time sat, {first} to {last}").format(
        first=day_month(days[0].day), last=day_month(days[-1].day, year=True)
    )
    draw.text((LEFT, 16), heading, fill=TEXT, font=title)
    draw.text(
        (LEFT, 40),
        _(
            "blue: sitting   orange: longest sit of the day   "
            "green tick: natural break   purple tick: break after a prompt"
        ),
        fill=TEXT,
        font=small,
    )
    for hour in range(first_hour, last_hour + 1):
        gx = LEFT + plot * (hour - first_hour) / span
        draw.line((gx, TOP - 4, gx, TOP + ROW * len(days)), fill=GRID)
        draw.text((gx - 8, TOP + ROW * len(days) + 6), f"{hour:02d}", fill=TEXT, font=small)
    for row, day in enumerate(days):
        top = TOP + row * ROW
        draw.text((10, top + 14), short_date(day.day), fill=TEXT, font=small)
        bar_top, bar_bottom = top + 10, top + ROW - 12
        for start, end in day.spans:
            longest = day.longest_sit_start is not None and start <= day.longest_sit_start < end
            draw.rectangle(
                (x(start, day), bar_top, max(x(end, day), x(start, day) + 1), bar_bottom),
                fill=LONGEST if longest else SAT,
            )
        for at, how in day.breaks:
            bx = x(at, day)
            draw.line(
                (bx, bar_top - 6, bx, bar_bottom + 6),
                fill=BREAK if how == "natural" else PROMPTED,
                width=3,
            )
        summary = _("{time} sat").format(time=duration(day.sat_seconds))
        if day.longest_sit_seconds:
            longest = _("longest {time}").format(time=duration(day.longest_sit_seconds))
            summary += f"\n{longest}"
        draw.multiline_text((WIDTH - RIGHT + 12, top + 6), summary, fill=TEXT, font=small)
    return image


def _round_ceiling(highest: float) -> float:
    """The top of a four-step scale whose steps are round numbers (0.5, 1, 2, 5, 10, 20...)."""
    step = 0.5
    while step * 4 < highest:
        step *= 2.5 if str(step).startswith("2") else 2  # 0.5, 1, 2, 5, 10, 20, 50...
    return step * 4


def draw_trend(weeks: list[Week]) -> Image.Image:
    """Week by week: bouts of an hour or more per working day (bars, the left scale) and the
    share of prompts answered within ANSWER_WINDOW (the line, the right scale)."""
    if not weeks:
        raise ValueError("no weeks to draw")
    width, height, top, bottom, left, right = 1000, 420, 80, 60, 70, 70
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    title, small = _font(18), _font(12)
    plot_w, plot_h = width - left - right, height - top - bottom
    per_day = [w.bouts_per_day or 0.0 for w in weeks]
    ceiling = _round_ceiling(max(per_day) * 1.1)
    slot = plot_w / len(weeks)
    draw.text(
        (left, 16),
        _("Long sits and answered prompts, {n} weeks to {last}").format(
            n=len(weeks), last=day_month(weeks[-1].last, year=True)
        ),
        fill=TEXT,
        font=title,
    )
    draw.text(
        (left, 42),
        _(
            "bars: bouts of an hour or more per working day (left)   "
            "line: prompts answered within {time} (right)"
        ).format(time=duration(ANSWER_WINDOW)),
        fill=TEXT,
        font=small,
    )
    for step in range(5):  # the grid and both scales
        y = top + plot_h - plot_h * step / 4
        draw.line((left, y, left + plot_w, y), fill=GRID)
        draw.text((left - 40, y - 7), number(ceiling * step / 4), fill=TEXT, font=small)
        draw.text((left + plot_w + 8, y - 7), f"{25 * step}%", fill=TEXT, font=small)
    points: list[tuple[float, float]] = []
    for index, week in enumerate(weeks):
        x = left + slot * index
        bar = plot_h * per_day[index] / ceiling
        if week.working_days:
            draw.rectangle(
                (x + slot * 0.2, top + plot_h - bar, x + slot * 0.8, top + plot_h), fill=SAT
            )
        draw.text((x + slot * 0.15, top + plot_h + 8), day_month(week.first), fill=TEXT, font=small)
        if week.answer_rate is not None:
            points.append((x + slot / 2, top + plot_h - plot_h * week.answer_rate))
    if len(points) > 1:
        draw.line(points, fill=PROMPTED, width=3)
    for x, y in points:
        draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=PROMPTED)
    return image
