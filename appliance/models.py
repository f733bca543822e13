"""The CRM's tables. Times are stored as UTC; see clock.py.

A fresh database is created straight from these models and stamped with the
newest schema version; an older database is brought forward by the steps in
migrations.py, which must end in the same schema.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from .clock import UTC, as_utc, utcnow
from .db import proxy

ROLES = ("owner", "admin", "frontdesk", "technician", "viewer")
CATEGORIES = ("transactional", "reminder", "marketing")
# Lower sends first: replies and alerts, then reminders, then promotions.
PRIORITY = {"transactional": 0, "reminder": 1, "marketing": 2}

OUT_STATES = ("queued", "sending", "sent", "delivered", "failed", "unknown", "cancelled")
IN_STATES = ("received", "handled")


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


class SchemaVersion(BaseModel):
    version = pw.IntegerField()
    applied_at = UTCDateTimeField(default=utcnow)
    note = pw.TextField(default="")


class Customer(BaseModel):
    phone = pw.CharField(unique=True, max_length=32)  # E.164
    name = pw.CharField(default="", max_length=200)
    language = pw.CharField(null=True, max_length=2)  # 'id' / 'en'; None until known
    # Transactional messages (replies, confirmations, alerts) need no consent:
    # the customer asked for them. Reminders and promotions do.
    consent_reminder = pw.BooleanField(default=True)
    consent_marketing = pw.BooleanField(default=False)
    consent_changed_at = UTCDateTimeField(null=True)
    notes = pw.TextField(default="")
    # Why staff should look at this customer (an auto-responder loop, ...); "" when fine.
    flag = pw.CharField(default="", max_length=200)
    created_at = UTCDateTimeField(default=utcnow)
    last_contact_at = UTCDateTimeField(null=True, index=True)

    def allows(self, category: str) -> bool:
        if category == "reminder":
            return self.consent_reminder
        if category == "marketing":
            return self.consent_marketing
        return True

    @property
    def display_name(self) -> str:
        return self.name or self.phone


class User(BaseModel):
    username = pw.CharField(unique=True, max_length=64)
    password_hash = pw.CharField(max_length=255)
    role = pw.CharField(max_length=16)
    language = pw.CharField(default="id", max_length=2)
    active = pw.BooleanField(default=True)
    failed_logins = pw.IntegerField(default=0)
    locked_until = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=utcnow)


class Session(BaseModel):
    token_hash = pw.CharField(primary_key=True, max_length=64)
    user = pw.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    csrf_token = pw.CharField(max_length=64)
    created_at = UTCDateTimeField(default=utcnow)
    expires_at = UTCDateTimeField(index=True)


class Message(BaseModel):
    """One logical SMS, in or out. Outbound rows are the send queue."""

    direction = pw.CharField(max_length=3)  # 'in' / 'out'
    customer = pw.ForeignKeyField(Customer, null=True, backref="messages", on_delete="SET NULL")
    phone = pw.CharField(max_length=32, index=True)
    text = pw.TextField()
    category = pw.CharField(default="transactional", max_length=16)
    state = pw.CharField(max_length=12)
    priority = pw.IntegerField(default=0)
    # A retried form post or a re-run job reuses its key and finds the row.
    idempotency_key = pw.CharField(null=True, unique=True, max_length=128)
    reply_to = pw.ForeignKeyField("self", null=True, backref="replies", on_delete="SET NULL")
    author = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")  # staff who wrote it
    needs_staff = pw.BooleanField(default=False, index=True)
    template = pw.CharField(default="", max_length=32)  # the reply template that wrote it
    incomplete = pw.BooleanField(default=False)  # inbound with a part missing
    parts = pw.IntegerField(default=1)
    encoding = pw.CharField(default="gsm7", max_length=8)
    modem = pw.CharField(default="", max_length=64)
    # The send lease: which worker holds it, and how many times it was tried.
    lease_owner = pw.CharField(default="", max_length=64)
    attempts = pw.IntegerField(default=0)
    # Set when a crash left the row `unknown` and policy sent it again: the
    # customer may have it twice, and staff can see why.
    resent_after_crash = pw.BooleanField(default=False)
    send_at = UTCDateTimeField(null=True)
    next_attempt_at = UTCDateTimeField(null=True)
    error = pw.TextField(default="")
    created_at = UTCDateTimeField(default=utcnow, index=True)
    sent_at = UTCDateTimeField(null=True)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("direction", "state", "priority", "id"), False),)


class OutboundPart(BaseModel):
    """The network's reference for each sent part, matched by status reports."""

    message = pw.ForeignKeyField(Message, backref="sent_parts", on_delete="CASCADE")
    part_no = pw.IntegerField()
    reference = pw.IntegerField()
    modem = pw.CharField(default="", max_length=64)
    status = pw.CharField(default="sent", max_length=12)
    sent_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("modem", "reference"), False), (("modem", "sent_at"), False))


class InboundPart(BaseModel):
    """A raw part as read from the modem, committed before the modem forgets it.

    The unique key makes re-reading the same part after a crash harmless.
    Single-part messages use concat_ref -1 and part 1 of 1 (not NULL: SQLite
    treats NULLs as distinct in unique indexes).
    """

    modem = pw.CharField(default="", max_length=64)
    sender = pw.CharField(max_length=32)
    smsc_time = UTCDateTimeField()
    concat_ref = pw.IntegerField(default=-1)
    part_no = pw.IntegerField(default=1)
    part_count = pw.IntegerField(default=1)
    text = pw.TextField(default="")
    coding = pw.CharField(default="gsm7", max_length=8)
    raw = pw.TextField(default="")
    received_at = UTCDateTimeField(default=utcnow)
    message = pw.ForeignKeyField(Message, null=True, backref="raw_parts", on_delete="SET NULL")

    class Meta:
        indexes = ((("sender", "smsc_time", "concat_ref", "part_no"), True),)


class AuditEntry(BaseModel):
    at = UTCDateTimeField(default=utcnow, index=True)
    user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    action = pw.CharField(max_length=64)
    target = pw.CharField(default="", max_length=128)
    detail = pw.TextField(default="")


MODELS = (SchemaVersion, Customer, User, Session, Message, OutboundPart, InboundPart, AuditEntry)
