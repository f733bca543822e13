"""The staff news board (seed 004's helpdesk news): the owner or an admin
posts a short note, everyone logged in reads the recent ones on their
dashboard. Not an SMS: customers hear of things through campaigns.

A note is a title and a short text, kept as typed (the page escapes it).
It may be pinned (on top, and shown past NEWS_DAYS) and may end on a day
(the shop's day; shown through its end). Posting and removing are audited."""

from __future__ import annotations

import datetime as dt

from . import daily
from .audit import audit
from .clock import as_utc, utcnow
from .models import User
from .newstable import NewsItem
from .words import N_, say

TITLE_MAX = 100
TEXT_MAX = 1000
NEWS_DAYS = 30  # an unpinned note older than this has had its time on the board
SHOWN = 5  # notes on a dashboard: a phone's screen, not an archive
MAX_AHEAD = dt.timedelta(days=366)  # "until 2062": a typing mistake


class NewsError(ValueError):
    """A note that cannot be posted; the message is for people."""


def _clean(text: str) -> str:
    # Control characters (a pasted NUL, escape codes) are dropped; lines are kept.
    return "".join(c for c in (text or "") if c in "\n\t" or c.isprintable()).replace("\t", " ").strip()


def until_of(day_text: str, tz: dt.tzinfo, now: dt.datetime) -> dt.datetime | None:
    """The form's "show until" day (YYYY-MM-DD, the shop's): the moment after
    that day ends, in UTC; empty: None (until removed)."""
    day_text = (day_text or "").strip()
    if not day_text:
        return None
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        raise NewsError(N_("Give the last day as a date, for example 2026-12-31.")) from None
    _, end = daily.bounds(day, day, tz)
    if end <= as_utc(now):
        raise NewsError(N_("That day has passed: choose today or a later day."))
    if end > as_utc(now) + MAX_AHEAD:
        raise NewsError(N_("A note is shown at most a year ahead."))
    return end


def post(title: str, text: str, *, by: User, pinned: bool = False, until: dt.datetime | None = None,
         now: dt.datetime | None = None) -> NewsItem:
    title, text = _clean(title), _clean(text).replace("\r\n", "\n")
    if not title:
        raise NewsError(N_("Give the note a title."))
    if len(title) > TITLE_MAX:
        raise NewsError(say(N_("A title has at most {count} characters."), count=TITLE_MAX))
    if len(text) > TEXT_MAX:
        raise NewsError(say(N_("A note has at most {count} characters."), count=TEXT_MAX))
    item = NewsItem.create(title=title, text=text, pinned=pinned, until=until, author=by.id,
                           author_name=by.full_name or by.username, created_at=now or utcnow())
    audit("news.post", user=by, target=f"news {item.id}", detail=title, now=now)
    return item


def remove(item: NewsItem, *, by: User, now: dt.datetime | None = None) -> None:
    NewsItem.delete().where(NewsItem.id == item.id).execute()
    audit("news.remove", user=by, target=f"news {item.id}", detail=item.title, now=now)


def recent(now: dt.datetime | None = None, limit: int = SHOWN) -> list[NewsItem]:
    """The notes on the board now: not past their day, pinned or from the last
    NEWS_DAYS; pinned first, then the newest."""
    now = as_utc(now or utcnow())
    fresh = NewsItem.pinned | (NewsItem.created_at >= now - dt.timedelta(days=NEWS_DAYS))
    return list(NewsItem.select().where((NewsItem.until.is_null() | (NewsItem.until > now)) & fresh)
                .order_by(NewsItem.pinned.desc(), NewsItem.created_at.desc(), NewsItem.id.desc()).limit(limit))
