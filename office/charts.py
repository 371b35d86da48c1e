"""Server-side SVG charts for the work-plan dashboards: pure string building, no Django, no CDN.

Every piece of text that goes into the SVG (labels, titles, numbers) is escaped here, so a
template may print the result with |safe. Colours are never the only carrier of meaning: each
segment has a <title> naming its status and count, wide segments print the count, and the whole
chart carries an aria-label that reads out every figure. Text inherits the page's font.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

_COLOUR = re.compile(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?")


@dataclass(frozen=True)
class Segment:
    """One kind of count in a stacked bar: its key in the counts, its label and its colours."""

    key: str
    label: str
    fill: str
    text_fill: str = "#ffffff"

    def __post_init__(self) -> None:
        # Colours go into attributes unquoted by any template: accept only plain hex colours.
        for colour in (self.fill, self.text_fill):
            if not _COLOUR.fullmatch(colour):
                raise ValueError(f"not a hex colour: {colour!r}")


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    """A coordinate without float noise: 12.5, 40, 33.33."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def segment_widths(
    counts: Mapping[str, int], keys: Sequence[str], *, width: float, scale_total: int | None = None
) -> list[tuple[str, float, float]]:
    """(key, x, width) for each non-zero count, in order, proportional to count / scale.

    The scale is the larger of `scale_total` and this bar's own total, so bars drawn with the
    same scale compare by length. Edges are rounded from the running sum, so the segments touch
    and add up exactly to the bar's length.
    """
    values = [(key, int(counts.get(key, 0) or 0)) for key in keys]
    if any(value < 0 for _, value in values):
        raise ValueError("counts cannot be negative")
    total = sum(value for _, value in values)
    scale = max(total, scale_total or 0)
    if scale == 0:
        return []
    result = []
    running = 0
    for key, value in values:
        if value == 0:
            continue
        start = round(running * width / scale, 2)
        running += value
        end = round(running * width / scale, 2)
        result.append((key, start, end - start))
    return result


def stacked_bar(
    counts: Mapping[str, int],
    segments: Sequence[Segment],
    *,
    title: str,
    width: int = 240,
    height: int = 20,
    scale_total: int | None = None,
    number: Callable[[int], str] = str,
    empty_label: str = "0",
    min_label_width: float = 24,
) -> str:
    """A horizontal stacked bar as an inline <svg> element.

    `title` names the bar (a unit); `number` formats counts for the reader's locale;
    `empty_label` is said and shown when every count is zero.
    """
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive")
    by_key = {segment.key: segment for segment in segments}
    parts = [
        f"{segment.label}: {number(int(counts.get(segment.key, 0) or 0))}" for segment in segments
    ]
    total = sum(int(counts.get(segment.key, 0) or 0) for segment in segments)
    summary = f"{title} – {'; '.join(parts)}" if total else f"{title} – {empty_label}"
    body = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="office-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_attr(summary)}">',
        f"<title>{escape(summary)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f1f3f5" stroke="#ced4da" stroke-width="1"/>',
    ]
    if total == 0:
        body.append(_text(width / 2, height / 2, empty_label, "#495057", anchor="middle"))
    for key, x, w in segment_widths(counts, list(by_key), width=width, scale_total=scale_total):
        segment = by_key[key]
        value = int(counts[key])
        label = f"{segment.label}: {number(value)}"
        body.append(
            f'<rect x="{_num(x)}" y="0" width="{_num(w)}" height="{height}" fill="{segment.fill}" '
            f'data-status="{_attr(key)}" data-count="{value}"><title>{escape(label)}</title></rect>'
        )
        if w >= min_label_width:
            body.append(_text(x + w / 2, height / 2, number(value), segment.text_fill, anchor="middle"))
    body.append("</svg>")
    return "".join(body)


def swatch(segment: Segment, *, size: int = 12) -> str:
    """A small coloured square for a legend; decorative, the legend's text says what it means."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        f'aria-hidden="true" focusable="false"><rect width="{size}" height="{size}" fill="{segment.fill}" '
        f'stroke="#495057" stroke-width="0.5"/></svg>'
    )


def _text(x: float, y: float, text: str, fill: str, *, anchor: str) -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" fill="{_attr(fill)}" font-size="11" '
        f'text-anchor="{anchor}" dominant-baseline="central" aria-hidden="true">{escape(text)}</text>'
    )
