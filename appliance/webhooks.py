"""The owner's webhooks: registering them, signing a delivery, and the
durable delivery queue's states (pending -> sending -> delivered | failed).

Signature (docs/webhooks.md): headers `Loket-Timestamp` (Unix seconds) and
`Loket-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>" with the
hook's secret>`. Receivers refuse a timestamp older than REPLAY_WINDOW and
dedupe by the body's `id`: delivery is at least once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
import secrets
import time
import urllib.parse

from . import events
from .audit import audit
from .clock import utcnow
from .models import HookDelivery, Webhook
from .words import N_

REPLAY_WINDOW = 300  # seconds a receiver accepts a signature's timestamp
BACKOFF_CAP = 6 * 3600
LEASE_SECONDS_EXTRA = 30  # a delivery leased longer than its timeouts plus this was lost with its process


class HookError(ValueError):
    """A webhook the owner cannot save; the message says why."""


# -- signing --------------------------------------------------------------------

def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={mac}"


def headers(secret: str, body: bytes, event: str, event_id: str, now: float | None = None) -> dict:
    stamp = int(now if now is not None else time.time())
    return {"Content-Type": "application/json", "User-Agent": "Loket-Webhooks/1",
            "Loket-Event": event, "Loket-Delivery": event_id,
            "Loket-Timestamp": str(stamp), "Loket-Signature": sign(secret, stamp, body)}


def verify(secret: str, body: bytes, timestamp: str, signature: str, now: float | None = None,
           window: int = REPLAY_WINDOW) -> bool:
    """What a receiver does (docs/webhooks.md has a copy to paste): the
    signature matches and the timestamp is within the replay window."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - stamp) > window:
        return False
    return hmac.compare_digest(sign(secret, stamp, body), signature or "")


# -- registering ------------------------------------------------------------------

def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise HookError(N_("Only http:// and https:// addresses can receive webhooks."))
    if not parts.hostname:
        raise HookError(N_("The address needs a host name, like https://example.com/hook."))
    if len(url) > 2000:
        raise HookError(N_("The address is too long."))
    return url


def check_events(chosen) -> str:
    chosen = [e for e in events.EVENTS if e in set(chosen)]
    if not chosen:
        raise HookError(N_("Choose at least one event."))
    return " ".join(chosen)


def create(url: str, chosen, *, note: str = "", by=None) -> Webhook:
    hook = Webhook.create(url=check_url(url), events=check_events(chosen), secret=new_secret(),
                          note=(note or "").strip()[:200])
    audit("webhook.add", user=by, target=hook.url, detail=hook.events)
    events.changed()
    return hook


def update(hook: Webhook, url: str, chosen, enabled: bool, *, note: str = "", by=None) -> Webhook:
    hook.url, hook.events, hook.enabled = check_url(url), check_events(chosen), bool(enabled)
    hook.note, hook.updated_at = (note or "").strip()[:200], utcnow()
    hook.save()
    audit("webhook.edit", user=by, target=hook.url, detail=f"{'on' if enabled else 'off'}: {hook.events}")
    events.changed()
    return hook


def new_secret_for(hook: Webhook, by=None) -> str:
    hook.secret, hook.updated_at = new_secret(), utcnow()
    hook.save()
    audit("webhook.secret", user=by, target=hook.url)
    return hook.secret


def remove(hook: Webhook, by=None) -> None:
    hook.delete_instance()  # its deliveries go with it (ON DELETE CASCADE)
    audit("webhook.remove", user=by, target=hook.url)
    events.changed()


def send_again(delivery: HookDelivery, by=None, now: dt.datetime | None = None) -> None:
    """Queue a finished delivery once more (the same id: the receiver may dedupe it), attempts from zero."""
    HookDelivery.update(state="pending", attempts=0, next_at=now or utcnow(), lease_owner="", leased_until=None,
                        finished_at=None).where(
        (HookDelivery.id == delivery.id) & HookDelivery.state.in_(["delivered", "failed"])).execute()
    audit("webhook.send_again", user=by, target=delivery.event_id, detail=delivery.event)


def log_of(hook: Webhook, limit: int = 50) -> list[HookDelivery]:
    return list(HookDelivery.select().where(HookDelivery.hook == hook)
                .order_by(HookDelivery.id.desc()).limit(limit))


# -- the queue --------------------------------------------------------------------

def backoff(attempts: int, base: float, rng=random) -> float:
    """Seconds before attempt `attempts + 1`: base doubling, capped, with +-25% jitter."""
    return min(BACKOFF_CAP, base * 2 ** max(0, attempts - 1)) * rng.uniform(0.75, 1.25)


def _due(now: dt.datetime):
    # A row still "sending" past its lease was leased by a process that died (SIGKILL, power cut).
    return (((HookDelivery.state == "pending") & (HookDelivery.next_at <= now))
            | ((HookDelivery.state == "sending") & (HookDelivery.leased_until < now)))


def lease(owner: str, now: dt.datetime, timeout: float, limit: int) -> list[HookDelivery]:
    """Take up to `limit` due deliveries for this process. Each is taken by a
    conditional UPDATE, so two delivery processes never take the same row."""
    until = now + dt.timedelta(seconds=2 * timeout + LEASE_SECONDS_EXTRA)
    taken = []
    for row in list(HookDelivery.select(HookDelivery.id, HookDelivery.state, HookDelivery.attempts)
                    .where(_due(now)).order_by(HookDelivery.next_at, HookDelivery.id).limit(limit)):
        if HookDelivery.update(state="sending", lease_owner=owner, leased_until=until,
                               attempts=HookDelivery.attempts + 1).where(
                (HookDelivery.id == row.id) & (HookDelivery.state == row.state)
                & (HookDelivery.attempts == row.attempts)).execute():
            taken.append(row.id)
    if not taken:
        return []
    return list(HookDelivery.select(HookDelivery, Webhook).join(Webhook)
                .where(HookDelivery.id.in_(taken)).order_by(HookDelivery.id))


def recover(owner_prefix: str) -> int:
    """At start: this box's earlier delivery process died holding these; they are due now."""
    return HookDelivery.update(state="pending", lease_owner="", leased_until=None).where(
        (HookDelivery.state == "sending") & HookDelivery.lease_owner.startswith(owner_prefix)).execute()


def finish(delivery: HookDelivery, owner: str, now: dt.datetime, status: int | None, error: str,
           base: float, max_attempts: int, rng=random) -> str:
    """Record one attempt's outcome; returns the delivery's new state."""
    ok = status is not None and 200 <= status < 300
    if ok:
        state, next_at = "delivered", delivery.next_at
    elif delivery.attempts >= max_attempts:
        state, next_at = "failed", delivery.next_at
    else:
        state, next_at = "pending", now + dt.timedelta(seconds=backoff(delivery.attempts, base, rng))
    HookDelivery.update(state=state, next_at=next_at, last_status=status, last_error=(error or "")[:500],
                        lease_owner="", leased_until=None,
                        finished_at=now if state in ("delivered", "failed") else None).where(
        (HookDelivery.id == delivery.id) & (HookDelivery.state == "sending")
        & (HookDelivery.lease_owner == owner)).execute()
    return state


def waiting() -> int:
    """Deliveries not finished: what the delivery process still has to do."""
    return HookDelivery.select().where(HookDelivery.state.in_(["pending", "sending"])).count()


def describe(delivery: HookDelivery) -> str:
    if delivery.last_status is not None:
        return f"HTTP {delivery.last_status}" + (f": {delivery.last_error}" if delivery.last_error else "")
    return delivery.last_error or ""
