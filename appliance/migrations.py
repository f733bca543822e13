"""Forward schema migrations, run on every start and by `loket db migrate`.

A fresh database is created from the models at the newest version. An older
one runs each step after its version, in order, each in a transaction; a
step uses peewee's migrator and must leave the schema equal to the models'.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import peewee as pw
from playhouse.migrate import SchemaMigrator

from .models import MODELS, SchemaVersion


@dataclasses.dataclass(frozen=True)
class Step:
    version: int
    note: str
    apply: Callable[[pw.Database, SchemaMigrator], None]
    creates: tuple[str, ...] = ()  # tables this step adds: a backup older than it lacks them


# Version 1 is the first released schema. Add a Step for every change after it.
STEPS: tuple[Step, ...] = ()
HEAD = 1 + len(STEPS)


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
    migrator = SchemaMigrator.from_database(database)
    for step in STEPS:
        if step.version <= version:
            continue
        with database.atomic():
            step.apply(database, migrator)
            SchemaVersion.create(version=step.version, note=step.note)
        done.append(f"migrated to {step.version}: {step.note}")
    # A file with only some tables (a bad copy, a restore from elsewhere) would
    # start and then fail on the first page or text: say so now, with the way out.
    missing = sorted(set(expected_schema(HEAD)) - set(database.get_tables()))
    if missing:
        raise RuntimeError(f"the database lacks {len(missing)} of its tables ({', '.join(missing[:5])}"
                           f"{', ...' if len(missing) > 5 else ''}): restore a backup with `loket restore FILE`")
    return done


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
