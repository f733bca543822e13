"""The staff news board's table (seed 004's helpdesk news): short notes the
owner or an admin posts for everyone who logs in. Import it from models.py,
which adds it to MODELS; the rules are in news.py."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from .clock import utcnow
from .modelbase import BaseModel, UTCDateTimeField


class NewsItem(BaseModel):
    title = pw.CharField(max_length=100)
    text = pw.TextField(default="")
    pinned = pw.BooleanField(default=False)  # stays on top, and past NEWS_DAYS, until it expires or is removed
    until = UTCDateTimeField(null=True, index=True)  # shown before this moment; None: until removed
    # The writer's login id, no foreign key: a removed login leaves its news (and the name on it) alone.
    author = pw.IntegerField(null=True)
    author_name = pw.CharField(default="", max_length=200)
    created_at = UTCDateTimeField(default=utcnow, index=True)

    def last_day(self) -> dt.datetime | None:
        """A moment in the last day it is shown (`until` is the moment after that day)."""
        return None if self.until is None else self.until - dt.timedelta(seconds=1)


NEWS_MODELS = (NewsItem,)
