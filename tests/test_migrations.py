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
