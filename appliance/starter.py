"""What a new shop of each kind starts with: opening hours, a short list of
services or goods to edit, whether it takes payments by SMS, and what the
shop still lacks before it is ready (computed from the data, so what is
done on another page counts too).

A starter list is a suggestion the owner edits in the wizard, not demo data:
a few rows with plain names and local prices (the demo shops in demo.py are
where these come from), nothing stored until the owner saves them.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from . import catalogue, shopdata, tickets
from .clock import utcnow
from .models import OpeningHours, Product, Service, Ticket, TicketCategory, User

# Open days (0 = Monday) and hours a shop of each kind usually keeps.
HOURS = {
    "spa": (range(6), dt.time(9), dt.time(17)),
    "parts": (range(6), dt.time(8), dt.time(17)),
    "isp": (range(6), dt.time(8), dt.time(17)),
    "shop": (range(6), dt.time(9), dt.time(17)),
    "service": (range(5), dt.time(8), dt.time(17)),
    "other": (range(6), dt.time(9), dt.time(17)),
}
# (name, minutes, price) for kinds that book services; (name, code, price, stock) for goods.
SERVICES = {
    "spa": [("Pijat bayi", 60, 85_000), ("Baby spa", 45, 120_000), ("Pijat ibu hamil", 90, 150_000)],
    "other": [("Konsultasi", 30, 50_000)],
}
GOODS = {
    "parts": [("Kampas rem depan", "KR-01", 65_000, 10), ("Oli mesin 1L", "OLI-1", 55_000, 20),
              ("Busi", "BUSI-1", 28_000, 20), ("Rantai set", "RS-01", 210_000, 5)],
    "shop": [("Sepatu pantofel hitam", "SP-01", 450_000, 5), ("Sandal kulit", "SD-01", 180_000, 10)],
}
# (name, the words customers use for it, hours to answer, hours to fix) for kinds that sort complaints:
# an internet provider's and an IT service desk's usual ticket categories, with their usual SLA.
CATEGORIES = {
    "isp": [("internet mati", "mati, putus, down, offline, tidak bisa, gak bisa, los", 1, 8),
            ("internet lambat", "lambat, lemot, pelan, slow, buffering", 4, 24),
            ("pemasangan", "pasang, pemasangan, baru, daftar, install", 24, 72),
            ("tagihan", "tagihan, bayar, invoice, biaya", 8, 72)],
    "service": [("hardware", "rusak, mati, printer, laptop, komputer, layar, hardware", 2, 48),
                ("software", "error, install, windows, aplikasi, virus, software", 4, 24),
                ("jaringan", "jaringan, wifi, internet, lan, network", 1, 8)],
}
# Kinds whose customers pay by SMS: goods are paid before they are sent, an ISP's bills monthly.
PAYMENT_KINDS = frozenset({"parts", "shop", "isp"})


def offers(kind: str) -> str | None:
    """What the wizard's list step edits for this kind: 'services', 'goods', 'categories' (of tickets) or None."""
    return ("services" if kind in SERVICES else "goods" if kind in GOODS
            else "categories" if kind in CATEGORIES else None)


def takes_payments(kind: str) -> bool:
    return kind in PAYMENT_KINDS or Product.select().where(Product.active == True).exists()  # noqa: E712


def default_hours(kind: str) -> dict[int, tuple[dt.time, dt.time]]:
    days, opens, closes = HOURS.get(kind, HOURS["other"])
    return {day: (opens, closes) for day in days}


def hours() -> dict[int, tuple[dt.time, dt.time]]:
    return {h.weekday: (h.opens, h.closes) for h in OpeningHours.select()}


def save_hours(days: dict[int, tuple[dt.time, dt.time]]) -> None:
    """The week's hours as one replacement: saving twice leaves one row a day."""
    with OpeningHours._meta.database.atomic():
        OpeningHours.delete().execute()
        for weekday, (opens, closes) in sorted(days.items()):
            OpeningHours.create(weekday=weekday, opens=opens, closes=closes)
    shopdata.invalidate()


def starter_rows(kind: str) -> list[dict]:
    """The list the wizard shows: what the shop has, or else the starter list for its kind."""
    if offers(kind) == "services":
        have = catalogue.services()
        if have:
            return [dict(id=s.id, name=s.name, price=s.price, duration=s.duration_minutes) for s in have]
        return [dict(id=None, name=n, price=p, duration=m) for n, m, p in SERVICES[kind]]
    if offers(kind) == "goods":
        have = catalogue.products()
        if have:
            return [dict(id=p.id, name=p.name, price=p.price, code=p.sku or "", stock=p.stock) for p in have]
        return [dict(id=None, name=n, price=p, code=c, stock=s) for n, c, p, s in GOODS[kind]]
    if offers(kind) == "categories":
        have = list(TicketCategory.select().order_by(TicketCategory.name))
        if have:
            return [dict(id=c.id, name=c.name, words=c.words, response=c.response_minutes / 60,
                         resolution=c.resolution_minutes / 60) for c in have]
        return [dict(id=None, name=n, words=w, response=a, resolution=f) for n, w, a, f in CATEGORIES[kind]]
    return []


def save_rows(what: str, rows: list[dict], removed: list[int], by: User | None) -> None:
    """Checked rows into the catalogue in one transaction. A row with the id or
    the name of one the shop has changes that one: saving twice adds nothing.
    A removed row is switched off, not deleted (orders and bookings keep it)."""
    if what == "categories":
        return _save_categories(rows, removed, by)
    model = Service if what == "services" else Product
    with model._meta.database.atomic():
        for row in rows:
            existing = model.get_or_none(model.id == row["id"]) if row.get("id") else None
            if existing is None:
                existing = model.select().where(pw.fn.LOWER(model.name) == row["name"].lower()).first()
            if what == "services":
                fields = dict(name=row["name"], price=row["price"], duration_minutes=row["duration"])
                if existing:
                    catalogue.update_service(existing, by=by, active=True, **fields)
                else:
                    catalogue.add_service(fields.pop("name"), by=by, **fields)
            else:
                fields = dict(name=row["name"], price=row["price"], sku=row["code"] or None)
                if existing:
                    catalogue.update_product(existing, by=by, active=True, **fields)
                    if row["stock"] != existing.stock:
                        catalogue.adjust_stock(existing, row["stock"] - existing.stock, reason="setup wizard",
                                               by=by, now=utcnow())
                else:
                    catalogue.add_product(fields.pop("name"), stock=row["stock"], by=by, **fields)
        for row_id in removed:
            existing = model.get_or_none(model.id == row_id)
            if existing is not None and existing.active:
                if what == "services":
                    catalogue.update_service(existing, by=by, active=False)
                else:
                    catalogue.update_product(existing, by=by, active=False)


def _save_categories(rows: list[dict], removed: list[int], by: User | None) -> None:
    """Ticket categories as the owner edited them (hours in, minutes kept); a
    removed one goes only while no ticket has it (the wizard checks first)."""
    with TicketCategory._meta.database.atomic():
        for row_id in removed:
            if not Ticket.select().where(Ticket.category == row_id).exists():
                TicketCategory.delete().where(TicketCategory.id == row_id).execute()
        for row in rows:
            existing = TicketCategory.get_or_none(TicketCategory.id == row["id"]) if row.get("id") else None
            if existing is None:
                existing = TicketCategory.select().where(
                    pw.fn.LOWER(TicketCategory.name) == row["name"].lower()).first()
            tickets.save_category(row["name"], words=row["words"], response_minutes=row["response_minutes"],
                                  resolution_minutes=row["resolution_minutes"],
                                  warn_percent=existing.warn_percent if existing else 80, category=existing, by=by)


def has_offers(kind: str) -> bool:
    what = offers(kind)
    if what == "services":
        return Service.select().where(Service.active == True).exists()  # noqa: E712
    if what == "goods":
        return Product.select().where(Product.active == True).exists()  # noqa: E712
    return TicketCategory.select().exists()  # an ISP or a service desk sorts complaints, sells nothing
