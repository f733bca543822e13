"""Each morning, every technician with visits that day gets one SMS listing
them: time, ticket, customer, phone and address. Long lists are split over a
few SMS, each its own outbox row keyed "visits:<user id>:<date>:<part>", so a
worker restarted at any moment sends each part once. A reminder: quiet hours
hold it (see policy.py)."""

from __future__ import annotations

import datetime as dt

from . import outbox, replies, shopdata
from .clock import as_utc
from .conversation import Shop, templates
from .jobs import periodic
from .models import Message, Ticket, User
from .phone import is_replyable
from .tickets import DONE, cut, label
from .visit_texts import address_line, local_text
from .visits import between

templates({
    "visits_morning": {
        "id": "{shop}: kunjungan hari ini {part}: {visits}",
        "en": "{shop}: today's visits {part}: {visits}",
    },
}, purpose="staff")

# One SMS of a few parts at most: a long day is cut into several texts of this size.
PART_LIMIT = 300


def morning_key(user_id: int, day: dt.date, part: int) -> str:
    return f"visits:{user_id}:{day.isoformat()}" + (f":{part}" if part > 1 else "")


def visit_line(ticket: Ticket, tz: dt.tzinfo, language: str | None) -> str:
    """'09:30 T-0042 Budi 0812..., Jl. Ahmad Yani 5'"""
    customer = ticket.customer
    _date, time = local_text(ticket.visit_at, tz)
    return f"{time} {label(ticket)} {cut(customer.name or '', 25) or '-'} {customer.phone}, " \
           f"{address_line(customer, language)}"


def split(lines: list[str], limit: int = PART_LIMIT) -> list[str]:
    """The lines joined with "; " into pieces of at most `limit` characters; a line is never cut."""
    pieces: list[str] = []
    for line in lines:
        if pieces and len(pieces[-1]) + 2 + len(line) <= limit:
            pieces[-1] += "; " + line
        else:
            pieces.append(line)
    return pieces


def todays_visits(technician: User, day: dt.date, tz: dt.tzinfo) -> list[Ticket]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    return [t for t in between(start, start + dt.timedelta(days=1), technician) if t.status not in DONE]


@periodic("visits.morning")
def send_morning_lists(shop: Shop, now: dt.datetime) -> int:
    """From the morning hour on, each technician with visits today gets the
    day's list once. Returns the SMS rows queued now."""
    local_now = as_utc(now).astimezone(shop.tz)
    if local_now.hour < shopdata.setting("visits_morning_hour"):
        return 0
    day = local_now.date()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=shop.tz)
    with_visits = {t.assignee_id for t in between(start, start + dt.timedelta(days=1)) if t.assignee_id}
    queued = 0
    for technician in User.select().where(User.id.in_(list(with_visits)) & (User.active == True)):  # noqa: E712
        if not is_replyable(technician.phone or ""):
            continue
        visits = todays_visits(technician, day, shop.tz)
        if not visits:
            continue
        queued += _send(technician, visits, shop, day, now)
    return queued


def _send(technician: User, visits: list[Ticket], shop: Shop, day: dt.date, now: dt.datetime) -> int:
    if Message.select().where(Message.idempotency_key == morning_key(technician.id, day, 1)).exists():
        return 0  # today's list went already: a visit added since was texted when it was set
    language = technician.language
    pieces = split([visit_line(t, shop.tz, language) for t in visits])
    queued = 0
    for number, piece in enumerate(pieces, start=1):
        part = f"({number}/{len(pieces)})" if len(pieces) > 1 else f"({len(visits)})"
        text = replies.reply("visits_morning", language, shop=shop.name, part=part, visits=piece)
        _row, created = outbox.queue_outbound(technician.phone, text, category="reminder",
                                              key=morning_key(technician.id, day, number),
                                              template="visits_morning", now=now)
        queued += int(created)
    return queued
