"""Three months of trade for the parts dealer's and the online shop's demos,
so the sales, SMS-spend and customers reports have something to show.

Rows are written as the order flow leaves them (claims verified or rejected,
orders paid, shipped, cancelled by the unpaid job or by staff), with the SMS
each step sent and received, already delivered, never queued: a demo that
starts must not text anyone about the past. Every order here is numbered
below the demo's own O-1001, so the next order is still O-1002, and no claim
is left for staff: the demo's own claim is the one to check.
"""

from __future__ import annotations

import datetime as dt
import random

from .models import Campaign, Customer, Message, Order, OrderItem, PaymentClaim, Product

NAMES = ("Agus Saputra", "Siti Rahayu", "Joko Wijaya", "Maria Tan", "Hendra Gunawan", "Lina Susanti", "Andi Pratama",
         "Wati Kurniawan", "Eko Setiawan", "Putri Halim", "Yusuf Lestari", "Ayu Hartono", "Bayu Santoso",
         "Nur Wulandari")
PART_PRICE = 150  # rupiah per SMS part, as the operator charged then
SHIPPING = (9_000, 12_000, 18_000, 25_000)  # the online shop's parcels, by distance


def history(now: dt.datetime, products: list[Product], *, kind: str, phones: str, days: int = 90,
            per_day: int = 3, shipped: bool = False, reminder: str = "", promotion: str = "") -> None:
    """Orders on most of the last `days` days (up to `per_day` a day) from a
    dozen regular customers, their payments and SMS, a promotion each month
    and, when given, a reminder to come back."""
    rng = random.Random(f"demo-sales-{kind}")
    people = [Customer.create(phone=f"{phones}{n:02d}", name=name, language="id", consent_marketing=n % 3 == 0,
                              created_at=now - dt.timedelta(days=rng.uniform(days, days + 60)),
                              last_contact_at=now - dt.timedelta(days=rng.uniform(1, 10)))
              for n, name in enumerate(NAMES)]
    placed = []
    for age in range(days, 0, -1):
        for _ in range(rng.randrange(per_day + 1)):
            placed.append(now - dt.timedelta(days=age, hours=rng.uniform(-3, 5)))
    first = 1001 - len(placed)
    for number, at in enumerate(placed, start=first):
        _order(rng, number, rng.choice(people[:9] if rng.random() < 0.7 else people), products, at, now, shipped)
    if promotion:
        for months_ago in (2, 1, 0):
            _campaign(promotion, [p for p in people if p.consent_marketing],
                      now - dt.timedelta(days=30 * months_ago + 5))
    if reminder:
        for person in rng.sample(people, 6):
            _sms(person, reminder.format(name=person.name.split()[0]), now - dt.timedelta(days=rng.uniform(2, 60)),
                 category="reminder", template="comeback")


def _order(rng, number: int, person: Customer, products: list[Product], at: dt.datetime, now: dt.datetime,
           shipped: bool) -> None:
    lines = [(product, rng.randint(1, 3)) for product in rng.sample(products, rng.choice((1, 1, 2)))]
    # A parcel costs its postage; from the number, so the draws (and the demo) stay as they were.
    shipping = SHIPPING[number % len(SHIPPING)] if shipped else 0
    total = sum(product.price * quantity for product, quantity in lines) + shipping
    order = Order.create(number=number, customer=person, total=total, shipping=shipping, status="awaiting_payment",
                         created_at=at, updated_at=at, payment_due=at + dt.timedelta(days=3))
    OrderItem.insert_many([dict(order=order.id, product=product.id, name=product.name, quantity=quantity,
                                price=product.price, code=product.sku or "", unit=product.unit)
                           for product, quantity in lines]).execute()
    ref = f"O-{number}"
    _sms(person, f"Pesanan {ref}: total Rp {total:,}. Mohon transfer dalam 3 hari.".replace(",", "."), at,
         template="order_awaiting_payment", parts=2)
    luck = rng.random()
    if luck < 0.12 and (now - at).days > 4:  # never paid: the unpaid job cancelled it
        _cancel(order, person, order.payment_due + dt.timedelta(minutes=rng.randint(5, 90)),
                f"Pesanan {ref} dibatalkan karena belum dibayar.")
        return
    if luck < 0.16:  # the shop could not deliver
        _cancel(order, person, at + dt.timedelta(hours=2), f"Pesanan {ref} dibatalkan: stok habis. Maaf.")
        return
    claimed = at + dt.timedelta(hours=rng.uniform(1, 30))
    if luck < 0.24:  # the first transfer was short
        _claim(order, person, total // 2, claimed, "rejected")
        claimed += dt.timedelta(hours=rng.uniform(2, 12))
    paid = _claim(order, person, total, claimed, "verified")
    _sms(person, f"Pembayaran {ref} sudah kami terima. Terima kasih!", paid, template="order_paid")
    changes = {Order.status: "paid", Order.paid_at: paid, Order.updated_at: paid}
    if (now - paid).days >= 2:
        done = paid + dt.timedelta(days=1, hours=rng.uniform(0, 6))
        changes.update({Order.status: "shipped" if shipped else "done", Order.updated_at: done})
        if shipped:
            changes[Order.shipped_at] = done
            _sms(person, f"Pesanan {ref} sudah dikirim: JNE {rng.randrange(10**9, 10**10)}", done,
                 template="order_shipped")
    Order.update(changes).where(Order.id == order.id).execute()


def _claim(order: Order, person: Customer, amount: int, at: dt.datetime, outcome: str) -> dt.datetime:
    text = f"BAYAR O-{order.number} {amount}"
    Message.create(direction="in", phone=person.phone, customer=person, text=text, state="handled", created_at=at,
                   updated_at=at)
    decided = at + dt.timedelta(hours=1, minutes=order.number % 50)
    PaymentClaim.create(order=order, amount=amount, text=text, status=outcome, claimed_at=at, decided_at=decided,
                        reason="jumlahnya kurang" if outcome == "rejected" else "")
    if outcome == "rejected":
        _sms(person, f"Maaf, pembayaran O-{order.number} belum sesuai: jumlahnya kurang.", decided,
             template="order_claim_rejected")
    return decided


def _cancel(order: Order, person: Customer, at: dt.datetime, text: str) -> None:
    Order.update(status="cancelled", updated_at=at).where(Order.id == order.id).execute()
    _sms(person, text, at, template="order_cancelled")


def _campaign(text: str, people: list[Customer], at: dt.datetime) -> None:
    campaign = Campaign.create(name=text.split(":")[0], text=text, status="done", created_at=at, queued_at=at,
                               send_at=at, recipients=len(people))
    for person in people:
        _sms(person, text, at, category="marketing", campaign=campaign)


def _sms(person: Customer, text: str, at: dt.datetime, *, category: str = "transactional", template: str = "",
         campaign: Campaign | None = None, parts: int = 1) -> None:
    Message.create(direction="out", phone=person.phone, customer=person, text=text, category=category,
                   state="delivered", template=template, campaign=campaign, parts=parts, part_price=PART_PRICE,
                   created_at=at, sent_at=at, updated_at=at)
