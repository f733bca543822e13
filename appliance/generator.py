"""`loket demo --customers N --messages M`: fill a data dir with a big, plausible
shop, to see how the box behaves after years of use.

Rows are written in large batches inside transactions; a million messages
take a minute or two on a laptop. The data is deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import operator
import random
from typing import Callable

import peewee as pw

from .clock import utcnow
from .models import Customer, Message

FIRST = ("Sari", "Budi", "Dewi", "Agus", "Rina", "Joko", "Maria", "Hendra", "Lina", "Andi", "Wati", "Eko", "Putri",
         "Rudi", "Siti", "Yusuf", "Nur", "Tono", "Ayu", "Bayu")
LAST = ("Wulandari", "Santoso", "Lestari", "Hartono", "Marlina", "Saputra", "Tan", "Wijaya", "Susanti", "Pratama",
        "Kurniawan", "Rahayu", "Setiawan", "Halim", "Gunawan")
INBOUND = ("PESAN pijat bayi besok", "ANTRI", "POIN", "Terima kasih kak", "Apakah buka hari minggu?", "BATAL",
           "KELUHAN internet mati", "STATUS", "BAYAR O-1001 250000", "halo", "REG Sari")
OUTBOUND = ("Spa Bunda: booking Anda besok 10:30 sudah kami catat. Sampai jumpa!", "Spa Bunda: nomor antrian Anda 7.",
            "Spa Bunda: poin Anda saat ini 120.", "Promo akhir tahun: diskon 20% pijat bayi!",
            "Pengingat: jadwal pijat bayi besok 10:30.")


def generate(customers: int, messages: int, *, seed: int = 7, now: dt.datetime | None = None, days: int = 365,
             progress: Callable[[str], None] | None = None, batch: int = 5_000) -> dict:
    database = Customer._meta.database
    if not isinstance(getattr(database, "obj", database), pw.SqliteDatabase):
        return _generate(database, customers, messages, seed, now, days, progress, batch)
    # The indexes of a million rows do not fit the box's 8 MB page cache: a
    # bulk load with a bigger one is several times faster, and gives it back.
    kept = database.execute_sql("PRAGMA cache_size").fetchone()[0]
    database.execute_sql("PRAGMA cache_size = -131072")
    try:
        return _generate(database, customers, messages, seed, now, days, progress, batch)
    finally:
        database.execute_sql(f"PRAGMA cache_size = {int(kept)}")


def _generate(database, customers, messages, seed, now, days, progress, batch) -> dict:
    rng = random.Random(seed)
    now = now or utcnow()
    first_id = (Customer.select(Customer.id).order_by(Customer.id.desc()).scalar() or 0) + 1
    phones = []
    rows = []
    for n in range(customers):
        phone = f"+62819{first_id + n:08d}"[:15]
        phones.append(phone)
        created = now - dt.timedelta(days=rng.uniform(0, days))
        rows.append(dict(phone=phone, name=f"{rng.choice(FIRST)} {rng.choice(LAST)}", language="id" if rng.random() < 0.9 else "en", consent_marketing=rng.random() < 0.4,
                         created_at=created, last_contact_at=created, points=rng.randrange(0, 300)))
        if len(rows) >= batch:
            _insert(database, Customer, rows)
            if progress:
                progress(f"customers: {n + 1}")
    _insert(database, Customer, rows)
    ids = {c.phone: c.id for c in Customer.select(Customer.id, Customer.phone).where(Customer.phone.in_(phones[:1]))}
    base_id = ids.get(phones[0], first_id) if phones else first_id

    # Messages arrive over the period, oldest first, so ids follow time as in real life.
    start = now - dt.timedelta(days=days)
    step = dt.timedelta(days=days) / max(messages, 1)
    for n in range(messages):
        k = rng.randrange(customers) if customers else 0
        inbound = rng.random() < 0.45
        at = start + step * n
        rows.append(dict(direction="in" if inbound else "out", phone=phones[k] if phones else "+62819000000",
                         customer=base_id + k if phones else None,
                         text=rng.choice(INBOUND if inbound else OUTBOUND),
                         category="transactional" if inbound or rng.random() < 0.7 else "marketing",
                         state="handled" if inbound else ("failed" if rng.random() < 0.01 else
                                                          rng.choice(("sent", "delivered", "delivered"))),
                         needs_staff=inbound and rng.random() < 0.01, created_at=at, updated_at=at,
                         sent_at=None if inbound else at))
        if len(rows) >= batch:
            _insert(database, Message, rows)
            if progress and (n + 1) % 100_000 == 0:
                progress(f"messages: {n + 1}")
    _insert(database, Message, rows)
    return {"customers": customers, "messages": messages}


def _insert(database, model, rows: list[dict]) -> None:
    """Rows in one executemany. Peewee's building of a 5,000-row INSERT, and
    even its per-value conversion, cost more than SQLite's writing: a million
    messages must take a minute or two, so the batch converts only what needs
    it (datetimes) and sends a missing column's default once per batch."""
    if not rows:
        return
    fields = [f for f in model._meta.sorted_fields if not isinstance(f, pw.AutoField)]
    given = [f for f in fields if f.name in rows[0]]
    fixed = [f for f in fields if f.name not in rows[0]]
    tail = tuple(f.db_value(f.default() if callable(f.default) else f.default) for f in fixed)
    columns = ", ".join(f'"{f.column_name}"' for f in given + fixed)
    sql = (f'INSERT INTO "{model._meta.table_name}" ({columns}) '
           f'VALUES ({", ".join([database.param] * len(given + fixed))})')
    pick = operator.itemgetter(*(f.name for f in given))
    times = [n for n, f in enumerate(given) if isinstance(f, pw.DateTimeField)]
    values = []
    for row in rows:
        value = list(pick(row)) if len(given) > 1 else [pick(row)]
        for n in times:
            if value[n] is not None:
                value[n] = _utc_text(value[n])
        values.append(tuple(value) + tail)
    with database.atomic():
        database.cursor().executemany(sql, values)
    rows.clear()


def _utc_text(value: dt.datetime) -> str:
    """As UTCDateTimeField stores it: naive UTC, the text sqlite3 writes for a datetime."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.isoformat(" ")
