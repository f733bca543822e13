"""Prize draws: define, commit, run, notify the winners, and the public
view anyone can use to verify the draw."""

from __future__ import annotations

import datetime as dt

import bottle

from appliance import campaigns, draws, loyalty
from appliance.models import Draw

from . import formats
from .campaigns import local_moment
from .i18n import N_
from .web import Web, by_id


def _days(web: Web):
    """'Sel, 1 Des 2026 – Kam, 31 Des 2026' for a draw: its first and last day in the shop's zone."""
    return lambda draw: " – ".join(formats.day(day, web.language, year=True)
                                   for day in draws.period_days(draw, web.settings.tz))


def draw_list(web: Web):
    return web.render("draws", title="Draws", rows=list(Draw.select().order_by(Draw.id.desc()).limit(100)),
                      error="", days=_days(web))


def draw_create(web: Web):
    try:
        start = local_moment(web, web.form("start", limit=20), "00:00")
        end = local_moment(web, web.form("end", limit=20), "00:00") + dt.timedelta(days=1)
        min_points = int(web.form("min_points", "0", limit=10) or 0)
        draw = draws.create_draw(web.form("name", limit=300), period_start=start, period_end=end,
                                   prizes=web.form("prizes", limit=3000).splitlines(), min_points=min_points,
                                   weighting=web.form("weighting", "one", limit=10), by=web.user)
    except (loyalty.LoyaltyError, campaigns.CampaignError) as exc:
        bottle.response.status = 400
        return web.render("draws", title="Draws", rows=list(Draw.select().order_by(Draw.id.desc()).limit(100)),
                          error=web.problem(exc), days=_days(web))
    except ValueError:
        bottle.response.status = 400
        return web.render("draws", title="Draws", rows=list(Draw.select().order_by(Draw.id.desc()).limit(100)),
                          error=web.t("The minimum points is a whole number."), days=_days(web))
    web.redirect(f"/draws/{draw.id}", N_("Draw saved."))


def _draw(draw_id: str) -> Draw:
    return by_id(Draw, draw_id, "draw")


def draw_detail(web: Web, draw_id: str, error: str = ""):
    draw = _draw(draw_id)
    return web.render("draw", title=draw.name, d=draw, view=draws.public_view(draw), error=error, days=_days(web),
                      eligible=len(draws.eligible(draw)) if draw.status != "drawn" else None)


def draw_step(web: Web, draw_id: str, step: str):
    draw = _draw(draw_id)
    try:
        if step == "commit":
            draws.commit(draw, by=web.user)
            done = web.t("Commitment published.")
        elif step == "run":
            winners = draws.run(draw, by=web.user)
            done = web.t("Drawn: {n} winners.").format(n=len(winners))
        elif step == "notify":
            sent = draws.notify_winners(draw, shop=web.settings.shop_name)
            web.tasks.kick_outbox()
            done = web.t("{n} winners notified.").format(n=sent)
        else:
            web.refuse(404, "No such step.")
    except loyalty.LoyaltyError as exc:
        bottle.response.status = 409
        return draw_detail(web, draw_id, web.problem(exc))
    web.redirect(f"/draws/{draw.id}", done)

