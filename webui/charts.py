"""Charts as SVG, drawn on the server: no JavaScript, no library, printable.

Made to be read on a 390 px phone: the SVG takes its container's width and
a fixed height, with no viewBox on the outer drawing, so its text is always
13 px whatever the screen (only the bars' own box stretches). Ticks are
whole, round counts (0, 5, 10 ...); a period with more days than a phone has
room for is drawn by week or by month (`buckets`); dates are the user's
language's, through Babel (`label`). Every text in the SVG is escaped.
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape

from .i18n import marked


# Babel is imported when a chart is drawn, not with the web process: its locale
# data costs every page's process some megabytes (webui/cldr.py serves the rest).
def format_date(day, pattern, locale):
    from babel.dates import format_date as babel_date
    return marked(babel_date(day, pattern, locale=locale))


def format_compact_decimal(value, locale, fraction_digits):
    from babel.numbers import format_compact_decimal as compact
    return marked(compact(value, locale=locale, fraction_digits=fraction_digits))


def format_decimal(value, locale):
    from babel.numbers import format_decimal as decimal
    return decimal(value, locale=locale)

COLOURS = ("#0b6e4f", "#e07a1f", "#b3261e", "#5d6b64")
MOST_BARS = 31  # bar groups at most: about 10 px each on a phone
FONT = 13
HEIGHT, TOP, BOTTOM = 210, 10, 28
GUTTER = 0.14  # room on the left for the tick labels, as a share of the bars' width


def nice_ticks(peak: float, most: int = 5) -> list[int]:
    """Round, whole steps from 0 past `peak`: at most `most` of them above 0,
    never repeated, never a fraction (counts and rupiah are whole)."""
    peak = max(1, math.ceil(peak))
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(peak / step) <= most:
                return [step * n for n in range(math.ceil(peak / step) + 1)]
        magnitude *= 10


def unit_for(days: int, most: int = MOST_BARS) -> str:
    """Day, week or month: the finest that leaves at most `most` bars."""
    if days <= most:
        return "day"
    if math.ceil(days / 7) + 1 <= most:
        return "week"
    return "month"


def _start_of(day: dt.date, unit: str) -> dt.date:
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def buckets(rows: list[dict], fields: list[str], unit: str) -> list[dict]:
    """Daily rows ({"day": date, field: n ...}) summed per day, week (from
    Monday) or month; each bucket keeps its first and last day in the period."""
    out: list[dict] = []
    for row in rows:
        start = _start_of(row["day"], unit)
        if not out or out[-1]["start"] != start:
            out.append({"start": start, "first": row["day"], "last": row["day"], **dict.fromkeys(fields, 0)})
        bucket = out[-1]
        bucket["last"] = row["day"]
        for field in fields:
            bucket[field] += row.get(field) or 0
    return out


def label(day: dt.date, unit: str, language: str) -> str:
    """The one way a date is written on the reports: "3 Des", "Des 2026"."""
    return format_date(day, "MMM yyyy" if unit == "month" else "d MMM", locale=language)


def span(first: dt.date, last: dt.date, language: str) -> str:
    """A period's heading: "3 Nov – 2 Des 2026", with both years when they differ."""
    if first.year == last.year:
        return f"{label(first, 'day', language)} – {format_date(last, 'd MMM yyyy', locale=language)}"
    return f"{format_date(first, 'd MMM yyyy', locale=language)} – {format_date(last, 'd MMM yyyy', locale=language)}"


def number(value: int, language: str, *, compact: bool = False) -> str:
    if compact and abs(value) >= 10_000:
        return format_compact_decimal(value, locale=language, fraction_digits=1)
    return format_decimal(value, locale=language)


def _label_indexes(n: int, most: int) -> list[int]:
    if n <= most:
        return list(range(n))
    step = math.ceil((n - 1) / (most - 1))
    return list(range(0, n, step))


def bars(points: list[dict], series: list[tuple[str, str]], *, unit: str, language: str, title: str,
         money: bool = False) -> str:
    """Grouped bars: `points` are buckets, `series` (field, legend) pairs with
    the legend already in the user's language. SVG plus an HTML legend."""
    fields = [field for field, _ in series]
    peak = max((point.get(f) or 0 for point in points for f in fields), default=0)
    ticks = nice_ticks(peak)
    top_value = ticks[-1]
    plot_h = HEIGHT - TOP - BOTTOM
    n = max(1, len(points))
    gutter = n * GUTTER / (1 - GUTTER)
    width_units = n + gutter

    def pct(x: float) -> str:
        return f"{100 * (x + gutter) / width_units:.2f}%"

    parts = [f'<svg class="bars" width="100%" height="{HEIGHT}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="{FONT}">']
    for value in ticks:
        y = TOP + plot_h * (1 - value / top_value)
        parts.append(f'<line x1="0" x2="100%" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9e0dc"/>')
        text = number(value, language, compact=True)
        parts.append(f'<text x="0" y="{max(FONT, y - 3):.1f}" fill="#3c4a43" stroke="#fff" stroke-width="3" '
                     f'paint-order="stroke">{escape(text)}</text>')
    # The bars in their own box, stretched to the width; the text above stays in pixels.
    bar = 0.8 / len(fields)
    parts.append(f'<svg x="0" y="{TOP}" width="100%" height="{plot_h}" viewBox="{-gutter:.3f} 0 {width_units:.3f} '
                 f'{plot_h}" preserveAspectRatio="none">')
    for i, point in enumerate(points):
        name = label(point["first"], unit, language)
        for j, field in enumerate(fields):
            value = point.get(field) or 0
            h = plot_h * value / top_value
            shown = ("Rp " if money else "") + number(value, language)
            parts.append(f'<rect x="{i + 0.1 + j * bar:.3f}" y="{plot_h - h:.2f}" width="{bar:.3f}" '
                         f'height="{h:.2f}" fill="{COLOURS[j % len(COLOURS)]}"><title>{escape(name)}, '
                         f'{escape(series[j][1])}: {escape(shown)}</title></rect>')
    parts.append("</svg>")
    shown = _label_indexes(len(points), 4 if unit == "month" else 5)
    for i in shown:
        anchor = "middle"
        if len(shown) > 1 and i == shown[-1] and i >= len(points) - 1:
            anchor = "end"
        x = pct(i + 0.5) if anchor == "middle" else "100%"
        parts.append(f'<text x="{x}" y="{HEIGHT - 8}" text-anchor="{anchor}" fill="#3c4a43">'
                     f'{escape(label(points[i]["first"], unit, language))}</text>')
    parts.append("</svg>")
    parts.append('<ul class="legend">')
    for j, (_, name) in enumerate(series):
        parts.append(f'<li><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" rx="2" '
                     f'fill="{COLOURS[j % len(COLOURS)]}"/></svg> {escape(name)}</li>')
    parts.append("</ul>")
    return "".join(parts)
