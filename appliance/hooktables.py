"""The webhooks' tables: the owner's registered receivers and the durable
queue of deliveries to them (appliance/events.py writes it, hookd.py sends).
Import them from models.py, which adds them to MODELS."""

from __future__ import annotations

import peewee as pw

from .clock import utcnow
from .modelbase import BaseModel, UTCDateTimeField

DELIVERY_STATES = ("pending", "sending", "delivered", "failed")


class Webhook(BaseModel):
    url = pw.CharField(max_length=2000)
    events = pw.TextField(default="")  # the chosen event names, space-separated
    # Kept as is, not hashed: every delivery is signed with it (HMAC needs the key).
    secret = pw.CharField(max_length=100)
    enabled = pw.BooleanField(default=True)
    note = pw.CharField(default="", max_length=200)
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)


class HookDelivery(BaseModel):
    """One event for one webhook: sent at least once, until a 2xx or the attempts run out."""

    hook = pw.ForeignKeyField(Webhook, on_delete="CASCADE", backref="deliveries")
    event_id = pw.CharField(max_length=40, index=True)  # the body's id: receivers dedupe by it
    event = pw.CharField(max_length=40)
    body = pw.TextField()  # the exact JSON sent, the same bytes on every attempt
    state = pw.CharField(default="pending", max_length=10)
    attempts = pw.IntegerField(default=0)
    next_at = UTCDateTimeField(default=utcnow)
    lease_owner = pw.CharField(default="", max_length=100)
    leased_until = UTCDateTimeField(null=True)
    last_status = pw.IntegerField(null=True)  # the receiver's HTTP status, None when it never answered
    last_error = pw.CharField(default="", max_length=500)
    created_at = UTCDateTimeField(default=utcnow)
    finished_at = UTCDateTimeField(null=True)

    class Meta:
        indexes = ((("state", "next_at"), False),)


HOOK_MODELS = (Webhook, HookDelivery)
