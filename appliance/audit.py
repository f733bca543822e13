"""The audit log: who did what to whom, and when."""

from __future__ import annotations

import datetime as dt

from .clock import utcnow
from .hotsql import Hot
from .models import AuditEntry, User

# Compiled once: the JSON API writes a row for every request (hotsql.py).
_ROW = Hot(lambda **row: AuditEntry.insert(**row).as_rowcount(), at=AuditEntry.at, user=AuditEntry.user,
           action=AuditEntry.action, target=AuditEntry.target, detail=AuditEntry.detail)


def audit(action: str, *, user: User | int | None = None, target: str = "", detail: str = "",
          now: dt.datetime | None = None) -> None:
    _ROW.execute(at=now or utcnow(), user=user.id if isinstance(user, User) else user, action=action,
                 target=target, detail=detail)
