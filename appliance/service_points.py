"""Service points: the desk's branches (seed 004's "nearest service point"),
each with its address, phone, engineers and, when it has one, its own SLA.

A ticket belongs to one service point. Assigning it offers that point's
engineers first; the point's response and resolution times override the
category's (a customer's project overrides both, see projects.py).
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from .words import N_, say
from . import tickets, tickets_sla
from .audit import audit
from .clock import utcnow
from .models import PointEngineer, ServicePoint, Ticket, User
from .phone import PhoneError, normalise
from .projects import MAX_HOURS

MAX_NAME = 64
MAX_ADDRESS = 500


class PointError(ValueError):
    """A service point change that cannot be made; the message is for people."""


def _optional_hours(value, what: str) -> int | None:
    text = str(value if value is not None else "").strip()
    if not text:
        return None  # the category's time holds
    try:
        number = int(text)
    except ValueError:
        raise PointError(say(N_("{what} is a whole number of hours, such as 4"), what=what)) from None
    if not 1 <= number <= MAX_HOURS:
        raise PointError(say(N_("{what} is between 1 and {most} hours"), what=what, most=MAX_HOURS))
    return number * 60


def save(name: str, *, address: str = "", phone: str = "", response_hours="", resolution_hours="",
         active: bool = True, region: str = "ID", point: ServicePoint | None = None, by: User | None = None,
         now: dt.datetime | None = None) -> ServicePoint:
    """Add or change a service point; PointError says what is wrong. A new
    SLA counts for tickets opened or moved to the point from now on."""
    now = now or utcnow()
    name = " ".join((name or "").split())
    if not name:
        raise PointError(N_("a service point needs a name"))
    if len(name) > MAX_NAME:
        raise PointError(say(N_("a service point's name has at most {n} characters"), n=MAX_NAME))
    address = " ".join((address or "").split())
    if len(address) > MAX_ADDRESS:
        raise PointError(say(N_("an address has at most {n} characters"), n=MAX_ADDRESS))
    try:
        phone = normalise(phone, region) if (phone or "").strip() else ""
    except PhoneError as exc:
        raise PointError(exc.args[0]) from None  # its words and pattern, for the page to translate
    response = _optional_hours(response_hours, N_("the response time"))
    resolution = _optional_hours(resolution_hours, N_("the resolution time"))
    if response and resolution and resolution < response:
        raise PointError(N_("the resolution time cannot be shorter than the response time"))
    clash = ServicePoint.select().where(pw.fn.LOWER(ServicePoint.name) == name.lower())
    if point is not None:
        clash = clash.where(ServicePoint.id != point.id)
    if clash.exists():
        raise PointError(say(N_("there is already a service point called {name}"), name=repr(name)))
    fields = dict(name=name, address=address, phone=phone, response_minutes=response, resolution_minutes=resolution,
                  active=bool(active))
    if point is None:
        point = ServicePoint.create(created_at=now, **fields)
        action = "point.add"
    else:
        for field, value in fields.items():
            setattr(point, field, value)
        point.save()
        action = "point.update"
    sla = ", ".join(f"{what} {minutes // 60} h" for what, minutes in (("response", response),
                                                                      ("resolution", resolution)) if minutes)
    audit(action, user=by, target=name, now=now, detail=f"{address} {phone} {sla}".strip())
    return point


def set_engineers(point: ServicePoint, user_ids, *, by: User | None = None,
                  now: dt.datetime | None = None) -> list[User]:
    """The point's engineers are these technicians (and only these); an id
    that is not an active technician is refused, not silently dropped."""
    wanted = sorted({int(i) for i in user_ids})
    found = {u.id: u for u in tickets.assignable() if u.id in wanted}
    if len(found) != len(wanted):
        raise PointError(N_("an engineer is an active technician; choose from the list"))
    with ServicePoint._meta.database.atomic():
        PointEngineer.delete().where(PointEngineer.point == point).execute()
        for user_id in wanted:
            PointEngineer.create(point=point, user=user_id)
    names = ", ".join(tickets.staff_name(found[i]) for i in wanted)
    audit("point.engineers", user=by, target=point.name, detail=names or "-", now=now)
    return [found[i] for i in wanted]


def engineers(point: ServicePoint | None) -> list[User]:
    """The point's active engineers, by name."""
    if point is None:
        return []
    active = User.active == True  # noqa: E712
    return list(User.select().join(PointEngineer).where((PointEngineer.point == point) & active)
                .order_by(User.full_name, User.username))


def listing(active_only: bool = False) -> list[ServicePoint]:
    query = ServicePoint.select().order_by(ServicePoint.active.desc(), ServicePoint.name)
    return list(query.where(ServicePoint.active == True) if active_only else query)  # noqa: E712


def find(point_id: int) -> ServicePoint | None:
    return ServicePoint.get_or_none(ServicePoint.id == point_id) if point_id else None


def technicians_for(ticket: Ticket) -> tuple[list[User], list[User]]:
    """Whom to offer for the ticket: its point's engineers first, then every other technician."""
    everyone = tickets.assignable()
    first = {u.id for u in engineers(ticket.service_point if ticket.service_point_id else None)}
    return [u for u in everyone if u.id in first], [u for u in everyone if u.id not in first]


def grouped(technicians: list[User]) -> list[tuple[str, list[User]]]:
    """The technicians by open service point, as a list offers them (an
    engineer of two points under both); those of no point last, under ""."""
    groups, placed = [], set()
    for point in listing(active_only=True):
        ids = {u.id for u in engineers(point)}
        people = [u for u in technicians if u.id in ids]
        if people:
            groups.append((point.name, people))
            placed |= ids
    rest = [u for u in technicians if u.id not in placed]
    return groups + ([("", rest)] if rest else [])


def place(ticket: Ticket, point: ServicePoint | None, by: User | None, now: dt.datetime | None = None) -> Ticket:
    """Move a ticket to a service point (or to none): the point's SLA applies
    to the clocks still running, each due time moving by the difference."""
    now = now or utcnow()
    ticket = Ticket.get_by_id(ticket.id)
    if (point.id if point else None) == ticket.service_point_id:
        return ticket
    if point is not None and not point.active:
        raise PointError(say(N_("{point} is closed; choose another service point"), point=point.name))
    changes = tickets_sla.shifted(ticket, tickets_sla.sla_of(ticket), tickets_sla.sla_of(ticket, point=point))
    tickets.record(ticket, "changed", by, now, note=f"service point: {point.name if point else '-'}",
                   service_point=point, **changes)
    return ticket


def open_tickets(point: ServicePoint, user: User, limit: int = 50) -> list[Ticket]:
    """The point's tickets still being worked on that this user may see, the most urgent first."""
    query = tickets.visible_to(user, Ticket.select().where((Ticket.service_point == point)
                                                           & Ticket.status.in_(tickets.OPEN)))
    return list(query.order_by(Ticket.resolution_due.asc(nulls="LAST"), Ticket.number).limit(limit))


def open_counts() -> dict[int, int]:
    """How many tickets each point still has open, by point id."""
    return dict(Ticket.select(Ticket.service_point, pw.fn.COUNT(Ticket.id))
                .where(Ticket.status.in_(tickets.OPEN) & Ticket.service_point.is_null(False))
                .group_by(Ticket.service_point).tuples())
