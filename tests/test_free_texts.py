"""Customers who write in their own words, through the real `loket run`.

Every text of the shared corpus and of the project's own set goes through
`loket sim text` to the demo shop it was written for. Each must be
understood as meant (the intent and what it names, as stored for staff),
answered in the customer's language, and nothing may change on a guess:
no booking, order, payment claim, queue number or opt-in is made from a
free text without the customer's YA.
"""

from __future__ import annotations

import datetime as dt
import itertools
import string

import pytest
import texts
from conftest import launch_loket

from appliance import db, understand
from appliance.keywords import DEFAULT_KEYWORDS, KeywordTable
from appliance.models import Booking, Customer, Message, Order, PaymentClaim, QueueTicket
from appliance.replies import DEFAULT_TEMPLATES
from appliance.settings import load

ALL = texts.all_texts()
_numbers = itertools.count(1)


def phone() -> str:
    return f"+62812777{next(_numbers):05d}"


def reply_language(reply: Message) -> str | None:
    """The language of a reply, told by which language's template it was written from."""
    templates = DEFAULT_TEMPLATES.get(reply.template, {})
    fits = []
    for language, template in templates.items():
        chunks = [literal.strip() for literal, *_ in string.Formatter().parse(template) if literal.strip()]
        if all(chunk in reply.text for chunk in chunks):
            fits.append(language)
    return fits[0] if len(fits) == 1 else None


@pytest.fixture(scope="module")
def shops(tmp_path_factory):
    """One real `loket run --demo KIND` per demo shop, started on demand."""
    started, contexts = {}, []

    def get(kind):
        if kind not in started:
            context = launch_loket(tmp_path_factory.mktemp(kind) / "var", {"LOKET_QUIET_HOURS": ""},
                                   args=("--demo", kind))
            loket = context.__enter__()
            contexts.append(context)
            loket.settings = load(env={}, overrides={"data_dir": str(loket.data_dir)})
            started[kind] = loket
        loket = started[kind]
        db.connect(loket.settings.db_url)
        return loket

    yield get
    for context in contexts:
        context.__exit__(None, None, None)


def changes() -> dict:
    """What a free text must not change without a YA."""
    return {"bookings": Booking.select().count(), "orders": Order.select().count(),
            "claims": PaymentClaim.select().count(), "queue": QueueTicket.select().count(),
            "opted in": Customer.select().where(Customer.consent_marketing == True).count()}  # noqa: E712


@pytest.mark.parametrize("kind", ["spa", "parts", "isp", "shop", "service"])
def test_every_text_through_loket_sim_text(kind, shops):
    loket = shops(kind)
    wrong = []
    for text in [t for t in ALL if t.kind == kind]:
        number = phone()
        before = changes()
        loket.text(number, text.text, wait=15)
        after = changes()
        # A keyword ("Booking pijat bayi besok jam 10") is a customer's clear request; free words are not.
        keyword_led = KeywordTable(DEFAULT_KEYWORDS).match(text.text).kind == "exact"
        made = [what for what in ("bookings", "orders", "claims", "queue") if after[what] != before[what]]
        if after["opted in"] > before["opted in"]:
            made.append("an opt-in")
        if made and not keyword_led:
            wrong.append(f"{text}: made {made} on a guess")
        message = (Message.select().where((Message.phone == number) & (Message.direction == "in"))
                   .order_by(Message.id.desc()).first())
        if message is None:
            wrong.append(f"{text}: never read")
            continue
        read = understand.from_json(message.understood)
        if read.get("intent") != text.intent:
            wrong.append(f"{text}: read as {read.get('intent')} ({read})")
            continue
        items = [i["name"] for i in read.get("items", [])]
        for name, _ in texts.expected_items(text):
            if not any(texts.item_matches(name, got) for got in items):
                wrong.append(f"{text}: {name} not among {items}")
        for key, field in (("amount", "amount"), ("order", "order"), ("time", "time")):
            if key in text.names:
                expected = text.names[key].removeprefix("O-")
                if str(read.get(field)) != expected:
                    wrong.append(f"{text}: {key} {read.get(field)} instead of {expected}")
        for reply in Message.select().where((Message.phone == number) & (Message.direction == "out")):
            language = reply_language(reply)
            if language is not None and language != text.language:
                wrong.append(f"{text}: answered in {language}: {reply.text!r}")
        if text.intent == "unclear" and not message.needs_staff:
            wrong.append(f"{text}: not handed to staff")
    assert not wrong, "\n".join(wrong)
