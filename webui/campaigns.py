"""Campaigns: compose with a live preview of who it reaches, send now or
schedule, follow the progress, cancel."""

from __future__ import annotations

import datetime as dt
import json

import bottle

from appliance import campaigns
from appliance.models import Campaign, Service

from .i18n import N_
from .web import PER_PAGE, Web, by_id


def _segment_from_form(web: Web) -> dict:
    return {key: web.form(key, limit=500) for key in
            ("tags", "tags_mode", "visited_within_days", "not_visited_for_days", "min_points", "service", "language")
            if web.form(key, limit=500)}


def local_moment(web: Web, date_text: str, time_text: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(date_text)
        at = dt.time.fromisoformat(time_text or "09:00")
    except ValueError:
        raise campaigns.CampaignError(N_("choose a date and a time")) from None
    return dt.datetime.combine(day, at, tzinfo=web.settings.tz).astimezone(dt.timezone.utc)


def campaign_list(web: Web):
    page = web.page_number()
    rows = list(Campaign.select().order_by(Campaign.id.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE))
    return web.render("campaigns", title="Campaigns", rows=rows[:PER_PAGE], page=page, more=len(rows) > PER_PAGE,
                      progress={c.id: campaigns.progress(c) for c in rows[:PER_PAGE]})


def campaign_new(web: Web, error: str = "", preview: dict | None = None, ask_send: bool = False):
    return web.render("campaign_new", title="New campaign", error=error, preview=preview, ask_send=ask_send,
                      services=list(Service.select().where(Service.active == True)),  # noqa: E712
                      values={k: web.form(k, limit=1000) for k in ("name", "kind", "text", "tags", "tags_mode",
                              "visited_within_days", "not_visited_for_days", "min_points", "service",
                              "language", "date", "time")})


def campaign_create(web: Web):
    """One form, three buttons: preview, send now, or schedule."""
    action = web.form("action", limit=20)
    kind = web.form("kind", "promotion", limit=20)
    text, segment = web.form("text", limit=5000), _segment_from_form(web)
    try:
        preview = campaigns.preview(text, segment, kind)
        if action == "preview":
            return campaign_new(web, preview=preview)
        if action == "send" and web.form("confirmed") != "yes":
            # Sending spends credit and cannot be undone: say to whom and what it costs, and ask.
            return campaign_new(web, preview=preview, ask_send=True)
        campaign = campaigns.create(web.form("name", limit=300), text, segment, kind=kind, by=web.user)
        if action == "schedule":
            campaigns.schedule(campaign, local_moment(web, web.form("date", limit=20), web.form("time", limit=10)),
                               by=web.user)
        else:
            campaigns.start(campaign, by=web.user)
            web.tasks.kick_outbox()
    except campaigns.CampaignError as exc:
        bottle.response.status = 400
        return campaign_new(web, error=web.problem(exc))
    web.redirect(f"/campaigns/{campaign.id}", N_("Campaign saved."))


def _campaign(campaign_id: str) -> Campaign:
    return by_id(Campaign, campaign_id, "campaign")


def campaign_detail(web: Web, campaign_id: str):
    campaign = _campaign(campaign_id)
    return web.render("campaign", title=campaign.name, c=campaign, progress=campaigns.progress(campaign),
                      segment=json.loads(campaign.segment))


def campaign_progress(web: Web, campaign_id: str):
    """For the progress bar (JSON)."""
    campaign = _campaign(campaign_id)
    return {"status": Campaign.get_by_id(campaign.id).status, **campaigns.progress(campaign)}


def campaign_cancel(web: Web, campaign_id: str):
    campaign = _campaign(campaign_id)
    if campaign.status in ("done", "cancelled"):
        web.refuse(409, "This campaign is finished.")
    stopped = campaigns.cancel(campaign, by=web.user)
    web.redirect(f"/campaigns/{campaign.id}", web.t("Cancelled: {n} messages not sent.").format(n=stopped))

