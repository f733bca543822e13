"""The shop floor: bookings (day and week), the queue board, the public
waiting-room display, and orders with their payment claims."""

from __future__ import annotations

import datetime as dt

import bottle

from appliance import bookings, catalogue, clock, orders, waiting
from appliance.crm import customer_for
from appliance.models import Booking, Order, PaymentClaim, QueueTicket, Service
from appliance.phone import PhoneError, normalise
from appliance.responder import Shop

from .web import ANY_ROLE, DESK, PER_PAGE, Route, Web, found, int_or_zero

FLOOR = ("owner", "admin", "frontdesk")


def _shop(web: Web) -> Shop:
    return Shop.from_settings(web.settings)


def _day(web: Web) -> dt.date:
    try:
        return dt.date.fromisoformat(web.query("day", limit=10))
    except ValueError:
        return clock.utcnow().astimezone(web.settings.tz).date()


# -- bookings -----------------------------------------------------------------------------

def booking_days(web: Web, error: str = ""):
    day = _day(web)
    week = web.query("view") == "week"
    days = [day + dt.timedelta(days=n) for n in range(7 if week else 1)]
    services = list(Service.select().where(Service.active == True).order_by(Service.name))  # noqa: E712
    shop = _shop(web)
    now = clock.utcnow()
    columns = []
    for d in days:
        rows = bookings.day_bookings(d, shop=shop)
        capacity = {s.name: len(bookings.free_slots(s, d, now, shop=shop)) for s in services}
        columns.append({"day": d, "rows": rows, "free": capacity, "open": bookings.is_open_day(d)})
    return web.render("bookings", title="Bookings", columns=columns, day=day, week=week, services=services,
                      error=error, prev=day - dt.timedelta(days=7 if week else 1),
                      next=day + dt.timedelta(days=7 if week else 1))


def booking_create(web: Web):
    try:
        phone = normalise(web.form("phone", limit=40), web.settings.default_region)
        service = Service.get_or_none(Service.id == int_or_zero(web.form("service")))
        if service is None:
            raise bookings.BookingError("choose a service")
        local = dt.datetime.combine(dt.date.fromisoformat(web.form("date", limit=10)),
                                    dt.time.fromisoformat(web.form("time", limit=5)), tzinfo=web.settings.tz)
        booking = bookings.book(customer_for(phone), service, local, source="staff", by=web.user,
                                now=clock.utcnow(), shop=_shop(web))
    except (PhoneError, bookings.BookingError) as exc:
        bottle.response.status = 400
        return booking_days(web, str(exc))
    except ValueError:
        bottle.response.status = 400
        return booking_days(web, "Choose a date and a time.")
    web.tasks.kick_outbox()
    web.redirect(f"/bookings?day={booking.starts_at.astimezone(web.settings.tz).date()}", "Booked.")


def booking_act(web: Web, booking_id: str):
    booking = Booking.get_or_none(Booking.id == int_or_zero(booking_id))
    if booking is None:
        web.refuse(404, "No such booking.")
    action, now, shop = web.form("action", limit=20), clock.utcnow(), _shop(web)
    try:
        if action == "done":
            bookings.mark_done(booking, web.user, now, shop=shop)
        elif action == "no_show":
            bookings.mark_no_show(booking, web.user, now, shop=shop)
        elif action == "cancel":
            bookings.cancel(booking, by=web.user, now=now, shop=shop)
        elif action == "arrived":
            waiting.join(booking.customer, service=booking.service, booking=booking, now=now, by=web.user,
                         source="staff", shop=shop)
        else:
            web.refuse(400, "Unknown action.")
    except (bookings.BookingError, waiting.QueueError) as exc:
        bottle.response.status = 409
        return booking_days(web, str(exc))
    web.tasks.kick_outbox()
    web.redirect(f"/bookings?day={booking.starts_at.astimezone(web.settings.tz).date()}", "Saved.")


# -- the waiting queue ----------------------------------------------------------------------

def queue_board(web: Web, error: str = ""):
    day = clock.utcnow().astimezone(web.settings.tz).date()
    now = clock.utcnow()
    rows = waiting.tickets(day)
    return web.render("queue", title="Queue", rows=rows, board=waiting.board(day), error=error,
                      eta={t.id: waiting.eta_minutes(t, now) for t in rows if t.status == "waiting"},
                      services=list(Service.select().where(Service.active == True)))  # noqa: E712


def queue_act(web: Web):
    action, now, shop = web.form("action", limit=20), clock.utcnow(), _shop(web)
    try:
        if action == "next":
            ticket = waiting.call_next(web.user, now, shop=shop)
            done = f"Number {ticket.number} called." if ticket else "Nobody is waiting."
        elif action == "join":
            raw = web.form("phone", limit=40).strip()
            customer = customer_for(normalise(raw, web.settings.default_region)) if raw else None
            service = Service.get_or_none(Service.id == int_or_zero(web.form("service")))
            ticket = waiting.join(customer, service=service, now=now, by=web.user, source="staff", shop=shop)
            done = f"Number {ticket.number}."
        else:
            ticket = QueueTicket.get_or_none(QueueTicket.id == int_or_zero(web.form("ticket")))
            if ticket is None:
                web.refuse(404, "No such number.")
            {"skip": waiting.skip, "done": waiting.done}.get(action, _unknown)(ticket, web.user, now, shop=shop)
            done = "Saved."
    except (PhoneError, waiting.QueueError) as exc:
        bottle.response.status = 400
        return queue_board(web, str(exc))
    web.tasks.kick_outbox()
    web.redirect("/queue", done)


def _unknown(*args, **kwargs):
    raise bottle.HTTPError(400, "Unknown action.")


def display(web: Web):
    """The waiting-room screen: no login, large numbers, nothing personal."""
    day = clock.utcnow().astimezone(web.settings.tz).date()
    return web.render("display", title="Queue", board=waiting.board(day))


def display_board(web: Web):
    day = clock.utcnow().astimezone(web.settings.tz).date()
    board = waiting.board(day)
    return {"now_serving": board["serving"], "waiting": board["waiting"]}


# -- orders -------------------------------------------------------------------------------------

def order_list(web: Web, error: str = ""):
    page = web.page_number()
    status = web.query("status", limit=20)
    query = Order.select()
    if status in orders.STATUSES:
        query = query.where(Order.status == status)
    rows = list(query.order_by(Order.number.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE))
    return web.render("orders", title="Orders", rows=rows[:PER_PAGE], page=page, more=len(rows) > PER_PAGE,
                      status=status, claims=orders.pending_claims(), error=error,
                      products=catalogue.products(), statuses=orders.STATUSES)


def order_create(web: Web):
    items = []
    for n in range(1, 6):
        product, quantity = web.form(f"product{n}", limit=20), web.form(f"quantity{n}", limit=6)
        if product:
            try:
                items.append((catalogue.Product.get_by_id(int_or_zero(product)), int(quantity or 1), None))
            except (ValueError, catalogue.Product.DoesNotExist):
                bottle.response.status = 400
                return order_list(web, "Quantities are whole numbers.")
    try:
        phone = normalise(web.form("phone", limit=40), web.settings.default_region)
        order = orders.create_order(customer_for(phone), items, by=web.user, note=web.form("note", limit=500),
                                    now=clock.utcnow(), shop=_shop(web))
    except (PhoneError, orders.OrderError, catalogue.CatalogueError) as exc:
        bottle.response.status = 400
        return order_list(web, str(exc))
    web.tasks.kick_outbox()
    web.redirect(f"/orders/{order.number}", f"{orders.ref(order)} created.")


def _order(number: str) -> Order:
    return found(orders.find_order(number), "order")


def order_detail(web: Web, number: str, error: str = ""):
    order = _order(number)
    return web.render("order", title=orders.ref(order), o=order, error=error, ref=orders.ref(order),
                      claims=list(PaymentClaim.select().where(PaymentClaim.order == order).order_by(PaymentClaim.id)),
                      next_states=orders.TRANSITIONS.get(order.status, ()))


def order_act(web: Web, number: str):
    order = _order(number)
    action, now, shop = web.form("action", limit=30), clock.utcnow(), _shop(web)
    try:
        if action == "status":
            orders.set_status(order, web.form("status", limit=20), by=web.user, now=now,
                              note=web.form("note", limit=500), shop=shop)
        elif action == "cancel":
            orders.cancel_order(order, by=web.user, reason=web.form("note", limit=500), now=now, shop=shop)
        elif action in ("verify", "reject"):
            claim = PaymentClaim.get_or_none((PaymentClaim.id == int_or_zero(web.form("claim")))
                                             & (PaymentClaim.order == order))
            if claim is None:
                web.refuse(404, "No such payment claim.")
            if action == "verify":
                orders.verify_claim(claim, web.user, now, shop=shop)
            else:
                orders.reject_claim(claim, web.form("note", limit=500), web.user, now, shop=shop)
        else:
            web.refuse(400, "Unknown action.")
    except orders.OrderError as exc:
        bottle.response.status = 409
        return order_detail(web, number, str(exc))
    web.tasks.kick_outbox()
    web.redirect(f"/orders/{order.number}", "Saved.")


def routes() -> list[Route]:
    return [
        Route("GET", "/bookings", booking_days, roles=ANY_ROLE),
        Route("POST", "/bookings", booking_create, roles=FLOOR),
        Route("POST", "/bookings/<booking_id>", booking_act, roles=FLOOR),
        Route("GET", "/queue", queue_board, roles=ANY_ROLE),
        Route("POST", "/queue", queue_act, roles=FLOOR),
        Route("GET", "/display", display, public=True),
        Route("GET", "/display/board", display_board, public=True),
        Route("GET", "/orders", order_list, roles=ANY_ROLE),
        Route("POST", "/orders", order_create, roles=DESK),
        Route("GET", "/orders/<number>", order_detail, roles=ANY_ROLE),
        Route("POST", "/orders/<number>", order_act, roles=DESK),
    ]
