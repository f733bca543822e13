"""Loyalty points: every change is a PointsEntry (the ledger); Customer.points
is their sum, kept in the same transaction. An award names its event
("booking:12"), so the same visit never earns twice. Prize draws among
customers with points are in draws.py; POIN by SMS in loyalty_sms.py.
"""

from __future__ import annotations

import datetime as dt

from .words import N_, say  # noqa: F401
from . import shopdata
from .audit import audit
from .clock import utcnow
from .models import Customer, PointsEntry, User



class LoyaltyError(ValueError):
    """A points or draw change that cannot be made; the message is for people."""


def rules() -> dict:
    """Points per visit and rupiah per point (settings points_per_visit, points_per_rupiah)."""
    return {"per_visit": shopdata.setting("points_per_visit"), "per_rupiah": shopdata.setting("points_per_rupiah")}


# -- points ----------------------------------------------------------------------------


def _change(customer: Customer, delta: int, *, reason: str, source: str, reference: str = "",
            by: User | None = None, now: dt.datetime | None = None) -> PointsEntry | None:
    now = now or utcnow()
    with Customer._meta.database.atomic():
        if reference and PointsEntry.select().where(
                (PointsEntry.customer == customer) & (PointsEntry.source == source)
                & (PointsEntry.reference == reference)).exists():
            return None  # this event has earned its points already
        fresh = Customer.get_by_id(customer.id)
        if fresh.points + delta < 0:
            raise LoyaltyError(say(N_("the balance is {points}; it cannot go below zero"), points=fresh.points))
        entry = PointsEntry.create(customer=customer, delta=delta, reason=reason[:200], source=source,
                                   reference=reference, by=by, at=now)
        Customer.update(points=Customer.points + delta).where(Customer.id == customer.id).execute()
    customer.points = fresh.points + delta
    audit("points", user=by, target=customer.phone, detail=f"{delta:+d} ({source}: {reason})", now=now)
    return entry


def award_visit(customer: Customer, reference: str, now: dt.datetime | None = None) -> PointsEntry | None:
    points = int(rules()["per_visit"])
    if points <= 0:
        return None
    return _change(customer, points, reason="visit", source="visit", reference=reference, now=now)


def award_purchase(customer: Customer, amount: int, reference: str,
                   now: dt.datetime | None = None) -> PointsEntry | None:
    per = int(rules()["per_rupiah"])
    points = amount // per if per > 0 else 0
    if points <= 0:
        return None
    return _change(customer, points, reason=f"purchase of {amount}", source="purchase", reference=reference,
                   now=now)


def adjust(customer: Customer, delta: int, *, reason: str, by: User, now: dt.datetime | None = None) -> PointsEntry:
    """A staff correction: always with a reason, always in the audit trail."""
    if not (reason or "").strip():
        raise LoyaltyError(N_("a points adjustment needs a reason"))
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0 or abs(delta) > 1_000_000:
        raise LoyaltyError(N_("an adjustment is a whole number of points, not zero, at most a million"))
    return _change(customer, delta, reason=reason.strip(), source="adjust", by=by, now=now)


def redeem(customer: Customer, points: int, *, reason: str, by: User, now: dt.datetime | None = None) -> PointsEntry:
    if not isinstance(points, int) or points <= 0:
        raise LoyaltyError(N_("redeem a positive number of points"))
    return _change(customer, -points, reason=reason or "redeemed", source="redeem", by=by, now=now)


def history(customer: Customer, limit: int = 100) -> list[PointsEntry]:
    return list(PointsEntry.select().where(PointsEntry.customer == customer)
                .order_by(PointsEntry.id.desc()).limit(limit))
