"""Time, in one place: UTC inside, the shop's zone only when shown.

Services take `now` as an argument where the moment matters, so tests can
drive them with any clock; `utcnow()` is the real one.
"""

from __future__ import annotations

import datetime as dt

UTC = dt.timezone.utc


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def local(value: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    return None if value is None else as_utc(value).astimezone(tz)


def short(value: dt.datetime | None, tz: dt.tzinfo, today: dt.date | None = None) -> str:
    """'14:05' for today, '3 Dec 14:05' otherwise: how staff read times."""
    if value is None:
        return ""
    when = local(value, tz)
    today = today or utcnow().astimezone(tz).date()
    if when.date() == today:
        return when.strftime("%H:%M")
    return f"{when.day} {when.strftime('%b %H:%M')}"
