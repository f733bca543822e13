"""Bookings: opening hours, slots with capacity, booking, cancelling, visits.

Slots. Each service's slots start at opening time and step by the service's
own duration (a 90-minute treatment: 09:00, 10:30, 12:00 ...); the last one
ends no later than closing time. One grid per service keeps the offer short
and means back-to-back bookings never leave a useless gap. Staff may still
book any start time inside opening hours (a late walk-in at 10:15): a slot
is free while fewer than `Service.capacity` non-cancelled bookings of that
service overlap it, whatever their start, and, when staff are planned for the
service, one of them is free then too (staff.py): a booking gets one.

Opening hours are OpeningHours rows (several per weekday for a lunch break);
with no rows at all, DEFAULT_HOURS apply: Monday to Saturday 09:00-17:00.

Times are stored in UTC; days and times people see are the shop's (`Shop.tz`).
Functions staff pages call take `shop=` (a conversation.Shop; `Shop()` is
used when it is left out, which is UTC+7 and the name "Loket").

What customers text about bookings is in bookings_sms.py.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from .words import N_, say  # noqa: F401
from . import events, loyalty, outbox, replies, satisfaction, shopdata, staff as staffing
from .audit import audit
from .conversation import Shop, shop_or_default
from .models import Booking, Customer, OpeningHours, Service, User
from .reminders import cancel_reminders
from .smstext import day_label

# weekday (0 = Monday) -> opening intervals, when the shop has entered none.
DEFAULT_HOURS: dict[int, list[tuple[dt.time, dt.time]]] = {
    day: [(dt.time(9, 0), dt.time(17, 0))] for day in range(6)}

# What the owner may tune (booking_offer_slots, booking_max_days, booking_search_days,
# booking_offer_minutes) is in the settings table, read with shopdata.setting().

# The Pending row outlives the offer so a late "2" gets a helpful answer
# instead of falling through to "staff will answer".
PENDING_MINUTES = 24 * 60

ACTIVE = staffing.ACTIVE  # statuses that occupy a slot (and a staff member)
NOT_STARTED = N_("This booking has not started yet: it can be marked done from its start time "
                 "(a customer here early joins the queue with arrived).")

class BookingError(ValueError):
    """A booking that cannot be made or changed. The message is for people;
    `reason` is for code: past, closed, full, too_far, inactive, duplicate, state, early."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


# -- opening hours and slots ----------------------------------------------------------

def opening_hours(day: dt.date) -> list[tuple[dt.time, dt.time]]:
    """The shop's opening intervals on a local date; [] when closed."""
    rows = list(OpeningHours.select())
    if not rows:
        return list(DEFAULT_HOURS.get(day.weekday(), []))
    return sorted((r.opens, r.closes) for r in rows if r.weekday == day.weekday() and r.opens < r.closes)


def is_open_day(day: dt.date) -> bool:
    return bool(opening_hours(day))


def local_moment(day: dt.date, time: dt.time, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=tz)


def _grid(service: Service, day: dt.date, tz: dt.tzinfo) -> list[dt.datetime]:
    """Every slot start of the day (local, aware), ignoring bookings."""
    length = dt.timedelta(minutes=max(1, service.duration_minutes))
    starts = []
    for opens, closes in opening_hours(day):
        start, end = local_moment(day, opens, tz), local_moment(day, closes, tz)
        while start + length <= end:
            starts.append(start)
            start += length
    return starts


def _taken(service: Service, start: dt.datetime, end: dt.datetime) -> list[Booking]:
    return list(Booking.select().where(
        (Booking.service == service) & Booking.status.in_(ACTIVE)
        & (Booking.starts_at < end) & (Booking.ends_at > start)))


def _overlapping(bookings: list[Booking], start: dt.datetime, end: dt.datetime) -> int:
    return sum(1 for b in bookings if b.starts_at < end and b.ends_at > start)


def free_slots(service: Service, day: dt.date, now: dt.datetime, *, shop: Shop | None = None,
               staff: User | None = None) -> list[dt.datetime]:
    """Free slot starts of a local date, in the shop's zone, later than now;
    with `staff`, only those where that person (who does the service) is free."""
    tz = shop_or_default(shop).tz
    if not service.active or day > now.astimezone(tz).date() + dt.timedelta(
            days=shopdata.setting("booking_max_days")):
        return []
    grid = [s for s in _grid(service, day, tz) if s > now]
    if not grid:
        return []
    length = dt.timedelta(minutes=service.duration_minutes)
    booked = _taken(service, grid[0], grid[-1] + length)
    placed = [s for s in grid if _overlapping(booked, s, s + length) < max(1, service.capacity)]
    if staff is not None:
        return staffing.starts_with(staff, service, placed, length)
    return staffing.starts_with_someone_free(service, placed, length)


def next_free_day(service: Service, after: dt.date, now: dt.datetime, *, shop: Shop | None = None,
                  include: bool = False, staff: User | None = None) -> tuple[dt.date, list[dt.datetime]] | None:
    """The first local date after `after` (or from it, with include) that has
    a free slot, and its slots; None within the search window."""
    start = after if include else after + dt.timedelta(days=1)
    for n in range(shopdata.setting("booking_search_days")):
        day = start + dt.timedelta(days=n)
        slots = free_slots(service, day, now, shop=shop, staff=staff)
        if slots:
            return day, slots
    return None


# -- booking, cancelling, visits ---------------------------------------------------------

def _describe(booking: Booking, tz: dt.tzinfo) -> str:
    return f"{booking.service.name} {booking.starts_at.astimezone(tz):%Y-%m-%d %H:%M}"


def _check_time(service: Service, start: dt.datetime, now: dt.datetime, tz: dt.tzinfo) -> None:
    if not service.active:
        raise BookingError(say(N_("{service} is not offered at the moment"), service=service.name), "inactive")
    if start <= now:
        raise BookingError(N_("that time has already passed"), "past")
    local = start.astimezone(tz)
    max_days = shopdata.setting("booking_max_days")
    if local.date() > now.astimezone(tz).date() + dt.timedelta(days=max_days):
        raise BookingError(say(N_("bookings can be made at most {days} days ahead"), days=max_days), "too_far")
    hours = opening_hours(local.date())
    if not hours:
        raise BookingError(say(N_("the shop is closed on {day:%A %d %B}"), day=local.date()), "closed")
    end = local + dt.timedelta(minutes=service.duration_minutes)
    if not any(local_moment(local.date(), o, tz) <= local and end <= local_moment(local.date(), c, tz) for o, c in hours):
        spans = ", ".join(f"{o:%H:%M}-{c:%H:%M}" for o, c in hours)
        raise BookingError(say(N_("{service} ({minutes} min) must fit in the opening hours: {spans}"),
                               service=service.name, minutes=service.duration_minutes, spans=spans), "closed")


def available(service: Service, start: dt.datetime, now: dt.datetime, *, shop: Shop | None = None) -> bool:
    """Whether `book` would take this start now (in the opening hours, ahead,
    a place left), without booking: what a question "... masih kosong?" needs."""
    try:
        _check_time(service, start, now, shop_or_default(shop).tz)
    except BookingError:
        return False
    end = start + dt.timedelta(minutes=service.duration_minutes)
    return (len(_taken(service, start, end)) < max(1, service.capacity)
            and bool(staffing.starts_with_someone_free(service, [start], end - start)))


def book(customer: Customer, service: Service, starts_at: dt.datetime, *, source: str = "sms",
         by: User | None = None, now: dt.datetime, note: str = "", shop: Shop | None = None,
         event: str = "booking.made", was: int | None = None, staff: User | None = None) -> Booking:
    """Book a slot, or raise BookingError saying why not. A naive `starts_at`
    is the shop's local time (what a staff form gives). `staff` is the person
    chosen; without one, a free one of the service's staff is given, if it
    has any. Staff bookings get a confirmation SMS; an SMS booking is
    confirmed by the reply itself."""
    shop = shop_or_default(shop)
    if source not in ("sms", "staff"):
        raise ValueError(f"unknown booking source {source!r}")
    if starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=shop.tz)
    starts_at = starts_at.replace(second=0, microsecond=0)
    _check_time(service, starts_at, now, shop.tz)
    ends_at = starts_at + dt.timedelta(minutes=service.duration_minutes)
    db = Booking._meta.database
    with db.atomic():
        # Touching the service row serialises bookings of one service on
        # every database (a row lock on PostgreSQL, the write lock on SQLite),
        # so two customers can never both get the last place.
        Service.update(capacity=Service.capacity).where(Service.id == service.id).execute()
        members = staffing.of_service(service)
        staffing.hold(members)
        taken = _taken(service, starts_at, ends_at)
        if any(b.customer_id == customer.id and b.status == "booked" for b in taken):
            raise BookingError(N_("this customer already has a booking of this service at that time"), "duplicate")
        if len(taken) >= max(1, service.capacity):
            raise _full(service, starts_at, shop.tz)
        staff = _person(service, members, staff, starts_at, ends_at, shop.tz)
        booking = Booking.create(customer=customer, service=service, starts_at=starts_at, ends_at=ends_at,
                                 source=source, note=(note or "")[:1000], created_at=now, updated_at=now,
                                 staff=staff)
        events.emit(event, events.booking_data(booking, **({"moved_from": was} if was else {})), now)
    booking.service = service
    booking.customer = customer
    audit("booking.add", user=by, target=customer.phone, detail=f"{_describe(booking, shop.tz)} via {source}",
          now=now)
    if source == "staff":
        _notify(booking, confirmation(booking), f"booking:{booking.id}:confirmed", shop, now)
    return booking


def _person(service: Service, members: list, chosen: User | None, start: dt.datetime, end: dt.datetime,
            tz: dt.tzinfo) -> User | None:
    """Who gives this booking: the one chosen if they can, else the least busy free one of the service's staff."""
    if chosen is not None:
        refused = staffing.refusal(chosen, service, start, end)
        if refused:
            raise BookingError(*refused)
        return chosen
    if not members:
        return None
    free = staffing.free(members, start, end)
    if not free:  # every one of its people is busy then: full, as when the rooms are
        raise _full(service, start, tz)
    return free[0].user


def _full(service: Service, start: dt.datetime, tz: dt.tzinfo) -> BookingError:
    return BookingError(say(N_("{service} is fully booked at {time}"), service=service.name,
                            time=f"{start.astimezone(tz):%H:%M}"), "full")


def assign(booking: Booking, person: User, *, by: User | None, now: dt.datetime) -> Booking:
    """Give a booking to another staff member (who does its service and is free then)."""
    with Booking._meta.database.atomic():
        staffing.hold(staffing.of_service(booking.service))
        fresh = Booking.get_by_id(booking.id)
        if fresh.status != "booked":
            raise BookingError(N_("only a booking still to come can be given to another staff member"), "state")
        refused = staffing.refusal(person, booking.service, booking.starts_at, booking.ends_at, leave_out=booking.id)
        if refused:
            raise BookingError(*refused)
        Booking.update(staff=person, updated_at=now).where(Booking.id == booking.id).execute()
    booking.staff, booking.updated_at = person, now
    audit("booking.staff", user=by, target=booking.customer.phone, detail=f"booking:{booking.id} to {person.username}",
          now=now)
    return booking


def confirmation(booking: Booking, moved: bool = False) -> str:
    """The reply that confirms a booking: the one that names its staff member when it has one."""
    return ("move_done" if moved else "book_done") + ("_with" if booking.staff_id else "")


def _notify(booking: Booking, template: str, key: str, shop: Shop, now: dt.datetime) -> None:
    customer = booking.customer
    language = customer.language or shop.default_language
    text = replies.reply(template, language, shop=shop.name, **when_values(booking, now, shop.tz, language))
    outbox.queue_outbound(customer.phone, text, category="transactional", customer=customer, key=key,
                          template=template, now=now)


def _change(booking: Booking, status: str, allowed: tuple[str, ...], now: dt.datetime) -> bool:
    """Move a booking to a status, only from the allowed ones; False when it
    is already there (a double click), BookingError when it cannot."""
    # The status is part of the UPDATE: of two staff clicking at once, one wins.
    if Booking.update(status=status, updated_at=now).where(
            (Booking.id == booking.id) & Booking.status.in_(allowed)).execute():
        booking.status, booking.updated_at = status, now
        return True
    fresh = Booking.get_by_id(booking.id)
    if fresh.status == status:
        booking.status = status
        return False
    raise BookingError(say(N_("this booking is {now}; it cannot become {then}"), now=fresh.status.replace("_", " "),
                           then=status.replace("_", " ")), "state")


def cancel(booking: Booking, *, by: User | None = None, now: dt.datetime, shop: Shop | None = None,
           moving: bool = False) -> Booking:
    """Cancel a booking; its reminders not yet sent are cancelled too. When
    staff cancel, the customer is told by SMS."""
    shop = shop_or_default(shop)
    with Booking._meta.database.atomic():
        if not _change(booking, "cancelled", ("booked",), now):
            return booking
        cancel_reminders(booking, now)
        if not moving:  # a move says so itself (booking.moved), not as a cancel and a booking
            events.emit("booking.cancelled", events.booking_data(booking, by_shop=by is not None), now)
    audit("booking.cancel", user=by, target=booking.customer.phone,
          detail=f"{_describe(booking, shop.tz)} by {'staff' if by else 'the customer'}", now=now)
    if by is not None:
        _notify(booking, "cancel_by_shop", f"booking:{booking.id}:cancelled", shop, now)
    return booking


def mark_done(booking: Booking, by: User | None, now: dt.datetime, *, shop: Shop | None = None,
              arrived: bool = False) -> Booking:
    """The customer came: a visit. Sets last_visit_at and calls on_visit once.
    Not before the start time (a slip of the finger would award points for a
    visit that has not happened), unless the customer is here: `arrived`,
    when served from today's queue ahead of the time booked."""
    shop = shop_or_default(shop)
    if booking.starts_at > now and not arrived:
        raise BookingError(NOT_STARTED, "early")
    with Booking._meta.database.atomic():
        if not _change(booking, "done", ("booked", "no_show"), now):
            return booking
        Customer.update(last_visit_at=now).where(Customer.id == booking.customer_id).execute()
        booking.customer.last_visit_at = now
    audit("booking.done", user=by, target=booking.customer.phone, detail=_describe(booking, shop.tz), now=now)
    on_visit(booking, now)
    return booking


def mark_no_show(booking: Booking, by: User | None, now: dt.datetime, *, shop: Shop | None = None) -> Booking:
    shop = shop_or_default(shop)
    if booking.starts_at > now:
        raise BookingError(N_("a booking can be marked as a no-show only after its start time"), "state")
    _change(booking, "no_show", ("booked",), now)
    audit("booking.no_show", user=by, target=booking.customer.phone, detail=_describe(booking, shop.tz),
          now=now)
    return booking


def on_visit(booking: Booking, now: dt.datetime) -> None:
    """Called once per visit (a booking marked done): the audit trail, and
    the loyalty points for the visit (once per booking)."""
    audit("visit", target=booking.customer.phone, detail=f"booking:{booking.id}", now=now)
    loyalty.award_visit(booking.customer, f"booking:{booking.id}", now)
    satisfaction.ask_after_visit(booking, now, shopdata.setting("shop_name"))


def upcoming(customer: Customer, now: dt.datetime) -> list[Booking]:
    """The customer's booked appointments that have not started, soonest first."""
    return list(Booking.select(Booking, Service).join(Service).where(
        (Booking.customer == customer) & (Booking.status == "booked") & (Booking.starts_at > now))
        .order_by(Booking.starts_at, Booking.id))


def day_bookings(day: dt.date, *, shop: Shop | None = None) -> list[Booking]:
    """Every booking on a local date, for the staff's day view."""
    tz = shop_or_default(shop).tz
    start = local_moment(day, dt.time(0, 0), tz)
    return list(Booking.select(Booking, Service, Customer, User).join(Service).switch(Booking).join(Customer)
                .switch(Booking).join(User, pw.JOIN.LEFT_OUTER).where(
        (Booking.starts_at >= start) & (Booking.starts_at < start + dt.timedelta(days=1)))
        .order_by(Booking.starts_at, Booking.id))


def when_values(booking: Booking, now: dt.datetime, tz: dt.tzinfo, language: str) -> dict:
    local = booking.starts_at.astimezone(tz)
    return dict(service=booking.service.name, day=day_label(local.date(), now.astimezone(tz).date(), language),
                time=f"{local:%H:%M}", staff=staffing.name(booking.staff) if booking.staff_id else "")
