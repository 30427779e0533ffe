"""A plain card for a stretch with no poses to draw (the user's own, from stretches.toml): its
name and first step in dark text on the pictures' paper colour, so a notification or a list shows
something clear rather than a blank. Pillow is imported only when a card is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reminder.pictures.figure import BACKGROUND, FLOOR, NEAR, picture_size

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont

    from reminder.catalogue.model import Stretch

_MARGIN = 0.07  # of the height, all round
_SUPERSAMPLE = 4


def card_text(stretch: Stretch) -> tuple[str, str]:
    """What a card says: the stretch's name and its first step."""
    return stretch.name, stretch.steps[0]


def draw_card(stretch: Stretch, height: int) -> Image.Image:
    """A card ``height`` pixels high (3:2, as the figures): the name in bold above the first
    step, each wrapped to the card and cut short with an ellipsis if it runs over."""
    from PIL import Image, ImageDraw, ImageFont

    width, _ = picture_size(height)
    scale = _SUPERSAMPLE
    image = Image.new("RGB", (width * scale, height * scale), BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = round(height * _MARGIN * scale)
    band = max(scale, round(height * 0.04 * scale))
    draw.rectangle((0, 0, width * scale, band), fill=FLOOR)
    inner = width * scale - 2 * margin
    name, step = card_text(stretch)
    title = ImageFont.load_default(size=max(8, round(height * 0.13)) * scale)
    body = ImageFont.load_default(size=max(7, round(height * 0.095)) * scale)
    y = band + margin
    bottom = height * scale - margin
    for text, font in ((name, title), (step, body)):
        y = _paragraph(draw, text, font, margin, y, inner, bottom)
        y += margin // 2
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _paragraph(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    left: int,
    top: int,
    width: int,
    bottom: int,
) -> int:
    """Draw ``text`` wrapped to ``width`` from ``top``, no lower than ``bottom``; where the
    next paragraph may start."""
    line_height = round(draw.textbbox((0, 0), "Hg", font=font)[3] * 1.25)
    lines = _wrapped(draw, text, font, width)
    room = max(0, (bottom - top) // line_height)
    if len(lines) > room:
        lines = lines[:room]
        if lines:
            lines[-1] = _shortened(draw, lines[-1], font, width)
    for line in lines:
        draw.text((left, top), line, fill=NEAR, font=font)
        top += line_height
    return top


def _wrapped(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: int,
) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _shortened(
    draw: ImageDraw.ImageDraw,
    line: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: int,
) -> str:
    """The line with an ellipsis at its end, words dropped until it fits."""
    words = line.split()
    while words and draw.textlength(" ".join(words) + " …", font=font) > width:
        words.pop()
    return " ".join(words) + " …"
