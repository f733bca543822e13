"""/api/v1: bookings and free slots, tickets, orders and payments, the modem.
Every rule is the domain's (bookings.py, tickets.py, orders.py, simcredit.py)."""

from __future__ import annotations

import datetime as dt

from appliance import bookings, clock, simcredit, staff, tickets
from appliance.customers import customer_for
from appliance.models import Booking, Order, OrderItem, PaymentClaim, Service, Ticket, TicketEvent, User

from .api import describe, Field, Problem, answer, body, caller_user, page, query_text
from .api_messages import phone_of
from .modems import modem_health
from .i18n import N_
from .web import Web, int_or_zero, shop_of


def _day(name: str) -> dt.date | None:
    raw = query_text(name, 10)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Problem(400, f"{name} is a date: YYYY-MM-DD.", kind="bad-date") from None


# -- bookings -------------------------------------------------------------------------------
def show_booking(booking: Booking) -> dict:
    return {"id": booking.id, "customer_id": booking.customer_id, "phone": booking.customer.phone,
            "service": {"id": booking.service_id, "name": booking.service.name}, "starts_at": booking.starts_at,
            "ends_at": booking.ends_at, "status": booking.status, "source": booking.source, "note": booking.note,
            "staff": {"id": booking.staff_id, "name": staff.name(booking.staff)} if booking.staff_id else None}


@describe(N_("Bookings, newest first"))
def booking_list(web: Web):
    """Newest first; ?date= (the shop's day), ?customer_id=, ?status=."""
    query = Booking.select(Booking, Service).join(Service)
    if (day := _day("date")) is not None:
        start = bookings.local_moment(day, dt.time(), web.settings.tz)
        query = query.where((Booking.starts_at >= start) & (Booking.starts_at < start + dt.timedelta(days=1)))
    if customer_id := query_text("customer_id", 20):
        query = query.where(Booking.customer == int_or_zero(customer_id))
    if status := query_text("status", 12):
        query = query.where(Booking.status == status)
    return page(query, Booking.id, show_booking)


def _service(raw) -> Service:
    service = Service.get_or_none(Service.id == int_or_zero(raw))
    if service is None:
        raise Problem(422 if raw is not None else 400, "No such service (GET /api/v1/services lists them).",
                      kind="no-service")
    return service


@describe(N_("The services that can be booked"))
def services(web: Web):
    return {"items": [{"id": s.id, "name": s.name, "minutes": s.duration_minutes, "price": s.price,
                       "capacity": s.capacity} for s in Service.select().where(Service.active == True)  # noqa: E712
                      .order_by(Service.name)], "next": None}


@describe(N_("Staff who take bookings, with the services each does"))
def staff_list(web: Web):
    return {"items": [{"id": m.user_id, "name": staff.name(m.user), "capacity": m.capacity,
                       "service_ids": sorted(staff.services_of(m))} for m in staff.everyone()], "next": None}


@describe(N_("Free slots of a service on a day"))
def free_slots(web: Web):
    """?service=<id>&date=YYYY-MM-DD: the slot starts still free that day."""
    service = _service(query_text("service", 20) or None)
    day = _day("date") or clock.local(clock.utcnow(), web.settings.tz).date()
    slots = bookings.free_slots(service, day, clock.utcnow(), shop=shop_of(web))
    return {"service": service.id, "date": day, "slots": slots}


NEW_BOOKING = {"phone": Field(str, required=True, limit=40), "service_id": Field(int, required=True),
               "starts_at": Field(str, required=True, limit=40), "note": Field(str, limit=1000),
               "staff_id": Field(int)}  # left out: any free one of the service's staff


@describe(N_("Make a booking (the customer gets the confirmation)"), NEW_BOOKING)
def booking_create(web: Web):
    """A booking as the desk makes one: the customer gets the confirmation SMS."""
    data = body(NEW_BOOKING)
    phone = phone_of(web, data["phone"])
    service = _service(data["service_id"])
    try:
        starts_at = dt.datetime.fromisoformat(data["starts_at"].replace("Z", "+00:00"))
    except ValueError:
        raise Problem(422, "starts_at is an ISO 8601 time; without a zone it is the shop's.", kind="invalid") \
            from None
    person = None
    if data.get("staff_id") is not None:
        person = User.get_or_none(User.id == data["staff_id"])
        if person is None:
            raise Problem(422, "No such staff member (GET /api/v1/staff lists them).", kind="no-staff")
    try:
        booking = bookings.book(customer_for(phone), service, starts_at, source="staff", by=caller_user(),
                                now=clock.utcnow(), note=data.get("note") or "", shop=shop_of(web), staff=person)
    except bookings.BookingError as exc:
        conflict = exc.reason in ("full", "duplicate", "staff_full")
        raise Problem(409 if conflict else 422, str(exc), kind=f"booking-{exc.reason}") from None
    web.tasks.kick_outbox()
    return answer(show_booking(booking), 201, {"Location": f"/api/v1/bookings?customer_id={booking.customer_id}"})


# -- tickets --------------------------------------------------------------------------------
def show_ticket(ticket: Ticket, events: bool = False) -> dict:
    out = {"number": ticket.number, "label": tickets.label(ticket), "customer_id": ticket.customer_id,
           "category": ticket.category.name if ticket.category_id else None, "summary": ticket.summary,
           "detail": ticket.detail, "status": ticket.status, "pending_reason": ticket.pending_reason or None,
           "assignee": tickets.staff_name(ticket.assignee) if ticket.assignee_id else None,
           "resolution": ticket.resolution or None, "created_at": ticket.created_at,
           "response_due": ticket.response_due, "resolution_due": ticket.resolution_due,
           "resolved_at": ticket.resolved_at, "closed_at": ticket.closed_at}
    if events:
        out["events"] = [{"at": e.at, "kind": e.kind, "note": e.note} for e in ticket.events.order_by(TicketEvent.id)]
    return out


@describe(N_("Tickets, newest first"))
def ticket_list(web: Web):
    """Newest first; ?status=, ?customer_id=."""
    return _by_status_and_customer(Ticket, show_ticket)


def _by_status_and_customer(model, show) -> dict:
    """A page of tickets or orders, newest first, narrowed by ?status= and ?customer_id=."""
    query = model.select()
    if status := query_text("status", 16):
        query = query.where(model.status == status)
    if customer_id := query_text("customer_id", 20):
        query = query.where(model.customer == int_or_zero(customer_id))
    return page(query, model.id, show)


@describe(N_("A ticket and its history"))
def ticket_detail(web: Web, number: str):
    ticket = tickets.find(number)
    if ticket is None:
        raise Problem(404, "No such ticket.")
    return show_ticket(ticket, events=True)


NEW_TICKET = {"phone": Field(str, required=True, limit=40), "text": Field(str, required=True, limit=2000),
              "detail": Field(str, limit=5000)}


@describe(N_("Open a ticket (the customer gets its number)"), NEW_TICKET)
def ticket_create(web: Web):
    """A ticket as the desk opens one (a phone call): the customer is texted its number."""
    data = body(NEW_TICKET)
    customer = customer_for(phone_of(web, data["phone"]))
    try:
        ticket = tickets.open_ticket(customer, data["text"], by=caller_user(), source="staff",
                                     detail=data.get("detail") or "", shop=shop_of(web))
    except tickets.TicketError as exc:
        raise Problem(422, str(exc), kind="ticket") from None
    web.tasks.kick_outbox()
    return answer(show_ticket(ticket, events=True), 201, {"Location": f"/api/v1/tickets/{ticket.number}"})


# -- orders and payments --------------------------------------------------------------------
def show_order(order: Order, items: bool = False) -> dict:
    out = {"number": order.number, "customer_id": order.customer_id, "status": order.status, "total": order.total,
           "note": order.note, "created_at": order.created_at, "payment_due": order.payment_due,
           "paid_at": order.paid_at, "shipped_at": order.shipped_at, "courier": order.courier or None,
           "tracking": order.tracking or None, "shipping": order.shipping}
    if items:
        out["items"] = [{"name": i.name, "code": i.code or None, "unit": i.unit or None, "quantity": i.quantity,
                         "price": i.price} for i in order.items.order_by(OrderItem.id)]
        out["payments"] = [show_payment(c) for c in order.payment_claims]
    return out


@describe(N_("Orders, newest first"))
def order_list(web: Web):
    """Newest first; ?status=, ?customer_id=."""
    return _by_status_and_customer(Order, show_order)


@describe(N_("An order, its items and payments"))
def order_detail(web: Web, number: str):
    order = Order.get_or_none(Order.number == int_or_zero(number.removeprefix("O-")))
    if order is None:
        raise Problem(404, "No such order.")
    return show_order(order, items=True)


def show_payment(claim: PaymentClaim) -> dict:
    return {"id": claim.id, "order_number": claim.order.number, "amount": claim.amount, "text": claim.text,
            "status": claim.status, "reason": claim.reason or None, "claimed_at": claim.claimed_at,
            "decided_at": claim.decided_at}


@describe(N_("Payment claims, newest first"))
def payment_list(web: Web):
    """Customers' "I paid" claims, newest first; ?status= (claimed, verified, rejected)."""
    query = PaymentClaim.select(PaymentClaim, Order).join(Order)
    if status := query_text("status", 10):
        query = query.where(PaymentClaim.status == status)
    return page(query, PaymentClaim.id, show_payment)


@describe(N_("A payment claim"))
def payment_detail(web: Web, claim_id: str):
    claim = PaymentClaim.get_or_none(PaymentClaim.id == int_or_zero(claim_id))
    if claim is None:
        raise Problem(404, "No such payment.")
    return show_payment(claim)


# -- the modem ------------------------------------------------------------------------------
@describe(N_("The modems, their SIMs and credit"))
def modem(web: Web):
    """Each modem as the worker last wrote it, and its SIM's credit (rupiah) when known."""
    now = clock.utcnow()
    out = []
    for status in modem_health(web):
        name = status.get("modem") or ""
        entry = simcredit.latest(name) if name else None
        out.append({"modem": name, "working": bool(status.get("ok")) and not status["stale"],
                    "error": status.get("error") or None, "age_minutes": status["age_minutes"],
                    "sent_today": status["sent_today"], "operator": status.get("operator") or None,
                    "registration": status.get("registration") or None, "sim": status.get("sim") or None,
                    "signal_percent": status.get("signal_percent"), "model": status.get("model") or None,
                    "credit": simcredit.remaining(entry, now) if entry else None,
                    "active_until": (entry or {}).get("active_until") or None})
    return {"modems": out}
