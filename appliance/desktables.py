"""The service desk's tables (seed 004): service points (branches with
their own engineers and SLA) and customers' projects (contracts whose dates
decide a ticket's SLA). Import them from models.py, which imports this module
before its own tables (Ticket points at these), adds them to MODELS, and
resolves their references to User and Customer once those are defined."""

from __future__ import annotations

import peewee as pw

from .clock import utcnow
from .modelbase import BaseModel, UTCDateTimeField


class ServicePoint(BaseModel):
    """A branch: where its engineers go out from, and whom customers call."""

    name = pw.CharField(unique=True, max_length=64)
    address = pw.TextField(default="")
    phone = pw.CharField(default="", max_length=32)  # E.164, or "" when the branch has none
    # Its own SLA, overriding the category's; None keeps the category's time.
    response_minutes = pw.IntegerField(null=True)
    resolution_minutes = pw.IntegerField(null=True)
    active = pw.BooleanField(default=True)
    created_at = UTCDateTimeField(default=utcnow)


class PointEngineer(BaseModel):
    """An engineer (a technician user) working from a service point."""

    point = pw.ForeignKeyField(ServicePoint, backref="engineer_links", on_delete="CASCADE")
    user = pw.DeferredForeignKey("User", backref="point_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("point", "user"), True),)


class Project(BaseModel):
    """A customer's contract: a ticket opened within its dates (the shop's
    days, both ends included) takes its SLA over the point's and the category's."""

    customer = pw.DeferredForeignKey("Customer", backref="projects", on_delete="CASCADE")
    name = pw.CharField(max_length=100)
    starts_on = pw.DateField()
    ends_on = pw.DateField()
    response_minutes = pw.IntegerField()
    resolution_minutes = pw.IntegerField()
    note = pw.TextField(default="")
    created_at = UTCDateTimeField(default=utcnow)


DESK_MODELS = (ServicePoint, PointEngineer, Project)
