"""The words of field work: the technician's job SMS (with the customer's
address and the visit's time), the customer's visit SMS, and how a visit's
date, time and a missing address read in an SMS. Shared by tickets.py (a
job given) and visits.py (a visit planned or moved), neither imported here."""

from __future__ import annotations

import datetime as dt

from . import replies
from .clock import as_utc
from .conversation import Shop, templates
from .models import Ticket, User
from .smstext import cut

templates({  # to the customer
    "ticket_visit_set": {
        "id": "{shop}: teknisi kami akan datang untuk {number} pada {date} pukul {time}. Bila tidak cocok, balas SMS ini.",
        "en": "{shop}: our technician will visit for {number} on {date} at {time}. If that does not suit you, reply to this SMS.",
    },
    "ticket_visit_moved": {
        "id": "{shop}: jadwal kunjungan teknisi untuk {number} dipindah ke {date} pukul {time}. Mohon maaf atas perubahannya.",
        "en": "{shop}: the technician's visit for {number} moved to {date} at {time}. Sorry for the change.",
    },
}, purpose="tickets")
templates({  # to the technician
    "ticket_tech_visit": {
        "id": "{shop}: {number} kunjungan {date} {time}: {name} {phone}, {address}. {summary}",
        "en": "{shop}: {number} visit {date} {time}: {name} {phone}, {address}. {summary}",
    },
    "visit_no_address": {
        "id": "alamat belum dicatat, telepon pelanggan",
        "en": "no address yet, call the customer",
    },
}, purpose="staff")


def local_text(when: dt.datetime, tz: dt.tzinfo) -> tuple[str, str]:
    """('4/12', '14:00'): the visit's date and time as an SMS reads them, in the shop's zone."""
    at = as_utc(when).astimezone(tz)
    return f"{at.day}/{at.month}", at.strftime("%H:%M")


def address_line(customer, language: str | None) -> str:
    """The customer's address on one line; a sentence saying it is missing, never "-"."""
    address = " ".join((customer.address or "").split())
    return cut(address, 100) if address else replies.reply("visit_no_address", language)


def technician_job(ticket: Ticket, number: str, technician: User, shop: Shop) -> tuple[str, str]:
    """The job as the technician reads it: (template key, text). With a visit,
    its date and time lead; the customer's name, phone and address always."""
    customer = ticket.customer
    language = technician.language
    values = dict(shop=shop.name, number=number, name=customer.name or "-", phone=customer.phone,
                  address=address_line(customer, language))
    if ticket.visit_at is None:
        return "ticket_tech_assigned", replies.reply("ticket_tech_assigned", language,
                                                     summary=cut(ticket.summary, 70), **values)
    date, time = local_text(ticket.visit_at, shop.tz)
    return "ticket_tech_visit", replies.reply("ticket_tech_visit", language, date=date, time=time,
                                              summary=cut(ticket.summary, 50), **values)
