"""The outbox and inbox as rows: nothing lost, nothing sent twice.

These run the bookkeeping against a real SQLite file with a clock the test
controls; the round-trip tests run the same code in real processes.
"""

import datetime as dt
import random

import pytest
from appliance.modem.base import InboundPart as Part

from appliance import customers, inbox, outbox
from appliance.models import InboundPart, Message, OutboundPart

T0 = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)
KEY = lambda sender: sender  # noqa: E731  numbers in these tests are E.164 already


def test_an_idempotency_key_never_makes_a_second_row(shop):
    first, created = outbox.queue_outbound("+6281234567890", "Hi", key="form:1", now=T0)
    again, created_again = outbox.queue_outbound("+6281234567890", "Hi", key="form:1", now=T0)
    assert created and not created_again
    assert first.id == again.id
    assert Message.select().count() == 1


def test_unknown_category_is_refused(shop):
    with pytest.raises(ValueError, match="category"):
        outbox.queue_outbound("+6281234567890", "Hi", category="spam")


def test_priorities_replies_before_reminders_before_promotions(shop):
    promo, _ = outbox.queue_outbound("+6281200000001", "Diskon!", category="marketing", now=T0)
    reminder, _ = outbox.queue_outbound("+6281200000002", "Besok jam 10", category="reminder", now=T0)
    reply, _ = outbox.queue_outbound("+6281200000003", "Terima kasih", now=T0)
    assert [m.id for m in outbox.due_outbound(T0)] == [reply.id, reminder.id, promo.id]


def test_a_row_is_leased_once(shop):
    row, _ = outbox.queue_outbound("+6281234567890", "Hi", now=T0)
    assert outbox.lease(row, "w1:1", T0)
    assert not outbox.lease(row, "w2:1", T0)
    outbox.mark_sent(row, "w1:1", [17, 18], "sim", T0)
    row = Message.get_by_id(row.id)
    assert (row.state, row.parts, row.attempts) == ("sent", 2, 1)
    assert [p.reference for p in OutboundPart.select().order_by(OutboundPart.part_no)] == [17, 18]


def test_an_opt_out_after_queueing_stops_the_message(shop):
    customer = customers.customer_for("+6281234567890")
    customers.set_consent(customer, marketing=True)
    promo, _ = outbox.queue_outbound(customer.phone, "Diskon!", category="marketing", customer=customer)
    customers.set_consent(customer, marketing=False)
    assert not outbox.lease(promo, "w1:1", T0)
    promo = Message.get_by_id(promo.id)
    assert promo.state == "cancelled" and "opted out" in promo.error


def test_transient_errors_back_off_then_give_up(shop):
    row, _ = outbox.queue_outbound("+6281234567890", "Hi", now=T0)
    rng = random.Random(1)
    now = T0
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert outbox.due_outbound(now), f"attempt {attempt} should be due"
        assert outbox.lease(row, "w1:1", now)
        requeued = outbox.retry_later(row, "w1:1", "no network", now, rng)
        if attempt < outbox.MAX_ATTEMPTS:
            assert requeued
            later = Message.get_by_id(row.id).next_attempt_at
            assert later > now
            assert not outbox.due_outbound(now)
            now = later
    row = Message.get_by_id(row.id)
    assert row.state == "failed" and "gave up after" in row.error


def test_a_crash_while_sending_resends_replies_but_never_promotions(shop):
    reply, _ = outbox.queue_outbound("+6281200000001", "Confirmed", now=T0)
    promo, _ = outbox.queue_outbound("+6281200000002", "Diskon!", category="marketing", now=T0)
    for row in (reply, promo):
        assert outbox.lease(row, "box:100", T0)
    # ... the worker dies here; a new one starts:
    assert outbox.recover_interrupted(T0, owner_prefix="box:") == {"unknown": 2, "requeued": 1}
    reply, promo = Message.get_by_id(reply.id), Message.get_by_id(promo.id)
    assert (reply.state, reply.resent_after_crash) == ("queued", True)
    assert promo.state == "unknown"
    # A second crash does not re-send the re-sent reply again and again.
    assert outbox.lease(reply, "box:101", T0)
    assert outbox.recover_interrupted(T0, owner_prefix="box:") == {"unknown": 1, "requeued": 0}


def test_another_workers_leases_are_left_alone(shop):
    row, _ = outbox.queue_outbound("+6281200000001", "Hi", now=T0)
    outbox.lease(row, "other-box:5", T0)
    assert outbox.recover_interrupted(T0, owner_prefix="box:") == {"unknown": 0, "requeued": 0}


def _part(sender="+6281234567890", text="help", ref=None, no=None, count=None, when=T0, loc="1"):
    return Part(location=loc, sender=sender, text=text, smsc_time=when, concat_ref=ref, part_no=no,
                part_count=count)


def test_re_reading_the_same_parts_after_a_crash_stores_them_once(shop):
    parts = [_part(text="a", loc="1"), _part(text="b", when=T0 + dt.timedelta(seconds=1), loc="2")]
    assert inbox.store_parts(parts, "sim", T0) == 2
    assert inbox.store_parts(parts, "sim", T0) == 0
    assert InboundPart.select().count() == 2


def test_multipart_messages_are_joined_in_order(shop):
    parts = [_part(text="dunia", ref=7, no=2, count=2), _part(text="halo ", ref=7, no=1, count=2)]
    inbox.store_parts(parts, "sim", T0)
    [message] = inbox.assemble(T0, dt.timedelta(minutes=10), KEY)
    assert message.text == "halo dunia" and not message.incomplete and message.parts == 2


def test_a_missing_part_waits_then_arrives_marked_incomplete(shop):
    inbox.store_parts([_part(text="halo ", ref=9, no=1, count=3)], "sim", T0)
    assert inbox.assemble(T0 + dt.timedelta(minutes=5), dt.timedelta(minutes=10), KEY) == []
    [message] = inbox.assemble(T0 + dt.timedelta(minutes=11), dt.timedelta(minutes=10), KEY)
    assert message.incomplete and message.text == "halo "


def test_ucs2_parts_are_joined_as_bytes_so_a_split_emoji_survives(shop):
    data = "Terima kasih 🙏".encode("utf-16-be")
    cut = len(data) - 2  # between the two halves of the surrogate pair
    parts = [
        Part(location="1", sender="+6281234567890", text="", smsc_time=T0, concat_ref=3, part_no=1,
             part_count=2, coding="ucs2", raw=data[:cut].hex()),
        Part(location="2", sender="+6281234567890", text="", smsc_time=T0, concat_ref=3, part_no=2,
             part_count=2, coding="ucs2", raw=data[cut:].hex()),
    ]
    inbox.store_parts(parts, "sim", T0)
    [message] = inbox.assemble(T0, dt.timedelta(minutes=10), KEY)
    assert message.text == "Terima kasih 🙏"


def test_status_reports_settle_the_message(shop):
    row, _ = outbox.queue_outbound("+6281234567890", "Hi", now=T0)
    outbox.lease(row, "w:1", T0)
    outbox.mark_sent(row, "w:1", [41, 42], "sim", T0)
    report = lambda ref, status: Part(location="9", sender="+6281234567890", text="", smsc_time=T0,  # noqa: E731
                                      status_ref=ref, status=status)
    outbox.apply_status_reports([report(41, "delivered")], "sim", T0)
    assert Message.get_by_id(row.id).state == "sent"  # one part still on its way
    outbox.apply_status_reports([report(42, "delivered")], "sim", T0)
    assert Message.get_by_id(row.id).state == "delivered"


def test_conversations_newest_first(shop):
    for n, phone in enumerate(["+6281200000001", "+6281200000002", "+6281200000001"]):
        outbox.queue_outbound(phone, f"m{n}", now=T0 + dt.timedelta(minutes=n))
    rows = inbox.conversations()
    assert [r["phone"] for r in rows] == ["+6281200000001", "+6281200000002"]
    assert rows[0]["last"].text == "m2"


def test_an_unreadable_part_is_kept_for_staff_and_the_next_message_goes_on(shop):
    broken = Part(location="1", sender="+6281234567890", text="", smsc_time=T0, coding="raw",
                  raw="07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07")
    fine = _part(text="help", when=T0 + dt.timedelta(seconds=1), loc="2")
    inbox.store_parts([broken, fine], "at", T0)
    first, second = sorted(inbox.assemble(T0, dt.timedelta(minutes=10), KEY), key=lambda m: m.id)
    assert first.state == "handled" and first.needs_staff and "unreadable" in first.text
    assert InboundPart.get(InboundPart.message == first).raw.startswith("0791")
    assert (second.state, second.text) == ("received", "help")


def test_a_bulk_job_run_twice_adds_each_row_once(shop):
    people = [(None, f"+62812000{n:05d}", f"Promo {n}") for n in range(1200)]
    assert outbox.queue_many(people[:700], category="marketing", key_prefix="campaign:1:", now=T0) == 700
    assert outbox.queue_many(people, category="marketing", key_prefix="campaign:1:", now=T0) == 500  # the rest
    assert outbox.queue_many(people, category="marketing", key_prefix="campaign:1:", now=T0) == 0
    assert Message.select().where(Message.category == "marketing").count() == 1200


def test_two_different_texts_in_the_same_second_are_both_kept(shop):
    # The network's timestamp has whole seconds: "BOOK" then "2" can share one.
    inbox.store_parts([_part(text="PESAN pijat besok", loc="1"), _part(text="2", loc="2")], "at", T0)
    assert InboundPart.select().count() == 2
