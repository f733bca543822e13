"""What every table builds on: the base model bound to the database proxy,
and the field that keeps times as UTC (see clock.py)."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from .clock import UTC, as_utc
from .db import proxy


class UTCDateTimeField(pw.DateTimeField):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC text."""

    def db_value(self, value):
        if isinstance(value, dt.datetime):
            value = as_utc(value).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=UTC)
        return value


class BaseModel(pw.Model):
    class Meta:
        database = proxy
        legacy_table_names = False
