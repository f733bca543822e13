"""Reaching customers: campaigns (compose, preview, schedule, progress) and
prize draws (define, commit, run, notify, verify)."""

from __future__ import annotations

import datetime as dt
import json

import bottle

from appliance import campaigns, clock, loyalty
from appliance.models import Campaign, Draw, Service

from .web import ANY_ROLE, DESK, MANAGERS, PER_PAGE, Route, Web, by_id

CAMPAIGN_VIEWERS = ("owner", "admin", "frontdesk", "viewer")


def _segment_from_form(web: Web) -> dict:
    return {key: web.form(key, limit=500) for key in
            ("tags", "tags_mode", "visited_within_days", "not_visited_for_days", "min_points", "service", "language")
            if web.form(key, limit=500)}


def _local_moment(web: Web, date_text: str, time_text: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(date_text)
        at = dt.time.fromisoformat(time_text or "09:00")
    except ValueError:
        raise campaigns.CampaignError("choose a date and a time") from None
    return dt.datetime.combine(day, at, tzinfo=web.settings.tz).astimezone(dt.timezone.utc)


def campaign_list(web: Web):
    page = web.page_number()
    rows = list(Campaign.select().order_by(Campaign.id.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE))
    return web.render("campaigns", title="Campaigns", rows=rows[:PER_PAGE], page=page, more=len(rows) > PER_PAGE,
                      progress={c.id: campaigns.progress(c) for c in rows[:PER_PAGE]})


def campaign_new(web: Web, error: str = "", preview: dict | None = None):
    return web.render("campaign_new", title="New campaign", error=error, preview=preview,
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
        campaign = campaigns.create(web.form("name", limit=300), text, segment, kind=kind, by=web.user)
        if action == "schedule":
            campaigns.schedule(campaign, _local_moment(web, web.form("date", limit=20), web.form("time", limit=10)),
                               by=web.user)
        else:
            campaigns.start(campaign, by=web.user)
            web.tasks.kick_outbox()
    except campaigns.CampaignError as exc:
        bottle.response.status = 400
        return campaign_new(web, error=str(exc))
    web.redirect(f"/campaigns/{campaign.id}", "Campaign saved.")


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
    web.redirect(f"/campaigns/{campaign.id}", f"Cancelled: {stopped} messages not sent.")


# -- draws ------------------------------------------------------------------------------

def draw_list(web: Web):
    return web.render("draws", title="Draws", rows=list(Draw.select().order_by(Draw.id.desc()).limit(100)),
                      error="")


def draw_create(web: Web):
    try:
        start = _local_moment(web, web.form("start", limit=20), "00:00")
        end = _local_moment(web, web.form("end", limit=20), "00:00") + dt.timedelta(days=1)
        min_points = int(web.form("min_points", "0", limit=10) or 0)
        draw = loyalty.create_draw(web.form("name", limit=300), period_start=start, period_end=end,
                                   prizes=web.form("prizes", limit=3000).splitlines(), min_points=min_points,
                                   weighting=web.form("weighting", "one", limit=10), by=web.user)
    except (loyalty.LoyaltyError, campaigns.CampaignError) as exc:
        bottle.response.status = 400
        return web.render("draws", title="Draws", rows=list(Draw.select().order_by(Draw.id.desc()).limit(100)),
                          error=str(exc))
    except ValueError:
        bottle.response.status = 400
        return web.render("draws", title="Draws", rows=list(Draw.select().order_by(Draw.id.desc()).limit(100)),
                          error="The minimum points is a whole number.")
    web.redirect(f"/draws/{draw.id}", "Draw saved.")


def _draw(draw_id: str) -> Draw:
    return by_id(Draw, draw_id, "draw")


def draw_detail(web: Web, draw_id: str, error: str = ""):
    draw = _draw(draw_id)
    return web.render("draw", title=draw.name, d=draw, view=loyalty.public_view(draw), error=error,
                      eligible=len(loyalty.eligible(draw)) if draw.status != "drawn" else None)


def draw_step(web: Web, draw_id: str, step: str):
    draw = _draw(draw_id)
    try:
        if step == "commit":
            loyalty.commit(draw, by=web.user)
            done = "Commitment published."
        elif step == "run":
            winners = loyalty.run(draw, by=web.user)
            done = f"Drawn: {len(winners)} winners."
        elif step == "notify":
            sent = loyalty.notify_winners(draw, shop=web.settings.shop_name)
            web.tasks.kick_outbox()
            done = f"{sent} winners notified."
        else:
            web.refuse(404, "No such step.")
    except loyalty.LoyaltyError as exc:
        bottle.response.status = 409
        return draw_detail(web, draw_id, str(exc))
    web.redirect(f"/draws/{draw.id}", done)


def routes() -> list[Route]:
    return [
        Route("GET", "/campaigns", campaign_list, roles=CAMPAIGN_VIEWERS),
        Route("GET", "/campaigns/new", campaign_new, roles=DESK),
        Route("POST", "/campaigns", campaign_create, roles=DESK),
        Route("GET", "/campaigns/<campaign_id>", campaign_detail, roles=CAMPAIGN_VIEWERS),
        Route("GET", "/campaigns/<campaign_id>/progress", campaign_progress, roles=CAMPAIGN_VIEWERS),
        Route("POST", "/campaigns/<campaign_id>/cancel", campaign_cancel, roles=DESK),
        Route("GET", "/draws", draw_list, roles=CAMPAIGN_VIEWERS),
        Route("POST", "/draws", draw_create, roles=MANAGERS),
        Route("GET", "/draws/<draw_id>", draw_detail, roles=ANY_ROLE),
        Route("POST", "/draws/<draw_id>/<step>", draw_step, roles=MANAGERS),
    ]
