"""Bookings: the day and the week with each service's free times, booking
for a customer, and marking a booking done, no-show, cancelled or arrived;
with staff who take bookings (therapists), one person's bookings at a time
(?staff=) and who gives each booking."""

from __future__ import annotations

import datetime as dt

import bottle

from appliance import bookings, clock, staff, waiting
from appliance.customers import customer_for
from appliance.models import Booking, Service, User
from appliance.phone import PhoneError, normalise

from .i18n import N_
from .web import Web, done_for, int_or_zero, prefilled_phone, shop_of


def _today(web: Web) -> dt.date:
    return clock.utcnow().astimezone(web.settings.tz).date()


def _day(web: Web) -> dt.date:
    try:
        return dt.date.fromisoformat(web.query("day", limit=10))
    except ValueError:
        return _today(web)


def booking_days(web: Web, error: str = "", typed: dict | None = None, day: dt.date | None = None):
    """`typed`: a refused new booking's service, staff, date and time, shown again; `day`: the day
    a refused form was about, shown instead of today."""
    day = day or _day(web)
    week = web.query("view") == "week"
    days = [day + dt.timedelta(days=n) for n in range(7 if week else 1)]
    services = list(Service.select().where(Service.active == True).order_by(Service.name))  # noqa: E712
    shop = shop_of(web)
    now = clock.utcnow()
    people = staff.everyone()
    person = next((m.user for m in people if m.user_id == int_or_zero(web.query("staff", limit=20))), None)
    columns = []
    for d in days:
        rows = [b for b in bookings.day_bookings(d, shop=shop) if person is None or b.staff_id == person.id]
        capacity = {s.name: len(bookings.free_slots(s, d, now, shop=shop)) for s in services}
        columns.append({"day": d, "rows": rows, "free": capacity, "open": bookings.is_open_day(d)})
    return web.render("bookings", title="Bookings",
                      prefill=prefilled_phone(web), columns=columns, day=day, week=week, services=services,
                      error=error, today=_today(web), now=now, prev=day - dt.timedelta(days=7 if week else 1),
                      next=day + dt.timedelta(days=7 if week else 1), people=people, person=person,
                      staff_name=staff.name, typed=typed or {})


def booking_create(web: Web):
    try:
        phone = normalise(web.form("phone", limit=40), web.settings.default_region)
        service = Service.get_or_none(Service.id == int_or_zero(web.form("service")))
        if service is None:
            raise bookings.BookingError(N_("choose a service"), "service")
        local = dt.datetime.combine(dt.date.fromisoformat(web.form("date", limit=10)),
                                    dt.time.fromisoformat(web.form("time", limit=5)), tzinfo=web.settings.tz)
        chosen = web.form("staff", limit=20)  # empty: any free one, given by the booking
        person = _person(chosen) if chosen else None
        booking = bookings.book(customer_for(phone), service, local, source="staff", by=web.user,
                                now=clock.utcnow(), shop=shop_of(web), staff=person)
    except (PhoneError, bookings.BookingError) as exc:
        bottle.response.status = 400
        return booking_days(web, web.problem(exc), _typed(web), _asked_day(web))
    except ValueError:
        bottle.response.status = 400
        return booking_days(web, web.t("Choose a date and a time."), _typed(web), _asked_day(web))
    web.tasks.kick_outbox()
    done_for(web, booking.customer.phone, f"/bookings?day={booking.starts_at.astimezone(web.settings.tz).date()}",
             N_("Booked."))


def _asked_day(web: Web) -> dt.date | None:
    try:
        return dt.date.fromisoformat(web.form("date", limit=10))
    except ValueError:
        return None


def _typed(web: Web) -> dict:
    return {name: web.form(name, limit=20) for name in ("service", "staff", "date", "time")}


def _person(raw: str) -> User:
    """The staff member a form names; BookingError for an id that is nobody."""
    person = User.get_or_none(User.id == int_or_zero(raw))
    if person is None:
        raise bookings.BookingError(N_("choose a staff member from the list"), "staff")
    return person


def booking_act(web: Web, booking_id: str):
    booking = Booking.get_or_none(Booking.id == int_or_zero(booking_id))
    if booking is None:
        web.refuse(404, "No such booking.")
    action, now, shop = web.form("action", limit=20), clock.utcnow(), shop_of(web)
    try:
        if action == "done":
            bookings.mark_done(booking, web.user, now, shop=shop)
        elif action == "no_show":
            bookings.mark_no_show(booking, web.user, now, shop=shop)
        elif action == "cancel":
            bookings.cancel(booking, by=web.user, now=now, shop=shop)
        elif action == "staff":
            bookings.assign(booking, _person(web.form("staff", limit=20)), by=web.user, now=now)
        elif action == "arrived":
            waiting.join(booking.customer, service=booking.service, booking=booking, now=now, by=web.user,
                         source="staff", shop=shop)
        else:
            web.refuse(400, "Unknown action.")
    except (bookings.BookingError, waiting.QueueError) as exc:
        bottle.response.status = 409
        return booking_days(web, web.problem(exc), day=booking.starts_at.astimezone(web.settings.tz).date())
    web.tasks.kick_outbox()
    web.redirect(f"/bookings?day={booking.starts_at.astimezone(web.settings.tz).date()}", N_("Saved."))

