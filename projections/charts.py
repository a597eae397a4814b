"""Charts as inline SVG: no script, no external font or stylesheet, readable without colour.

Each chart has a <title> and <desc> for screen readers, prints its values as text beside the
bars, and uses colours that keep a contrast of at least 3:1 against white.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR_COLOUR = "#1f5f8b"
SERIES_COLOURS = ("#1b6e3a", "#1f5f8b", "#8a6d00", "#a4262c")
ROW = 24
LABEL_WIDTH = 190
BAR_WIDTH = 360


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def bar_chart(
    title: str, rows: Sequence[tuple[str, float]], *, unit: str = "", maximum: float | None = None
) -> str:
    """A horizontal bar chart of labelled values."""
    top = maximum if maximum is not None else max([v for _, v in rows] + [1.0])
    height = ROW * len(rows) + 30
    width = LABEL_WIDTH + BAR_WIDTH + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        "<desc>"
        + escape("; ".join(f"{label}: {_number(v)}{unit}" for label, v in rows))
        + "</desc>",
        f'<text x="0" y="16" font-weight="bold" fill="#111">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(rows):
        y = 28 + i * ROW
        length = 0 if top <= 0 else round(BAR_WIDTH * max(value, 0) / top)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" fill="#111">'
            f"{escape(label[:28])}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW - 8}" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 15}" fill="#111">'
            f"{_number(value)}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_bar_chart(
    title: str, series: Sequence[str], rows: Sequence[tuple[str, Sequence[float]]]
) -> str:
    """Horizontal bars split into series (e.g. evaluation bands), with a legend."""
    height = ROW * len(rows) + 60
    width = LABEL_WIDTH + BAR_WIDTH + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
        f"<title>{escape(title)}</title>",
        "<desc>"
        + escape(
            "; ".join(
                f"{label}: "
                + ", ".join(f"{s} {_number(v)}" for s, v in zip(series, values, strict=True))
                for label, values in rows
            )
        )
        + "</desc>",
        f'<text x="0" y="16" font-weight="bold" fill="#111">{escape(title)}</text>',
    ]
    x = 0
    for i, name in enumerate(series):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        parts.append(
            f'<rect x="{x}" y="24" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="35" fill="#111">{escape(name)}</text>'
        )
        x += 16 + 8 * len(name) + 14
    for i, (label, values) in enumerate(rows):
        y = 48 + i * ROW
        total = sum(values) or 1
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" fill="#111">'
            f"{escape(label[:28])}</text>"
        )
        offset = 0
        for j, value in enumerate(values):
            length = round(BAR_WIDTH * value / total)
            colour = SERIES_COLOURS[j % len(SERIES_COLOURS)]
            parts.append(
                f'<rect x="{LABEL_WIDTH + offset}" y="{y + 3}" width="{length}" '
                f'height="{ROW - 8}" fill="{colour}"/>'
            )
            offset += length
        parts.append(
            f'<text x="{LABEL_WIDTH + offset + 6}" y="{y + 15}" fill="#111">'
            f"{_number(sum(values))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
