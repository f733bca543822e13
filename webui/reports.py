"""Reports: SVG charts drawn on the server, each with its table and a CSV,
for a period picked with plain links and a from-to form (no JavaScript)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

from appliance import clock, reports
from appliance.customers_csv import spreadsheet_safe

from . import charts
from .i18n import N_
from .web import Web

PERIODS = (7, 30, 90, 365)
MAX_DAYS = 3 * 366  # a custom period: three years at most, drawn by month

# The daily reports: name -> (heading, the charted series, more columns for the table and the CSV, rupiah?)
DAILY = {
    "messages": (N_("Messages"), [("received", N_("Received")), ("sent", N_("Sent")), ("failed", N_("Failed"))],
                 [("transactional", N_("Replies and notices")), ("reminder", N_("Reminders")),
                  ("marketing", N_("Promotions"))], False),
    "customers": (N_("New customers"), [("new_customers", N_("New customers"))], [], False),
    "bookings": (N_("Bookings"), [("booked", N_("Booked")), ("done", N_("Came")), ("no_show", N_("Did not come"))],
                 [("cancelled", N_("Cancelled"))], False),
    "orders": (N_("Orders"), [("orders", N_("Orders placed")), ("paid_orders", N_("Orders paid"))], [], False),
    "revenue": (N_("Money received"), [("revenue", N_("Paid orders (Rp)"))], [], True),
}
UNIT_HEADING = {"day": N_("Day"), "week": N_("Week"), "month": N_("Month")}


@dataclasses.dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    preset: int | None  # 7, 30, 90 or 365 when picked from the links
    error: str = ""

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def query(self) -> str:
        return f"days={self.preset}" if self.preset else f"from={self.first}&to={self.last}"


def _period(web: Web) -> Period:
    today = clock.utcnow().astimezone(web.settings.tz).date()
    start, end = web.query("from", limit=20).strip(), web.query("to", limit=20).strip()
    if start or end:
        try:
            first, last = dt.date.fromisoformat(start or end), dt.date.fromisoformat(end or start)
        except ValueError:
            return Period(today - dt.timedelta(days=29), today, 30, web.t("Choose both dates on the calendar."))
        first, last = min(first, last), max(first, last)
        if (last - first).days + 1 > MAX_DAYS:
            return Period(last - dt.timedelta(days=MAX_DAYS - 1), last, None,
                          web.t("A period is three years at most; showing the last three years up to the end date."))
        return Period(first, last, None)
    try:
        days = max(1, min(int(web.query("days") or 30), MAX_DAYS))
    except ValueError:
        days = 30
    return Period(today - dt.timedelta(days=days - 1), today, days)


def _money(value: int, language: str) -> str:
    return "Rp " + charts.number(value, language)


def _when(bucket: dict, unit: str, language: str) -> str:
    first = charts.label(bucket["first"], unit, language)
    if unit == "week" and bucket["last"] != bucket["first"]:
        return f"{first} – {charts.label(bucket['last'], unit, language)}"
    return first


def _daily_sections(web: Web, period: Period, rows: list[dict]) -> list[dict]:
    language = web.language
    unit = charts.unit_for(period.days)
    sections = []
    for name, (heading, series, more, money) in DAILY.items():
        fields = [f for f, _ in series + more]
        points = charts.buckets(rows, fields, unit)
        empty = not any(point[f] for point in points for f in fields)
        shown = [(f, web.t(legend)) for f, legend in series]
        value = (lambda v: _money(v, language)) if money else (lambda v: charts.number(v, language))
        sections.append({
            "name": name, "heading": web.t(heading), "empty": empty,
            "chart": "" if empty else charts.bars(points, shown, unit=unit, language=language,
                                                  title=web.t(heading), money=money),
            "columns": [web.t(UNIT_HEADING[unit])] + [web.t(legend) for _, legend in series + more],
            "rows": [[_when(point, unit, language)] + [value(point[f]) for f in fields] for point in points],
        })
    return sections


def _retention_section(web: Web, period: Period) -> dict:
    tz, language = web.settings.tz, web.language
    since, until = _utc(period, tz)
    rows = reports.retention(since, until, tz)
    points = [{"start": dt.date.fromisoformat(r["month"] + "-01"), "first": dt.date.fromisoformat(r["month"] + "-01"),
               "visitors": r["visitors"], "returning": r["returning"]} for r in rows]
    series = [("visitors", web.t("Came")), ("returning", web.t("Came again"))]
    heading = web.t("Returning customers per month")
    return {"name": "retention", "heading": heading, "empty": not rows,
            "chart": charts.bars(points, series, unit="month", language=language, title=heading) if rows else "",
            "columns": [web.t("Month"), web.t("Came"), web.t("Came again"), web.t("Came again (%)")],
            "rows": [[charts.label(p["start"], "month", language), charts.number(r["visitors"], language),
                      charts.number(r["returning"], language), f'{r["returning_percent"]} %']
                     for p, r in zip(points, rows)]}


def _campaign_section(web: Web) -> dict:
    language = web.language
    rows = reports.campaign_results()
    return {"name": "campaigns", "heading": web.t("Campaign results"), "empty": not rows, "chart": "",
            "columns": [web.t("Campaign"), web.t("Recipients"), web.t("Sent"), web.t("Delivered"), web.t("Failed")],
            "rows": [[r["campaign"]] + [charts.number(r[k], language) for k in ("recipients", "sent", "delivered",
                                                                                 "failed")] for r in rows]}


def _utc(period: Period, tz) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(period.first, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(period.last + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)


def overview(web: Web):
    period = _period(web)
    tz = web.settings.tz
    since, until = _utc(period, tz)
    rows = reports.per_day(period.first, period.last, tz)
    sections = _daily_sections(web, period, rows) + [_retention_section(web, period), _campaign_section(web)]
    return web.render("reports", title="Reports", period=period, periods=PERIODS, sections=sections,
                      heading=charts.span(period.first, period.last, web.language),
                      tickets=reports.tickets_summary(since, until), points=reports.points(since, until))


def download(web: Web, name: str):
    period = _period(web)
    tz = web.settings.tz
    since, until = _utc(period, tz)
    if name in DAILY:
        _, series, more, _ = DAILY[name]
        header = [web.t("Day")] + [web.t(legend) for _, legend in series + more]
        rows = [[row["day"].isoformat()] + [row[f] for f, _ in series + more]
                for row in reports.per_day(period.first, period.last, tz)]
    elif name == "retention":
        header = [web.t("Month"), web.t("Came"), web.t("Came again"), web.t("Came again (%)")]
        rows = [[r["month"], r["visitors"], r["returning"], r["returning_percent"]]
                for r in reports.retention(since, until, tz)]
    elif name == "campaigns":
        header = [web.t("Campaign"), web.t("Kind"), web.t("Status"), web.t("Recipients"), web.t("Sent"),
                  web.t("Delivered"), web.t("Failed"), web.t("Cancelled")]
        rows = [[r[k] for k in ("campaign", "kind", "status", "recipients", "sent", "delivered", "failed",
                                "cancelled")] for r in reports.campaign_results()]
    else:
        web.refuse(404, "No such report.")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    # Names come from staff (a campaign's name): never a live formula in a spreadsheet.
    writer.writerows([spreadsheet_safe(v) if isinstance(v, str) else v for v in row] for row in rows)
    return web.csv(f"{name}-{period.first}-{period.last}.csv", out.getvalue())
