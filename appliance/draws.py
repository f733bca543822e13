"""Prize draws anyone can check.

Before the draw Loket publishes a commitment, the SHA-256 of a random seed.
The draw is a pure function of the seed and the frozen list of entries
(`pick_winners`), so after the seed is revealed anyone can recompute the
winners and check the seed against the commitment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import secrets

import peewee as pw

from .words import N_, say  # noqa: F401
from . import outbox, replies
from .audit import audit
from .clock import utcnow
from .conversation import templates
from .loyalty import LoyaltyError
from .models import Customer, Draw, DrawEntry, DrawWinner, PointsEntry, User

templates({
    "draw_winner": {
        "id": "{shop}: selamat Kak {name}! Anda memenangkan {prize} di undian {draw}. Cek di {shop}.",
        "en": "{shop}: congratulations {name}! You won {prize} in the {draw} draw.",
    },
}, purpose="points")


@dataclasses.dataclass(frozen=True)
class Entry:
    customer_id: int
    weight: int


def create_draw(name: str, *, period_start: dt.datetime, period_end: dt.datetime, prizes: list[str],
                min_points: int = 0, weighting: str = "one", by: User | None = None,
                now: dt.datetime | None = None) -> Draw:
    name = (name or "").strip()
    prizes = [p.strip() for p in prizes if (p or "").strip()]
    if not name or len(name) > 200:
        raise LoyaltyError(N_("a draw needs a name (at most 200 characters)"))
    if not prizes:
        raise LoyaltyError(N_("a draw needs at least one prize"))
    if period_end <= period_start:
        raise LoyaltyError(N_("the period must end after it starts"))
    if weighting not in ("one", "points"):
        raise LoyaltyError(N_("entries are one per customer, or weighted by points"))
    if min_points < 0:
        raise LoyaltyError(N_("the minimum points cannot be negative"))
    draw = Draw.create(name=name, period_start=period_start, period_end=period_end, prizes=json.dumps(prizes),
                       min_points=min_points, weighting=weighting, created_at=now or utcnow())
    audit("draw.create", user=by, target=f"draw {draw.id}", detail=name, now=now)
    return draw


def commit(draw: Draw, *, by: User | None = None, now: dt.datetime | None = None) -> str:
    """Choose the secret seed and publish its SHA-256. Nothing about the draw
    can change after this."""
    if draw.status != "draft":
        raise LoyaltyError(N_("this draw's commitment is published already"))
    seed = secrets.token_hex(32)
    draw.seed, draw.commitment = seed, hashlib.sha256(seed.encode()).hexdigest()
    draw.status, draw.committed_at = "committed", now or utcnow()
    draw.save()
    audit("draw.commit", user=by, target=f"draw {draw.id}", detail=f"sha256 {draw.commitment}", now=now)
    return draw.commitment


def eligible(draw: Draw) -> list[Entry]:
    """Customers who earned at least `min_points` in the period, in id order."""
    earned = (PointsEntry.select(PointsEntry.customer, pw.fn.SUM(PointsEntry.delta).alias("earned"))
              .where((PointsEntry.delta > 0) & (PointsEntry.at >= draw.period_start)
                     & (PointsEntry.at < draw.period_end))
              .group_by(PointsEntry.customer))
    entries = []
    for row in earned:
        total = int(row.earned or 0)
        if total >= max(draw.min_points, 1):
            entries.append(Entry(row.customer_id, total if draw.weighting == "points" else 1))
    return sorted(entries, key=lambda e: e.customer_id)


def pick_winners(seed: str, entries: list[Entry], prize_count: int) -> list[int]:
    """The draw itself: a pure function anyone can rerun.

    Round r draws the number HMAC-SHA256(seed, "round:r") modulo the total
    weight of the entries still in, and walks the entries (in customer-id
    order) to the one that number falls on; that entry leaves the draw.
    """
    remaining = sorted(entries, key=lambda e: e.customer_id)
    winners = []
    for round_ in range(min(prize_count, len(remaining))):
        total = sum(e.weight for e in remaining)
        digest = hmac.new(seed.encode(), f"round:{round_}".encode(), hashlib.sha256).digest()
        ticket = int.from_bytes(digest, "big") % total
        for index, entry in enumerate(remaining):
            if ticket < entry.weight:
                winners.append(entry.customer_id)
                del remaining[index]
                break
            ticket -= entry.weight
    return winners


def run(draw: Draw, *, by: User | None = None, now: dt.datetime | None = None) -> list[DrawWinner]:
    """Freeze the entries, draw, record the winners, reveal the seed."""
    now = now or utcnow()
    if draw.status != "committed":
        raise LoyaltyError(N_("publish the commitment first") if draw.status == "draft" else N_("this draw is done"))
    if now < draw.period_end:
        raise LoyaltyError(N_("the draw's period has not ended yet"))
    prizes = json.loads(draw.prizes)
    with Draw._meta.database.atomic():
        entries = eligible(draw)
        DrawEntry.insert_many([dict(draw=draw, customer=e.customer_id, weight=e.weight) for e in entries]).execute() \
            if entries else None
        winners = [DrawWinner.create(draw=draw, customer=customer_id, prize=prizes[rank], rank=rank + 1)
                   for rank, customer_id in enumerate(pick_winners(draw.seed, entries, len(prizes)))]
        draw.status, draw.drawn_at = "drawn", now
        draw.save()
    audit("draw.run", user=by, target=f"draw {draw.id}",
          detail=f"{len(entries)} entries, winners {[w.customer_id for w in winners]}, seed {draw.seed}", now=now)
    return winners


def notify_winners(draw: Draw, *, shop: str, now: dt.datetime | None = None) -> int:
    """One SMS per winner (safe to run again: idempotency keys)."""
    now = now or utcnow()
    if draw.status != "drawn":
        raise LoyaltyError(N_("run the draw first"))
    sent = 0
    for winner in DrawWinner.select().where(DrawWinner.draw == draw).order_by(DrawWinner.rank):
        customer = winner.customer
        text = replies.reply("draw_winner", customer.language, shop=shop,
                             name=customer.name or "", prize=winner.prize, draw=draw.name)
        _, created = outbox.queue_outbound(customer.phone, text, category="transactional", customer=customer,
                                           key=f"draw:{draw.id}:winner:{customer.id}", template="draw_winner",
                                           now=now)
        sent += created
    if sent:
        audit("draw.notify", target=f"draw {draw.id}", detail=f"{sent} winners notified", now=now)
    return sent


def period_days(draw: Draw, tz: dt.tzinfo) -> tuple[dt.date, dt.date]:
    """The first and the last day of the period as the shop writes them. The
    end is stored exclusive (the midnight after the last day, so points
    earned at 23:59 count): the last day is the one before that moment."""
    first = draw.period_start.astimezone(tz).date()
    last = (draw.period_end.astimezone(tz) - dt.timedelta(microseconds=1)).date()
    return first, max(first, last)


def public_view(draw: Draw) -> dict:
    """What the verify page shows: the commitment always; the seed, the
    entries and the winners once drawn. Names are shortened (privacy)."""
    view = {"name": draw.name, "status": draw.status, "commitment": draw.commitment,
            "period_start": draw.period_start, "period_end": draw.period_end,
            "weighting": draw.weighting, "min_points": draw.min_points, "prizes": json.loads(draw.prizes)}
    if draw.status == "drawn":
        entries = list(DrawEntry.select().where(DrawEntry.draw == draw).order_by(DrawEntry.customer))
        view["seed"] = draw.seed
        view["seed_matches"] = hashlib.sha256(draw.seed.encode()).hexdigest() == draw.commitment
        view["entries"] = [{"customer": e.customer_id, "who": _masked(e.customer), "weight": e.weight}
                           for e in entries]
        recomputed = pick_winners(draw.seed, [Entry(e.customer_id, e.weight) for e in entries],
                                  len(view["prizes"]))
        view["winners"] = [{"rank": w.rank, "prize": w.prize, "who": _masked(w.customer),
                            "customer": w.customer_id} for w in draw.winners.order_by(DrawWinner.rank)]
        view["winners_match"] = recomputed == [w["customer"] for w in view["winners"]]
    return view


def _masked(customer: Customer) -> str:
    """'Sari W. (…7890)': enough to recognise yourself, not to find someone."""
    parts = (customer.name or "").split()
    name = parts[0] + (f" {parts[1][0]}." if len(parts) > 1 else "") if parts else "Customer"
    return f"{name} (…{customer.phone[-4:]})"
