"""Schema migrations run forward on start: a box updated in the field keeps
every row it had and ends with exactly the schema of the models."""

from __future__ import annotations

import pytest
from playhouse.migrate import SchemaMigrator, migrate

from appliance import db, migrations
from appliance.models import MODELS, DailyCount, InfoAnswer, Message, QuickReply, SchemaVersion, TaughtPhrase


def _version_1(database):
    """A database as the first release made it: before free texts were understood, before each
    sent SMS kept its price, before the reports' daily numbers, before the inbox's quick replies."""
    database.create_tables([m for m in MODELS if m not in (TaughtPhrase, InfoAnswer, DailyCount, QuickReply)])
    database.execute_sql('DROP INDEX "customer_created_at"')  # came with the reports' daily numbers
    migrator = SchemaMigrator.from_database(database)
    migrate(migrator.drop_column(Message._meta.table_name, "understood"),
            migrator.drop_column(Message._meta.table_name, "folder"),
            migrator.drop_column(Message._meta.table_name, "part_price"))
    SchemaVersion.create(version=1, note="created")
    database.execute_sql("INSERT INTO message (direction, phone, text, category, state, priority, needs_staff, "
                         "template, incomplete, parts, encoding, modem, lease_owner, attempts, "
                         "resent_after_crash, error, created_at, updated_at) VALUES ('in', '+6281234567890', "
                         "'halo', 'transactional', 'handled', 0, false, '', false, 1, 'gsm7', '', '', 0, false, "
                         "'', '2026-12-01 10:00:00', '2026-12-01 10:00:00')")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_first_release_database_moves_forward_and_keeps_its_rows(backend, tmp_path, request):
    if backend == "postgres":
        database = db.connect(request.getfixturevalue("postgres_url"))
        database.drop_tables(MODELS, cascade=True)
    else:
        database = db.connect(f"sqlite:///{tmp_path / 'old.db'}")
    _version_1(database)
    assert migrations.current_version(database) == 1
    done = migrations.migrate(database)
    assert done == [f"migrated to {step.version}: {step.note}" for step in migrations.STEPS]
    assert migrations.check(database) == []
    old = Message.get(Message.text == "halo")
    assert old.understood == "" and old.folder == "" and old.part_price == 0  # the new columns' defaults
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
