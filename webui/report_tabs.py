"""The reports' money and customers tabs: sales and payments, what the shop
spent on SMS, customer growth and returning customers. Each chart has its
table (with a total) and its CSV; every number is read from the numbers kept
per day or from a range of an index, never from a scan of the messages."""

from __future__ import annotations

import csv
import datetime as dt
import io

from appliance import clock, reports, simcredit
from appliance.customers_csv import spreadsheet_safe
from appliance.models import PaymentClaim

from . import charts, formats
from .i18n import N_
from .reports import DAILY, UNIT_HEADING, Period, daily_sections, page, period_of, utc, when
from .web import Web

SMS_MONTHS = 12  # the SMS spend: this month and the eleven before it, whatever period is picked
KINDS = (("reply", N_("Replies and notices")), ("reminder", N_("Reminders")), ("campaign", N_("Campaigns")))


def _spans(period: Period) -> tuple[str, list[tuple[dt.date, dt.date]]]:
    """The period cut into the chart's days, weeks or months (each inside the period)."""
    unit = charts.unit_for(period.days)
    days = [{"day": period.first + dt.timedelta(days=n)} for n in range(period.days)]
    return unit, [(b["first"], b["last"]) for b in charts.buckets(days, [], unit)]


def _table(web: Web, name: str, heading: str, columns: list[str], rows: list[list], total: list | None = None,
           *, help: str = "", chart: str = "") -> dict:
    return {"name": name, "heading": heading, "empty": not rows, "chart": chart, "columns": columns, "rows": rows,
            "total": total, "help": help, "open": not chart}


# -- sales ---------------------------------------------------------------------------------

def _products(web: Web, period: Period) -> list[dict]:
    return reports.products_sold(period.first, period.last, web.settings.tz)


def _category(web: Web, name: str) -> str:
    return name or web.t("No category")


def sales(web: Web):
    period = period_of(web)
    tz, language = web.settings.tz, web.language
    rows = reports.per_day(period.first, period.last, tz)
    sections = daily_sections(web, period, rows, "sales")
    sold = _products(web, period)
    money, number = (lambda v: formats.money(v, language)), (lambda v: formats.number(v, language))
    top = sold[:20]
    sections.append(_table(
        web, "products", web.t("Top products"),
        [web.t("Product"), web.t("Category"), web.t("Sold"), web.t("Money received")],
        [[r["product"], _category(web, r["category"]), number(r["quantity"]), money(r["revenue"])] for r in top],
        [web.t("Total"), "", number(sum(r["quantity"] for r in sold)), money(sum(r["revenue"] for r in sold))],
        help=web.t("The goods of the orders paid in this period, the best-selling first (the CSV has every "
                   "product).")))
    categories = reports.categories_sold(sold)
    sections.append(_table(
        web, "categories", web.t("Sales per category"),
        [web.t("Category"), web.t("Products"), web.t("Sold"), web.t("Money received")],
        [[_category(web, r["category"]), number(r["products"]), number(r["quantity"]), money(r["revenue"])]
         for r in categories],
        [web.t("Total"), number(len(sold)), number(sum(r["quantity"] for r in sold)),
         money(sum(r["revenue"] for r in sold))]))
    total = {f: sum(r[f] for r in rows) for f in ("orders", "paid_orders", "revenue", "claims")}
    facts = [(web.t("Orders placed"), number(total["orders"])), (web.t("Orders paid"), number(total["paid_orders"])),
             (web.t("Money received"), money(total["revenue"])),
             (web.t("Average paid order"), money(total["revenue"] // total["paid_orders"])
              if total["paid_orders"] else "-"),
             (web.t("Payment claims waiting for staff"),
              number(PaymentClaim.select().where(PaymentClaim.status == "claimed").count()), "/orders")]
    return page(web, "sales", period, sections, facts=facts)


def _products_csv(web: Web, period: Period):
    header = [web.t("Product"), web.t("Category"), web.t("Sold"), web.t("Money received (Rp)")]
    return header, [[r["product"], r["category"], r["quantity"], r["revenue"]] for r in _products(web, period)], period


def _categories_csv(web: Web, period: Period):
    header = [web.t("Category"), web.t("Products"), web.t("Sold"), web.t("Money received (Rp)")]
    return header, [[r["category"], r["products"], r["quantity"], r["revenue"]]
                    for r in reports.categories_sold(_products(web, period))], period


# -- SMS spend -----------------------------------------------------------------------------

def _sms_period(web: Web) -> Period:
    today = clock.utcnow().astimezone(web.settings.tz).date()
    first = today.replace(day=1)
    for _ in range(SMS_MONTHS - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return Period(first, today, None)


def _sms_months(web: Web) -> tuple[Period, list[dict]]:
    period = _sms_period(web)
    fields = [f"{what}_{kind}" for what in ("parts", "spend") for kind, _ in KINDS]
    months = charts.buckets(reports.per_day(period.first, period.last, web.settings.tz), fields, "month")
    for month in months:
        month["spend"] = sum(month[f"spend_{kind}"] for kind, _ in KINDS)
        month["parts"] = sum(month[f"parts_{kind}"] for kind, _ in KINDS)
    return period, months


def _sms_columns(web: Web) -> list[str]:
    spend, parts = web.t("{kind} (Rp)"), web.t("{kind} (SMS parts)")
    return ([web.t("Month")] + [spend.format(kind=web.t(legend)) for _, legend in KINDS] + [web.t("Total (Rp)")]
            + [parts.format(kind=web.t(legend)) for _, legend in KINDS] + [web.t("SMS parts sent")])


def sms(web: Web):
    language = web.language
    period, months = _sms_months(web)
    money, number = (lambda v: formats.money(v, language)), (lambda v: formats.number(v, language))
    series = [(f"spend_{kind}", web.t(legend)) for kind, legend in KINDS]
    heading = web.t("SMS spend per month")
    columns = _sms_columns(web)

    def line(month: dict) -> list:
        return ([money(month[f"spend_{k}"]) for k, _ in KINDS] + [money(month["spend"])]
                + [number(month[f"parts_{k}"]) for k, _ in KINDS] + [number(month["parts"])])

    everything = {f: sum(m[f] for m in months) for f in months[0] if f not in ("start", "first", "last")}
    section = _table(
        web, "sms", heading, columns, [[charts.label(m["start"], "month", language)] + line(m) for m in months],
        [web.t("Total")] + line(everything),
        help=web.t("Each SMS part at the price recorded when it was sent (the operator's, or the price set in the "
                   "settings). Campaigns: promotions and announcements; reminders: bookings and come-backs; "
                   "replies and notices: the rest."),
        chart=charts.bars(months, series, unit="month", language=language, title=heading, money=True)
        if everything["spend"] else "")
    section["empty"] = not everything["parts"]
    this, last = months[-1], (months[-2] if len(months) > 1 else None)
    facts = [(web.t("This month so far"), money(this["spend"])),
             (web.t("Last month"), money(last["spend"]) if last else "-"),
             (web.t("The last 12 months"), money(everything["spend"])),
             (web.t("Price of one SMS part now"), money(simcredit.shop_part_price()))]
    return page(web, "sms", period, [section], facts=facts, fixed=web.t("The last 12 months"))


def _sms_csv(web: Web, period: Period):
    period, months = _sms_months(web)
    header = _sms_columns(web)
    rows = [[m["start"].strftime("%Y-%m")] + [m[f"spend_{k}"] for k, _ in KINDS] + [m["spend"]]
            + [m[f"parts_{k}"] for k, _ in KINDS] + [m["parts"]] for m in months]
    return header, rows, period


# -- customers -----------------------------------------------------------------------------

def _growth(web: Web, period: Period) -> tuple[str, list[dict], int]:
    tz = web.settings.tz
    unit = charts.unit_for(period.days)
    rows = reports.per_day(period.first, period.last, tz)
    before = reports.customers_before(period.first, tz)
    running = before
    for row in rows:
        running += row["new_customers"]
        row["all_customers"] = running
    return unit, rows, before


def _returning(web: Web, period: Period) -> tuple[str, list[dict], dict]:
    unit, spans = _spans(period)
    return (unit, *reports.returning(spans, web.settings.tz))


def customers(web: Web):
    period = period_of(web)
    language = web.language
    number = (lambda v: formats.number(v, language))
    unit, rows, before = _growth(web, period)
    sections = daily_sections(web, period, rows, "customers")
    [growth] = sections
    growth["columns"].append(web.t("All customers"))
    running = before
    for shown, point in zip(growth["rows"], charts.buckets(rows, ["new_customers"], unit)):
        running += point["new_customers"]
        shown.append(number(running))  # at the end of the row's day, week or month
    growth["total"].append(number(running))
    growth["help"] = web.t("New: customers first recorded then (by SMS or by staff). All customers: how many "
                           "there were at the end of each row.")
    unit, spans, whole = _returning(web, period)
    heading = web.t("Returning customers")
    series = [("active", web.t("Ordered or came")), ("returning", web.t("More than once"))]
    chart_points = [{"start": s["first"], **s} for s in spans]
    has = any(s["active"] for s in spans)
    sections.append(_table(
        web, "returning", heading, [web.t(UNIT_HEADING[unit])] + [legend for _, legend in series],
        [[when(s, unit, language), number(s["active"]), number(s["returning"])] for s in spans] if has else [],
        help=web.t("Returning: customers with more than one order (not cancelled) or visit (a booking done) in "
                   "this period; each row counts them from their second time on."),
        chart=charts.bars(chart_points, series, unit=unit, language=language, title=heading) if has else ""))
    sections.append(_retention_section(web, period))
    share = f" ({round(100 * whole['returning'] / whole['active'])} %)" if whole["active"] else ""
    facts = [(web.t("New customers"), number(sum(r["new_customers"] for r in rows))),
             (web.t("Ordered or came"), number(whole["active"])),
             (web.t("Returning customers"), number(whole["returning"]) + share)]
    return page(web, "customers", period, sections, facts=facts)


def _retention_section(web: Web, period: Period) -> dict:
    tz, language = web.settings.tz, web.language
    since, until = utc(period, tz)
    rows = reports.retention(since, until, tz)
    points = [{"start": dt.date.fromisoformat(r["month"] + "-01"), "first": dt.date.fromisoformat(r["month"] + "-01"),
               "visitors": r["visitors"], "returning": r["returning"]} for r in rows]
    series = [("visitors", web.t("Came")), ("returning", web.t("Came again"))]
    heading = web.t("Came back after an earlier month")
    return {"name": "retention", "heading": heading, "empty": not rows,
            "help": web.t("Customers who came (a booking done) in a month, and those of them who had come in an "
                          "earlier month."),
            "chart": charts.bars(points, series, unit="month", language=language, title=heading) if rows else "",
            "columns": [web.t("Month"), web.t("Came"), web.t("Came again"), web.t("Came again (%)")],
            "rows": [[charts.label(p["start"], "month", language), charts.number(r["visitors"], language),
                      charts.number(r["returning"], language), f'{r["returning_percent"]} %']
                     for p, r in zip(points, rows)]}




def _growth_csv(web: Web, period: Period):
    _, rows, _ = _growth(web, period)
    return ([web.t("Day"), web.t("New customers"), web.t("All customers")],
            [[r["day"].isoformat(), r["new_customers"], r["all_customers"]] for r in rows], period)


def _returning_csv(web: Web, period: Period):
    _, spans, _ = _returning(web, period)
    return ([web.t("From"), web.t("To"), web.t("Ordered or came"), web.t("More than once")],
            [[s["first"].isoformat(), s["last"].isoformat(), s["active"], s["returning"]] for s in spans], period)


def _retention_csv(web: Web, period: Period):
    since, until = utc(period, web.settings.tz)
    header = [web.t("Month"), web.t("Came"), web.t("Came again"), web.t("Came again (%)")]
    return header, [[r["month"], r["visitors"], r["returning"], r["returning_percent"]]
                    for r in reports.retention(since, until, web.settings.tz)], period


# name -> (web, period) -> (header, rows, the period the rows cover)
CSV = {"products": _products_csv, "categories": _categories_csv, "sms": _sms_csv, "customers": _growth_csv,
       "returning": _returning_csv, "retention": _retention_csv}


def download(web: Web, name: str):
    """A report's CSV: the period's days, months or rows, in the reader's language."""
    period = period_of(web)
    tz = web.settings.tz
    since, until = utc(period, tz)
    if name in CSV:
        header, rows, period = CSV[name](web, period)
    elif name in DAILY:
        report = DAILY[name]
        columns = report.series + report.more
        header = [web.t("Day")] + [web.t(legend) for _, legend in columns]
        rows = [[row["day"].isoformat()] + [row[f] for f, _ in columns]
                for row in reports.per_day(period.first, period.last, tz)]
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
    # Names come from staff (a campaign's, a product's): never a live formula in a spreadsheet.
    writer.writerows([spreadsheet_safe(v) if isinstance(v, str) else v for v in row] for row in rows)
    return web.csv(f"{name}-{period.first}-{period.last}.csv", out.getvalue())
