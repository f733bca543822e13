"""Orders, and payment confirmed by SMS: the motorcycle parts dealer and the online shoe shop."""

import datetime as dt
import json
import re
import threading
import zoneinfo

import pytest
from support import owner_sets, text_in

import appliance.orders  # noqa: F401  registers BAYAR, STATUS O-…, the unpaid-order job
from appliance import catalogue, events, orders, orders_sms, shopdata, webhooks
from appliance.conversation import Shop
from appliance.jobs import JOBS
from appliance.models import (AuditEntry, Customer, HookDelivery, Message, Order, OrderItem, PaymentClaim, Product,
                              User)
from appliance.orders import OrderError
from appliance.replies import DEFAULT_TEMPLATES, render
from appliance.responder import Responder
from appliance.settings import SettingsError

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
SHOP = Shop(name="Motor Jaya", tz=JAKARTA, replies_per_hour=1000)
T0 = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)  # Sunday 10:00 in Jakarta
BUDI = "+6281234500002"
MARIA = "+6281234500003"
SARI = "+6281234500001"


@pytest.fixture
def responder(shop):
    shopdata.invalidate()  # settings cached from the previous test's database
    return Responder(SHOP)


@pytest.fixture
def staff(shop):
    return User.create(username="admin", password_hash="x", role="admin")


@pytest.fixture
def parts(shop):
    """The parts dealer's shelf."""
    return {
        "kampas": catalogue.add_product("Kampas Rem Vario", price=75_000, stock=10, category="Rem", sku="KR-01"),
        "oli": catalogue.add_product("Oli Mesin 1L", price=100_000, stock=3, category="Oli"),
    }


def person(phone, name, language):
    return Customer.create(phone=phone, name=name, language=language)


def sms_to(phone):
    return [m.text for m in Message.select().where((Message.direction == "out") & (Message.phone == phone))
            .order_by(Message.id)]


def texts(replies):
    return [r.text for r in replies]


def budi_orders(parts, staff, now=T0):
    """Pak Budi's brake pads and oil: Rp 250.000."""
    budi = person(BUDI, "Pak Budi", "id")
    return orders.create_order(budi, [(parts["kampas"], 2, None), ("oli mesin 1l", 1, None)], by=staff,
                               now=now, shop=SHOP)


# -- the parts dealer's journey ---------------------------------------------------------------

def test_the_parts_dealer_journey(responder, staff, parts):
    order = budi_orders(parts, staff)
    assert orders.ref(order) == "O-1001" and order.total == 250_000 and order.status == "awaiting_payment"
    assert order.payment_due == T0 + dt.timedelta(days=3)
    # The goods are put aside for Pak Budi.
    assert Product.get_by_id(parts["kampas"].id).stock == 8 and Product.get_by_id(parts["oli"].id).stock == 2
    [asked] = sms_to(BUDI)
    assert asked.startswith("Motor Jaya: pesanan O-1001 total Rp 250.000 menunggu pembayaran")
    assert "dalam 3 hari (s/d 25/11 10:00)" in asked and "BAYAR O-1001" in asked

    _, replies = text_in(BUDI, "BAYAR O-1001 Rp 250.000", T0 + dt.timedelta(hours=5), responder)
    assert texts(replies) == ["Motor Jaya: terima kasih, konfirmasi bayar Rp 250.000 untuk O-1001 sudah kami catat. "
                              "Kami akan cek dan kabari lewat SMS."]
    [claim] = orders.pending_claims()
    assert (claim.order_id, claim.amount, claim.status) == (order.id, 250_000, "claimed")

    paid = orders.verify_claim(claim, staff, T0 + dt.timedelta(hours=6), shop=SHOP)
    assert paid.status == "paid" and paid.paid_at == T0 + dt.timedelta(hours=6)
    assert PaymentClaim.get_by_id(claim.id).decided_by_id == staff.id
    assert "sebesar Rp 250.000 sudah kami terima" in sms_to(BUDI)[-1]

    orders.set_status(paid, "shipped", by=staff, now=T0 + dt.timedelta(days=1), courier="JNE",
                      tracking="0123 4567 89", shop=SHOP)
    assert sms_to(BUDI)[-1] == ("Motor Jaya: pesanan O-1001 sudah dikirim lewat JNE, no. resi 0123456789. "
                                "Terima kasih sudah berbelanja!")

    _, replies = text_in(BUDI, "STATUS O-1001", T0 + dt.timedelta(days=1, hours=1), responder)
    assert texts(replies) == ["Motor Jaya: pesanan O-1001 (3 barang, total Rp 250.000): sudah dikirim "
                              "(JNE 0123456789)."]

    trail = [(e.action, e.detail) for e in AuditEntry.select().where(AuditEntry.target == "O-1001")
             .order_by(AuditEntry.id)]
    assert [a for a, _ in trail] == ["order.create", "order.status", "order.claim", "order.claim_verified",
                                     "order.status", "order.status"]
    assert "2 x Kampas Rem Vario @ Rp 75.000" in trail[0][1]
    assert trail[-1][1] == "paid -> shipped: JNE 0123456789"


def test_an_unpaid_order_is_cancelled_once_after_three_days(responder, staff, parts):
    order = budi_orders(parts, staff)
    job = JOBS["orders.unpaid"]
    for minutes in range(0, 3 * 24 * 60, 6 * 60):  # every six hours for three days: still in time
        assert job(SHOP, T0 + dt.timedelta(minutes=minutes)) == 0
    assert job(SHOP, T0 + dt.timedelta(days=3, seconds=-1)) == 0
    results = [job(SHOP, T0 + dt.timedelta(days=3, minutes=m)) for m in range(0, 10)]
    assert results == [1] + [0] * 9
    assert Order.get_by_id(order.id).status == "cancelled"
    cancelled = [t for t in sms_to(BUDI) if "dibatalkan" in t]
    assert cancelled == ["Motor Jaya: pesanan O-1001 dibatalkan karena belum ada pembayaran sampai 25/11 10:00. "
                         "Silakan pesan lagi bila masih perlu."]
    # The stock came back, once.
    assert Product.get_by_id(parts["kampas"].id).stock == 10 and Product.get_by_id(parts["oli"].id).stock == 3
    cancel = AuditEntry.select().where(AuditEntry.action == "order.status").order_by(AuditEntry.id.desc()).get()
    assert cancel.detail == "awaiting payment -> cancelled: not paid in time" and cancel.user is None
    # The customer who pays now is told clearly, and staff see the message.
    message, replies = text_in(BUDI, "BAYAR O-1001 250000", T0 + dt.timedelta(days=4), responder)
    assert "sudah dibatalkan, jadi tidak perlu dibayar" in replies[0].text
    assert Message.get_by_id(message.id).needs_staff and not PaymentClaim.select().exists()


def test_the_unpaid_period_is_a_shop_setting(responder, staff, parts):
    owner_sets(order_unpaid_days=1)
    order = budi_orders(parts, staff)
    assert order.payment_due == T0 + dt.timedelta(days=1)
    assert "dalam 1 hari" in sms_to(BUDI)[0]
    # A typo must not cancel every order at once: it is refused, and the day stays.
    for typo, reason in (("tiga", "expected a number"), (0, "between 0.1 and 60")):
        with pytest.raises(SettingsError, match=reason):
            owner_sets(order_unpaid_days=typo)
    assert orders.unpaid_days() == 1


def test_a_claim_verified_in_time_prevents_the_cancellation(responder, staff, parts):
    order = budi_orders(parts, staff)
    text_in(BUDI, "bayar o1001 250rb", T0 + dt.timedelta(days=2), responder)
    orders.verify_claim(orders.pending_claims()[0], staff, T0 + dt.timedelta(days=2, hours=1), shop=SHOP)
    for day in (3, 4, 10):
        assert orders.cancel_unpaid(SHOP, T0 + dt.timedelta(days=day)) == 0
    assert Order.get_by_id(order.id).status == "paid"


def test_a_claim_waiting_for_staff_holds_the_cancellation(responder, staff, parts):
    order = budi_orders(parts, staff)
    text_in(BUDI, "BAYAR O-1001 250000", T0 + dt.timedelta(days=2, hours=23), responder)
    assert orders.cancel_unpaid(SHOP, T0 + dt.timedelta(days=3, hours=2)) == 0
    # Staff find nothing in the bank: the customer gets a day to pay right, then the order goes.
    rejected_at = T0 + dt.timedelta(days=3, hours=3)
    orders.reject_claim(orders.pending_claims()[0], "belum ada dana masuk", staff, rejected_at, shop=SHOP)
    assert Order.get_by_id(order.id).payment_due == rejected_at + dt.timedelta(hours=24)
    assert orders.cancel_unpaid(SHOP, rejected_at + dt.timedelta(hours=23)) == 0
    assert orders.cancel_unpaid(SHOP, rejected_at + dt.timedelta(hours=24)) == 1
    assert AuditEntry.select().where(AuditEntry.action == "order.due_extended").count() == 1


# -- the online shop ----------------------------------------------------------------------------

@pytest.fixture
def shoes(shop):
    return catalogue.add_product("Sepatu Kulit Pria 42", price=450_000, stock=4, category="Sepatu")


def test_the_online_shop_customer_asks_the_status_by_sms(responder, staff, shoes):
    maria = person(MARIA, "Maria Tan", "en")
    order = orders.create_order(maria, [(shoes, 1, None), ("Ongkos kirim", 1, "25rb")], by=staff, now=T0,
                                status="new", shop=SHOP)
    assert order.total == 475_000 and order.payment_due is None
    assert sms_to(MARIA) == ["Motor Jaya: we received order O-1001, total Rp 475.000. "
                             "We will check it and text you soon."]
    _, replies = text_in(MARIA, "status o-1001", T0 + dt.timedelta(minutes=5), responder)
    assert texts(replies) == ["Motor Jaya: order O-1001 (2 items, total Rp 475.000): being checked."]

    orders.set_status(order, "awaiting_payment", by=staff, now=T0 + dt.timedelta(hours=1), shop=SHOP)
    _, replies = text_in(MARIA, "STATUS O-1001", T0 + dt.timedelta(hours=2), responder)
    assert texts(replies) == ["Motor Jaya: order O-1001 (2 items, total Rp 475.000): "
                              "awaiting payment until 25/11 11:00."]

    text_in(MARIA, "PAY O-1001 475.000", T0 + dt.timedelta(hours=3), responder)
    _, replies = text_in(MARIA, "CEK O-1001", T0 + dt.timedelta(hours=4), responder)
    assert replies[0].text.endswith("we are checking your payment.")


def test_a_claim_with_the_wrong_amount_is_rejected_with_the_reason(responder, staff, shoes):
    maria = person(MARIA, "Maria Tan", "en")
    order = orders.create_order(maria, [(shoes, 1, None)], by=staff, now=T0, shop=SHOP)
    _, replies = text_in(MARIA, "PAY O-1001 Rp 45.000", T0 + dt.timedelta(hours=1), responder)
    assert "your payment of Rp 45.000 for O-1001 is noted" in replies[0].text
    claim = orders.pending_claims()[0]
    orders.reject_claim(claim, "we received Rp 45.000, the total is Rp 450.000", staff,
                        T0 + dt.timedelta(hours=2), shop=SHOP)
    assert sms_to(MARIA)[-1] == ("Motor Jaya: sorry, Rp 45.000 for O-1001 was not accepted: "
                                 "we received Rp 45.000, the total is Rp 450.000. Please check and text PAY again.")
    assert PaymentClaim.get_by_id(claim.id).status == "rejected"
    assert Order.get_by_id(order.id).status == "awaiting_payment"
    # Pays the right amount; staff verify this one.
    text_in(MARIA, "PAY O-1001 450rb", T0 + dt.timedelta(hours=3), responder)
    [right] = orders.pending_claims()
    assert right.amount == 450_000
    orders.verify_claim(right, staff, T0 + dt.timedelta(hours=4), shop=SHOP)
    assert Order.get_by_id(order.id).status == "paid"
    with pytest.raises(OrderError, match="already verified"):
        orders.verify_claim(right, staff, T0 + dt.timedelta(hours=5), shop=SHOP)
    with pytest.raises(OrderError, match="already rejected"):
        orders.reject_claim(claim, "again", staff, T0 + dt.timedelta(hours=5), shop=SHOP)
    with pytest.raises(OrderError, match="needs a reason"):
        orders.reject_claim(right, "  ", staff, T0, shop=SHOP)


# -- never another customer's data --------------------------------------------------------------

def test_another_customers_order_number_looks_like_no_order(responder, staff, parts):
    budi_orders(parts, staff)
    person(SARI, "Ibu Sari", "id")
    _, theirs = text_in(SARI, "STATUS O-1001", T0, responder)
    _, nothing = text_in(SARI, "STATUS O-9999", T0, responder)
    assert texts(theirs)[0] == texts(nothing)[0].replace("pesanan O-9999", "pesanan O-1001")
    assert "tidak ditemukan" in texts(theirs)[0] and "Rp" not in texts(theirs)[0]
    _, theirs = text_in(SARI, "BAYAR O-1001 250000", T0, responder)
    _, nothing = text_in(SARI, "BAYAR O-9999 250000", T0, responder)
    assert texts(theirs)[0] == texts(nothing)[0].replace("pesanan O-9999", "pesanan O-1001")
    _, bare = text_in(SARI, "BAYAR 1001 250000", T0, responder)
    assert texts(bare) == texts(theirs)
    assert not PaymentClaim.select().exists()
    assert orders.open_orders_for(Customer.get(Customer.phone == SARI)) == []


# -- BAYAR without all it needs ------------------------------------------------------------------

def test_bayar_without_a_number_uses_the_only_unpaid_order(responder, staff, parts):
    order = budi_orders(parts, staff)
    _, replies = text_in(BUDI, "😀 bayar 250rb ya kak 🙏", T0, responder)
    assert "Rp 250.000 untuk O-1001 sudah kami catat" in replies[0].text
    assert PaymentClaim.get().order_id == order.id


def test_bayar_without_a_number_asks_which_order(responder, staff, parts):
    budi_orders(parts, staff)
    budi = Customer.get(Customer.phone == BUDI)
    orders.create_order(budi, [(parts["oli"], 1, None)], by=staff, now=T0, shop=SHOP)
    _, replies = text_in(BUDI, "BAYAR Rp 100.000", T0, responder)
    assert texts(replies) == ["Motor Jaya: pembayaran ini untuk pesanan yang mana? "
                              "Balas dengan nomornya: O-1002, O-1001"]
    _, replies = text_in(BUDI, "yang O-1002 ya", T0 + dt.timedelta(minutes=2), responder)
    assert "Rp 100.000 untuk O-1002 sudah kami catat" in replies[0].text
    assert PaymentClaim.get().order.number == 1002
    # The question is answered; the next plain text is not taken for an order number.
    _, replies = text_in(BUDI, "1001", T0 + dt.timedelta(minutes=3), responder)
    assert "akan dibalas staf" in replies[0].text


def test_bayar_without_an_amount_asks_for_it(responder, staff, parts):
    budi_orders(parts, staff)
    _, replies = text_in(BUDI, "BAYAR O-1001", T0, responder)
    assert texts(replies) == ["Motor Jaya: berapa jumlah yang Anda transfer untuk O-1001? Balas dengan jumlahnya, "
                              "contoh: 250000 atau Rp 250.000."]
    _, replies = text_in(BUDI, "banyak", T0 + dt.timedelta(minutes=1), responder)  # not an answer: a new request
    assert "akan dibalas staf" in replies[0].text
    _, replies = text_in(BUDI, "-5", T0 + dt.timedelta(minutes=2), responder)  # asked again
    assert "berapa jumlah" in replies[0].text
    _, replies = text_in(BUDI, "sudah transfer 250.000 kak", T0 + dt.timedelta(minutes=3), responder)
    assert "Rp 250.000 untuk O-1001 sudah kami catat" in replies[0].text


def test_bayar_with_no_order_waiting_for_payment(responder):
    _, replies = text_in(SARI, "BAYAR 250000", T0, responder)
    assert texts(replies) == ["Motor Jaya: tidak ada pesanan yang menunggu pembayaran untuk nomor HP ini. "
                              "Contoh konfirmasi: BAYAR O-1001 250000."]


def test_the_same_claim_sent_twice_is_one_claim(responder, staff, parts):
    budi_orders(parts, staff)
    text_in(BUDI, "BAYAR O-1001 250000", T0, responder)
    _, replies = text_in(BUDI, "BAYAR O-1001 250.000", T0 + dt.timedelta(minutes=1), responder)
    assert "sudah kami catat" in replies[0].text
    assert PaymentClaim.select().count() == 1


def test_a_claim_on_a_paid_order_gets_a_clear_answer(responder, staff, parts):
    order = budi_orders(parts, staff)
    orders.set_status(order, "paid", by=staff, now=T0, note="tunai di toko", shop=SHOP)
    message, replies = text_in(BUDI, "BAYAR O-1001 250000", T0, responder)
    assert texts(replies) == ["Motor Jaya: pesanan O-1001 sudah lunas, terima kasih. "
                              "Bila ada yang keliru, staf kami akan menghubungi Anda."]
    assert Message.get_by_id(message.id).needs_staff and not PaymentClaim.select().exists()
    with pytest.raises(OrderError, match="nothing to pay"):
        orders.record_claim(order, 250_000, now=T0)


@pytest.mark.parametrize("text, answer", [
    ("BAYAR O-1001 0", "berapa jumlah"),
    ("BAYAR O-1001 -250000", "berapa jumlah"),
    ("BAYAR O-1001 1000000000000000", "berapa jumlah"),
    ("BAYAR O-1001 banyak sekali", "berapa jumlah"),
    ("BAYAR O-1001 😀😀", "berapa jumlah"),
    ("BAYAR O-1001 " + "x" * 1000, "berapa jumlah"),
    ("BAYAR O-1001 " + "9" * 1000, "berapa jumlah"),
    # Scientific and glued numbers are not amounts: "1e308" once became a claim of Rp 1.
    ("BAYAR O-1001 1e308", "berapa jumlah"),
    ("BAYAR O-1001 2.5E+5", "berapa jumlah"),
    ("BAYAR O-1001 250000abc", "berapa jumlah"),
    ("BAYAR O-1001 0x3D090", "berapa jumlah"),
    ("BAYAR O-0 250000", "pesanan O-0 tidak ditemukan"),
    ("BAYAR O-999999999 250000", "pesanan O-999999999 tidak ditemukan"),
    ("STATUS O-0", "pesanan O-0 tidak ditemukan"),
    ("STATUS O-1001 😀", "menunggu pembayaran sampai 25/11 10:00"),
    ("BAYAR " + "😀" * 500, "berapa jumlah"),  # the only unpaid order, amount unreadable
])
def test_unpleasant_texts_get_one_polite_answer_and_record_nothing_wrong(responder, staff, parts, text, answer):
    budi_orders(parts, staff)
    message, replies = text_in(BUDI, text, T0 + dt.timedelta(hours=1), responder)
    assert len(replies) == 1 and answer in replies[0].text
    assert replies[0].text.isascii() and len(replies[0].text) <= 160
    assert not PaymentClaim.select().exists()
    assert Order.get(Order.number == 1001).status == "awaiting_payment"


# -- staff: the rules of an order's life ---------------------------------------------------------

def test_the_status_table_refuses_what_makes_no_sense(staff, parts):
    order = budi_orders(parts, staff)
    with pytest.raises(OrderError, match="it cannot become shipped. From here it can go to: paid, cancelled"):
        orders.set_status(order, "shipped", by=staff, now=T0, shop=SHOP)
    with pytest.raises(OrderError, match="unknown order status"):
        orders.set_status(order, "lost", by=staff, now=T0, shop=SHOP)
    with pytest.raises(OrderError, match="needs a reason"):
        orders.set_status(order, "cancelled", by=staff, now=T0, shop=SHOP)
    for status in ("paid", "shipped", "done"):
        orders.set_status(order, status, by=staff, now=T0, shop=SHOP)
    with pytest.raises(OrderError, match="is done; it cannot become paid. From here it can go to: nothing"):
        orders.set_status(order, "paid", by=staff, now=T0, shop=SHOP)
    with pytest.raises(OrderError, match="cannot become cancelled"):
        orders.cancel_order(order, by=staff, reason="salah kirim", now=T0, shop=SHOP)
    sent = Message.select().where(Message.direction == "out").order_by(Message.id)
    assert [m.template for m in sent] == ["order_awaiting_payment", "order_paid", "order_shipped_untracked",
                                          "order_done"]
    assert Order.get_by_id(order.id).status == "done"


def test_the_same_change_twice_texts_once(staff, parts):
    order = budi_orders(parts, staff)
    orders.set_status(order, "paid", by=staff, now=T0, shop=SHOP)
    orders.set_status(order, "paid", by=staff, now=T0 + dt.timedelta(minutes=1), shop=SHOP)  # a retried form
    assert len(sms_to(BUDI)) == 2
    assert AuditEntry.select().where(AuditEntry.action == "order.status").count() == 2


def test_cancelling_tells_the_reason_and_returns_the_stock(staff, parts):
    order = budi_orders(parts, staff)
    orders.set_status(order, "paid", by=staff, now=T0, shop=SHOP)
    orders.cancel_order(order, by=staff, reason="stok habis di gudang", now=T0 + dt.timedelta(hours=1), shop=SHOP)
    assert order.status == "cancelled"
    assert sms_to(BUDI)[-1] == ("Motor Jaya: pesanan O-1001 dibatalkan. Alasan: stok habis di gudang. "
                                "Hubungi kami bila ada pertanyaan.")
    assert Product.get_by_id(parts["kampas"].id).stock == 10
    with pytest.raises(OrderError, match="cannot be paid now"):
        claim = PaymentClaim.create(order=order.id, amount=250_000, claimed_at=T0)
        orders.verify_claim(claim, staff, T0, shop=SHOP)
    assert orders.open_orders_for(order.customer) == []


def test_open_orders_are_the_customers_own_and_unfinished(staff, parts):
    first = budi_orders(parts, staff)
    budi = Customer.get(Customer.phone == BUDI)
    second = orders.create_order(BUDI, [(parts["oli"], 1, None)], now=T0 + dt.timedelta(minutes=1), shop=SHOP)
    assert second.customer_id == budi.id  # a phone number finds the customer
    orders.create_order("0812-3450-0001", [("Servis ringan", 1, "50rb")], now=T0, shop=SHOP)
    assert [o.number for o in orders.open_orders_for(budi)] == [1002, 1001]
    orders.cancel_order(first, by=staff, reason="dobel", now=T0, shop=SHOP)
    assert [o.number for o in orders.open_orders_for(budi)] == [1002]
    assert orders.find_order("O-1002").id == second.id and orders.find_order("o 1003").number == 1003
    assert orders.find_order("1002").id == second.id and orders.find_order("O-42") is None


# -- creating orders: every input ----------------------------------------------------------------

@pytest.mark.parametrize("items, says", [
    ([], "at least one item"), ("kampas", "at least one item"), (None, "at least one item"),
    ([("Kampas Rem Vario", 0, None)], "item 1: quantity must be at least 1"),
    ([("Kampas Rem Vario", -2, None)], "at least 1"), ([("Kampas Rem Vario", 10_001, None)], "at most"),
    ([("Kampas Rem Vario", "dua", None)], "whole number"), ([("Kampas Rem Vario", True, None)], "whole number"),
    ([("Kampas Rem Vario", 1.5, None)], "whole number"),
    ([("Knalpot Racing", 1, None)], "no product called 'Knalpot Racing'"),
    ([("", 1, 5000)], "which product"), ([(42, 1, 5000)], "which product"),
    ([("Kampas Rem Vario",)], "give the product"),
    ([("Kampas Rem Vario", 1, "murah")], "item 1: price"), ([("Kampas Rem Vario", 1, -5)], "negative"),
    ([("Oli Mesin 1L", 1, None), ("Kampas Rem Vario", 11, None)], "only 10 of Kampas Rem Vario in stock"),
    ([("Jasa", 1, "2.000.000.000"), ("Jasa", 1, "1")], "total Rp 2.000.000.001 is too large"),
    ([("Busi", 1, 1)] * 101, "at most 100 items"),
])
def test_an_order_with_a_wrong_item_is_refused_and_changes_nothing(staff, parts, items, says):
    budi = person(BUDI, "Pak Budi", "id")
    with pytest.raises(OrderError, match=says):
        orders.create_order(budi, items, by=staff, now=T0, shop=SHOP)
    assert not Order.select().exists() and not OrderItem.select().exists() and not Message.select().exists()
    assert Product.get_by_id(parts["kampas"].id).stock == 10 and Product.get_by_id(parts["oli"].id).stock == 3


def test_orders_by_sku_free_items_and_odd_customers(staff, parts):
    order = orders.create_order(BUDI, [("kr-01", 1, "70rb"), ("Ongkir JNE", 1, 15_000), ("Bonus stiker", 1, 0)],
                                now=T0, shop=SHOP)
    assert order.total == 85_000
    assert [(i.name, i.product_id is not None) for i in order.items.order_by(OrderItem.id)] == [
        ("Kampas Rem Vario", True), ("Ongkir JNE", False), ("Bonus stiker", False)]
    catalogue.update_product(parts["oli"], active=False)
    with pytest.raises(OrderError, match="no longer sold"):
        orders.create_order(BUDI, [(parts["oli"], 1, None)], now=T0, shop=SHOP)
    with pytest.raises(OrderError, match="customer: .*not a valid phone number"):
        orders.create_order("12345", [("Ongkir", 1, 1000)], now=T0, shop=SHOP)
    with pytest.raises(OrderError, match="needs a customer"):
        orders.create_order(None, [("Ongkir", 1, 1000)], now=T0, shop=SHOP)
    with pytest.raises(OrderError, match="note is too long"):
        orders.create_order(BUDI, [("Ongkir", 1, 1000)], note="x" * 1001, now=T0, shop=SHOP)
    with pytest.raises(OrderError, match="either new or awaiting payment"):
        orders.create_order(BUDI, [("Ongkir", 1, 1000)], status="paid", now=T0, shop=SHOP)


def test_order_numbers_count_up_from_1001_and_survive_a_clash(staff, parts, monkeypatch):
    budi = person(BUDI, "Pak Budi", "id")
    numbers = [orders.create_order(budi, [("Ongkir", 1, 1000)], now=T0, shop=SHOP).number for _ in range(3)]
    assert numbers == [1001, 1002, 1003]
    # Another process took the number this one read: the insert clashes, and the next number is used.
    real = orders.next_number
    stale = iter([1003])
    monkeypatch.setattr(orders, "next_number", lambda: next(stale, None) or real())
    assert orders.create_order(budi, [("Ongkir", 1, 1000)], now=T0, shop=SHOP).number == 1004


def test_orders_created_at_once_get_different_numbers(shop, parts):
    budi = person(BUDI, "Pak Budi", "id")
    made, errors = [], []

    def take_orders():
        for _ in range(4):
            try:
                made.append(orders.create_order(budi, [(parts["kampas"], 1, None)], now=T0, shop=SHOP).number)
            except Exception as exc:  # noqa: BLE001  reported below
                errors.append(exc)
        shop.close()  # this thread's connection

    threads = [threading.Thread(target=take_orders) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Ten brake pads on the shelf, twelve wanted: ten orders, two refused for stock.
    assert sorted(made) == list(range(1001, 1001 + len(made)))
    assert len(made) == 10 and len(errors) == 2 and all("in stock" in str(e) for e in errors)
    assert Product.get_by_id(parts["kampas"].id).stock == 0


# -- the texts themselves --------------------------------------------------------------------------

def test_every_order_reply_fits_one_gsm7_sms():
    typical = dict(shop="Toko Sepatu Kulit Bandung", order="O-10042", total="Rp 1.250.000", amount="Rp 1.250.000",
                   due="25/11 10:00", days="3", items="12", reason="transfer belum masuk ke rekening BCA",
                   detail=" (JNE 0123456789)", courier="J&T Express", tracking="JP1234567890", choices="O-1001, O-1002, O-1003", item="Kampas Rem Depan Vario X1",
                   left="10", example="kampas rem depan vario", example_goods="KR-01", where="BCA 1234567890 a.n. Jaya Motor", count="3",
                   state=orders_sms.STATE_WORDS["id"]["awaiting_payment"].format(due="25/11 10:00"))
    keys = [k for k in DEFAULT_TEMPLATES if k.startswith(("order_", "pay_"))]
    assert len(keys) >= 16
    for key in keys:
        for language, template in DEFAULT_TEMPLATES[key].items():
            text = render(template, **typical)
            assert "{" not in text, f"{key}/{language} has an unfilled placeholder"
            assert len(text) <= 160, f"{key}/{language} is {len(text)} characters"
            assert text.isascii(), f"{key}/{language} needs UCS-2"


@pytest.mark.parametrize("text, number", [
    ("O-1001", 1001), ("o1001", 1001), ("O 1001", 1001), ("O-0", 0), ("1001", 1001), ("O#1001", 1001),
    ("", None), ("T-0042", None), ("O-", None), ("OO-1", None), ("O-1234567890", None), ("😀", None),
])
def test_order_references_as_people_type_them(text, number):
    assert orders.parse_ref(text) == number


# -- ordering by SMS ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, items", [
    ("KR-01", [("KR-01", 1)]),
    ("KR-01 2", [("KR-01", 2)]),
    ("2 kampas rem", [("kampas rem", 2)]),
    ("KR-01 2, oli mesin 1l x3; busi 4pcs", [("KR-01", 2), ("oli mesin 1l", 3), ("busi", 4)]),
    ("kampas 2 dan oli 1", [("kampas", 2), ("oli", 1)]),
    ("  kr-01   2  ,  ", [("kr-01", 2)]),
    ("KR-01 0", [("KR-01", 0)]),  # read as asked; the handler refuses it
])
def test_an_order_sms_is_read_item_by_item(text, items):
    assert orders_sms.parse_order_text(text) == items


@pytest.mark.parametrize("text", ["", "  ", ",,;", ", ".join(["busi"] * 21)])
def test_an_order_sms_without_items_or_with_a_list_is_refused(text):
    with pytest.raises(OrderError):
        orders_sms.parse_order_text(text)


def test_the_parts_dealer_takes_an_order_by_sms(responder, staff, parts):
    """BELI KR-01 2, oli 1: a new order for staff to check, stock put aside,
    the number and total in the reply; the phone sending it twice makes one order."""
    person(BUDI, "Pak Budi", "id")
    _, replies = text_in(BUDI, "BELI KR-01 2, oli 1", T0, responder)
    order = Order.get()
    assert order.status == "new" and order.total == 250_000 and order.note == "by SMS"
    assert texts(replies) == ["Motor Jaya: pesanan O-1001 sudah kami terima, total Rp 250.000. "
                              "Kami cek dulu dan segera kabari lewat SMS."]
    assert sms_to(BUDI) == texts(replies), "one SMS: the reply, not a second notice"
    assert Product.get_by_id(parts["kampas"].id).stock == 8 and Product.get_by_id(parts["oli"].id).stock == 2
    _, again = text_in(BUDI, "BELI KR-01 2, oli 1", T0 + dt.timedelta(minutes=1), responder)
    assert Order.select().count() == 1 and "O-1001" in texts(again)[0]
    # Staff check it and ask for payment: the usual path from here.
    orders.set_status(order, "awaiting_payment", by=staff, now=T0 + dt.timedelta(minutes=10), shop=SHOP)
    assert "BAYAR O-1001" in sms_to(BUDI)[-1]


def test_one_phone_cannot_reserve_the_whole_stock_in_unpaid_orders(responder, parts):
    from appliance import alerts
    person(BUDI, "Pak Budi", "id")
    for n in range(5):
        text_in(BUDI, f"BELI oli {n + 1}" if n < 2 else "BELI KR-01 1", T0 + dt.timedelta(hours=n), responder)
    assert Order.select().count() == alerts.MAX_UNPAID_ORDERS_BY_SMS
    _, [refused] = text_in(BUDI, "BELI KR-01 2", T0 + dt.timedelta(hours=6), responder)
    assert "3 pesanan yang belum dibayar" in refused.text and len(refused.text) <= 160
    assert Order.select().count() == alerts.MAX_UNPAID_ORDERS_BY_SMS


@pytest.mark.parametrize("text, expected", [
    ("BELI", "untuk memesan, SMS BELI"),
    ("BELI KR-01 0", "untuk memesan"),
    ("BELI KR-01 99999999", "untuk memesan"),
    ("BELI rantai", 'barang "rantai" tidak ada'),
    ("BELI KR-01 11", "stok Kampas Rem Vario tinggal 10"),
    ("BELI <script>alert(1)</script>", "tidak ada di katalog"),
    ("BELI 🛵 2", "tidak ada di katalog"),
])
def test_an_order_sms_that_cannot_be_taken_says_why(responder, parts, text, expected):
    person(BUDI, "Pak Budi", "id")
    _, replies = text_in(BUDI, text, T0, responder)
    assert len(replies) == 1 and expected in replies[0].text
    assert Order.select().count() == 0 and Product.get_by_id(parts["kampas"].id).stock == 10


def test_too_few_in_stock_is_said_in_the_goods_unit(responder, staff, parts):
    catalogue.update_product(parts["oli"], unit="botol", by=staff)
    person(BUDI, "Pak Budi", "id")
    _, [reply] = text_in(BUDI, "BELI oli mesin 1l 5", T0, responder)
    assert "stok Oli Mesin 1L tinggal 3 botol. Mohon pesan paling banyak 3 botol." in reply.text
    assert len(reply.text) <= 160


def test_an_ambiguous_name_lists_the_codes(responder, parts):
    catalogue.add_product("Kampas Rem Beat", price=65_000, stock=5, category="Rem", sku="KR-02")
    person(BUDI, "Pak Budi", "id")
    _, replies = text_in(BUDI, "beli kampas rem 1", T0, responder)
    assert "KR-01 Kampas Rem Var" in replies[0].text and "KR-02 Kampas Rem Bea" in replies[0].text
    catalogue.add_product("Kampas Rem Supra X 125 Depan", price=70_000, stock=5, sku="KR-SUPRA-125-D")
    _, replies3 = text_in(BUDI, "beli kampas rem 1", T0, responder)
    assert len(replies3[0].text) <= 160, "three choices still fit one SMS"
    _, replies = text_in(BUDI, "beli kampas beat 1", T0 + dt.timedelta(minutes=1), responder)
    assert "O-1001" in replies[0].text and Order.get().total == 65_000


def test_a_shop_without_a_catalogue_says_it_takes_no_sms_orders(responder):
    person(MARIA, "Maria", "en")
    _, replies = text_in(MARIA, "BUY shoes 1", T0, responder)
    assert texts(replies) == ["Motor Jaya: ordering by SMS is not available here. Please contact us."]


# -- where to pay: after every SMS that asks for payment ------------------------------------------

ASKING_TO_PAY = re.compile(r"mohon bayar|bayar dulu|silakan bayar|kirim BAYAR|please pay|text PAY again", re.I)


def test_every_reply_that_asks_for_payment_is_marked_to_say_where():
    """A new reply asking the customer to pay, not marked in replies.ASKS_TO_PAY, fails here."""
    from appliance import replies
    asking = sorted(key for key, texts in DEFAULT_TEMPLATES.items()
                    if key != "pay_to" and any(ASKING_TO_PAY.search(text) for text in texts.values()))
    assert asking == sorted(replies.ASKS_TO_PAY), "a reply asks for payment without saying where (or the reverse)"
    assert {"order_awaiting_payment", "pay_rejected", "order_too_many"} <= set(asking)


def test_every_sms_asking_for_payment_says_where_to_pay(responder, staff, parts):
    """Each path that asks a customer to pay, as it runs: the SMS ends with the shop's instructions."""
    from appliance import replies
    owner_sets(payment_instructions="BCA 1234567890 a.n. Jaya Motor.")
    ending = " Bayar ke: BCA 1234567890 a.n. Jaya Motor."  # one full stop, not two
    order = budi_orders(parts, staff)
    assert sms_to(BUDI)[-1].endswith(ending), "order_awaiting_payment"
    _, [status] = text_in(BUDI, "STATUS O-1001", T0 + dt.timedelta(minutes=5), responder)
    assert status.text.endswith(ending), "STATUS of an order awaiting payment"
    text_in(BUDI, "BAYAR O-1001 25000", T0 + dt.timedelta(hours=1), responder)
    orders.reject_claim(orders.pending_claims()[0], "kurang", staff, T0 + dt.timedelta(hours=2), shop=SHOP)
    assert sms_to(BUDI)[-1].endswith(ending), "pay_rejected"
    for n in range(2):
        orders.create_order(Customer.get(Customer.phone == BUDI), [(parts["kampas"], 1, None)], now=T0, shop=SHOP)
    _, [refused] = text_in(BUDI, "BELI KR-01 1", T0 + dt.timedelta(hours=3), responder)
    assert refused.text.endswith(ending), "order_too_many"
    sent = Message.select().where((Message.direction == "out") & Message.template.in_(sorted(replies.ASKS_TO_PAY)))
    assert sent.count() >= 4 and all(m.text.endswith(ending) for m in sent)
    # Paid: nothing more to pay, and no SMS says where.
    orders.set_status(order, "paid", by=staff, now=T0 + dt.timedelta(hours=4), shop=SHOP)
    _, [paid] = text_in(BUDI, "STATUS O-1001", T0 + dt.timedelta(hours=5), responder)
    assert "Bayar ke" not in paid.text and "Bayar ke" not in sms_to(BUDI)[-1]


def test_without_instructions_nothing_is_added(responder, staff, parts):
    budi_orders(parts, staff)
    assert "Bayar ke" not in sms_to(BUDI)[-1] and sms_to(BUDI)[-1].endswith("BAYAR O-1001 jumlahnya")


def test_the_shipped_sms_stays_short_with_the_longest_courier_and_tracking_number(staff, parts):
    from appliance import sms
    order = budi_orders(parts, staff)
    orders.set_status(order, "paid", by=staff, now=T0, shop=SHOP)
    orders.set_status(order, "shipped", by=staff, now=T0, shop=SHOP, courier="Ninja Xpress " + "X" * 17,
                      tracking="NLIDAP" + "9" * 24)
    text = sms_to(BUDI)[-1]
    assert "lewat Ninja Xpress" in text and "no. resi NLIDAP9999" in text
    assert sms.plan(text).encoding == "gsm7" and sms.plan(text).parts <= 2


# -- changing an order before it ships; the shipping cost ---------------------------------------------

from appliance import order_edit  # noqa: E402


def stock(product):
    return Product.get_by_id(product.id).stock


def test_an_order_carries_its_shipping_cost_and_its_lines_the_goods_code_and_unit(staff, parts):
    catalogue.update_product(parts["oli"], unit="botol", by=staff)
    budi = person(BUDI, "Pak Budi", "id")
    order = orders.create_order(budi, [(parts["kampas"], 2, None), (parts["oli"], 1, None)], by=staff, now=T0,
                                shop=SHOP, shipping="15rb")
    assert (order.shipping, order.total) == (15_000, 265_000)
    assert order_edit.subtotal(order) == 250_000
    assert [(i.code, i.unit) for i in order_edit.lines_of(order)] == [("KR-01", ""), ("", "botol")]
    assert "Rp 265.000" in sms_to(BUDI)[-1], "the SMS asking to pay says the total with the shipping cost"
    assert "shipping Rp 15.000; total Rp 265.000" in AuditEntry.get(AuditEntry.action == "order.create").detail
    for bad, says in (("-5000", "negative"), ("abc", "not an amount"), ("3jt" * 20, "too long"),
                      ("2.000.000.001", "too large")):
        with pytest.raises(OrderError, match=says):
            orders.create_order(budi, [(parts["kampas"], 1, None)], now=T0, shop=SHOP, shipping=bad)
    assert stock(parts["kampas"]) == 8, "a refused order took no stock"


def test_changing_quantities_adding_and_removing_goods_moves_stock_and_the_total(staff, parts):
    events.use(None)  # no stamp file: the new hook is seen at once
    hook = webhooks.create("http://127.0.0.1:9/hook", ["order.changed"])
    order = budi_orders(parts, staff)  # 2 kampas, 1 oli: Rp 250.000, awaiting payment
    kampas, oli = order_edit.lines_of(order)
    busi = catalogue.add_product("Busi NGK", price=28_000, stock=5, sku="BS-9")
    order = order_edit.edit_order(order, quantities={kampas.id: 3, oli.id: 0}, add=[("bs-9", 2, None)],
                                  shipping="12.000", by=staff, now=T0 + dt.timedelta(hours=1), shop=SHOP,
                                  seen=order_edit.version(order))
    assert [(i.name, i.quantity, i.code) for i in order_edit.lines_of(order)] == [
        ("Kampas Rem Vario", 3, "KR-01"), ("Busi NGK", 2, "BS-9")]
    assert (order.shipping, order.total) == (12_000, 3 * 75_000 + 2 * 28_000 + 12_000)
    assert (stock(parts["kampas"]), stock(parts["oli"]), stock(busi)) == (7, 3, 3)
    detail = AuditEntry.get(AuditEntry.action == "order.edit").detail
    assert "Kampas Rem Vario 2 -> 3" in detail and "Oli Mesin 1L 1 -> 0" in detail and "+ 2 x Busi NGK" in detail
    assert "shipping Rp 0 -> Rp 12.000" in detail and "total Rp 250.000 -> Rp 293.000" in detail
    changed = Message.select().where(Message.template == "order_changed").get()
    assert "total baru Rp 293.000" in changed.text and "BAYAR O-1001" in changed.text
    [sent] = [json.loads(d.body)["data"] for d in HookDelivery.select().where(HookDelivery.hook == hook.id)]
    assert (sent["change"], sent["total"], sent["shipping"]) == ("edited", 293_000, 12_000)
    assert [(i["code"], i["quantity"]) for i in sent["items"]] == [("KR-01", 3), ("BS-9", 2)]
    # The same goods again add to their line; the form sent back unchanged changes nothing.
    order = order_edit.edit_order(order, add=[(busi, 1, None)], by=staff, now=T0 + dt.timedelta(hours=2), shop=SHOP)
    assert [i.quantity for i in order_edit.lines_of(order)] == [3, 3] and stock(busi) == 2
    before = AuditEntry.select().count()
    order_edit.edit_order(order, quantities={i.id: str(i.quantity) for i in order_edit.lines_of(order)},
                          shipping="12000", by=staff, now=T0 + dt.timedelta(hours=3), shop=SHOP)
    assert AuditEntry.select().count() == before


@pytest.mark.parametrize("change, says", [
    (dict(quantities="first:-1"), "at least 0"),
    (dict(quantities="first:abc"), "whole number"),
    (dict(quantities="first:99999999999"), "at most 10.000"),
    (dict(quantities="first:11"), "only 8 more of Kampas Rem Vario in stock; 9 more asked"),
    (dict(quantities="first:0,second:0"), "at least one item"),
    (dict(add=[("oli mesin 1l", 3, None)]), "only 2 more of Oli Mesin 1L in stock; 3 more asked"),
    (dict(add=[("Pelumas rantai", 1, None)]), "give a price"),
    (dict(add=[("Pelumas rantai", 1, "-5000")]), "negative"),
    (dict(add=[("Jasa pasang", 10_000, "2jt")]), "too large"),
    (dict(shipping="-1"), "negative"),
    (dict(quantities="999999:1"), "not on this order"),
])
def test_a_wrong_change_is_refused_and_changes_nothing(staff, parts, change, says):
    order = budi_orders(parts, staff)
    first, second = order_edit.lines_of(order)
    change = dict(change)  # the case is shared by the SQLite and PostgreSQL runs: read it, do not rewrite it
    if "quantities" in change:
        pairs = [p.split(":") for p in change["quantities"].split(",")]
        change["quantities"] = {{"first": first.id, "second": second.id}.get(k, k): v for k, v in pairs}
    with pytest.raises(OrderError, match=says):
        order_edit.edit_order(order, by=staff, now=T0, shop=SHOP, **change)
    assert [(i.quantity, i.price) for i in order_edit.lines_of(order)] == [(2, 75_000), (1, 100_000)]
    assert (stock(parts["kampas"]), stock(parts["oli"]), Order.get_by_id(order.id).total) == (8, 2, 250_000)
    assert not AuditEntry.select().where(AuditEntry.action == "order.edit").exists()


def test_a_shipped_or_cancelled_order_is_not_changed_and_a_paid_one_only_gets_cheaper(staff, parts):
    order = budi_orders(parts, staff)
    kampas, oli = order_edit.lines_of(order)
    orders.set_status(order, "paid", by=staff, now=T0, shop=SHOP)
    with pytest.raises(OrderError, match="is paid .Rp 250.000.: the new total Rp 325.000 is more than was paid"):
        order_edit.edit_order(order, quantities={kampas.id: 3}, by=staff, now=T0, shop=SHOP)
    assert stock(parts["kampas"]) == 8
    order = order_edit.edit_order(order, quantities={oli.id: 0}, by=staff, now=T0, shop=SHOP)
    assert order.total == 150_000 and stock(parts["oli"]) == 3
    assert not Message.select().where(Message.template == "order_changed").exists(), "nothing more to pay"
    orders.set_status(order, "shipped", by=staff, now=T0, shop=SHOP, courier="JNE", tracking="CGK123")
    with pytest.raises(OrderError, match="O-1001 is shipped: it can no longer be changed"):
        order_edit.edit_order(order, shipping="10000", by=staff, now=T0, shop=SHOP)
    other = orders.create_order(BUDI, [(parts["kampas"], 1, None)], by=staff, now=T0, shop=SHOP)
    orders.cancel_order(other, by=staff, reason="double", now=T0, shop=SHOP)
    with pytest.raises(OrderError, match="is cancelled: it can no longer be changed"):
        order_edit.edit_order(other, add=[(parts["kampas"], 1, None)], by=staff, now=T0, shop=SHOP)
    assert stock(parts["kampas"]) == 8


def test_a_change_on_an_order_someone_changed_meanwhile_is_refused(staff, parts):
    order = budi_orders(parts, staff)
    seen = order_edit.version(order)
    kampas, _ = order_edit.lines_of(order)
    order_edit.edit_order(order, quantities={kampas.id: 1}, by=staff, now=T0 + dt.timedelta(minutes=1), shop=SHOP,
                          seen=seen)
    with pytest.raises(OrderError, match="changed by someone else"):
        order_edit.edit_order(order, quantities={kampas.id: 4}, by=staff, now=T0 + dt.timedelta(minutes=2),
                              shop=SHOP, seen=seen)
    assert stock(parts["kampas"]) == 9
