"""Small charts for the printed documents, as inline SVG strings: horizontal bars, stacked bars
and pies, each with its labels and values written out (the paper is often photocopied in grey).

Plain Python, no Django and no drawing library: WeasyPrint lays out inline <svg> itself, and the
text uses the documents' font (Liberation Serif, declared by static/documents/nd30.css), so the
charts print like the rest of the page. Labels are escaped here; the caller marks the result
safe for its template. Sizes are CSS pixels (0.75 pt): the default width, 600 px, fits the A4
portrait text column (165 mm).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

Number = int | float | Decimal
# Distinct in colour and still distinct in grey (dark, light, middle… alternate).
PALETTE = ("#1F4E79", "#F4B183", "#548235", "#BDD7EE", "#7F6000", "#C9C9C9", "#7030A0", "#FFD966", "#404040")
FONT = "Liberation Serif"
TEXT_COLOR = "#000"
AXIS_COLOR = "#7F7F7F"
# Advances of Liberation Serif characters, in em (averages measured on its metrics): enough to decide
# where a label must be shortened without a font library.
SPACE_EM, UPPER_EM, DIGIT_EM, LOWER_EM = 0.25, 0.67, 0.5, 0.46


def _plain(value: Number) -> str:
    number = Decimal(str(value))
    return format(number.normalize(), "f") if number == number.to_integral() else str(value)


def _em(character: str) -> float:
    if character.isspace():
        return SPACE_EM
    if character.isdigit():
        return DIGIT_EM
    return UPPER_EM if character.isupper() else LOWER_EM


def text_width(text: str, font_size: float) -> float:
    """About how wide `text` is, in pixels, at `font_size` (erring on the wide side by 5 %)."""
    return sum(_em(character) for character in text) * font_size * 1.05


def shorten(text: str, width: float, font_size: float) -> str:
    """The text, cut with "…" so that it fits `width` pixels."""
    if text_width(text, font_size) <= width:
        return text
    room = width - LOWER_EM * font_size  # the ellipsis
    kept = 0.0
    for index, character in enumerate(text):
        kept += _em(character) * font_size * 1.05
        if kept > room:
            return text[:max(index, 1)].rstrip() + "…"
    return text


def _svg(width: float, height: float, body: list[str], title: str, font_size: float) -> str:
    label = f' aria-label="{escape(title)}"' if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"{label} width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" font-family="{FONT}" font-size="{font_size:g}" fill="{TEXT_COLOR}">'
        + "".join(body)
        + "</svg>"
    )


def _title(title: str, width: float, font_size: float) -> tuple[list[str], float]:
    if not title:
        return [], 0
    size = font_size + 1
    text = escape(shorten(title, width, size))
    return [f'<text x="{width / 2:g}" y="{size:g}" text-anchor="middle" font-weight="bold" font-size="{size:g}">{text}</text>'], size + 8


def _text(x: float, y: float, text: str, *, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _legend(items: Sequence[tuple[str, str]], *, x: float, y: float, width: float, font_size: float) -> tuple[list[str], float]:
    """Colour squares with their labels, wrapped over as many rows as needed; returns (svg, height)."""
    body, cursor, row = [], x, 0
    square = font_size * 0.8
    line = font_size + 6
    for colour, label in items:
        needed = square + 4 + text_width(label, font_size) + 14
        if cursor > x and cursor + needed > x + width:
            cursor, row = x, row + 1
        top = y + row * line
        body.append(f'<rect x="{cursor:.1f}" y="{top:.1f}" width="{square:g}" height="{square:g}" fill="{colour}" stroke="{AXIS_COLOR}" stroke-width="0.5"/>')
        body.append(_text(cursor + square + 4, top + square - 1, shorten(label, width - square - 4, font_size)))
        cursor += needed
    return body, (row + 1) * line if items else 0


def bar_chart(
    items: Sequence[tuple[str, Number]],
    *,
    title: str = "",
    width: float = 600,
    bar_height: float = 14,
    gap: float = 6,
    font_size: float = 12,
    label_share: float = 0.42,
    colour: str = PALETTE[0],
    number: Callable[[Number], str] = _plain,
    maximum: Number | None = None,
    suffix: str = "",
) -> str:
    """Horizontal bars, one per (label, value), in the given order; the value is written after the
    bar. `maximum` fixes the scale (100 for percentages); by default the largest value fills it.
    Returns "" when there is nothing to draw."""
    if not items:
        return ""
    body, top = _title(title, width, font_size)
    label_width = width * label_share
    values = [max(Decimal(str(value)), Decimal(0)) for _label, value in items]
    scale_max = Decimal(str(maximum)) if maximum is not None else max(values)
    value_room = max(text_width(number(value) + suffix, font_size) for _label, value in items) + 8
    bar_room = max(width - label_width - 8 - value_room, 20)
    body.append(f'<line x1="{label_width + 4:.1f}" y1="{top:.1f}" x2="{label_width + 4:.1f}" '
                f'y2="{top + len(items) * (bar_height + gap):.1f}" stroke="{AXIS_COLOR}" stroke-width="0.75"/>')
    for index, ((label, value), amount) in enumerate(zip(items, values, strict=True)):
        y = top + index * (bar_height + gap) + gap / 2
        length = float(amount / scale_max) * bar_room if scale_max else 0.0
        baseline = y + bar_height / 2 + font_size * 0.35
        body.append(_text(label_width, baseline, shorten(str(label), label_width - 4, font_size), anchor="end"))
        if length > 0:
            body.append(f'<rect x="{label_width + 4:.1f}" y="{y:.1f}" width="{length:.1f}" height="{bar_height:g}" fill="{colour}"/>')
        body.append(_text(label_width + 8 + length, baseline, number(value) + suffix))
    height = top + len(items) * (bar_height + gap) + 2
    return _svg(width, height, body, title, font_size)


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[Number]]],
    series: Sequence[str],
    *,
    title: str = "",
    width: float = 600,
    bar_height: float = 16,
    gap: float = 6,
    font_size: float = 12,
    label_share: float = 0.36,
    colours: Sequence[str] = PALETTE,
    number: Callable[[Number], str] = _plain,
) -> str:
    """One horizontal bar per row, split into the series' parts (each part with its value when it
    is wide enough), the row's total after the bar, and a legend of the series underneath."""
    if not rows or not series:
        return ""
    body, top = _title(title, width, font_size)
    label_width = width * label_share
    totals = [sum((Decimal(str(v)) for v in values), Decimal(0)) for _label, values in rows]
    largest = max(totals) or Decimal(1)
    value_room = max(text_width(number(total), font_size) for total in totals) + 8
    bar_room = max(width - label_width - 8 - value_room, 20)
    for index, ((label, values), total) in enumerate(zip(rows, totals, strict=True)):
        y = top + index * (bar_height + gap) + gap / 2
        baseline = y + bar_height / 2 + font_size * 0.35
        body.append(_text(label_width, baseline, shorten(str(label), label_width - 4, font_size), anchor="end"))
        x = label_width + 4
        for part, value in enumerate(values):
            amount = Decimal(str(value))
            if amount <= 0:
                continue
            length = float(amount / largest) * bar_room
            colour = colours[part % len(colours)]
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{length:.1f}" height="{bar_height:g}" fill="{colour}" '
                        f'stroke="#FFF" stroke-width="0.5"/>')
            shown = number(value)
            if text_width(shown, font_size - 1) + 4 <= length:
                ink = "#FFF" if part % 2 == 0 else TEXT_COLOR
                body.append(_text(x + length / 2, baseline, shown, anchor="middle",
                                  extra=f' fill="{ink}" font-size="{font_size - 1:g}"'))
            x += length
        body.append(_text(x + 4, baseline, number(total)))
    bottom = top + len(rows) * (bar_height + gap) + 6
    legend, legend_height = _legend(
        [(colours[i % len(colours)], name) for i, name in enumerate(series)],
        x=label_width + 4, y=bottom, width=width - label_width - 4, font_size=font_size,
    )
    body += legend
    return _svg(width, bottom + legend_height + 2, body, title, font_size)


def pie_chart(
    items: Sequence[tuple[str, Number]],
    *,
    title: str = "",
    width: float = 600,
    radius: float = 70,
    font_size: float = 12,
    colours: Sequence[str] = PALETTE,
    number: Callable[[Number], str] = _plain,
    percent: Callable[[Decimal], str] | None = None,
) -> str:
    """A pie of the (label, value) items, clockwise from twelve o'clock, with a legend at its right
    giving each label, value and share. Items of value 0 stay in the legend. Returns "" when the
    values add up to nothing."""
    values = [max(Decimal(str(value)), Decimal(0)) for _label, value in items]
    total = sum(values, Decimal(0))
    if not items or total <= 0:
        return ""
    percent = percent or (lambda share: f"{share:.1f}%")
    line = font_size + 7
    square = font_size * 0.8
    legend_x = 2 * radius + 32
    texts = [f"{label}: {number(value)} ({percent(amount * 100 / total)})" for (label, value), amount in zip(items, values, strict=True)]
    # As wide as the pie and its legend (the document centres it), never wider than `width`.
    width = min(width, max(legend_x + square + 5 + max(text_width(text, font_size) for text in texts) + 4,
                           text_width(title, font_size + 1) + 8 if title else 0))
    body, top = _title(title, width, font_size)
    cx, cy = radius + 4, top + radius + 4
    angle = -math.pi / 2
    for index, amount in enumerate(values):
        if amount <= 0:
            continue
        colour = colours[index % len(colours)]
        if amount == total:
            body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:g}" fill="{colour}" stroke="#FFF" stroke-width="1"/>')
            break
        sweep = float(amount / total) * 2 * math.pi
        x1, y1 = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        x2, y2 = cx + radius * math.cos(angle + sweep), cy + radius * math.sin(angle + sweep)
        large = 1 if sweep > math.pi else 0
        body.append(f'<path d="M{cx:.1f},{cy:.1f} L{x1:.2f},{y1:.2f} A{radius:g},{radius:g} 0 {large} 1 {x2:.2f},{y2:.2f} Z" '
                    f'fill="{colour}" stroke="#FFF" stroke-width="1"/>')
        angle += sweep
    legend_top = max(top, cy - len(items) * line / 2)
    for index, text in enumerate(texts):
        y = legend_top + index * line
        colour = colours[index % len(colours)]
        body.append(f'<rect x="{legend_x:.1f}" y="{y:.1f}" width="{square:g}" height="{square:g}" fill="{colour}" '
                    f'stroke="{AXIS_COLOR}" stroke-width="0.5"/>')
        body.append(_text(legend_x + square + 5, y + square - 1, shorten(text, width - legend_x - square - 5, font_size)))
    height = max(cy + radius + 4, legend_top + len(items) * line)
    return _svg(width, height, body, title, font_size)
