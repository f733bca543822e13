"""How did we do? After a ticket is resolved or a booking is done, the
customer is asked to reply 1-5 (the ISP's and the service desk's measure of
quality). The question is a reminder-category SMS: it respects the
customer's consent to reminders and the quiet hours. The answer is stored;
a low score (1 or 2) goes to staff as a text waiting for them, and onto the
ticket's history. One question per visit or ticket, asked once."""

from __future__ import annotations

import datetime as dt
import re

import peewee as pw

from . import conversation, inbox, outbox, replies, shopdata
from .audit import audit
from .conversation import Conversation, on_reply, templates
from .models import Booking, Customer, Rating, Ticket, TicketEvent, User

ANSWER_DAYS = 3  # a score later than this is a new text, not an answer
LOW = 2  # this and below: staff call the customer back

templates({
    "satisfaction_ask": {
        "id": "{shop}: terima kasih sudah memakai layanan kami ({about}). Bagaimana layanan kami? "
              "Balas 1-5 (5 = sangat puas).",
        "en": "{shop}: thank you for using our service ({about}). How did we do? Reply 1-5 (5 = very happy).",
    },
    "satisfaction_thanks": {
        "id": "{shop}: terima kasih atas nilainya!",
        "en": "{shop}: thank you for the score!",
    },
    "satisfaction_sorry": {
        "id": "{shop}: maaf layanan kami belum memuaskan. Staf kami akan menghubungi Anda.",
        "en": "{shop}: we are sorry we let you down. Our staff will contact you.",
    },
}, purpose="quality")

_WORDS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "one": 1, "two": 2, "three": 3, "four": 4,
          "five": 5}


def score_in(text: str) -> int | None:
    """'5', '4 mantap', 'nilai 3', 'lima', '4/5', '4 dari 5' -> the score; a text
    without exactly one score from 1 to 5 ('10', '3 atau 4', a question) -> None."""
    text = re.sub(r"\s*(/|dari|of|out of)\s*5\b", " ", (text or "").lower())
    words = re.findall(r"[a-z]+|\d+", text)
    found = {int(w) for w in words if w.isdigit()} | {_WORDS[w] for w in words if w in _WORDS}
    return found.pop() if len(found) == 1 and found <= {1, 2, 3, 4, 5} else None


def ask_after_ticket(ticket: Ticket, now: dt.datetime, shop_name: str) -> Rating | None:
    return _ask(ticket.customer, now, shop_name, about=f"T-{ticket.number:04d}", ticket=ticket,
                staff=ticket.assignee, category=ticket.category.name if ticket.category_id else "")


def ask_after_visit(booking: Booking, now: dt.datetime, shop_name: str) -> Rating | None:
    return _ask(booking.customer, now, shop_name, about=booking.service.name, booking=booking,
                category=booking.service.name)


def _ask(customer: Customer, now: dt.datetime, shop_name: str, *, about: str, ticket: Ticket | None = None,
         booking: Booking | None = None, staff=None, category: str = "") -> Rating | None:
    if not shopdata.setting("satisfaction_survey") or not customer.allows("reminder"):
        return None
    where = (Rating.ticket == ticket.id) if ticket is not None else (Rating.booking == booking.id)
    if Rating.select().where(where).exists():
        return None  # reopened and resolved again: asked once
    rating = Rating.create(customer=customer, ticket=ticket, booking=booking, staff=staff, category=category,
                           asked_at=now)
    language = customer.language or shopdata.setting("default_language")
    text = replies.reply("satisfaction_ask", language, shop=shop_name, about=about)
    outbox.queue_outbound(customer.phone, text, category="reminder", customer=customer,
                          key=f"satisfaction:{rating.id}", template="satisfaction_ask", now=now)
    conversation.remember(customer.phone, "satisfaction", {"rating": rating.id}, now, dt.timedelta(days=ANSWER_DAYS))
    return rating


@on_reply("satisfaction")
def answer(c: Conversation):
    score = score_in(c.text)
    rating = Rating.get_or_none(Rating.id == (c.pending or {}).get("rating"))
    if score is None or rating is None or rating.score is not None:
        return None  # not a score: an ordinary text, answered as one
    c.forget()
    Rating.update(score=score, answered_at=c.now, message=c.message.id).where(Rating.id == rating.id).execute()
    audit("satisfaction", target=c.message.phone, detail=f"score {score} for {rating.about()}", now=c.now)
    if score > LOW:
        return [c.reply("satisfaction_thanks")]
    inbox.hand_to_staff(c.message)  # a person calls back; the text waits in the inbox
    if rating.ticket_id:
        TicketEvent.create(ticket=rating.ticket_id, at=c.now, kind="rated", note=f"score {score}: {c.text[:200]}")
    return [c.reply("satisfaction_sorry")]


def summary(since: dt.datetime, until: dt.datetime, tz: dt.tzinfo) -> dict[str, list[dict]]:
    """Average score and count per staff member, per category and per month
    (the shop's month, a date: its first day), of the answers in the period."""
    answered = Rating.select().where((Rating.answered_at >= since) & (Rating.answered_at < until)
                                     & Rating.score.is_null(False))
    rows = {}
    for name, key in (("staff", Rating.staff), ("category", Rating.category)):
        query = (answered.select(key, pw.fn.AVG(Rating.score), pw.fn.COUNT(Rating.id))
                 .group_by(key).order_by(pw.fn.AVG(Rating.score)).tuples())
        rows[name] = [dict(key=value, average=float(average), count=count) for value, average, count in query]
    names = {u.id: u.full_name or u.username for u in User.select().where(
        User.id.in_([row["key"] for row in rows["staff"] if row["key"]]))}
    for row in rows["staff"]:
        row["key"] = names.get(row["key"], "-")
    for row in rows["category"]:
        row["key"] = row["key"] or "-"
    months: dict[dt.date, list[int]] = {}
    for r in answered.order_by(Rating.answered_at):
        months.setdefault(r.answered_at.astimezone(tz).date().replace(day=1), []).append(r.score)
    rows["month"] = [dict(key=m, average=sum(s) / len(s), count=len(s)) for m, s in months.items()]
    return rows
