"""Visits: the technicians' calendar, a day or a week of planned visits.
A technician sees his own; the office sees everyone's and may pick one."""

from __future__ import annotations

import datetime as dt

from appliance import clock, service_points, tickets, visits

from .web import Web, int_or_zero


def _day(web: Web, today: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(web.query("day", limit=10))
    except ValueError:
        return today


def calendar(web: Web):
    tz = web.settings.tz
    today = clock.utcnow().astimezone(tz).date()
    day = _day(web, today)
    week = web.query("view") == "week"
    if week:
        day -= dt.timedelta(days=day.weekday())  # a week runs Monday to Sunday
    span = 7 if week else 1
    technicians = tickets.assignable()
    if web.user.role == "technician":
        chosen = web.user
    else:
        chosen = next((u for u in technicians if u.id == int_or_zero(web.query("technician"))), None)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    found = visits.between(start, start + dt.timedelta(days=span), chosen)
    columns = [{"day": day + dt.timedelta(days=n), "rows": []} for n in range(span)]
    for ticket in found:
        columns[(clock.as_utc(ticket.visit_at).astimezone(tz).date() - day).days]["rows"].append(ticket)
    if week:
        columns = [c for c in columns if c["rows"]] or columns[:1]  # a phone scrolls through busy days only
    keep = f"&technician={chosen.id}" if chosen is not None and web.user.role != "technician" else ""
    return web.render("visits", title="Visits", columns=columns, day=day, week=week, today=today, keep=keep,
                      groups=service_points.grouped(technicians), chosen=chosen, count=len(found), ticket_label=tickets.label,
                      technician_of=visits.who,
                      prev=day - dt.timedelta(days=span), next=day + dt.timedelta(days=span))
