"""The tables of staff who take bookings (a spa's therapists): how many
bookings each takes at the same time, and which services each does.
Import them from models.py, which adds them to MODELS.

A user with no StaffMember row takes no bookings; a service nobody does
is booked as before, by its own capacity alone (see staff.py)."""

from __future__ import annotations

import peewee as pw

from .modelbase import BaseModel
from .models import Service, User


class StaffMember(BaseModel):
    user = pw.ForeignKeyField(User, unique=True, backref="staff_member", on_delete="CASCADE")
    capacity = pw.IntegerField(default=1)  # bookings this person takes at the same time


class StaffService(BaseModel):
    staff = pw.ForeignKeyField(StaffMember, backref="services", on_delete="CASCADE")
    service = pw.ForeignKeyField(Service, backref="staff", on_delete="CASCADE")

    class Meta:
        indexes = ((("staff", "service"), True),)


STAFF_MODELS = (StaffMember, StaffService)
