"""The SLA rules, in one place: the service-level times a ticket gets (a
project's over its service point's over its category's), when they are due,
when a warning is due, how a wait on hold moves them, and the state each
clock is in for the pages, the job card and the report.

Two clocks run from the moment a ticket opens: response (until someone
first acts) and resolution (until it is resolved). While a ticket is
pending (waiting for the customer or a part) its resolution clock stands
still: no warning or breach then, and the due time moves on by the wait
when the ticket leaves pending.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from . import shopdata
from .clock import utcnow
from .models import Ticket, TicketCategory, TicketEvent

MAX_SLA_MINUTES = 365 * 24 * 60


def sla_for(category: TicketCategory | None) -> dict:
    """Response and resolution minutes and the warning percent for a category
    (the shop's ticket_* settings for a ticket without one)."""
    if category is not None:
        return {"response_minutes": category.response_minutes, "resolution_minutes": category.resolution_minutes,
                "warn_percent": category.warn_percent}
    return {key: shopdata.setting(f"ticket_{key}")
            for key in ("response_minutes", "resolution_minutes", "warn_percent")}


def effective(category: TicketCategory | None, point=None, project=None) -> dict:
    """The SLA a ticket works to: the category's (or the shop's), each time
    overridden by the service point's when it sets one, and both by the
    customer's project (its contract) when the ticket opened within its dates.
    The warning threshold stays the category's."""
    sla = dict(sla_for(category))
    for override in (point, project):  # the later one wins
        for key in ("response_minutes", "resolution_minutes"):
            if override is not None and getattr(override, key, None):
                sla[key] = getattr(override, key)
    return sla


_KEEP = object()


def sla_of(ticket: Ticket, category=_KEEP, point=_KEEP) -> dict:
    """The ticket's SLA now, or as it would be with another category or service point."""
    return effective(ticket.category if category is _KEEP else category,
                     (ticket.service_point if ticket.service_point_id else None) if point is _KEEP else point,
                     ticket.project if ticket.project_id else None)


def shifted(ticket: Ticket, old: dict, new: dict) -> dict:
    """New due times for the clocks still running when the ticket's SLA
    changes from `old` to `new`: each moves by the difference (a pause
    already counted stays)."""
    changes = {}
    for clock, done in (("response", ticket.first_response_at), ("resolution", ticket.resolved_at)):
        due = getattr(ticket, f"{clock}_due")
        if done is None and due is not None and new[f"{clock}_minutes"] != old[f"{clock}_minutes"]:
            changes[f"{clock}_due"] = due + dt.timedelta(minutes=new[f"{clock}_minutes"] - old[f"{clock}_minutes"])
    return changes


def dues(sla: dict, opened: dt.datetime) -> dict:
    """The due times of a ticket opened at `opened` with these SLA minutes."""
    return {"response_due": opened + dt.timedelta(minutes=sla["response_minutes"]),
            "resolution_due": opened + dt.timedelta(minutes=sla["resolution_minutes"])}


def pending_since(ticket: Ticket) -> dt.datetime | None:
    """When the ticket's current wait began: its earliest 'pending' event
    since it last changed otherwise (a new reason keeps the same wait)."""
    since = None
    for kind, at in (TicketEvent.select(TicketEvent.kind, TicketEvent.at).where(TicketEvent.ticket == ticket.id)
                     .order_by(TicketEvent.at.desc(), TicketEvent.id.desc()).tuples()):
        if kind == "pending":
            since = at
        elif kind in ("opened", "assigned", "on_the_way", "resolved", "closed", "reopened"):
            break  # (notes, SLA alerts and an OK leave a ticket pending)
    return since


def resumed(ticket: Ticket, now: dt.datetime) -> dict:
    """A pending ticket goes back to work (or is resolved): its resolution
    clock stood still while it waited, so the due time moves on by the wait."""
    if ticket.status != "pending" or not ticket.resolution_due:
        return {}
    since = pending_since(ticket)
    if since is None or now <= since:
        return {}
    return {"resolution_due": ticket.resolution_due + (now - since)}


def warn_at(created: dt.datetime, due: dt.datetime, percent: int) -> dt.datetime:
    return created + (due - created) * (percent / 100)


def warn_percent(ticket: Ticket) -> int:
    return sla_for(ticket.category if ticket.category_id else None)["warn_percent"]


def alerts_due(ticket: Ticket, now: dt.datetime, sent: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Which alerts a ticket needs now: (stage, clock) pairs such as
    ('sla_breach', 'response'), given those already `sent`. A breach found
    before its warning went out (the box was off) skips the stale warning."""
    due_alerts = []
    clocks = []
    if ticket.first_response_at is None and ticket.response_due is not None:
        clocks.append(("response", ticket.response_due))
    if ticket.resolved_at is None and ticket.resolution_due is not None and ticket.status != "pending":
        clocks.append(("resolution", ticket.resolution_due))  # (paused while the ticket waits)
    percent = warn_percent(ticket)
    for clock, due in clocks:
        if ("sla_breach", clock) in sent:
            continue
        if now >= due:
            due_alerts.append(("sla_breach", clock))
        elif now >= warn_at(ticket.created_at, due, percent) and ("sla_warning", clock) not in sent:
            due_alerts.append(("sla_warning", clock))
    return due_alerts


def state(done_at: dt.datetime | None, due: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """'met', 'missed', 'open' (not done, not yet late) or 'late' (not done and past due)."""
    if due is None:
        return "open" if done_at is None else "met"
    if done_at is not None:
        return "met" if done_at <= due else "missed"
    return "late" if (now or utcnow()) > due else "open"


@dataclasses.dataclass(frozen=True)
class Clock:
    """One SLA clock as a page shows it."""
    name: str  # response, resolution
    state: str  # met, missed, open, late, paused
    due: dt.datetime | None
    done_at: dt.datetime | None

    @property
    def running(self) -> bool:
        return self.state in ("open", "late")

    @property
    def overdue(self) -> bool:
        return self.state in ("late", "missed")


def clocks(ticket: Ticket, now: dt.datetime | None = None) -> dict[str, Clock]:
    """Both clocks of a ticket: a pending ticket's resolution clock is paused."""
    now = now or utcnow()
    response = Clock("response", state(ticket.first_response_at, ticket.response_due, now), ticket.response_due,
                     ticket.first_response_at)
    resolution_state = state(ticket.resolved_at, ticket.resolution_due, now)
    if ticket.status == "pending" and ticket.resolved_at is None:
        resolution_state = "paused"
    resolution = Clock("resolution", resolution_state, ticket.resolution_due, ticket.resolved_at)
    return {"response": response, "resolution": resolution}
