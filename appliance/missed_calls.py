"""Missed calls are a channel.

Customers in Indonesia "miscall" a shop instead of paying for an SMS. The
modem rejects every call at once (never answered: the caller pays nothing)
and hands over the caller's number; the owner's `missed_call_action` says
what it means: `queue` takes a number in today's queue and texts it,
`callback` leaves a "call me back" note for staff in the inbox and tells the
customer so, `ignore` (the default) does nothing. The SMS is a reply like any
other (transactional), within the shop's per-phone ceiling, and one call that
rings again and again, or a customer who calls twice, gets one SMS.
"""

from __future__ import annotations

import datetime as dt
import logging

from . import customers, outbox, replies, shopdata, waiting, waiting_sms
from .conversation import Shop, templates
from .models import Message, User
from .phone import is_replyable, sender_key

log = logging.getLogger(__name__)

ACTIONS = ("queue", "callback", "ignore")
# A second call within this time gets no second SMS (people call again when nobody picks up).
QUIET_AFTER_REPLY = dt.timedelta(minutes=10)
# What the call looks like in the customer's conversation (staff read both languages).
CALL_NOTE = {
    "queue": "[Panggilan tak terjawab: masuk antrian / Missed call: joins the queue]",
    "callback": "[Panggilan tak terjawab: minta ditelepon balik / Missed call: please call me back]",
}

templates({
    "missed_call_callback": {
        "id": "{shop}: terima kasih sudah menelepon. Staf kami akan menelepon Anda kembali secepatnya.",
        "en": "{shop}: thank you for calling. Our staff will call you back as soon as they can.",
    },
}, purpose="basics")


def handle(number: str, modem: str, now: dt.datetime, shop: Shop) -> list[Message]:
    """A missed call from `number`, already rejected by the modem: do what the
    owner chose. Returns the SMS queued (none or one)."""
    action = shopdata.setting("missed_call_action")
    if action not in ("queue", "callback"):
        return []
    phone = sender_key(number, shop.region)
    if not is_replyable(phone):
        log.info("missed call from %s: not a mobile number, nothing to do", number)
        return []
    if User.select().where(User.phone == phone).exists():
        return []  # staff calling the shop's SIM (testing it, or by mistake) are no customers
    customer = customers.customer_for(phone, now=now)
    with Message._meta.database.atomic():
        recent = _replied_recently(phone, now)
        note = Message.create(direction="in", phone=phone, customer=customer, text=CALL_NOTE[action],
                              state="handled", needs_staff=action == "callback", modem=modem,
                              created_at=now, updated_at=now)
        if recent or customer.flag or _over_ceiling(phone, now, shop):
            return []  # the call is noted; the SMS it asked for went already (or staff look first)
        language = customer.language or shop.default_language
        key, values = _queue(customer, now, shop) if action == "queue" else ("missed_call_callback", {})
        text = replies.reply(key, language, shop=shop.name, **values)
        row, _ = outbox.queue_outbound(phone, text, category="transactional", customer=customer,
                                       key=f"call:{note.id}", reply_to=note, template=f"call:{key}", now=now)
    return [row]


def _queue(customer, now: dt.datetime, shop: Shop) -> tuple[str, dict]:
    """Today's queue, as the QUEUE keyword would answer: the number, or where it stands."""
    ticket = waiting.current_ticket(customer, now, shop)
    if ticket is not None:
        if ticket.status == "called":
            return "queue_called", {"number": ticket.number}
        return "queue_status", waiting.status_values(ticket, now)
    if not waiting_sms.accepting(now, shop):
        return waiting_sms.closed_answer(now, shop, customer.language or shop.default_language)
    ticket = waiting.join(customer, now=now, shop=shop, source="call")
    return "queue_joined", waiting.status_values(ticket, now)


def _replied_recently(phone: str, now: dt.datetime) -> bool:
    return Message.select().where((Message.phone == phone) & (Message.direction == "out")
                                  & Message.template.startswith("call:")
                                  & (Message.created_at >= now - QUIET_AFTER_REPLY)).exists()


def _over_ceiling(phone: str, now: dt.datetime, shop: Shop) -> bool:
    """The shop's ceiling of automatic replies to one phone an hour (replies_per_hour)."""
    sent = Message.select().where((Message.phone == phone) & (Message.direction == "out")
                                  & (Message.author.is_null()) & (Message.category == "transactional")
                                  & (Message.created_at >= now - dt.timedelta(hours=1))).count()
    return sent >= shop.replies_per_hour
