"""Campaigns to segments of customers, and announcements.

A campaign is composed, previewed (recipients, encoding, parts, cost),
started now or scheduled, and then it is simply rows in the outbox: the
pipeline sends them at the right priority, outside quiet hours, within the
daily cap, and checks consent again at send time. Promotions need marketing
consent; announcements (helpdesk news, an outage) are sent like reminders:
everyone who has not texted STOP.
"""

from __future__ import annotations

import datetime as dt
import json

import peewee as pw

from .words import N_, say  # noqa: F401
from . import replies, shopdata, simcredit, sms
from .audit import audit
from .clock import utcnow
from .jobs import periodic
from .models import Booking, Campaign, Customer, CustomerTag, Message, Tag, User
from .outbox import queue_many

KINDS = {"promotion": "marketing", "announcement": "reminder"}
MAX_TEXT = 1000
SEGMENT_KEYS = {"tags", "tags_mode", "visited_within_days", "not_visited_for_days", "min_points", "service",
                "language"}


class CampaignError(ValueError):
    """A campaign that cannot be made or sent; the message is for people."""


def clean_segment(segment: dict | None) -> dict:
    """Validate a segment as it comes from a form or JSON; unknown keys are refused."""
    segment = dict(segment or {})
    unknown = set(segment) - SEGMENT_KEYS
    if unknown:
        raise CampaignError(f"unknown segment rule {sorted(unknown)[0]}")
    clean: dict = {}
    tags = segment.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in tags.split(",")]
    tags = sorted({" ".join(str(t).lower().split()) for t in tags if str(t).strip()})
    if tags:
        clean["tags"] = tags
        clean["tags_mode"] = segment.get("tags_mode") or "any"
        if clean["tags_mode"] not in ("any", "all"):
            raise CampaignError(N_("tags match any or all"))
    for key in ("visited_within_days", "not_visited_for_days", "min_points", "service"):
        value = segment.get(key)
        if value in (None, ""):
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise CampaignError(say(N_("{what} must be a whole number"), what=key.replace("_", " "))) from None
        if number < 0 or number > 100_000_000:
            raise CampaignError(say(N_("{what} is out of range"), what=key.replace("_", " ")))
        clean[key] = number
    if segment.get("language"):
        if segment["language"] not in ("id", "en"):
            raise CampaignError(N_("language is id or en"))
        clean["language"] = segment["language"]
    return clean


def recipients(segment: dict, kind: str, now: dt.datetime) -> pw.ModelSelect:
    """The customers a campaign of this kind reaches: the segment, and consent."""
    query = Customer.select()
    query = query.where(Customer.consent_marketing == True if KINDS[kind] == "marketing"  # noqa: E712
                        else Customer.consent_reminder == True)  # noqa: E712
    if segment.get("tags"):
        tagged = (CustomerTag.select(CustomerTag.customer).join(Tag).where(Tag.name.in_(segment["tags"])))
        if segment.get("tags_mode") == "all":
            tagged = tagged.group_by(CustomerTag.customer).having(pw.fn.COUNT(Tag.id) == len(segment["tags"]))
        query = query.where(Customer.id.in_(tagged))
    if "visited_within_days" in segment:
        query = query.where(Customer.last_visit_at >= now - dt.timedelta(days=segment["visited_within_days"]))
    if "not_visited_for_days" in segment:
        query = query.where(Customer.last_visit_at < now - dt.timedelta(days=segment["not_visited_for_days"]))
    if "min_points" in segment:
        query = query.where(Customer.points >= segment["min_points"])
    if "service" in segment:
        used = Booking.select(Booking.customer).where(
            (Booking.service == segment["service"]) & (Booking.status == "done"))
        query = query.where(Customer.id.in_(used))
    if "language" in segment:
        query = query.where(Customer.language == segment["language"])
    return query


def personal(text: str, customer: Customer) -> str:
    return replies.render(text, name=customer.name or "Kak")


def preview(text: str, segment: dict, kind: str = "promotion", now: dt.datetime | None = None) -> dict:
    """Recipients, encoding, parts and cost before anything is sent."""
    now = now or utcnow()
    _check(text, kind)
    segment = clean_segment(segment)
    query = recipients(segment, kind, now)
    count = query.count()
    plan = sms.plan(personal(text, Customer(name="Wulandari")))  # a typical name
    price = simcredit.shop_part_price()
    return {
        "recipients": count,
        "sample": [c.name or c.phone for c in query.order_by(Customer.id).limit(5)],
        "encoding": plan.encoding,
        "offending": plan.offending,
        "parts_each": plan.parts,
        "parts_total": plan.parts * count,
        "cost": plan.parts * count * price,
        "price_per_part": price,
    }


def _check(text: str, kind: str) -> None:
    if kind not in KINDS:
        raise CampaignError(N_("a campaign is a promotion or an announcement"))
    if not (text or "").strip():
        raise CampaignError(N_("write the message first"))
    if len(text) > MAX_TEXT:
        raise CampaignError(say(N_("a campaign message has at most {n} characters"), n=MAX_TEXT))


def create(name: str, text: str, segment: dict, *, kind: str = "promotion", by: User | None = None,
           now: dt.datetime | None = None) -> Campaign:
    _check(text, kind)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise CampaignError(N_("a campaign needs a name (at most 200 characters)"))
    campaign = Campaign.create(name=name, kind=kind, text=text.strip(), segment=json.dumps(clean_segment(segment)),
                               created_by=by, created_at=now or utcnow())
    audit("campaign.create", user=by, target=f"campaign {campaign.id}", detail=name, now=now)
    return campaign


def schedule(campaign: Campaign, send_at: dt.datetime, *, by: User | None = None,
             now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    if campaign.status not in ("draft", "scheduled"):
        raise CampaignError(N_("only a draft can be scheduled"))
    if send_at <= now:
        raise CampaignError(N_("choose a time in the future, or send now"))
    campaign.status, campaign.send_at = "scheduled", send_at
    campaign.save()
    audit("campaign.schedule", user=by, target=f"campaign {campaign.id}", detail=send_at.isoformat(), now=now)


def start(campaign: Campaign, *, by: User | None = None, now: dt.datetime | None = None) -> int:
    """Commit one outbox row per recipient. Safe to run again after a crash:
    each row's key is the campaign and the phone."""
    now = now or utcnow()
    if campaign.status not in ("draft", "scheduled", "sending"):
        raise CampaignError(say(N_("this campaign is {status}"), status=campaign.status))
    segment = json.loads(campaign.segment)
    people = recipients(segment, campaign.kind, now).order_by(Customer.id)
    rows = ((c, c.phone, personal(campaign.text, c)) for c in people.iterator())
    added = queue_many(rows, category=KINDS[campaign.kind], key_prefix=f"campaign:{campaign.id}:", now=now,
                       campaign=campaign, template=f"campaign:{campaign.kind}")
    Campaign.update(status="sending", queued_at=now,
                    recipients=Message.select().where(Message.campaign == campaign).count()).where(
        Campaign.id == campaign.id).execute()
    campaign.status = "sending"
    audit("campaign.start", user=by, target=f"campaign {campaign.id}", detail=f"{added} messages queued", now=now)
    return added


def cancel(campaign: Campaign, *, by: User | None = None, now: dt.datetime | None = None) -> int:
    """Stop what has not gone yet; what went, went."""
    now = now or utcnow()
    stopped = Message.update(state="cancelled", error="the campaign was cancelled", updated_at=now).where(
        (Message.campaign == campaign) & (Message.state == "queued")).execute()
    Campaign.update(status="cancelled").where(Campaign.id == campaign.id).execute()
    campaign.status = "cancelled"
    audit("campaign.cancel", user=by, target=f"campaign {campaign.id}", detail=f"{stopped} not sent", now=now)
    return stopped


def progress(campaign: Campaign) -> dict:
    counts = dict(Message.select(Message.state, pw.fn.COUNT(Message.id)).where(Message.campaign == campaign)
                  .group_by(Message.state).tuples())
    total = sum(counts.values())
    finished = sum(counts.get(s, 0) for s in ("sent", "delivered", "failed", "cancelled", "unknown"))
    return {"total": total, "by_state": counts, "done_percent": round(100 * finished / total) if total else 0,
            "delivered": counts.get("delivered", 0), "sent": counts.get("sent", 0) + counts.get("delivered", 0),
            "failed": counts.get("failed", 0), "waiting": counts.get("queued", 0) + counts.get("sending", 0)}


@periodic("campaigns")
def run_campaigns(shop, now: dt.datetime) -> dict:
    """Start scheduled campaigns whose time has come; close finished ones."""
    started = 0
    for campaign in Campaign.select().where((Campaign.status == "scheduled") & (Campaign.send_at <= now)):
        start(campaign, now=now)
        started += 1
    finished = 0
    for campaign in Campaign.select().where(Campaign.status == "sending"):
        if not Message.select().where((Message.campaign == campaign)
                                      & Message.state.in_(["queued", "sending"])).exists():
            Campaign.update(status="done").where(Campaign.id == campaign.id).execute()
            finished += 1
    return {"started": started, "finished": finished}
