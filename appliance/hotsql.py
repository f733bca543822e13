"""Statements the worker runs for every message, compiled to SQL once.

Building a query's SQL is peewee's slowest part: for the outbox's lease and
`sent` record it cost as much as the database work itself.
"""

from __future__ import annotations

import datetime as dt
import weakref
from typing import Callable

import peewee as pw

from .models import Message


class Hot:
    """A statement the worker runs for every outbound message, compiled once.

    Building a query's SQL is peewee's slowest part: for the lease and the
    `sent` record it cost as much as the database work itself. Here peewee
    writes the SQL once per database, from the same query as always, built
    with a sentinel in place of each value that changes (`slots`: name ->
    the field whose `db_value` converts it); each run then only binds the
    values, in the places where the sentinels were found. The statement,
    its constants and the values' conversion are peewee's own, so it runs
    exactly as `build(**values).execute()` would (tests/test_hot_queries.py
    compares the two on SQLite and PostgreSQL).
    """

    def __init__(self, build: Callable[..., pw.Query], **slots: pw.Field):
        self.build = build
        self.slots = slots
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._last, self._last_compiled = None, None  # (held strongly: the bound database lives as long)

    @staticmethod
    def _sentinel(field: pw.Field, k: int):
        if isinstance(field, pw.DateTimeField):
            return dt.datetime(1901, 2, 3, 4, 5, 6, 700_000 + k, tzinfo=dt.timezone.utc)
        if isinstance(field, (pw.IntegerField, pw.AutoField, pw.ForeignKeyField)):
            return -7_654_321_000 - k
        if isinstance(field, (pw.CharField, pw.TextField)):
            return f"\x00hot-{k}\x00"
        raise TypeError(f"no sentinel for {type(field).__name__}")

    def compile(self, database: pw.Database) -> tuple[str, list[tuple[bool, object]]]:
        """(sql, plan): each parameter is (True, slot name) or (False, constant)."""
        sentinels = {name: self._sentinel(field, k) for k, (name, field) in enumerate(self.slots.items())}
        marks = [(name, self.slots[name].db_value(value)) for name, value in sentinels.items()]
        sql, params = database.get_sql_context().sql(self.build(**sentinels)).query()
        plan: list[tuple[bool, object]] = []
        for param in params:
            names = [name for name, mark in marks if type(mark) is type(param) and mark == param]
            plan.append((True, names[0]) if names else (False, param))
        missing = set(self.slots) - {name for is_slot, name in plan if is_slot}
        if missing:  # inlined into the SQL text, or dropped: the plan would be wrong
            raise RuntimeError(f"hot query: {sorted(missing)} not found among the parameters of {sql}")
        return sql, plan

    def render(self, database: pw.Database, **values) -> tuple[str, list]:
        """The SQL and parameters for these values, as peewee would make them."""
        if isinstance(database, pw.DatabaseProxy):
            database = database.obj
        if database is not self._last:  # a process has one database: the lookup is skipped after the first
            try:
                compiled = self._compiled[database]
            except KeyError:
                compiled = self._compiled[database] = self._prepare(*self.compile(database))
            self._last, self._last_compiled = database, compiled
        sql, plan = self._last_compiled
        return sql, [convert(values[x]) if convert else x for convert, x in plan]

    def _prepare(self, sql: str, plan: list[tuple[bool, object]]) -> tuple[str, list]:
        """Each parameter as (the slot's conversion, its name), or (None, the constant)."""
        return sql, [(self.slots[x].db_value, x) if is_slot else (None, x) for is_slot, x in plan]

    def execute_many(self, rows: list[dict]) -> int:
        """Run it once per row of values, as one prepared statement (SQLite's
        executemany); the rows it changed."""
        database = Message._meta.database
        if isinstance(database, pw.DatabaseProxy):
            database = database.obj
        sql, _ = self.render(database, **rows[0])
        plan = self._last_compiled[1]
        cursor = database.cursor()
        cursor.executemany(sql, [[convert(row[x]) if convert else x for convert, x in plan] for row in rows])
        return cursor.rowcount

    def execute(self, **values) -> int:
        """Run it on the bound database; the rows it changed."""
        database = Message._meta.database
        sql, params = self.render(database, **values)
        return database.rows_affected(database.execute_sql(sql, params))


class HotGet:
    """A row by one column's value (a unique one: a token's hash, a phone, an
    idempotency key), its SELECT compiled once like Hot's statements: on the
    API's send path, peewee writing these SELECTs' SQL cost more than the
    database's answer. The row comes back as peewee's own would: each column
    through its field's python_value, nothing marked changed."""

    def __init__(self, model: type[pw.Model], field: pw.Field):
        self.model = model
        self._columns = [(f.name, f.python_value) for f in model._meta.sorted_fields]
        self._hot = Hot(lambda value: model.select().where(field == value), value=field)

    def __call__(self, value):
        database = self.model._meta.database
        sql, params = self._hot.render(database, value=value)
        row = database.execute_sql(sql, params).fetchone()
        if row is None:
            return None
        # What peewee's `Model(__no_default__=1, **values)` then `_dirty.clear()` leaves, without a
        # setattr per column (a third of a look-up's time): the values, nothing marked changed.
        found = self.model(__no_default__=1)
        found.__data__ = {name: convert(v) for (name, convert), v in zip(self._columns, row)}
        return found
