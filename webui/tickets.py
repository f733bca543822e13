"""Tickets: the list with SLA timers and filters, the detail with its
history, assignment, status changes, the printable job card and the report."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import bottle

from appliance import clock, satisfaction, service_points, ticket_list, tickets, tickets_sla, visits
from appliance.conversation import Shop
from appliance.customers import CustomerError, customer_for, update_profile
from appliance.customers_csv import spreadsheet_safe
from appliance.models import Ticket, TicketCategory
from appliance.phone import PhoneError, normalise

from . import formats
from .i18n import N_
from .reports import Period, period_of, utc
from .web import DESK, OFFICE, PER_PAGE, Web, done_for, found, int_or_zero, prefilled_phone

STATUSES = ("new", "assigned", "pending", "resolved", "closed")
STATUS_WORDS = {"new": N_("New"), "assigned": N_("Assigned"), "pending": N_("Pending"), "resolved": N_("Resolved"),
                "closed": N_("Closed")}
CLOCK_WORDS = {"met": N_("in time"), "missed": N_("late"), "late": N_("late"), "open": N_("open")}


def listing(web: Web):
    page = web.page_number()
    status, category, mine = web.query("status"), int_or_zero(web.query("category")), web.query("mine") == "1"
    query = tickets.visible_to(web.user)
    if status in STATUSES:
        query = query.where(Ticket.status == status)
    elif status != "all":
        query = query.where(Ticket.status.in_(["new", "assigned", "pending"]))
    if category:
        query = query.where(Ticket.category == category)
    if mine:
        query = query.where(Ticket.assignee == web.user)
    point = service_points.find(int_or_zero(web.query("point")))
    if point is not None:
        query = query.where(Ticket.service_point == point)
    words = web.query("q", limit=100).strip()
    if words:
        query = query.where(tickets.matching(words, web.settings.default_region))
    rows = list(query.order_by(Ticket.resolution_due.asc(nulls="LAST"), Ticket.number.desc())
                .limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE))
    # The paging links keep every filter: page 2 is page 2 of the same list.
    filters = urlencode({k: v for k, v in (("status", status), ("category", category or ""),
                                           ("mine", "1" if mine else ""), ("q", words),
                                           ("point", point.id if point else "")) if v})
    return web.render("tickets", title="Tickets",
                      prefill=prefilled_phone(web), rows=rows[:PER_PAGE], page=page, more=len(rows) > PER_PAGE,
                      status=status, category=category, mine=mine, q=words, now=clock.utcnow(), filters=filters,
                      may_report=web.user.role in OFFICE,  # the report's route allows the office only
                      categories=list(TicketCategory.select().order_by(TicketCategory.name)), error="",
                      points=service_points.listing(active_only=True), point=point)


def create(web: Web):
    try:
        phone = normalise(web.form("phone", limit=40), web.settings.default_region)
    except PhoneError as exc:
        web.refuse(400, web.t("Phone: {reason}").format(reason=web.problem(exc)))
    point = _chosen_point(web)
    try:
        ticket = tickets.open_ticket(customer_for(phone), web.form("text", limit=5000), by=web.user,
                                     source="staff", shop=Shop.from_settings(web.settings), service_point=point)
    except tickets.TicketError as exc:
        web.refuse(400, web.problem(exc))
    web.tasks.kick_outbox()
    done_for(web, phone, f"/tickets/{ticket.number}", web.t("{ticket} opened.").format(ticket=tickets.label(ticket)))


def _chosen_point(web: Web, keep: int | None = None):
    """The service point a form chose: None for none; an unknown one is refused,
    and so is a closed one (unless the ticket is there already: `keep`)."""
    point_id = int_or_zero(web.form("point", limit=20))
    point = service_points.find(point_id)
    closed = point is not None and not point.active and point.id != keep
    if (point_id or (web.form("point", limit=20) or "").strip()) and (point is None or closed):
        web.refuse(400, N_("Choose a service point from the list."))
    return point


def _ticket(number: str) -> Ticket:
    return found(tickets.find(number), "ticket")


def _may_see(web: Web, ticket: Ticket) -> None:
    if not tickets.may_see(web.user, ticket):
        web.refuse(403, "This ticket is assigned to someone else.")


def detail(web: Web, number: str, error: str = ""):
    ticket = _ticket(number)
    _may_see(web, ticket)
    first, others = service_points.technicians_for(ticket)
    return web.render("ticket", title=tickets.label(ticket), k=ticket, error=error, first=first, others=others,
                      point=ticket.service_point if ticket.service_point_id else None,
                      project=ticket.project if ticket.project_id else None, terms=tickets_sla.sla_of(ticket),
                      points=service_points.listing(active_only=True),
                      categories=list(TicketCategory.select().order_by(TicketCategory.name)),
                      card=tickets.job_card(ticket, web.settings.tz), now=clock.utcnow())


def act(web: Web, number: str):
    ticket = _ticket(number)
    _may_see(web, ticket)
    action, shop, by = web.form("action", limit=20), Shop.from_settings(web.settings), web.user
    try:
        if action == "assign":
            if web.user.role not in DESK:
                web.refuse(403, "Your role may not assign tickets.")
            technician = tickets.assignable(int_or_zero(web.form("technician")))
            if technician is None:
                web.refuse(400, "Choose a technician.")
            tickets.assign(ticket, technician, by, shop=shop)
        elif action == "accept":
            tickets.accept(ticket, by, shop=shop)
        elif action == "on_the_way":
            tickets.on_the_way(ticket, by, shop=shop)
        elif action == "pending":
            tickets.set_pending(ticket, web.form("reason", limit=200), by, shop=shop)
        elif action == "resolve":
            tickets.resolve(ticket, web.form("resolution", limit=5000), by, shop=shop)
        elif action == "close":
            tickets.close(ticket, by, note=web.form("note", limit=2000))
        elif action == "reopen":
            tickets.reopen(ticket, by, note=web.form("note", limit=2000))
        elif action == "note":
            tickets.note(ticket, web.form("note", limit=5000), by)
        elif action == "visit":
            if web.user.role not in DESK:
                web.refuse(403, N_("Your role may not plan a visit."))
            _plan_visit(web, ticket, shop)
        elif action == "edit":
            if web.user.role not in DESK:
                web.refuse(403, N_("Your role may not change a ticket's summary or category."))
            category_id = int_or_zero(web.form("category"))
            category = TicketCategory.get_or_none(TicketCategory.id == category_id) if category_id else None
            if category_id and category is None:
                web.refuse(400, N_("Choose a category from the list."))
            moved = web.form("point", None) is not None  # (a form without the field leaves the point as it is)
            point = _chosen_point(web, keep=ticket.service_point_id) if moved else None
            tickets.edit(ticket, web.form("summary", limit=1000), category, by)
            if moved:
                service_points.place(ticket, point, by)
        else:
            web.refuse(400, "Unknown action.")
    except (tickets.TicketError, service_points.PointError) as exc:
        bottle.response.status = 400
        return detail(web, number, web.problem(exc))
    web.tasks.kick_outbox()
    web.redirect(f"/tickets/{ticket.number}", N_("Saved."))


def _plan_visit(web: Web, ticket: Ticket, shop: Shop) -> None:
    """The visit's date and time; an address typed here is the customer's from now on."""
    address = web.form("address", limit=500)
    if address is not None and address.strip() and address.strip() != ticket.customer.address:
        try:
            update_profile(ticket.customer, by=web.user, address=address)
        except CustomerError as exc:
            raise tickets.TicketError(str(exc)) from None
    if web.form("clear"):
        visits.schedule(ticket, None, web.user, shop=shop)
        return
    when = visits.parse_local(web.form("visit_date", limit=20), web.form("visit_time", limit=10), web.settings.tz)
    visits.schedule(ticket, when, web.user, shop=shop)


def job_card(web: Web, number: str):
    ticket = _ticket(number)
    _may_see(web, ticket)
    return web.render("jobcard", title=f"Job card {tickets.label(ticket)}", card=tickets.job_card(ticket, web.settings.tz))


def _period(web: Web):
    """The report's local dates: from/to or days as the other reports read
    them; nothing asked means this month so far (the shop counts by month)."""
    if not any(web.query(k, limit=20) for k in ("from", "to", "days")):
        today = clock.utcnow().astimezone(web.settings.tz).date()
        return Period(today.replace(day=1), today, None)
    return period_of(web)


def report(web: Web):
    period = _period(web)
    since, until = utc(period, web.settings.tz)
    page = web.page_number()
    rows = ticket_list.rows(since, until, offset=(page - 1) * PER_PAGE, limit=PER_PAGE + 1)
    return web.render("ticket_report", title="Ticket report", r=tickets.report(since, until), period=period,
                      rows=rows[:PER_PAGE], page=page, more=len(rows) > PER_PAGE,
                      ratings=satisfaction.summary(since, until, web.settings.tz))


def _clock(web: Web, taken: tuple) -> str:
    minutes, state = taken
    done = "" if minutes is None else formats.number(minutes, web.language) + " "
    return done + web.t(CLOCK_WORDS.get(state, state))


def report_csv(web: Web):
    """The report's list as CSV: every ticket of the period, in the reader's language."""
    period = _period(web)
    since, until = utc(period, web.settings.tz)
    header = [web.t(w) for w in (N_("Number"), N_("Opened"), N_("Customer"), N_("Phone"), N_("Category"),
                                 N_("Status"), N_("Technician"), N_("Answer (min)"), N_("Fix (min)"))]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in ticket_list.rows(since, until):
        status = web.t(STATUS_WORDS.get(row["status"], row["status"]))
        cells = [row["number"], clock.local(row["opened"], web.settings.tz).strftime("%Y-%m-%d %H:%M"),
                 row["customer"].name, formats.phone(row["customer"].phone), row["category"], status,
                 row["technician"], _clock(web, row["answer"]), _clock(web, row["fix"])]
        # Names and categories come from customers and staff: never a live formula in a spreadsheet.
        writer.writerow([spreadsheet_safe(v) for v in cells])
    return web.csv(f"tickets-{period.first}-{period.last}.csv", out.getvalue())
