"""Answering a customer who writes in their own words.

The dispatcher hands over a text with its Understanding (understand.py)
when no keyword fits it better (`on_free_text`). Each intent is answered here through the
services' own SMS sides; what changes something (a booking, a cancel, a
move, an order, a payment claim, joining the queue, opting in) is asked
back first with `Conversation.ask` ("... Balas YA") and done only on a YA.
Opting out is the exception: it is done at once. Thanks cost no reply; a
greeting gets one now and then; what was not understood goes to staff with
one kind reply.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from . import (bookings, bookings_sms, customers_sms, loyalty_sms, orders, orders_sms, shopdata, shopkind,
               staff as staffing, status_sms, tickets_sms, understand, waiting, waiting_sms)
from .basics_sms import help_reply
from .catalogue import rupiah
from .conversation import Conversation, Reply, on_confirm, on_free_text, templates
from .customers import set_consent
from .inbox import hand_to_staff
from .models import Booking, InfoAnswer, Message, Product, Service, User
from .smstext import day_label, gsm_safe

GREETING_WINDOW = dt.timedelta(hours=12)
CONTEXT_WINDOW = dt.timedelta(minutes=30)  # a bare "berapa?" is about what was asked this long before
PRICE_ITEMS_SHOWN = 4
WEEKDAY_SHORT = {"id": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
                 "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}

templates({
    "book_confirm": {
        "id": "{shop}: {service} {day} jam {time} masih kosong. Mau kami pesankan? Balas YA",
        "en": "{shop}: {service} {day} at {time} is free. Shall we book it for you? Reply YES",
    },
    "book_staff_confirm": {
        "id": "{shop}: {service} {day} jam {time} bersama {staff} masih kosong. Mau kami pesankan? Balas YA",
        "en": "{shop}: {service} {day} at {time} with {staff} is free. Shall we book it for you? Reply YES",
    },
    "cancel_confirm": {
        "id": "{shop}: batalkan {service} {day} jam {time}? Balas YA",
        "en": "{shop}: cancel your {service} {day} at {time}? Reply YES",
    },
    "move_confirm": {
        "id": "{shop}: pindahkan {service} ke {day} jam {time}? Balas YA",
        "en": "{shop}: move your {service} to {day} at {time}? Reply YES",
    },
    "order_confirm": {
        "id": "{shop}: pesan {items}, total {total}? Balas YA",
        "en": "{shop}: order {items}, total {total}? Reply YES",
    },
    "pay_to_staff": {
        "id": "{shop}: terima kasih, pembayaran Anda akan kami cek dan staf segera membalas.",
        "en": "{shop}: thank you, we will check your payment and a staff member will reply soon.",
    },
    "pay_confirm": {
        "id": "{shop}: kami catat pembayaran {amount} untuk pesanan {order}? Balas YA",
        "en": "{shop}: shall we record your payment of {amount} for order {order}? Reply YES",
    },
    "optin_confirm": {
        "id": "{shop}: mau menerima info promo dan pengingat lagi? Balas YA",
        "en": "{shop}: would you like promotions and reminders again? Reply YES",
    },
    "queue_confirm": {
        "id": "{shop}: ambil nomor antrian hari ini? Balas YA",
        "en": "{shop}: shall we give you a number in today's queue? Reply YES",
    },
    "confirm_no": {
        "id": "{shop}: baik, tidak ada yang kami ubah.",
        "en": "{shop}: all right, nothing was changed.",
    },
    "price_list": {
        "id": "{shop}: {items}.",
        "en": "{shop}: {items}.",
    },
    "hours": {
        "id": "{shop}: kami buka {hours}.",
        "en": "{shop}: we are open {hours}.",
    },
    "location": {
        "id": "{shop}: alamat kami {address}.",
        "en": "{shop}: our address is {address}.",
    },
    "hours_and_location": {
        "id": "{shop}: kami buka {hours}. Alamat kami {address}.",
        "en": "{shop}: we are open {hours}. Our address is {address}.",
    },
    "greeting": {
        "id": "{shop}: halo, ada yang bisa kami bantu? Ketik BANTUAN untuk daftar perintah.",
        "en": "{shop}: hello, how can we help? Text HELP for the list of commands.",
    },
    "book_or_order": {
        "id": "{shop}: mau pesan layanan ({services}) atau beli barang ({goods})? Sebutkan namanya ya.",
        "en": "{shop}: book a service ({services}) or buy goods ({goods})? Please name it.",
    },
    "size_missing": {
        "id": "{shop}: maaf, ukuran {size} tidak ada. Yang ada: {goods}.",
        "en": "{shop}: sorry, we have no size {size}. We have: {goods}.",
    },
    "order_no_goods": {
        "id": "{shop}: barang apa yang mau dipesan? Contoh: {example} 2",
        "en": "{shop}: which goods would you like? For example: {example} 2",
    },
}, purpose="freetext")


# -- what changes something: asked back ---------------------------------------------------

@on_free_text("book")
def _book(c: Conversation, u) -> list[Reply] | None:
    means = shopkind.book_means()
    if u.products and not u.services or means == "order" and not u.services:
        return _order(c, u)
    if c.customer is None:
        return None
    if not u.services:
        if means == "either":
            return [_book_or_order(c)]
        return bookings_sms.how(c)
    service = Service.get_or_none(Service.id == u.services[0].id)
    if service is None or not service.active:
        return bookings_sms.how(c, "book_unknown_service")
    if u.when_error == "past":
        return [c.reply("book_past", example=gsm_safe(service.name.lower()))]
    now_local = c.local(c.now)
    today = now_local.date()
    person = staffing.named_in(c.text)  # "sama bidan rina": her times, or staff answer
    if person is not None and not staffing.does(person, service):
        return None
    if u.time is not None:
        day = u.day or (today if u.time > now_local.time() else today + dt.timedelta(days=1))
        start = bookings.local_moment(day, u.time, c.shop.tz)
        end = start + dt.timedelta(minutes=service.duration_minutes)
        if not bookings.available(service, start, c.now, shop=c.shop) or (
                person is not None and staffing.refusal(person, service, start, end)):
            asked = f"{day_label(day, today, c.language)} {u.time:%H:%M}"
            return bookings_sms.offer_from(c, service, day, asked=asked, reason="full", staff=person)
        return c.ask("book", {"service": service.id, "start": start.isoformat(), "day": day.isoformat(),
                              "staff": person.id if person is not None else None},
                     "book_staff_confirm" if person is not None else "book_confirm", service=gsm_safe(service.name),
                     day=day_label(day, today, c.language), time=f"{u.time:%H:%M}",
                     **({"staff": gsm_safe(staffing.name(person))} if person is not None else {}))
    if u.day is not None:
        return bookings_sms.offer_from(c, service, u.day, staff=person)
    return bookings_sms.offer_next(c, service, staff=person)


@on_confirm("book")
def _book_yes(c: Conversation, data: dict) -> list[Reply]:
    service = Service.get_or_none(Service.id == data.get("service"))
    if service is None or not service.active or c.customer is None:
        return bookings_sms.how(c, "book_unknown_service")
    person = User.get_or_none(User.id == data["staff"]) if data.get("staff") else None
    return bookings_sms.book_sms(c, service, dt.datetime.fromisoformat(data["start"]),
                                 dt.date.fromisoformat(data["day"]), staff=person)


def _their_bookings(c: Conversation, u) -> list[Booking]:
    found = bookings.upcoming(c.customer, c.now) if c.customer is not None else []
    return bookings_sms.narrowed(c, found, {s.id for s in u.services}, u.day)


@on_free_text("cancel")
def _cancel(c: Conversation, u) -> list[Reply] | None:
    found = _their_bookings(c, u)
    if not found:
        if c.customer is not None and waiting.holds_ticket(c.customer, c.now, c.shop):
            return waiting_sms.leave_by_sms(c)
        return [c.reply("cancel_none")]
    if len(found) > 1:
        return bookings_sms.cancel_choice(c, found)
    return c.ask("cancel", {"booking": found[0].id}, "cancel_confirm", **bookings_sms.values_of(c, found[0]))


@on_confirm("cancel")
def _cancel_yes(c: Conversation, data: dict) -> list[Reply]:
    booking = bookings_sms.own_booking(c, data.get("booking"))
    if booking is None:
        return [c.reply("cancel_none")]
    return bookings_sms.cancel_one(c, booking)


@on_free_text("move")
def _move(c: Conversation, u) -> list[Reply] | None:
    found = _their_bookings(c, u)
    if not found:
        return [c.reply("move_none")]
    if len(found) > 1:
        return bookings_sms.move_choice(c, found)
    old = found[0]
    if u.when_error == "past":
        return [c.reply("book_past", example=gsm_safe(old.service.name.lower()))]
    if u.time is None and u.day is None:
        return [c.reply("move_how", **bookings_sms.values_of(c, old))]
    if u.time is None:
        return bookings_sms.offer_from(c, old.service, u.day, replaces=old)
    day = u.day or old.starts_at.astimezone(c.shop.tz).date()
    start = bookings.local_moment(day, u.time, c.shop.tz)
    return c.ask("move", {"booking": old.id, "start": start.isoformat(), "day": day.isoformat()}, "move_confirm",
                 service=gsm_safe(old.service.name), day=day_label(day, c.local(c.now).date(), c.language),
                 time=f"{u.time:%H:%M}")


@on_confirm("move")
def _move_yes(c: Conversation, data: dict) -> list[Reply]:
    old = bookings_sms.own_booking(c, data.get("booking"))
    if old is None:
        return [c.reply("move_none")]
    return bookings_sms.book_sms(c, old.service, dt.datetime.fromisoformat(data["start"]),
                                 dt.date.fromisoformat(data["day"]), replaces=old)


@on_free_text("queue")
def _queue(c: Conversation, u) -> list[Reply] | None:
    if c.customer is not None and waiting.holds_ticket(c.customer, c.now, c.shop):
        return waiting_sms.queue_status(c)
    if not waiting_sms.accepting(c.now, c.shop):
        return [waiting_sms.closed_reply(c)]
    return c.ask("queue", {}, "queue_confirm")


@on_confirm("queue")
def _queue_yes(c: Conversation, data: dict) -> list[Reply]:
    return waiting_sms.join_by_sms(c, "")


@on_free_text("order")
def _order(c: Conversation, u) -> list[Reply] | None:
    if c.customer is None:
        return None
    if not u.products:
        example = Product.select().where(Product.active == True).order_by(Product.name).first()  # noqa: E712
        if example is None:
            return [c.reply("order_by_sms_off")]
        return [c.reply("order_no_goods", example=gsm_safe(example.name.lower())[:30])]
    unsized = _size_missing(c, u)
    if unsized is not None:
        return unsized or None
    lines = []
    for item in u.products:
        product = Product.get_or_none(Product.id == item.id)
        quantity = item.quantity or 1
        if product is None or not product.active:
            return [c.reply("order_unknown", item=item.name[:30])]
        if not 1 <= quantity <= orders.MAX_QUANTITY:
            return [c.reply("order_how")]
        if product.stock < quantity:
            return [c.reply("order_stock", item=product.name[:40], left=max(product.stock, 0))]
        lines.append((product, quantity))
    total = sum(p.price * q for p, q in lines)
    shown = ", ".join(f"{gsm_safe(p.name)[:28]} x{q}" for p, q in lines)
    return c.ask("order", {"lines": [[p.id, q] for p, q in lines]}, "order_confirm", items=shown,
                 total=rupiah(total))


@on_confirm("order")
def _order_yes(c: Conversation, data: dict) -> list[Reply]:
    lines = []
    for product_id, quantity in data.get("lines", []):
        product = Product.get_or_none(Product.id == product_id)
        if product is None or not product.active:
            return [c.reply("order_how")]
        if product.stock < quantity:
            return [c.reply("order_stock", item=product.name[:40], left=max(product.stock, 0))]
        lines.append((product, quantity))
    return orders_sms.place_order(c, lines) if lines else [c.reply("order_how")]


@on_free_text("pay")
def _pay(c: Conversation, u) -> list[Reply] | None:
    if c.customer is None:
        return None
    number = u.order
    if number is None:
        unpaid = [o for o in orders.open_orders_for(c.customer) if o.status in orders.UNPAID]
        if not unpaid:
            # "sy udh transfer 120rb": a deposit for a booking, a debt, a mistake; never dismissed.
            hand_to_staff(c.message)
            return [c.reply("pay_to_staff")]
        if len(unpaid) != 1:
            return orders_sms.pay_which(c, unpaid, u.amount)
        number = unpaid[0].number
    order = orders_sms.own_order(c.customer, number)
    if order is None or order.status not in orders.UNPAID or u.amount is None:
        return orders_sms.claim(c, number, u.amount)  # its own answers: not found, paid, how much
    return c.ask("pay", {"order": number, "amount": u.amount}, "pay_confirm", amount=rupiah(u.amount),
                 order=orders.ref(number))


@on_confirm("pay")
def _pay_yes(c: Conversation, data: dict) -> list[Reply]:
    return orders_sms.claim(c, int(data["order"]), int(data["amount"]))


@on_free_text("opt_in")
def _opt_in(c: Conversation, u) -> list[Reply] | None:
    if c.customer is None:
        return None
    return c.ask("opt_in", {}, "optin_confirm")


@on_confirm("opt_in")
def _opt_in_yes(c: Conversation, data: dict) -> list[Reply]:
    set_consent(c.customer, reminder=True, marketing=True, now=c.now)
    return [c.reply("start")]


# -- what changes nothing, or is done at once ---------------------------------------------

@on_free_text("opt_out")
def _opt_out(c: Conversation, u) -> list[Reply]:
    if c.customer is not None:
        set_consent(c.customer, reminder=False, marketing=False, now=c.now)
    return [c.reply("stop")]


@on_free_text("complain")
def _complain(c: Conversation, u) -> list[Reply] | None:
    if c.customer is None:
        return None
    return tickets_sms.complain_text(c, c.text)


def _size_missing(c: Conversation, u) -> list[Reply] | None:
    """'boots ukuran 40' where the shop's boots are a 41: said, and the 41 never
    ordered in its place. [] when the goods' names carry no size to check (an
    order then waits for staff, who can ask); None when every size is there."""
    for item in u.products:
        if item.size is None:
            continue
        sizes = {int(n) for n in re.findall(r"\d+", item.name)}
        if not sizes:
            return []
        if item.size not in sizes:
            return [c.reply("size_missing", size=item.size, goods=_price_line(c, "product", item.id))]
    return None


@on_free_text("price")
def _price(c: Conversation, u) -> list[Reply] | None:
    unsized = _size_missing(c, u)
    if unsized:
        return unsized
    shown = []
    named = [(item.kind, item.id) for item in u.items] or items_just_asked(c.message, c.now)
    if named:
        for kind, id in named[:PRICE_ITEMS_SHOWN]:
            shown.append(_price_line(c, kind, id))
    else:
        rows = [("service", s.id) for s in Service.select().where(Service.active == True)  # noqa: E712
                .order_by(Service.name).limit(PRICE_ITEMS_SHOWN)]
        rows += [("product", p.id) for p in Product.select().where(Product.active == True)  # noqa: E712
                 .order_by(Product.name).limit(PRICE_ITEMS_SHOWN - len(rows))]
        shown = [_price_line(c, kind, id) for kind, id in rows]
    shown = [line for line in shown if line]
    if not shown:
        return None
    return [c.reply("price_list", items=", ".join(shown))]


def items_just_asked(message: Message, now: dt.datetime) -> list[tuple[str, int]]:
    """'ready kampas rem?' then 'brp harganya gan': the goods or services this
    phone's text of the last half hour named, which a bare question is about."""
    earlier = (Message.select(Message.understood)
               .where((Message.phone == message.phone) & (Message.direction == "in")
                      & (Message.id < message.id) & (Message.created_at >= now - CONTEXT_WINDOW))
               .order_by(Message.id.desc()).first())
    items = understand.from_json(earlier.understood).get("items", []) if earlier else []
    return [(i["kind"], i["id"]) for i in items if isinstance(i, dict) and i.get("kind") and i.get("id")]


_FIRST_NUMBER = re.compile(r"\b(\d{1,3})\b")


def in_context(message: Message, u, now: dt.datetime):
    """'mau 1 ya kak' right after 'sepatu boots ada?': an order that names no
    goods takes the one goods the phone's text just asked about (and the
    first number as its quantity); the customer still answers YA first."""
    if u.items or u.score_of("order") < 1 or u.intent not in ("unclear", "order"):
        return u
    products = [id for kind, id in items_just_asked(message, now) if kind == "product"]
    product = Product.get_or_none(Product.id == products[0]) if len(products) == 1 else None
    if product is None:
        return u
    number = _FIRST_NUMBER.search(message.text or "")
    item = understand.Item("product", product.id, product.name, int(number.group(1)) if number else None)
    return dataclasses.replace(u, intent="order", items=(item,), score=max(u.score, 3))


def _price_line(c: Conversation, kind: str, id: int) -> str:
    if kind == "service":
        service = Service.get_or_none(Service.id == id)
        return f"{gsm_safe(service.name)} {rupiah(service.price)}" if service else ""
    product = Product.get_or_none(Product.id == id)
    if product is None:
        return ""
    if product.stock > 0:
        stock = f"stok {product.stock}" if c.language == "id" else f"{product.stock} in stock"
    else:
        stock = "stok habis" if c.language == "id" else "out of stock"
    return f"{gsm_safe(product.name)} {rupiah(product.price)} ({stock})"


def opening_text(language: str) -> str:
    """'Sen-Sab 09:00-17:00, Min tutup': the week's opening hours, grouped."""
    names = WEEKDAY_SHORT.get(language, WEEKDAY_SHORT["id"])
    closed = "tutup" if language == "id" else "closed"
    monday = dt.date(2024, 1, 1)  # any Monday: opening hours repeat weekly
    spans = []
    for offset in range(7):
        hours = bookings.opening_hours(monday + dt.timedelta(days=offset))
        text = " & ".join(f"{o:%H:%M}-{c:%H:%M}" for o, c in hours) or closed
        if spans and spans[-1][2] == text:
            spans[-1][1] = offset
        else:
            spans.append([offset, offset, text])
    return ", ".join((names[a] if a == b else f"{names[a]}-{names[b]}") + f" {text}" for a, b, text in spans)


@on_free_text("hours")
def _hours(c: Conversation, u) -> list[Reply]:
    return _hours_or_where(c, u) or [c.reply("hours", hours=opening_text(c.language))]


@on_free_text("location")
def _location(c: Conversation, u) -> list[Reply] | None:
    address = shopdata.setting("shop_address")
    if not address:
        return None  # staff answer it
    return _hours_or_where(c, u) or [c.reply("location", address=gsm_safe(address)[:120])]


def _hours_or_where(c: Conversation, u) -> list[Reply] | None:
    """'buka jam brp? lokasi dmn': both asked plainly, both answered in one SMS."""
    address = shopdata.setting("shop_address")
    if not address or min(u.score_of("hours"), u.score_of("location")) < 3:
        return None
    return [c.reply("hours_and_location", hours=opening_text(c.language), address=gsm_safe(address)[:100])]


@on_free_text("points")
def _points(c: Conversation, u) -> list[Reply]:
    return loyalty_sms.points(c)


@on_free_text("order_status", "ticket_status")
def _status(c: Conversation, u) -> list[Reply]:
    return status_sms.status_of(c, order=u.order, ticket=u.ticket)


@on_free_text("register")
def _register(c: Conversation, u) -> list[Reply] | None:
    if not u.name or c.customer is None:
        return None
    return customers_sms.save_name(c, u.name)


@on_free_text("thanks")
def _thanks(c: Conversation, u) -> list[Reply]:
    return []  # owed no answer; a robot's "ok" would cost credit and start a loop


@on_free_text("greeting")
def _greeting(c: Conversation, u) -> list[Reply]:
    answered = (Message.select().where((Message.phone == c.message.phone) & (Message.direction == "out")
                                       & (Message.created_at >= c.now - GREETING_WINDOW)).exists())
    return [] if answered else [c.reply("greeting")]


@on_free_text("help")
def _help(c: Conversation, u) -> list[Reply]:
    return [help_reply(c)]


@on_free_text("info")
def _info(c: Conversation, u) -> list[Reply] | None:
    answer = InfoAnswer.get_or_none(InfoAnswer.keyword == u.info)
    if answer is None:
        return None
    text = (answer.reply_en if c.language == "en" else answer.reply_id) or answer.reply_id or answer.reply_en
    return [(f"info:{answer.keyword}"[:32], text)] if text else None


def _book_or_order(c: Conversation) -> Reply:
    services = ", ".join(s.name for s in Service.select().where(Service.active == True).limit(2))  # noqa: E712
    goods = ", ".join(p.name for p in Product.select().where(Product.active == True).limit(2))  # noqa: E712
    return c.reply("book_or_order", services=gsm_safe(services)[:40], goods=gsm_safe(goods)[:40])
