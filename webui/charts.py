"""Charts as SVG, drawn on the server: no JavaScript, no library, printable.

`bars` draws grouped bars for a few series over labelled points (days,
months). Every text in the SVG is escaped.
"""

from __future__ import annotations

from html import escape

COLOURS = ("#0b6e4f", "#e07a1f", "#b3261e", "#5d6b64")


def bars(points: list[dict], label: str, series: list[str], *, width: int = 640, height: int = 220,
         title: str = "") -> str:
    if not points:
        return '<p class="empty">No data for this period.</p>'
    left, bottom, top = 36, 24, 16
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max(1, max(max(p.get(s) or 0 for s in series) for p in points))
    slot = plot_w / len(points)
    bar = max(1.0, slot * 0.8 / len(series))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9e0dc"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">'
                     f'{round(peak * fraction)}</text>')
    every = max(1, len(points) // 8)
    for i, point in enumerate(points):
        x0 = left + i * slot + slot * 0.1
        for j, name in enumerate(series):
            value = point.get(name) or 0
            h = plot_h * value / peak
            parts.append(f'<rect x="{x0 + j * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{COLOURS[j % len(COLOURS)]}"><title>{escape(str(point[label]))} '
                         f'{escape(name)}: {value}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{left + i * slot + slot / 2:.1f}" y="{height - 8}" text-anchor="middle" '
                         f'font-size="10">{escape(str(point[label])[-5:])}</text>')
    for j, name in enumerate(series):
        parts.append(f'<rect x="{left + j * 110}" y="2" width="10" height="10" fill="{COLOURS[j % len(COLOURS)]}"/>'
                     f'<text x="{left + j * 110 + 14}" y="11" font-size="11">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
