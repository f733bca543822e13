"""Suppliers and restocking: who the shop buys its goods from, and restock
orders that bring stock in (the online shop's "supplier order", seeds.md).

A restock order goes draft -> ordered -> received, or is cancelled before
anything came. Receiving adds the received quantities to the goods' stock in
the same transaction that records them, guarded by the order's count of
receipts: a form submitted twice (a double tap, a reload) finds the count
moved on and adds nothing. A partial delivery is a receipt of some of the
lines; the order is received once every line is, or when staff close it
because the rest will not come.

Every refusal is a SupplyError with a message for people, in English marked
for the catalogs (words.py); the web UI translates it.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

import peewee as pw

from .audit import audit
from .catalogue import CatalogueError, adjust_stock, parse_price, text_field, whole_number
from .models import Product, Restock, RestockLine, Supplier, SupplierProduct, User
from .outbox import queue_outbound
from .phone import PhoneError, is_replyable, normalise
from .supplytables import RESTOCK_STATES as STATES  # noqa: F401  (the pages list them)
from .words import N_, say

PREFIX = "R"
MAX_QUANTITY = 100_000  # of one line: far above a small shop's delivery, far below the stock's ceiling
MAX_LINES = 30
MAX_NOTE = 500
OPEN = ("draft", "ordered")


class SupplyError(CatalogueError):
    """A value or a step staff can fix; the message says what is wrong."""


def ref(restock: Restock | int) -> str:
    """R-0007, as staff and the supplier see a restock order."""
    return f"{PREFIX}-{restock if isinstance(restock, int) else restock.id:04d}"


def find(raw) -> Restock | None:
    """The restock order named in a URL: 7, R-0007 or r-7."""
    text = str(raw or "").strip().upper()
    if text.startswith(PREFIX + "-"):
        text = text[len(PREFIX) + 1:]
    if not text.isdigit() or len(text) > 12:
        return None
    return Restock.get_or_none(Restock.id == int(text))


# -- suppliers --------------------------------------------------------------------------------

def _phone(raw: str | None, region: str) -> str | None:
    if raw is None or not str(raw).strip():
        return None
    try:
        return normalise(raw, region)
    except PhoneError as exc:
        raise SupplyError(say(N_("phone: {reason}"), reason=exc.args[0])) from None


def _goods(ids: Iterable) -> list[Product]:
    """The goods named by id; unknown ones refused, not skipped."""
    wanted = []
    for raw in ids:
        number = whole_number(raw, N_("goods"), minimum=1, maximum=2**62)
        if number not in wanted:
            wanted.append(number)
    found = {p.id: p for p in Product.select().where(Product.id.in_(wanted))} if wanted else {}
    if len(found) != len(wanted):
        raise SupplyError(N_("some of the goods chosen do not exist (any more); reload the page"))
    return [found[n] for n in wanted]


def save_supplier(name, phone, note, goods: Iterable = (), *, supplier: Supplier | None = None, active: bool = True,
                  by: User | None, now: dt.datetime, region: str = "ID") -> Supplier:
    """A new supplier, or changes to one, with the goods it supplies."""
    values = dict(name=text_field(name, N_("name"), maximum=200), phone=_phone(phone, region),
                  note=text_field(note, N_("note"), maximum=MAX_NOTE, required=False), active=bool(active))
    chosen = _goods(goods)
    with Supplier._meta.database.atomic():
        if supplier is None:
            supplier = Supplier.create(created_at=now, **values)
            action = "supplier.add"
        else:
            Supplier.update(**values).where(Supplier.id == supplier.id).execute()
            for key, value in values.items():
                setattr(supplier, key, value)
            action = "supplier.update"
        SupplierProduct.delete().where(SupplierProduct.supplier == supplier).execute()
        if chosen:
            SupplierProduct.insert_many([dict(supplier=supplier.id, product=p.id) for p in chosen]).execute()
        audit(action, user=by, target=f"supplier:{supplier.id}", now=now,
              detail=f"{supplier.name}; goods: {', '.join(p.name for p in chosen) or '-'}")
    return supplier


def suppliers(active: bool | None = None) -> list[Supplier]:
    query = Supplier.select().order_by(Supplier.active.desc(), pw.fn.LOWER(Supplier.name))
    if active is not None:
        query = query.where(Supplier.active == active)
    return list(query)


def goods_of(supplier: Supplier) -> list[Product]:
    return list(Product.select().join(SupplierProduct).where(SupplierProduct.supplier == supplier)
                .order_by(Product.category, Product.name))


def goods_by_supplier() -> dict[int, list[str]]:
    """Each supplier's goods by name, for a list of suppliers in one query."""
    out: dict[int, list[str]] = {}
    for supplier_id, name in (SupplierProduct.select(SupplierProduct.supplier, Product.name).join(Product)
                              .order_by(Product.name).tuples()):
        out.setdefault(supplier_id, []).append(name)
    return out


# -- restock orders: their lines ----------------------------------------------------------------

def _lines(rows: Iterable[tuple], allowed: set[int] | None = None) -> list[dict]:
    """(goods id, quantity, cost as typed) rows, checked; empty rows (no goods) skipped,
    the same goods twice added up. Line n of the form is named in a refusal."""
    lines: dict[int, dict] = {}
    for n, (goods, quantity, cost) in enumerate(rows, start=1):
        if goods in (None, "") and not str(quantity or "").strip():
            continue
        if goods in (None, ""):
            raise SupplyError(say(N_("line {n}: choose the goods"), n=n))
        try:
            product = _goods([goods])[0]
            qty = whole_number(quantity, N_("quantity"), minimum=1, maximum=MAX_QUANTITY)
            price = None if cost is None or not str(cost).strip() else parse_price(cost, allow_zero=False)
        except CatalogueError as exc:
            raise SupplyError(say(N_("line {n}: {reason}"), n=n, reason=exc.args[0])) from None
        if product.id in lines:
            lines[product.id]["quantity"] += qty
            if lines[product.id]["quantity"] > MAX_QUANTITY:
                raise SupplyError(say(N_("line {n}: {reason}"), n=n, reason=say(
                    N_("{what} must be at most {n}"), what=N_("quantity"), n=f"{MAX_QUANTITY:,}".replace(",", "."))))
            continue
        lines[product.id] = dict(product=product.id, name=product.name, quantity=qty, cost=price)
    if not lines:
        raise SupplyError(N_("a restock order needs at least one line of goods"))
    if len(lines) > MAX_LINES:
        raise SupplyError(say(N_("at most {n} lines in one restock order"), n=MAX_LINES))
    return list(lines.values())


def create_restock(supplier: Supplier, rows: Iterable[tuple], *, note: str = "", by: User | None,
                   now: dt.datetime) -> Restock:
    """A draft restock order to a supplier: staff check it, then order it."""
    if not supplier.active:
        raise SupplyError(N_("this supplier is switched off: switch it on to order from it"))
    lines = _lines(rows)
    note = text_field(note, N_("note"), maximum=MAX_NOTE, required=False)
    with Restock._meta.database.atomic():
        restock = Restock.create(supplier=supplier, note=note, created_by=by, created_at=now, updated_at=now)
        RestockLine.insert_many([dict(restock=restock.id, **line) for line in lines]).execute()
        audit("restock.create", user=by, target=ref(restock), now=now, detail=_summary(lines, supplier))
    return restock


def set_lines(restock: Restock, rows: Iterable[tuple], *, note: str = "", by: User | None,
              now: dt.datetime) -> Restock:
    """A draft's lines and note, replaced by what staff wrote."""
    lines = _lines(rows)
    note = text_field(note, N_("note"), maximum=MAX_NOTE, required=False)
    with Restock._meta.database.atomic():
        _step(restock, ("draft",), {Restock.note: note}, now)
        RestockLine.delete().where(RestockLine.restock == restock).execute()
        RestockLine.insert_many([dict(restock=restock.id, **line) for line in lines]).execute()
        audit("restock.lines", user=by, target=ref(restock), now=now, detail=_summary(lines, restock.supplier))
    restock.note = note
    return restock


def _summary(lines: list[dict], supplier: Supplier) -> str:
    return f"{supplier.name}: " + ", ".join(f"{line['quantity']} x {line['name']}" for line in lines)


def lines_of(restock: Restock) -> list[RestockLine]:
    return list(RestockLine.select().where(RestockLine.restock == restock).order_by(RestockLine.id))


def total_cost(lines: Iterable[RestockLine]) -> int | None:
    """What the order costs at the known prices; None when no line has one."""
    priced = [line.cost * line.quantity for line in lines if line.cost is not None]
    return sum(priced) if priced else None


# -- restock orders: their steps -----------------------------------------------------------------

def _step(restock: Restock, allowed: tuple[str, ...], changes: dict, now: dt.datetime,
          receipts: int | None = None) -> None:
    """One conditional UPDATE from an allowed state: of two staff (or two taps)
    doing the same at once, one succeeds and the other is told why not."""
    guard = (Restock.id == restock.id) & Restock.status.in_(allowed)
    if receipts is not None:
        guard &= Restock.receipts == receipts
    changed = Restock.update({**changes, Restock.updated_at: now}).where(guard).execute()
    current = Restock.get_by_id(restock.id)
    if not changed:
        if current.status == "received":
            raise SupplyError(say(N_("{ref} is already received: its stock was added once"), ref=ref(restock)))
        if current.status == "cancelled":
            raise SupplyError(say(N_("{ref} is cancelled"), ref=ref(restock)))
        if current.status not in allowed:
            raise SupplyError(say(N_("{ref} is {status}: this step is not possible now"), ref=ref(restock),
                                  status=current.status))
        raise SupplyError(say(N_("{ref} changed meanwhile (this receipt is already recorded): reload the page"),
                              ref=ref(restock)))
    for field in ("status", "note", "receipts", "ordered_at", "received_at", "cancelled_at", "texted_at",
                  "updated_at"):
        setattr(restock, field, getattr(current, field))


def place(restock: Restock, *, by: User | None, now: dt.datetime) -> Restock:
    """The draft is ordered from the supplier: its lines no longer change."""
    with Restock._meta.database.atomic():
        _step(restock, ("draft",), {Restock.status: "ordered", Restock.ordered_at: now}, now)
        audit("restock.order", user=by, target=ref(restock), now=now)
    return restock


def receive(restock: Restock, quantities: dict[int, object], *, receipts: int, by: User | None,
            now: dt.datetime) -> int:
    """Record goods that came, {line id: quantity}, added to stock at once.
    `receipts` is the count the form was made at; returns the units added."""
    lines = {line.id: line for line in lines_of(restock)}
    wanted = {}
    for line_id, raw in quantities.items():
        line = lines.get(line_id)
        if line is None:
            raise SupplyError(N_("a line of this restock order does not exist; reload the page"))
        if raw is None or not str(raw).strip():
            continue
        try:
            qty = whole_number(raw, N_("quantity"), minimum=0, maximum=MAX_QUANTITY)
        except CatalogueError as exc:
            raise SupplyError(say(N_("{goods}: {reason}"), goods=line.name, reason=exc.args[0])) from None
        if qty > line.quantity - line.received:
            raise SupplyError(say(N_("{goods}: {n} ordered, {done} received already: at most {left} more"),
                                  goods=line.name, n=line.quantity, done=line.received,
                                  left=line.quantity - line.received))
        if qty:
            wanted[line_id] = qty
    if not wanted and restock.status == "ordered":
        raise SupplyError(N_("write how many of each goods came"))
    complete = all(line.received + wanted.get(line_id, 0) >= line.quantity for line_id, line in lines.items())
    changes = {Restock.receipts: Restock.receipts + 1, Restock.received_at: now}
    if complete:
        changes[Restock.status] = "received"
    with Restock._meta.database.atomic():
        _step(restock, ("ordered",), changes, now, receipts=receipts)
        for line_id, qty in wanted.items():
            line = lines[line_id]
            RestockLine.update(received=RestockLine.received + qty).where(RestockLine.id == line_id).execute()
            if line.product_id is not None:  # goods deleted since: the line is kept, the stock has nowhere to go
                product = Product.get_or_none(Product.id == line.product_id)
                if product is not None:
                    try:
                        adjust_stock(product, qty, reason=f"{ref(restock)} {restock.supplier.name}"[:200], by=by,
                                     now=now)
                    except CatalogueError as exc:
                        raise SupplyError(say(N_("{goods}: {reason}"), goods=line.name, reason=exc.args[0])) from None
        audit("restock.receive", user=by, target=ref(restock), now=now,
              detail=", ".join(f"{qty} x {lines[i].name}" for i, qty in wanted.items())
              + ("; complete" if complete else "; more to come"))
    return sum(wanted.values())


def close(restock: Restock, *, by: User | None, now: dt.datetime) -> Restock:
    """A partly received order is done: the rest will not come."""
    if not any(line.received for line in lines_of(restock)):
        raise SupplyError(N_("nothing has come yet: cancel the order instead"))
    with Restock._meta.database.atomic():
        _step(restock, ("ordered",), {Restock.status: "received"}, now)
        audit("restock.close", user=by, target=ref(restock), now=now, detail="the rest will not come")
    return restock


def cancel(restock: Restock, *, reason: str = "", by: User | None, now: dt.datetime) -> Restock:
    """Called off before anything came; goods already received stay in stock (close instead)."""
    reason = text_field(reason, N_("reason"), maximum=200, required=False)
    if any(line.received for line in lines_of(restock)):
        raise SupplyError(N_("some goods have come already: close the order instead of cancelling it"))
    with Restock._meta.database.atomic():
        _step(restock, OPEN, {Restock.status: "cancelled", Restock.cancelled_at: now}, now)
        audit("restock.cancel", user=by, target=ref(restock), now=now, detail=reason)
    return restock


# -- the order by SMS to the supplier --------------------------------------------------------------

SMS_TEXT = N_("{shop}: restock order {ref}: {lines}. {note}Please confirm by SMS. Thank you.")
MAX_SMS_LINES = 8  # more than that is read on paper, not on a phone


def sms_text(restock: Restock, shop: str, translate: Callable[[str], str]) -> str:
    """The order as the supplier reads it, in the shop's language (`translate`)."""
    lines = lines_of(restock)
    shown = "; ".join(f"{line.quantity} x {line.name}" for line in lines[:MAX_SMS_LINES])
    if len(lines) > MAX_SMS_LINES:
        shown += "; " + translate(N_("and {n} more")).format(n=len(lines) - MAX_SMS_LINES)
    return translate(SMS_TEXT).format(shop=shop, ref=ref(restock), lines=shown,
                                      note=f"{restock.note}. " if restock.note else "")


def send_sms(restock: Restock, text: str, *, seen: str, by: User | None, now: dt.datetime):
    """Queue the order to the supplier's phone (a service message), only when
    staff press send. `seen` is when the form saw the last such SMS ("" for
    none): the same form sent twice queues one SMS. A draft is ordered first."""
    supplier = restock.supplier
    if not supplier.phone or not is_replyable(supplier.phone):
        raise SupplyError(N_("this supplier has no mobile number to text"))
    if restock.status not in OPEN:
        raise SupplyError(say(N_("{ref} is {status}: this step is not possible now"), ref=ref(restock),
                              status=restock.status))
    last = restock.texted_at.isoformat() if restock.texted_at else ""
    key = f"restock:{restock.id}:sms-after:{seen[:40]}"
    if seen != last:
        raise SupplyError(say(N_("{ref} was sent by SMS meanwhile: reload the page"), ref=ref(restock)))
    with Restock._meta.database.atomic():
        if restock.status == "draft":
            place(restock, by=by, now=now)
        message, created = queue_outbound(supplier.phone, text, category="transactional", key=key,
                                          template="restock_order", author=by, now=now)
        if created:
            Restock.update(texted_at=now, updated_at=now).where(Restock.id == restock.id).execute()
            restock.texted_at = now
            audit("restock.sms", user=by, target=ref(restock), now=now, detail=f"to {supplier.phone}")
    return message


# -- goods running low ------------------------------------------------------------------------------

LOW_STOCK = 3


def running_low(limit: int = 20) -> list[tuple[Product, int]]:
    """Active goods with little stock left, fewest first, each with the units
    already on open restock orders (not yet received)."""
    goods = list(Product.select().where((Product.active == True) & (Product.stock <= LOW_STOCK))  # noqa: E712
                 .order_by(Product.stock, Product.name).limit(limit))
    coming = dict(RestockLine.select(RestockLine.product, pw.fn.SUM(RestockLine.quantity - RestockLine.received))
                  .join(Restock).where(Restock.status.in_(OPEN) & RestockLine.product.in_([p.id for p in goods]))
                  .group_by(RestockLine.product).tuples()) if goods else {}
    return [(p, int(coming.get(p.id) or 0)) for p in goods]

