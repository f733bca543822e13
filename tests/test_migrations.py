"""Schema migrations run forward on start: a box updated in the field keeps
every row it had and ends with exactly the schema of the models."""

from __future__ import annotations

import pytest
from playhouse.migrate import SchemaMigrator, migrate

from appliance import db, migrations
from appliance.models import (MODELS, Booking, Customer, DailyCount, InboundPart, InfoAnswer, Message, Order, OrderItem,
                              OutboundPart, PaymentClaim, Product, QuickReply, SchemaVersion, Service, TaughtPhrase,
                              Ticket)


# The columns later steps add to tables the first release had.
LATER_COLUMNS = [(Message, "understood"), (Message, "folder"), (Message, "part_price"),
                 (Order, "courier"), (Order, "tracking"), (Order, "shipping"), (OrderItem, "code"), (OrderItem, "unit"),
                 (Product, "description"), (Product, "unit"), (Ticket, "visit_at"), (Ticket, "service_point_id"),
                 (Ticket, "project_id"), (Booking, "staff_id"), (Customer, "contact_name"),
                 (Customer, "contact_phone"), (Customer, "salesperson_id")]


def _version_1(database):
    """A database as the first release made it: before free texts were understood, before each
    sent SMS kept its price, before the reports' daily numbers, before the inbox's quick replies."""
    database.create_tables([m for m in MODELS if m not in (TaughtPhrase, InfoAnswer, DailyCount, QuickReply)])
    database.execute_sql('DROP INDEX "customer_created_at"')  # came with the reports' daily numbers
    for model, column in LATER_COLUMNS:  # their indexes first: a column under an index cannot go
        database.execute_sql(f'DROP INDEX IF EXISTS "{model._meta.table_name}_{column}"')
    migrator = SchemaMigrator.from_database(database)
    # SQLite drops a column that links to a table only by rebuilding its own (no rows yet here).
    links = {} if database.param == "%s" else {"legacy": True}
    migrate(*[migrator.drop_column(model._meta.table_name, column, **(links if column.endswith("_id") else {}))
              for model, column in LATER_COLUMNS])
    SchemaVersion.create(version=1, note="created")
    database.execute_sql("INSERT INTO message (direction, phone, text, category, state, priority, needs_staff, "
                         "template, incomplete, parts, encoding, modem, lease_owner, attempts, "
                         "resent_after_crash, error, created_at, updated_at) VALUES ('in', '+6281234567890', "
                         "'halo', 'transactional', 'handled', 0, false, '', false, 1, 'gsm7', '', '', 0, false, "
                         "'', '2026-12-01 10:00:00', '2026-12-01 10:00:00')")


def _a_shop_in_the_field(database):
    """Rows tied to each other as a shop that used the first release has them."""
    def insert(table, **values):
        columns = ", ".join(f'"{c}"' for c in values)
        marks = ", ".join("?" if database.param == "?" else "%s" for _ in values)
        cursor = database.execute_sql(f'INSERT INTO "{table}" ({columns}) VALUES ({marks}) RETURNING id',
                                      list(values.values()))
        return cursor.fetchone()[0]
    now = "2026-12-01 10:00:00"
    sari = insert("customer", phone="+6281234500001", name="Sari", address="", email="", consent_reminder=True,
                  consent_marketing=False, notes="", flag="", points=0, created_at=now)
    halo = database.execute_sql("SELECT id FROM message WHERE text = 'halo'").fetchone()[0]
    sent = insert("message", direction="out", customer_id=sari, phone="+6281234500001", text="Pesanan siap",
                  category="transactional", state="sent", priority=0, needs_staff=False, template="",
                  incomplete=False, parts=1, encoding="gsm7", modem="sim", lease_owner="", attempts=1,
                  resent_after_crash=False, error="", created_at=now, updated_at=now)
    insert("outbound_part", message_id=sent, part_no=1, reference=17, modem="sim", status="sent", sent_at=now,
           updated_at=now)
    insert("inbound_part", modem="sim", sender="+6281234567890", smsc_time=now, concat_ref=-1, part_no=1,
           part_count=1, text="halo", coding="gsm7", raw="", digest="", received_at=now, message_id=halo)
    service = insert("service", name="Pijat bayi", aliases="", duration_minutes=60, price=85000, capacity=1,
                     active=True)
    insert("booking", customer_id=sari, service_id=service, starts_at=now, ends_at=now, status="booked",
           source="sms", note="", created_at=now, updated_at=now)
    insert("ticket", number=1, customer_id=sari, summary="AC bocor", detail="", status="open", pending_reason="",
           resolution="", created_at=now, updated_at=now)
    goods = insert("product", name="Kampas rem", sku="KR-01", price=65000, stock=3, category="", active=True)
    order = insert("order", number=1001, customer_id=sari, status="paid", total=65000, note="", created_at=now,
                   updated_at=now)
    insert("order_item", order_id=order, product_id=goods, name="Kampas rem", quantity=1, price=65000)
    insert("payment_claim", order_id=order, amount=65000, text="", status="verified", claimed_at=now, reason="")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_first_release_database_moves_forward_and_keeps_its_rows(backend, tmp_path, request):
    if backend == "postgres":
        database = db.connect(request.getfixturevalue("postgres_url"))
        database.drop_tables(MODELS, cascade=True)
    else:
        database = db.connect(f"sqlite:///{tmp_path / 'old.db'}")
    _version_1(database)
    assert migrations.current_version(database) == 1
    _a_shop_in_the_field(database)
    statements = []
    execute = database.execute_sql
    database.execute_sql = lambda sql, *args, **kw: statements.append(sql) or execute(sql, *args, **kw)
    try:
        done = migrations.migrate(database)
    finally:
        del database.execute_sql
    assert done == [f"migrated to {step.version}: {step.note}" for step in migrations.STEPS]
    assert migrations.check(database) == []
    # No step rebuilt a table: dropping one runs its foreign keys' actions (a rebuilt `message`
    # deleted every sent part's record, a rebuilt `order` every line and payment claim).
    assert not [sql for sql in statements if sql.lstrip().upper().startswith("DROP TABLE")]
    old = Message.get(Message.text == "halo")
    assert old.understood == "" and old.folder == "" and old.part_price == 0  # the new columns' defaults
    sent = Message.get(Message.text == "Pesanan siap")
    assert [p.reference for p in sent.sent_parts] == [17] and InboundPart.get().message_id == old.id
    sari = Customer.get(Customer.phone == "+6281234500001")
    assert (sent.customer_id, Booking.get().customer_id, Ticket.get().customer_id) == (sari.id,) * 3
    order = Order.get()
    assert order.customer_id == sari.id and order.items.count() == 1 and PaymentClaim.get().order_id == order.id
    assert OrderItem.get().product_id == Product.get().id
    TaughtPhrase.create(phrase="ada slot kosong", intent="book")
    InfoAnswer.create(keyword="REKENING", reply_id="BCA 123", reply_en="BCA 123")
    QuickReply.create(text="Sudah kami terima, kak. Terima kasih!")
    assert migrations.migrate(database) == []  # at HEAD: nothing more to do
    database.close()


def test_a_box_whose_kept_days_lack_the_money_numbers_counts_them_again(tmp_path):
    """The step that added sales, payments and SMS spend to the kept days: a box
    at the step before it gets the columns and the indexes, and its kept days
    are dropped, to be counted again with the new numbers on start (wiring)."""
    import datetime as dt
    database = db.connect(f"sqlite:///{tmp_path / 'money.db'}")
    migrations.migrate(database)
    [step] = [s for s in migrations.STEPS if s.recount]
    money = ("claims", "claims_verified", "claims_rejected", "unpaid", "auto_cancelled", "parts_reply",
             "parts_reminder", "parts_campaign", "spend_reply", "spend_reminder", "spend_campaign")
    for model, column in LATER_COLUMNS:  # their indexes first: a column under an index cannot go
        database.execute_sql(f'DROP INDEX IF EXISTS "{model._meta.table_name}_{column}"')
    migrator = SchemaMigrator.from_database(database)
    migrate(*[migrator.drop_column(DailyCount._meta.table_name, name) for name in money])
    for index in ("order_paid_at", "payment_claim_claimed_at", "payment_claim_decided_at"):
        database.execute_sql(f'DROP INDEX IF EXISTS "{index}"')
    SchemaVersion.delete().execute()
    SchemaVersion.create(version=step.version - 1, note="the step before")
    database.execute_sql("INSERT INTO daily_count (zone, day, received, sent, failed, transactional, reminder, "
                         "marketing, new_customers, booked, done, no_show, cancelled, orders, paid_orders, revenue, "
                         "computed_at) VALUES ('Asia/Jakarta', '2026-11-01', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "
                         "0, '2026-11-05 00:00:00')")
    assert f"migrated to {step.version}: {step.note}" in migrations.migrate(database)
    assert migrations.check(database) == []
    assert DailyCount.select().count() == 0  # counted again, with every number, by the backfill
    indexes = {row[1] for row in database.execute_sql("SELECT * FROM sqlite_master WHERE type = 'index'").fetchall()}
    assert {"order_paid_at", "payment_claim_claimed_at", "payment_claim_decided_at"} <= indexes
    DailyCount.create(zone="Asia/Jakarta", day=dt.date(2026, 11, 1), spend_campaign=300)
    database.close()


def test_the_steps_are_numbered_without_a_gap():
    """HEAD counts the steps; a release's bad-update probe adds one after them (tests/support.py)."""
    assert [step.version for step in migrations.STEPS] == list(range(2, migrations.HEAD + 1))


def test_orders_before_the_shipping_cost_keep_their_total_and_their_lines_take_the_goods_codes(tmp_path):
    """The step that gave orders a shipping cost and their lines a code and unit: an old
    order costs nothing to ship, and its lines take the code and unit their goods have."""
    from appliance.models import Customer, Order, OrderItem, Product
    database = db.connect(f"sqlite:///{tmp_path / 'orders.db'}")
    migrations.migrate(database)
    [step] = [s for s in migrations.STEPS if s.apply.__name__ == "_order_shipping_and_item_codes"]
    migrator = SchemaMigrator.from_database(database)
    migrate(migrator.drop_column(Order._meta.table_name, "shipping"),
            migrator.drop_column(OrderItem._meta.table_name, "code"),
            migrator.drop_column(OrderItem._meta.table_name, "unit"))
    SchemaVersion.delete().execute()
    SchemaVersion.create(version=step.version - 1, note="the step before")
    kampas = Product.create(name="Kampas rem", sku="KR-01", unit="set", price=65_000)
    oli = Product.create(name="Oli", price=55_000)
    customer = Customer.create(phone="+6281234500011")
    database.execute_sql("INSERT INTO \"order\" (number, customer_id, status, total, note, created_at, updated_at, "
                         "courier, tracking) VALUES (1001, ?, 'paid', 135000, '', '2026-11-01 10:00:00', "
                         "'2026-11-01 10:00:00', '', '')", (customer.id,))
    order_id = database.execute_sql("SELECT id FROM \"order\"").fetchone()[0]
    for product, name, price in ((kampas.id, "Kampas rem", 65_000), (oli.id, "Oli", 55_000), (None, "Ongkir", 15_000)):
        database.execute_sql("INSERT INTO order_item (order_id, product_id, name, quantity, price) "
                             "VALUES (?, ?, ?, 1, ?)",
                             (order_id, product, name, price))
    assert f"migrated to {step.version}: {step.note}" in migrations.migrate(database)
    assert migrations.check(database) == []
    order = Order.get(Order.number == 1001)
    assert (order.total, order.shipping) == (135_000, 0)
    # Nothing rebuilt the tables: the lines are still there, still tied to their goods.
    assert [(i.name, i.product_id, i.code, i.unit) for i in order.items.order_by(OrderItem.id)] == [
        ("Kampas rem", kampas.id, "KR-01", "set"), ("Oli", oli.id, "", ""), ("Ongkir", None, "", "")]
    database.close()
