"""Reminders: before an appointment, and "time to come back" after a visit.

The periodic job runs every minute and is idempotent: every message has a
key, so a second run (or a crash and a re-run) queues nothing new.

Before appointments: at each offset of `reminder_hours` (default [24, 2])
before `starts_at`, a `reminder` message with `send_at` = starts_at - hours,
so the pipeline's quiet hours and clock rules apply. It is queued up to
LOOKAHEAD before its time (an outbox of next month's reminders would only
have to be cancelled). A reminder whose time was already past when the
booking was made (booked an hour before) is never queued. A cancelled
booking's queued reminders are cancelled (bookings.cancel does it; the job
sweeps too).

Come back: when a service has `comeback_days`, a customer whose last done
booking of it is that many days old, with no upcoming booking of it, gets one
reminder per visit (key comeback:{customer}:{service}:{visit date}), from
the `comeback_hour` (shop time) on the due day. Visits whose due day is more
than `comeback_window_days` ago are left alone: setting an interval
on an old service must not text every customer it ever had.

Consent: the pipeline checks it again when sending; customers who opted out
are not even queued.
"""

from __future__ import annotations

import datetime as dt
import logging

import peewee as pw

from . import replies, shopdata
from .conversation import templates
from .jobs import periodic
from .models import Booking, Customer, Message, Service
from .outbox import queue_outbound
from .smstext import day_label, gsm_safe

log = logging.getLogger(__name__)

LOOKAHEAD = dt.timedelta(hours=1)

templates({
    "reminder_booking": {
        "id": "{shop}: pengingat jadwal {service} Anda {day} jam {time}. Ketik BATAL jika berhalangan hadir.",
        "en": "{shop}: a reminder of your {service} {day} at {time}. Text CANCEL if you cannot come.",
    },
    "reminder_comeback": {
        "id": "{shop}: sudah {days} hari sejak {service} terakhir Anda. Yuk jadwalkan lagi: ketik PESAN {service}",
        "en": "{shop}: it has been {days} days since your last {service}. Book again: text BOOK {service}",
    },
}, purpose="reminders")


def reminder_hours() -> list[int]:
    """The offsets the shop chose (setting reminder_hours), most hours first."""
    return list(shopdata.setting("reminder_hours"))


def _language(customer: Customer, shop) -> str:
    return customer.language or getattr(shop, "default_language", "id")


# -- before appointments ----------------------------------------------------------------

def reminder_key(booking: Booking, hours: int) -> str:
    return f"reminder:{booking.id}:{hours}h"


def queue_booking_reminders(shop, now: dt.datetime) -> int:
    hours_list = reminder_hours()
    if not hours_list:
        return 0
    horizon = now + dt.timedelta(hours=max(hours_list)) + LOOKAHEAD
    rows = (Booking.select(Booking, Service, Customer).join(Service).switch(Booking).join(Customer)
            .where((Booking.status == "booked") & (Booking.starts_at > now) & (Booking.starts_at <= horizon)))
    queued = 0
    for booking in rows:
        customer = booking.customer
        if not customer.consent_reminder:
            continue
        # Of the reminders whose time has come, only the latest is worth
        # sending: after an outage, "tomorrow" two hours before would be wrong.
        overdue = [h for h in hours_list if booking.starts_at - dt.timedelta(hours=h) <= now]
        for hours in hours_list:
            send_at = booking.starts_at - dt.timedelta(hours=hours)
            if send_at > now + LOOKAHEAD:
                continue  # not yet: a later run queues it
            if send_at < booking.created_at:
                continue  # booked after this reminder's time: the confirmation said it all
            if hours in overdue and hours != min(overdue):
                continue
            language = _language(customer, shop)
            local = booking.starts_at.astimezone(shop.tz)
            text = replies.reply("reminder_booking", language, shop=shop.name, service=gsm_safe(booking.service.name),
                                 day=day_label(local.date(), send_at.astimezone(shop.tz).date(), language),
                                 time=f"{local:%H:%M}")
            _, created = queue_outbound(customer.phone, text, category="reminder", customer=customer,
                                        key=reminder_key(booking, hours), send_at=send_at,
                                        template="reminder_booking", now=now)
            queued += created
    return queued


def cancel_reminders(booking: Booking, now: dt.datetime) -> int:
    """A booking's reminders that have not gone out yet are cancelled."""
    return (Message.update(state="cancelled", updated_at=now, error="the booking was cancelled")
            .where((Message.direction == "out") & (Message.state == "queued")
                   & Message.idempotency_key.startswith(f"reminder:{booking.id}:")).execute())


def sweep_cancelled(now: dt.datetime) -> int:
    """Belt and braces: a booking cancelled without bookings.cancel (a staff
    edit elsewhere) still loses its reminders."""
    cancelled = 0
    recent = Booking.select().where((Booking.status != "booked") & (Booking.starts_at > now)
                                    & (Booking.updated_at >= now - dt.timedelta(days=1)))
    for booking in recent:
        cancelled += cancel_reminders(booking, now)
    return cancelled


# -- come back ---------------------------------------------------------------------------

def comeback_key(customer_id: int, service_id: int, visit: dt.date) -> str:
    return f"comeback:{customer_id}:{service_id}:{visit.isoformat()}"


def queue_comebacks(shop, now: dt.datetime) -> int:
    local_now = now.astimezone(shop.tz)
    if local_now.hour < shopdata.setting("comeback_hour"):
        return 0
    window = shopdata.setting("comeback_window_days")
    queued = 0
    services = Service.select().where((Service.active == True) & Service.comeback_days.is_null(False)  # noqa: E712
                                      & (Service.comeback_days > 0))
    for service in services:
        # Only visits recent enough to be in the window; the latest of them
        # per customer decides (a later visit postpones the reminder).
        earliest = now - dt.timedelta(days=service.comeback_days + window + 2)
        last_visits = (Booking.select(Booking.customer, pw.fn.MAX(Booking.starts_at).alias("last"))
                       .where((Booking.service == service) & (Booking.status == "done")
                              & (Booking.starts_at >= earliest))
                       .group_by(Booking.customer))
        for row in last_visits:
            last = row.last
            if isinstance(last, str):  # SQLite hands an aggregate back as text
                last = dt.datetime.fromisoformat(last)
            if last.tzinfo is None:
                last = last.replace(tzinfo=dt.timezone.utc)
            visit = last.astimezone(shop.tz).date()
            due = visit + dt.timedelta(days=service.comeback_days)
            if not (due <= local_now.date() and (local_now.date() - due).days <= window):
                continue
            queued += _comeback(shop, now, service, row.customer_id, visit)
    return queued


def _comeback(shop, now: dt.datetime, service: Service, customer_id: int, visit: dt.date) -> int:
    customer = Customer.get_by_id(customer_id)
    if not customer.consent_reminder:
        return 0
    if Booking.select().where((Booking.customer == customer) & (Booking.service == service)
                              & (Booking.status == "booked") & (Booking.starts_at > now)).exists():
        return 0  # already coming back
    language = _language(customer, shop)
    text = replies.reply("reminder_comeback", language, shop=shop.name, service=gsm_safe(service.name.lower()),
                         days=service.comeback_days)
    _, created = queue_outbound(customer.phone, text, category="reminder", customer=customer,
                                key=comeback_key(customer.id, service.id, visit),
                                template="reminder_comeback", now=now)
    return int(created)


@periodic("reminders")
def send_reminders(shop, now: dt.datetime) -> dict:
    return {"booking": queue_booking_reminders(shop, now), "comeback": queue_comebacks(shop, now),
            "cancelled": sweep_cancelled(now)}
