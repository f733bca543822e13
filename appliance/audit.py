"""The audit log: who did what to whom, and when."""

from __future__ import annotations

import datetime as dt

from .clock import utcnow
from .models import AuditEntry, User


def audit(action: str, *, user: User | None = None, target: str = "", detail: str = "",
          now: dt.datetime | None = None) -> None:
    AuditEntry.create(at=now or utcnow(), user=user, action=action, target=target, detail=detail)
