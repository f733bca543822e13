"""Forward schema migrations, run on every start and by `loket db migrate`.

A fresh database is created from the models at the newest version. An older
one runs each step after its version, in order, each in a transaction; a
step uses peewee's migrator and must leave the schema equal to the models'.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Callable

import peewee as pw
from playhouse.migrate import SchemaMigrator

from . import settings as settings_table
from .clock import utcnow
from .models import (MODELS, SUPPLY_MODELS, ApiToken, Booking, Customer, DailyCount, HookDelivery, InfoAnswer,
                     Message, NewsItem, Order, OrderItem, PaymentClaim, PointEngineer, Product, Project, QuickReply, Rating,
                     SchemaVersion, ServicePoint, ShopSetting, StaffMember, StaffService, TaughtPhrase, Ticket,
                     Webhook)


@dataclasses.dataclass(frozen=True)
class Step:
    version: int
    note: str
    apply: Callable[[pw.Database, SchemaMigrator], None]
    creates: tuple[str, ...] = ()  # tables this step adds: a backup older than it lacks them
    recount: bool = False  # the reports' kept days lack what this step adds: counted again after it


# -- version 2: the shop's loose preferences join the settings table ---------------------
# Before, each preference was its own ShopSetting row, read with a local range
# check. Now the owner's values live in the one row "settings", checked by the
# settings table. Each old value moves as the old code read it (a whole number
# clamped into its range), so the shop behaves as before; one the old code
# ignored stays ignored.
_MOVED = ("booking_offer_slots", "booking_max_days", "booking_search_days", "booking_offer_minutes",
          "queue_notify_ahead", "queue_counters", "order_unpaid_days", "order_claim_grace_hours", "sms_price",
          "reminder_hours", "comeback_hour", "comeback_window_days", "sim_pin")
_RENAMED = {"tickets.first_number": "ticket_first_number", "tickets.default_category": "ticket_default_category"}
_SPLIT = {"points_rules": {"per_visit": "points_per_visit", "per_rupiah": "points_per_rupiah"},
          "tickets.default_sla": {"response_minutes": "ticket_response_minutes",
                                  "resolution_minutes": "ticket_resolution_minutes",
                                  "warn_percent": "ticket_warn_percent"}}


def _as_the_old_code_read_it(name: str, value):
    """The value the old code used for this stored one, checked by the table; None for its default."""
    parse = settings_table.find(name).parse
    if name == "reminder_hours":  # the old code kept the valid hours of a list and dropped the rest
        if not isinstance(value, list):
            return None
        value = [h for h in value if isinstance(h, (int, str)) and str(h).strip().isdigit()
                 and 1 <= int(h) <= 14 * 24]
    try:
        value = settings_table.check(name, value, "the old settings")
    except settings_table.SettingsError:
        if getattr(parse, "kind", "") != "integer" or isinstance(value, bool):
            return None
        try:
            value = min(parse.hi, max(parse.lo, int(value)))
        except (TypeError, ValueError):
            return None
    return list(value) if isinstance(value, tuple) else value


def _loose_preferences_into_settings(database: pw.Database, migrator: SchemaMigrator) -> None:
    with database.bind_ctx([ShopSetting]):
        rows = {row.name: row.value for row in ShopSetting.select()}
        old = {name: json.loads(text) for name, text in rows.items()
               if name in _MOVED or name in _RENAMED or name in _SPLIT}
        if not old:
            return
        moved = {}
        for name, value in old.items():
            if name in _SPLIT:
                pairs = [(new, value.get(key)) for key, new in _SPLIT[name].items()
                         if isinstance(value, dict) and key in value]
            else:
                pairs = [(_RENAMED.get(name, name), value)]
            for new, item in pairs:
                fixed = _as_the_old_code_read_it(new, item)
                if fixed is not None:
                    moved[new] = fixed
        stored = json.loads(rows.get("settings", "{}"))
        stored = {**moved, **(stored if isinstance(stored, dict) else {})}
        ShopSetting.insert(name="settings", value=json.dumps(stored), updated_at=utcnow()).on_conflict(
            conflict_target=[ShopSetting.name], update={ShopSetting.value: json.dumps(stored),
                                                    ShopSetting.updated_at: utcnow()}).execute()
        ShopSetting.delete().where(ShopSetting.name.in_(list(old))).execute()


def _understanding(database: pw.Database, migrator: SchemaMigrator) -> None:
    _add_columns(database, migrator, Message, "understood", "folder")
    database.create_tables([TaughtPhrase, InfoAnswer], safe=True)


def _part_price(database: pw.Database, migrator: SchemaMigrator) -> None:
    _add_columns(database, migrator, Message, "part_price")


def _daily_counts(database: pw.Database, migrator: SchemaMigrator) -> None:
    # The past is counted after this step's transaction, in batches (wiring.open_database).
    database.create_tables([DailyCount], safe=True)
    database.execute_sql('CREATE INDEX IF NOT EXISTS "customer_created_at" ON "customer" ("created_at")')


def _quick_replies(database: pw.Database, migrator: SchemaMigrator) -> None:
    database.create_tables([QuickReply], safe=True)


def _ratings(database: pw.Database, migrator: SchemaMigrator) -> None:
    database.create_tables([Rating], safe=True)


def _money_report(database: pw.Database, migrator: SchemaMigrator) -> None:
    """The sales and SMS-spend numbers join the kept days. The days kept so far
    lack them: they are dropped and counted again after the step (wiring)."""
    _add_columns(database, migrator, DailyCount, *(field.name for field in DailyCount._meta.sorted_fields))
    DailyCount.delete().execute()
    for model, field in ((Order, "paid_at"), (PaymentClaim, "claimed_at"), (PaymentClaim, "decided_at")):
        table = model._meta.table_name
        database.execute_sql(f'CREATE INDEX IF NOT EXISTS "{table}_{field}" ON "{table}" ("{field}")')


def _add_columns(database: pw.Database, migrator: SchemaMigrator, model, *names: str) -> None:
    """Add the model's columns that are missing, each with its default in the column itself.

    peewee's add_column makes a NOT NULL column in three moves, and on SQLite the last one
    rebuilds the table: dropping the old one runs its foreign keys' actions, so rebuilding
    `order` deleted every order line and payment claim, rebuilding `product` cut every
    order line from its goods, and rebuilding `message` deleted every sent part's record
    and cut every received part from its text. One ALTER TABLE … NOT NULL DEFAULT …
    rebuilds nothing (tests/test_migrations.py holds every step to it)."""
    from playhouse.migrate import migrate as run
    table = model._meta.table_name
    have = {column.name for column in database.get_columns(table)}
    added = []
    for name in names:
        field = model._meta.fields[name]
        if field.column_name in have:
            continue
        if field.null:  # NULL for the old rows: peewee adds it in one move (with its index and link)
            added.append(migrator.add_column(table, field.column_name, field))
            continue
        field = field.clone()
        if not any("DEFAULT" in getattr(c, "sql", "").upper() for c in field.constraints or []):  # its own, or:
            field.constraints = [*(field.constraints or []), pw.SQL(f"DEFAULT {_literal(field.default)}")]
        added.append(migrator.alter_add_column(table, field.column_name, field, allow_not_null=True))
        if field.index or field.unique:
            added.append(migrator.add_index(table, (field.column_name,), field.unique))
    run(*added)


def _literal(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"no column default for {value!r}")  # pragma: no cover - a step written wrong
    return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"


def _order_courier_and_tracking(database: pw.Database, migrator: SchemaMigrator) -> None:
    # Before, staff typed the courier and receipt number into the shipping note (kept in the
    # audit trail, still shown on the order); old orders keep both fields empty.
    _add_columns(database, migrator, Order, "courier", "tracking")


def _api_tokens(database: pw.Database, migrator: SchemaMigrator) -> None:
    database.create_tables([ApiToken], safe=True)


def _ticket_visits(database: pw.Database, migrator: SchemaMigrator) -> None:
    # Old tickets have no visit: nobody planned one.
    _add_columns(database, migrator, Ticket, "visit_at")  # with its index: the calendar reads by it


def _webhooks(database: pw.Database, migrator: SchemaMigrator) -> None:
    database.create_tables([Webhook, HookDelivery], safe=True)


def _product_description_and_unit(database: pw.Database, migrator: SchemaMigrator) -> None:
    # Goods had a name and a code only; old goods get an empty description and unit.
    _add_columns(database, migrator, Product, "description", "unit")


def _order_shipping_and_item_codes(database: pw.Database, migrator: SchemaMigrator) -> None:
    # Old orders cost nothing to ship (staff typed it as an item, which stays one); their lines
    # take the code and unit their goods have now, the nearest there is to what they had.
    _add_columns(database, migrator, Order, "shipping")
    _add_columns(database, migrator, OrderItem, "code", "unit")
    goods = Product.select(pw.fn.COALESCE(Product.sku, "")).where(Product.id == OrderItem.product)
    units = Product.select(Product.unit).where(Product.id == OrderItem.product)
    OrderItem.update(code=goods, unit=units).where(OrderItem.product.is_null(False)).execute()


def _suppliers(database: pw.Database, migrator: SchemaMigrator) -> None:
    database.create_tables(SUPPLY_MODELS, safe=True)


def _booking_staff(database: pw.Database, migrator: SchemaMigrator) -> None:
    # Old bookings have no staff member: nobody was planned; they count against the service's capacity only.
    database.create_tables([StaffMember, StaffService], safe=True)
    _add_columns(database, migrator, Booking, "staff")


def _service_desk(database: pw.Database, migrator: SchemaMigrator) -> None:
    # Old customers have no contact person or salesperson, old tickets no service point or
    # project: their SLA due times were set when they opened and stay as they are.
    database.create_tables([ServicePoint, PointEngineer, Project], safe=True)
    _add_columns(database, migrator, Customer, "contact_name", "contact_phone", "salesperson")
    _add_columns(database, migrator, Ticket, "service_point", "project")


def _news_board(database: pw.Database, migrator: SchemaMigrator) -> None:
    database.create_tables([NewsItem], safe=True)


# Version 1 is the first released schema. Add a Step for every change after it.
STEPS: tuple[Step, ...] = (
    Step(2, "the shop's preferences join the settings", _loose_preferences_into_settings),
    Step(3, "free texts: how each was understood, the robots' folder, taught phrases, staff-made answers",
         _understanding, creates=("taught_phrase", "info_answer")),
    Step(4, "what each sent SMS part cost, on its row", _part_price),
    Step(5, "the reports' numbers kept per day", _daily_counts, creates=("daily_count",)),
    Step(6, "quick replies staff save in the inbox", _quick_replies, creates=("quick_reply",)),
    Step(7, "the reports' sales, payments and SMS spend kept per day", _money_report, recount=True),
    Step(8, "customers' answers to \"how did we do?\"", _ratings, creates=("rating",)),
    Step(9, "orders: the courier and tracking number as fields", _order_courier_and_tracking),
    Step(10, "tokens for the shop's other programs (the JSON API)", _api_tokens, creates=("api_token",)),
    Step(11, "tickets: the technician's visit date and time", _ticket_visits),
    Step(12, "webhooks and their durable delivery queue", _webhooks, creates=("webhook", "hook_delivery")),
    Step(13, "goods: a description and a unit", _product_description_and_unit),
    Step(14, "suppliers, the goods they supply, and restock orders", _suppliers,
         creates=("supplier", "supplier_product", "restock", "restock_line")),
    Step(15, "bookings: the staff member (therapist), and who takes how many bookings of which services",
         _booking_staff, creates=("staff_member", "staff_service")),
    Step(16, "the service desk: service points, projects, a customer's contact person and salesperson",
         _service_desk, creates=("service_point", "point_engineer", "project")),
    Step(17, "the staff news board on the dashboard", _news_board, creates=("news_item",)),
    Step(18, "orders: a shipping cost; order lines keep their goods' code and unit", _order_shipping_and_item_codes),
)
HEAD = 1 + len(STEPS)  # the steps are numbered 2, 3, … without a gap (test_migrations holds them to it)


def current_version(database: pw.Database) -> int:
    if not database.table_exists(SchemaVersion._meta.table_name):
        return 0
    row = SchemaVersion.select(pw.fn.MAX(SchemaVersion.version)).scalar()
    return row or 0


def expected_schema(version: int) -> dict[str, set[str]]:
    """The tables a database at `version` must have, each with the columns it
    must have (known at HEAD only; an older one is checked by its tables and
    brought forward by the steps). What a restore checks before it replaces
    the database: a file with only schema_version once passed, and then
    nothing started."""
    later = {table for step in STEPS if step.version > version for table in step.creates}
    return {model._meta.table_name: ({field.column_name for field in model._meta.sorted_fields}
                                     if version == HEAD else set())
            for model in MODELS if model._meta.table_name not in later}


def migrate(database: pw.Database) -> list[str]:
    """Bring the schema to HEAD. Returns what was done, for the log."""
    done = []
    version = current_version(database)
    if version > HEAD:
        raise RuntimeError(
            f"the database is at schema version {version}, newer than this Loket ({HEAD}); "
            "install the newer Loket or restore a backup")
    if version == 0:
        with database.atomic():
            database.create_tables(MODELS)
            SchemaVersion.create(version=HEAD, note="created")
        return [f"created schema version {HEAD}"]
    # A file with only some tables (a bad copy, a restore from elsewhere) would
    # fail in a step, or start and then fail on the first page or text: say so
    # now, with the way out, before anything is changed.
    _all_tables_of(database, version)
    migrator = SchemaMigrator.from_database(database)
    for step in STEPS:
        if step.version <= version:
            continue
        with database.atomic():
            step.apply(database, migrator)
            SchemaVersion.create(version=step.version, note=step.note)
        done.append(f"migrated to {step.version}: {step.note}")
    _all_tables_of(database, HEAD)
    return done


def _all_tables_of(database: pw.Database, version: int) -> None:
    missing = sorted(set(expected_schema(version)) - set(database.get_tables()))
    if missing:
        raise RuntimeError(f"the database lacks {len(missing)} of its tables ({', '.join(missing[:5])}"
                           f"{', ...' if len(missing) > 5 else ''}): restore a backup with `loket restore FILE`")


def check(database: pw.Database) -> list[str]:
    """Problems found, or an empty list when the database is sound."""
    problems = []
    version = current_version(database)
    if version != HEAD:
        problems.append(f"schema version is {version}, expected {HEAD} (run `loket db migrate`)")
    if isinstance(database, pw.SqliteDatabase):
        result = [row[0] for row in database.execute_sql("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            problems.extend(f"integrity: {line}" for line in result)
        for row in database.execute_sql("PRAGMA foreign_key_check").fetchall():
            problems.append(f"foreign key: table {row[0]} row {row[1]} points to a missing {row[2]}")
    for model in MODELS:
        if not database.table_exists(model._meta.table_name):
            problems.append(f"table {model._meta.table_name} is missing")
    return problems
