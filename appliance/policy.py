"""When a message may go: quiet hours, daily caps, rates, stale schedules.

Pure functions of the time and the shop's rules, so tests can drive them
with any clock. Replies and alerts (transactional) are never held by quiet
hours or caps: the customer just asked, or needs to know now. Reminders and
promotions wait for the next window, and are never dropped for it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time as _time

from .clock import UTC, as_utc

HELD_CATEGORIES = ("reminder", "marketing")


@dataclasses.dataclass(frozen=True)
class Rules:
    tz: dt.tzinfo
    quiet: tuple[dt.time, dt.time] | None = None  # local start, local end; may wrap midnight
    daily_cap: int = 0  # parts per SIM per local day; 0 = no cap
    stale_grace: dt.timedelta = dt.timedelta(hours=6)
    rate_per_minute: int | None = None  # parts per modem per minute; None: as the worker started

    @classmethod
    def from_settings(cls, settings) -> "Rules":
        return cls(tz=settings.tz, quiet=parse_window(settings.quiet_hours), daily_cap=settings.daily_cap,
                   stale_grace=dt.timedelta(hours=settings.stale_grace_hours),
                   rate_per_minute=settings.rate_per_minute)


def parse_window(spec: str) -> tuple[dt.time, dt.time] | None:
    """'21:00-08:00' -> (21:00, 08:00); '' -> None. Validated by settings."""
    if not spec:
        return None
    start, end = spec.split("-")
    h1, m1 = (int(x) for x in start.split(":"))
    h2, m2 = (int(x) for x in end.split(":"))
    if (h1, m1) == (h2, m2):
        return None  # an empty window
    return dt.time(h1, m1), dt.time(h2, m2)


def is_quiet(now: dt.datetime, rules: Rules) -> bool:
    if rules.quiet is None:
        return False
    start, end = rules.quiet
    local = as_utc(now).astimezone(rules.tz).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the window wraps midnight


def quiet_ends(now: dt.datetime, rules: Rules) -> dt.datetime | None:
    """The UTC moment the current quiet window ends; None when not quiet."""
    if not is_quiet(now, rules):
        return None
    start, end = rules.quiet
    local = as_utc(now).astimezone(rules.tz)
    end_today = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    ends = end_today if local.time() < end else end_today + dt.timedelta(days=1)
    # Rebuild through the zone so a DST change in between is honoured.
    ends = dt.datetime.combine(ends.date(), end, tzinfo=rules.tz)
    return ends.astimezone(UTC)


def day_start(now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """Local midnight of `now`'s day, in UTC: where daily caps reset."""
    local = as_utc(now).astimezone(tz)
    return dt.datetime.combine(local.date(), dt.time(0), tzinfo=tz).astimezone(UTC)


def may_send(category: str, *, quiet: bool, capped: bool, clock_trusted: bool,
             credit_short: bool = False) -> bool:
    """`credit_short`: the SIMs' known credit cannot pay for the promotions
    waiting (simcredit.marketing_short); they wait for a top-up. Reminders
    and replies are never held for it."""
    if category not in HELD_CATEGORIES:
        return True
    if credit_short and category == "marketing":
        return False
    return clock_trusted and not quiet and not capped


class RateLimiter:
    """At most `per_minute` sends, spread evenly (a token bucket of one).

    Operators flag SIMs that fire messages in bursts; an even pace also
    keeps a cheap modem from overheating. 0 means no limit.
    """

    def __init__(self, per_minute: int, clock=_time.monotonic, sleep=_time.sleep):
        self.per_minute = per_minute
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.clock = clock
        self.sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def set_rate(self, per_minute: int) -> None:
        """The owner changed the rate: the next send keeps the new pace."""
        if per_minute == self.per_minute:
            return
        with self._lock:
            self.per_minute = per_minute
            self.interval = 60.0 / per_minute if per_minute else 0.0

    def wait(self) -> float:
        """Block until the next send may go; returns how long it waited."""
        if not self.interval:
            return 0.0
        with self._lock:
            now = self.clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        delay = slot - now
        if delay > 0:
            self.sleep(delay)
        return max(0.0, delay)
