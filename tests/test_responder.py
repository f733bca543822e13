"""What the shop answers, in the customer's language, and when it stays quiet."""

import datetime as dt
import itertools

import pytest
from appliance.modem.base import InboundPart as Part

from appliance import inbox, orders, tickets
from appliance.conversation import Shop
from appliance.models import Customer, Message
from appliance.phone import sender_key
from appliance.replies import DEFAULT_TEMPLATES, render
from appliance.responder import Responder

SERIAL = itertools.count(1)

T0 = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def responder(shop):
    return Responder(Shop(name="Spa Bunda", default_language="id"))


def inbound(text, phone="+6281234567890", now=T0):
    """A text as the modem hands it over: stored as a raw part, then assembled."""
    part = Part(location="1", sender=phone, text=text, smsc_time=now + dt.timedelta(microseconds=next(SERIAL)))
    inbox.store_parts([part], "sim", now)
    [message] = inbox.assemble(now, dt.timedelta(minutes=10), lambda sender: sender)
    return message


def test_help_lists_what_a_customer_can_text(responder):
    [reply] = responder.handle(inbound("BANTUAN"), T0)
    assert reply.text.startswith("Spa Bunda: Anda bisa ketik")
    assert "BERHENTI" in reply.text
    assert reply.category == "transactional" and reply.state == "queued"


def test_the_first_text_sets_the_language(responder):
    responder.handle(inbound("help"), T0)
    assert Customer.get(Customer.phone == "+6281234567890").language == "en"
    [reply] = responder.handle(inbound("BANTUAN", now=T0), T0)
    assert "you can text" in reply.text  # still English: set once, changed by staff


def test_stop_and_start(responder):
    [reply] = responder.handle(inbound("Stop please"), T0)
    customer = Customer.get(Customer.phone == "+6281234567890")
    assert not customer.consent_marketing and not customer.consent_reminder
    assert "MULAI" in reply.text
    responder.handle(inbound("MULAI"), T0)
    customer = Customer.get_by_id(customer.id)
    assert customer.consent_marketing and customer.consent_reminder


def test_unknown_text_waits_for_staff_with_one_reply(responder):
    first = inbound("kemarin saya lupa dompet di ruang tunggu, ada yg nemu?")
    [reply] = responder.handle(first, T0)
    assert "staf" in reply.text
    assert Message.get_by_id(first.id).needs_staff
    # A second question soon after lands in the inbox without another robot reply.
    second = inbound("warnanya coklat kak")
    assert responder.handle(second, T0 + dt.timedelta(minutes=5)) == []
    assert Message.get_by_id(second.id).needs_staff
    # A day later the shop acknowledges again.
    assert len(responder.handle(inbound("dompetnya sudah ketemu?"), T0 + dt.timedelta(days=1))) == 1


def test_handling_twice_answers_once(responder):
    message = inbound("help")
    assert len(responder.handle(message, T0)) == 1
    assert responder.handle(Message.get_by_id(message.id), T0) == []
    assert Message.select().where(Message.direction == "out").count() == 1


@pytest.mark.parametrize("text", ["", "x" * 1000, "😀😀😀", "\x00\x01", "SELECT * FROM customer;"])
def test_odd_texts_get_one_sane_reply(responder, text):
    replies = responder.handle(inbound(text), T0)
    assert len(replies) == 1
    assert "BANTUAN" in replies[0].text


def test_senders_that_are_not_phones_are_never_answered(responder):
    """An operator's balance notice: kept in the robots' folder, never answered,
    and not in the customers' inbox (nothing for staff to answer)."""
    message = inbound("Sisa pulsa Anda Rp 5.000", phone="TELKOMSEL")
    assert responder.handle(message, T0) == []
    stored = Message.get_by_id(message.id)
    assert stored.folder == "robot" and not stored.needs_staff


@pytest.mark.parametrize("sender", ["1500000", "+999123456789", "021-5550000", "+62800123456"])
def test_numbers_that_are_not_mobile_phones_are_never_answered(responder, sender):
    # A call centre's service number (1500000), a number in no country (+999…),
    # a landline: answering costs credit and reaches no one (or a robot).
    message = inbound("BANTUAN", phone=sender_key(sender))
    assert responder.handle(message, T0) == []
    assert Message.get_by_id(message.id).folder == "robot"  # kept apart, out of the customers' inbox


def test_every_default_reply_fits_one_gsm7_sms():
    typical = dict(shop="Toko Sepatu Kulit Bandung", commands="BANTUAN, MULAI", choices="PESAN / POIN")
    for key, by_language in DEFAULT_TEMPLATES.items():
        for language, template in by_language.items():
            text = render(template, **typical)
            assert len(text) <= 160, f"{key}/{language} is {len(text)} characters"
            assert text.isascii(), f"{key}/{language} needs UCS-2"


def test_templates_survive_staff_mistakes():
    assert render("Hi {name}, {unknown}", name="Sari") == "Hi Sari, {unknown}"
    assert render("Broken {", name="x") == "Broken {"


def test_status_without_a_number_lists_what_is_open(responder):
    from support import text_in

    import appliance.services  # noqa: F401
    _, [none] = text_in("+6281234567890", "STATUS", T0, responder)
    # "STATUS" is a loanword, not English: a new customer hears the shop's language.
    assert "tidak ada tiket atau pesanan" in none.text
    customer = Customer.get(Customer.phone == "+6281234567890")
    ticket = tickets.open_ticket(customer, "internet mati sejak pagi", now=T0)
    _, [one] = text_in("+6281234567890", "cek", T0, responder)
    assert tickets.label(ticket) in one.text
    order = orders.create_order(customer, [("Oli mesin", 1, 55_000)], now=T0)
    _, [both] = text_in("+6281234567890", "STATUS", T0, responder)
    assert tickets.label(ticket) in both.text and orders.ref(order) in both.text
