"""Customers and their consent."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from .clock import utcnow
from .models import AuditEntry, Customer, User


def customer_for(phone: str, *, now: dt.datetime | None = None) -> Customer:
    """The customer with this E.164 number, created on first contact."""
    now = now or utcnow()
    customer = Customer.get_or_none(Customer.phone == phone)
    if customer is None:
        try:
            with Customer._meta.database.atomic():
                customer = Customer.create(phone=phone, created_at=now)
        except pw.IntegrityError:  # created by the other process meanwhile
            customer = Customer.get(Customer.phone == phone)
    return customer


def set_consent(customer: Customer, *, reminder: bool | None = None, marketing: bool | None = None,
                by: User | None = None, via: str = "sms", now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    changes = []
    if reminder is not None and customer.consent_reminder != reminder:
        customer.consent_reminder = reminder
        changes.append(f"reminder={'yes' if reminder else 'no'}")
    if marketing is not None and customer.consent_marketing != marketing:
        customer.consent_marketing = marketing
        changes.append(f"marketing={'yes' if marketing else 'no'}")
    customer.consent_changed_at = now
    customer.save()
    if changes:
        audit("consent", user=by, target=customer.phone, detail=f"{', '.join(changes)} via {via}", now=now)


def audit(action: str, *, user: User | None = None, target: str = "", detail: str = "",
          now: dt.datetime | None = None) -> None:
    AuditEntry.create(at=now or utcnow(), user=user, action=action, target=target, detail=detail)
