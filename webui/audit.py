"""The audit log: who did what, newest first."""

from __future__ import annotations

from appliance.models import AuditEntry

from .web import PER_PAGE, Web


def audit_log(web: Web):
    page = web.page_number()
    rows = list(AuditEntry.select().order_by(AuditEntry.id.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE))
    return web.render("audit", title="Audit log", rows=rows[:PER_PAGE], page=page, more=len(rows) > PER_PAGE)

