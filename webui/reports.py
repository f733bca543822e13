"""Reports: SVG charts drawn on the server, each with its table and a CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import bottle

from appliance import clock, reports
from appliance.customers_csv import spreadsheet_safe

from . import charts
from .web import Web


def _period(web: Web) -> tuple[dt.datetime, dt.datetime, int]:
    try:
        days = max(1, min(int(web.query("days") or 30), 366))
    except ValueError:
        days = 30
    tz = web.settings.tz
    today = clock.utcnow().astimezone(tz).date()
    start = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time(0), tzinfo=tz)
    return start.astimezone(dt.timezone.utc), (start + dt.timedelta(days=days)).astimezone(dt.timezone.utc), days


def _tables(web: Web) -> dict[str, tuple[list[dict], str, list[str]]]:
    since, until, _ = _period(web)
    tz = web.settings.tz
    return {
        "messages": (reports.messages_per_day(since, until, tz), "day", ["received", "sent", "failed"]),
        "bookings": (reports.bookings_per_day(since, until, tz), "day", ["booked", "done", "no_show"]),
        "retention": (reports.retention(since - dt.timedelta(days=365), until, tz), "month",
                      ["visitors", "returning"]),
        "campaigns": (reports.campaign_results(), "campaign", ["sent", "delivered", "failed"]),
    }


def overview(web: Web):
    since, until, days = _period(web)
    tables = _tables(web)
    charts_svg = {name: charts.bars(rows, label, series, title=name) for name, (rows, label, series) in tables.items()
                  if name != "campaigns"}
    return web.render("reports", title="Reports", days=days, tables=tables, charts=charts_svg,
                      tickets=reports.tickets_summary(since, until), points=reports.points(since, until))


def download(web: Web, name: str):
    tables = _tables(web)
    if name not in tables:
        web.refuse(404, "No such report.")
    rows, _, _ = tables[name]
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        # Names come from staff (a campaign's name): never a live formula in a spreadsheet.
        writer.writerows({k: spreadsheet_safe(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows)
    return web.csv(f"{name}.csv", out.getvalue())
