"""The reports' numbers per shop-local day, kept so a year's report reads
365 rows instead of grouping a million messages on every view.

A day is counted from the raw rows once it has settled (SETTLE_DAYS after
it: a text's delivery report, a booking's "done" come later than the day)
and kept in DailyCount; the days since are counted live on every view,
which is a few thousand rows on the index of `created_at`. A kept day is
counted again when a booking or an order of that day changed after it was
counted (staff marking a no-show late). A day nobody kept yet (a new box
version, a box that was off) is counted on the first view that needs it;
an upgraded box fills the past at once, in batches (`backfill`).

Counting reads outside any transaction; writing a batch's rows is one
short transaction, so the worker is never kept from the write lock.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import time
from collections import defaultdict

import peewee as pw

from .clock import utcnow
from .models import Booking, Customer, DailyCount, Message, Order, PaymentClaim

SETTLE_DAYS = 3
BATCH_DAYS = 31  # days counted and written per transaction by the backfill
# What the SMS went for, as the owner reads her spend: a campaign's texts,
# reminders, and the rest (replies to customers, order and booking notices).
SPEND_KINDS = ("reply", "reminder", "campaign")
FIELDS = ("received", "sent", "failed", "transactional", "reminder", "marketing", "new_customers", "booked", "done",
          "no_show", "cancelled", "orders", "paid_orders", "revenue",
          # the money: claims by the day they came and the day staff decided them; orders of the day still
          # unpaid or cancelled for not being paid in time; SMS parts sent and what they cost, per kind
          "claims", "claims_verified", "claims_rejected", "unpaid", "auto_cancelled",
          *(f"parts_{kind}" for kind in SPEND_KINDS), *(f"spend_{kind}" for kind in SPEND_KINDS))


def zone_key(tz: dt.tzinfo) -> str:
    return str(getattr(tz, "key", tz))


def local_day_sql(field, tz: dt.tzinfo, at: dt.datetime):
    """SQL for the shop-local date of a UTC timestamp column, so the database
    groups the rows instead of Python. Uses the zone's offset at `at`
    (Indonesia keeps no daylight saving time; elsewhere a count spanning a
    change is off by an hour at its edges)."""
    minutes = int(at.astimezone(tz).utcoffset().total_seconds() // 60)
    database = Message._meta.database
    database = getattr(database, "obj", database)  # the proxy's database
    # coerce(False): the result is a date string, not the column's datetime.
    if isinstance(database, pw.PostgresqlDatabase):
        return pw.fn.to_char(field + pw.SQL(f"interval '{minutes} minutes'"), "YYYY-MM-DD").coerce(False)
    return pw.fn.date(field, f"{minutes:+d} minutes").coerce(False)


def bounds(first: dt.date, last: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(first, dt.time(0), tzinfo=tz).astimezone(dt.timezone.utc)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=tz).astimezone(dt.timezone.utc)
    return start, end


def count(first: dt.date, last: dt.date, tz: dt.tzinfo) -> dict[dt.date, dict[str, int]]:
    """Every day in [first, last] counted from the raw rows: a few grouped queries."""
    since, until = bounds(first, last, tz)
    days: dict[dt.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))

    def grouped(model, field, *columns, where=None, also=()):
        day = local_day_sql(field, tz, until)
        condition = (field >= since) & (field < until)
        query = (model.select(day, *columns, pw.fn.COUNT(pw.SQL("*")), *also)
                 .where(condition if where is None else condition & where).group_by(day, *columns).tuples())
        for row in query:
            yield (dt.date.fromisoformat(str(row[0])[:10]), *row[1:])

    from_campaign = Message.campaign.is_null(False)
    for day, direction, state, category, campaign, n, parts, spend in grouped(
            Message, Message.created_at, Message.direction, Message.state, Message.category, from_campaign,
            also=(pw.fn.SUM(Message.parts), pw.fn.SUM(Message.parts * Message.part_price))):
        numbers = days[day]
        if direction == "in":
            numbers["received"] += n
            continue
        if category in ("transactional", "reminder", "marketing"):
            numbers[category] += n
        if state in ("sent", "delivered"):
            numbers["sent"] += n
            kind = "campaign" if campaign or category == "marketing" else (
                "reminder" if category == "reminder" else "reply")
            numbers[f"parts_{kind}"] += int(parts or 0)
            numbers[f"spend_{kind}"] += int(spend or 0)
        elif state == "failed":
            numbers["failed"] += n
    for day, n in grouped(Customer, Customer.created_at):
        days[day]["new_customers"] += n
    for day, status, n in grouped(Booking, Booking.starts_at, Booking.status):
        if status in ("done", "no_show", "cancelled"):
            days[day][status] += n
        if status != "cancelled":
            days[day]["booked"] += n
    for day, n in grouped(Order, Order.created_at):
        days[day]["orders"] += n
    for day, n, total in grouped(Order, Order.paid_at, where=Order.status != "cancelled",
                                 also=(pw.fn.SUM(Order.total),)):
        days[day]["paid_orders"] += n
        days[day]["revenue"] += int(total or 0)
    # Cancelled for not being paid in time: by the unpaid job, which cancels an
    # unpaid order once its payment time has passed (staff cancelling earlier
    # leave it before its time; a refund after paying has paid_at).
    by_the_job = (Order.status == "cancelled") & Order.paid_at.is_null() & (Order.updated_at >= Order.payment_due)
    for day, status, auto, n in grouped(Order, Order.created_at, Order.status, by_the_job,
                                        where=Order.status.in_(("new", "awaiting_payment", "cancelled"))):
        if status in ("new", "awaiting_payment"):
            days[day]["unpaid"] += n
        elif auto:
            days[day]["auto_cancelled"] += n
    for day, n in grouped(PaymentClaim, PaymentClaim.claimed_at):
        days[day]["claims"] += n
    for day, status, n in grouped(PaymentClaim, PaymentClaim.decided_at, PaymentClaim.status,
                                  where=PaymentClaim.status.in_(("verified", "rejected"))):
        days[day][f"claims_{status}"] += n
    out = {}
    day = first
    while day <= last:
        out[day] = dict(days[day]) if day in days else dict.fromkeys(FIELDS, 0)
        day += dt.timedelta(days=1)
    return out


def _keep(counted: dict[dt.date, dict[str, int]], tz: dt.tzinfo, now: dt.datetime) -> None:
    if not counted:
        return
    zone = zone_key(tz)
    rows = [{"zone": zone, "day": day, **numbers, "computed_at": now} for day, numbers in counted.items()]
    with DailyCount._meta.database.atomic():
        DailyCount.delete().where((DailyCount.zone == zone) & DailyCount.day.in_(list(counted))).execute()
        for chunk in range(0, len(rows), 100):
            DailyCount.insert_many(rows[chunk:chunk + 100]).execute()


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as runs of consecutive days, at most BATCH_DAYS long."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if runs and (day - runs[-1][1]).days == 1 and (day - runs[-1][0]).days < BATCH_DAYS:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _changed_since_counted(counted_at: dict[dt.date, dt.datetime], tz: dt.tzinfo) -> set[dt.date]:
    """Kept days with a booking or an order changed after the day was counted."""
    if not counted_at:
        return set()
    oldest = min(counted_at.values())
    since, until = bounds(min(counted_at), max(counted_at), tz)
    stale = set()
    for model, moments in ((Booking, (Booking.starts_at,)), (Order, (Order.created_at, Order.paid_at))):
        inside = functools.reduce(operator.or_, [(m >= since) & (m < until) for m in moments])
        for row in model.select(model.updated_at, *moments).where((model.updated_at > oldest) & inside).tuples():
            changed = row[0]
            for moment in row[1:]:
                if moment is None:
                    continue
                day = moment.astimezone(tz).date()
                if day in counted_at and counted_at[day] < changed:
                    stale.add(day)
    return stale


def settled_until(today: dt.date) -> dt.date:
    """The last day that is counted once and kept."""
    return today - dt.timedelta(days=SETTLE_DAYS + 1)


def per_day(first: dt.date, last: dt.date, tz: dt.tzinfo, *, now: dt.datetime | None = None) -> list[dict]:
    """Every day in [first, last] with its numbers: kept days read, missing
    settled days counted and kept, the recent days counted live."""
    now = now or utcnow()
    today = now.astimezone(tz).date()
    settled = min(last, settled_until(today))
    numbers: dict[dt.date, dict[str, int]] = {}
    if first <= settled:
        columns = [getattr(DailyCount, f) for f in FIELDS]
        kept = {row[0]: row for row in DailyCount.select(DailyCount.day, DailyCount.computed_at, *columns).where(
            (DailyCount.zone == zone_key(tz)) & (DailyCount.day >= first) & (DailyCount.day <= settled)).tuples()}
        for day in _changed_since_counted({day: row[1] for day, row in kept.items()}, tz):
            del kept[day]
        numbers = {day: dict(zip(FIELDS, row[2:])) for day, row in kept.items()}
        wanted = [first + dt.timedelta(days=n) for n in range((settled - first).days + 1)]
        for start, end in _runs([day for day in wanted if day not in numbers]):
            counted = count(start, end, tz)
            _keep(counted, tz, now)
            numbers.update(counted)
    if last > settled:
        numbers.update(count(max(first, settled + dt.timedelta(days=1)), last, tz))
    return [{"day": day, **numbers[day]} for day in sorted(numbers)]


def backfill(tz: dt.tzinfo, *, now: dt.datetime | None = None, pause: float = 0.05) -> int:
    """Count and keep every settled day since the first message, in batches of
    BATCH_DAYS (one short transaction each, a pause between): an upgraded big
    shop's past. Returns the days counted."""
    now = now or utcnow()
    today = now.astimezone(tz).date()
    oldest = [row.created_at for row in (Message.select(Message.created_at).order_by(Message.created_at).first(),
                                         Customer.select(Customer.created_at).order_by(Customer.created_at).first())
              if row is not None]
    if not oldest:
        return 0
    first = min(oldest)
    first_day, last_day = first.astimezone(tz).date(), settled_until(today)
    if first_day > last_day:
        return 0
    have = {row[0] for row in DailyCount.select(DailyCount.day).where(
        (DailyCount.zone == zone_key(tz)) & (DailyCount.day >= first_day) & (DailyCount.day <= last_day)).tuples()}
    missing = [first_day + dt.timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    missing = [day for day in missing if day not in have]
    for n, (start, end) in enumerate(_runs(missing)):
        if n and pause:
            time.sleep(pause)
        _keep(count(start, end, tz), tz, now)
    return len(missing)
