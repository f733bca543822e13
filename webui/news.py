"""The staff news board's two forms, on the dashboard: the owner or an admin
posts a note, and removes one (appliance/news.py keeps the rules)."""

from __future__ import annotations

import bottle

from appliance import clock, news
from appliance.newstable import NewsItem

from .dashboard import dashboard
from .i18n import N_
from .web import Web, by_id

# Read a little past the limits, so a note too long is refused with a reason, not cut short unseen.
_READ = news.TEXT_MAX + 1


def post(web: Web):
    typed = {"title": web.form("title", limit=_READ), "text": web.form("text", limit=_READ),
             "until": web.form("until", limit=20), "pinned": bool(web.form("pinned", limit=5))}
    now = clock.utcnow()
    try:
        until = news.until_of(typed["until"], web.settings.tz, now)
        news.post(typed["title"], typed["text"], by=web.user, pinned=typed["pinned"], until=until, now=now)
    except news.NewsError as exc:
        bottle.response.status = 400
        return dashboard(web, news_error=web.problem(exc), typed=typed)
    web.redirect("/dashboard", N_("The note is on everyone's dashboard."))


def remove(web: Web, news_id: str):
    news.remove(by_id(NewsItem, news_id, "note"), by=web.user)
    web.redirect("/dashboard", N_("The note is removed."))
