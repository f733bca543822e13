"""The shop's events as the domain code emits them: one delivery row per
webhook that wants the event, written with the change (on SQLite and on
PostgreSQL); nothing written when no webhook wants it; the signature a
receiver checks."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest

from appliance import bookings, catalogue, events, orders, outbox, tickets, webhooks
from appliance.conversation import Shop
from appliance.customers import customer_for
from appliance.models import HookDelivery, Service, User

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
SHOP = Shop(name="Toko Uji", tz=WIB)
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=WIB)


@pytest.fixture
def hook(shop):
    events.use(None)  # no stamp file: each change here invalidates this process's cache
    return webhooks.create("http://127.0.0.1:9/hook", events.EVENTS)


def queued() -> list[str]:
    return [d.event for d in HookDelivery.select().order_by(HookDelivery.id)]


def test_no_webhook_no_rows(shop):
    events.use(None)
    assert events.emit("order.paid", {"order_id": 1}) == 0 and HookDelivery.select().count() == 0


def test_bookings_tickets_and_orders_emit_their_events(shop, hook):
    sari = customer_for("+6281234567890")
    staff = User.create(username="admin", password_hash="x", role="admin")
    service = Service.create(name="Pijat", duration_minutes=60, capacity=1)
    booking = bookings.book(sari, service, dt.datetime(2026, 11, 24, 10, 0), source="staff", by=staff, now=NOW,
                            shop=SHOP)
    bookings.cancel(booking, by=staff, now=NOW, shop=SHOP)
    from appliance import staff as staffing
    staffing.set_up(staff, 1, [service.id], by=None, now=NOW)
    planned = bookings.book(sari, service, dt.datetime(2026, 11, 24, 11, 0), source="staff", by=staff, now=NOW,
                            shop=SHOP)
    ticket = tickets.open_ticket(sari, "AC bocor", by=staff, source="staff", now=NOW, shop=SHOP)
    tickets.note(ticket, "datang besok", staff, NOW)
    tickets.resolve(ticket, "ganti selang", staff, NOW, shop=SHOP)
    oil = catalogue.add_product("Oli", price=100_000, stock=3)
    order = orders.create_order(sari, [(oil, 1, None)], by=staff, now=NOW, shop=SHOP)
    orders.set_status(order, "paid", by=staff, now=NOW, shop=SHOP)
    orders.set_status(order, "shipped", by=staff, now=NOW, shop=SHOP, courier="JNE", tracking="JN123")
    seen = queued()
    for event in ("booking.made", "booking.cancelled", "ticket.opened", "ticket.changed", "ticket.resolved",
                  "order.made", "order.paid", "order.shipped"):
        assert event in seen, (event, seen)
    made = [json.loads(d.body)["data"] for d in
            HookDelivery.select().where(HookDelivery.event == "booking.made").order_by(HookDelivery.id)]
    assert (made[0]["booking_id"], made[0]["staff_id"]) == (booking.id, None)  # nobody planned: no therapist
    assert (made[1]["booking_id"], made[1]["staff_id"]) == (planned.id, staff.id)  # the one who takes it
    shipped = json.loads(HookDelivery.get(HookDelivery.event == "order.shipped").body)
    assert shipped["data"]["tracking"] == "JN123" and shipped["data"]["status"] == "shipped"
    assert shipped["occurred_at"].startswith("2026-11-23T01:00")  # UTC


def test_a_failed_text_emits_once_and_a_duplicate_key_is_dropped(shop, hook):
    message, _ = outbox.queue_outbound("+6281234567890", "Halo", now=NOW)
    assert outbox.lease(message, "w:1", NOW)
    outbox.mark_failed(message, "w:1", "no network", NOW)
    outbox.mark_failed(message, "w:1", "no network", NOW)  # not held any more: nothing more
    assert queued().count("message.failed") == 1
    assert events.emit("sim.credit_low", {"credit": 5}, NOW, key="low:sim:2026-11-23") == 1
    assert events.emit("sim.credit_low", {"credit": 5}, NOW, key="low:sim:2026-11-23") == 0


def test_a_webhook_gone_under_the_cache_does_not_undo_the_change_it_rides_on(shop, hook):
    """Another process removed the webhook a moment ago (this one's list is still cached): the
    order change is kept; on PostgreSQL the failed insert must not abort its transaction."""
    from appliance.models import Customer, Webhook
    assert events.hooks()  # cached with the hook
    Webhook.delete().execute()  # straight in the database: no stamp, no invalidation
    with Customer._meta.database.atomic():
        customer = customer_for("+6281234567891")
        assert events.emit("order.paid", {"order_id": 1}, NOW) == 0
        customer.name = "Masih tersimpan"
        customer.save()  # the transaction goes on
    assert Customer.get_by_id(customer.id).name == "Masih tersimpan" and not HookDelivery.select().exists()
    assert events.hooks() == ()  # read afresh


def test_a_switched_off_hook_gets_nothing(shop, hook):
    webhooks.update(hook, hook.url, ["order.paid"], False)
    assert events.emit("order.paid", {"order_id": 1}) == 0


def test_signatures_and_the_replay_window():
    body = b'{"id":"x"}'
    headers = webhooks.headers("whsec_k", body, "order.paid", "x", now=1_000_000)
    stamp, signature = headers["Loket-Timestamp"], headers["Loket-Signature"]
    assert webhooks.verify("whsec_k", body, stamp, signature, now=1_000_100)
    assert not webhooks.verify("whsec_k", body + b" ", stamp, signature, now=1_000_100)
    assert not webhooks.verify("whsec_other", body, stamp, signature, now=1_000_100)
    assert not webhooks.verify("whsec_k", body, stamp, signature, now=1_000_000 + webhooks.REPLAY_WINDOW + 1)


def test_only_http_addresses_are_taken(shop):
    for bad in ("ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "http://", "example.com"):
        with pytest.raises(webhooks.HookError):
            webhooks.check_url(bad)
    assert webhooks.check_url(" https://example.com/x ") == "https://example.com/x"


def test_backoff_doubles_with_jitter_and_has_a_cap():
    class Middle:
        def uniform(self, low, high):
            return (low + high) / 2
    assert [webhooks.backoff(n, 30, Middle()) for n in (1, 2, 3)] == [30, 60, 120]
    assert webhooks.backoff(40, 30, Middle()) == webhooks.BACKOFF_CAP
