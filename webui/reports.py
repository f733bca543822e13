"""Reports: SVG charts drawn on the server, each with its table and a CSV,
for a period picked with plain links and a from-to form (no JavaScript)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from appliance import clock, reports

from . import charts, formats
from .i18n import N_
from .web import Web

PERIODS = (7, 30, 90, 365)
MAX_DAYS = 3 * 366  # a custom period: three years at most, drawn by month



@dataclasses.dataclass(frozen=True)
class Daily:
    """A report drawn from the numbers kept per day (appliance/daily.py)."""
    heading: str
    series: list  # (field, legend): charted
    more: list = dataclasses.field(default_factory=list)  # (field, legend): in the table and the CSV only
    money: bool = False
    tab: str = ""  # "" is the overview
    help: str = ""


DAILY = {
    "messages": Daily(N_("Messages"), [("received", N_("Received")), ("sent", N_("Sent")), ("failed", N_("Failed"))],
                      [("transactional", N_("Replies and notices")), ("reminder", N_("Reminders")),
                       ("marketing", N_("Promotions"))]),
    "bookings": Daily(N_("Bookings"), [("booked", N_("Booked")), ("done", N_("Came")),
                                       ("no_show", N_("Did not come"))], [("cancelled", N_("Cancelled"))]),
    "orders": Daily(N_("Orders"), [("orders", N_("Orders placed")), ("paid_orders", N_("Orders paid"))],
                    [("unpaid", N_("Still unpaid")), ("auto_cancelled", N_("Cancelled, not paid in time"))],
                    tab="sales", help=N_("Still unpaid and cancelled, not paid in time: of the orders placed "
                                         "then, as they are now.")),
    "revenue": Daily(N_("Money received"), [("revenue", N_("Paid orders (Rp)"))], money=True, tab="sales",
                     help=N_("The totals of the orders paid then, not cancelled.")),
    "payments": Daily(N_("Payment claims"), [("claims", N_("Claimed")), ("claims_verified", N_("Verified")),
                                             ("claims_rejected", N_("Rejected"))], tab="sales",
                      help=N_("Claimed: on the day the customer's SMS came; verified or rejected: on the day "
                              "staff decided.")),
    "customers": Daily(N_("New customers"), [("new_customers", N_("New customers"))], tab="customers"),
}
TABS = (("", N_("Overview")), ("sales", N_("Sales")), ("sms", N_("SMS spend")), ("customers", N_("Customers")))
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


def period_of(web: Web) -> Period:
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
    return formats.money(value, language)


def when(bucket: dict, unit: str, language: str) -> str:
    first = charts.label(bucket["first"], unit, language)
    if unit == "week" and bucket["last"] != bucket["first"]:
        return f"{first} – {charts.label(bucket['last'], unit, language)}"
    return first


def daily_sections(web: Web, period: Period, rows: list[dict], tab: str) -> list[dict]:
    language = web.language
    unit = charts.unit_for(period.days)
    sections = []
    for name, report in DAILY.items():
        if report.tab != tab:
            continue
        fields = [f for f, _ in report.series + report.more]
        points = charts.buckets(rows, fields, unit)
        empty = not any(point[f] for point in points for f in fields)
        shown = [(f, web.t(legend)) for f, legend in report.series]
        value = (lambda v: _money(v, language)) if report.money else (lambda v: charts.number(v, language))
        sections.append({
            "name": name, "heading": web.t(report.heading), "empty": empty, "help": web.t(report.help),
            "chart": "" if empty else charts.bars(points, shown, unit=unit, language=language,
                                                  title=web.t(report.heading), money=report.money),
            "columns": [web.t(UNIT_HEADING[unit])] + [web.t(legend) for _, legend in report.series + report.more],
            "rows": [[when(point, unit, language)] + [value(point[f]) for f in fields] for point in points],
            "total": [web.t("Total")] + [value(sum(point[f] for point in points)) for f in fields],
        })
    return sections


def _campaign_section(web: Web) -> dict:
    language = web.language
    rows = reports.campaign_results()
    return {"name": "campaigns", "heading": web.t("Campaign results"), "empty": not rows, "chart": "",
            "columns": [web.t("Campaign"), web.t("Recipients"), web.t("Sent"), web.t("Delivered"), web.t("Failed")],
            "rows": [[r["campaign"]] + [charts.number(r[k], language) for k in ("recipients", "sent", "delivered",
                                                                                 "failed")] for r in rows]}


def utc(period: Period, tz) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(period.first, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(period.last + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc)


def overview(web: Web):
    period = period_of(web)
    tz = web.settings.tz
    since, until = utc(period, tz)
    rows = reports.per_day(period.first, period.last, tz)
    sections = daily_sections(web, period, rows, "") + [_campaign_section(web)]
    return page(web, "", period, sections, tickets=reports.tickets_summary(since, until),
                points=reports.points(since, until))


def page(web: Web, tab: str, period: Period, sections: list[dict], **values):
    """A tab of the reports: its period picker (or none), its sections."""
    return web.render("reports", title="Reports", tab=tab, tabs=TABS, period=period, periods=PERIODS,
                      sections=sections, heading=charts.span(period.first, period.last, web.language),
                      **{"tickets": None, "points": None, "facts": [], "fixed": "", **values})
