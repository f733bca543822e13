"""Service points: the desk's branches with their address, phone, engineers
and own SLA; each point's page lists its open tickets. The owner and the
admins keep them; everyone may look (an engineer, his own tickets only)."""

from __future__ import annotations

import bottle

from appliance import clock, service_points, tickets
from appliance.models import ServicePoint

from .web import MANAGERS, Web, by_id, int_or_zero


def listing(web: Web, error: str = "", typed: dict | None = None):
    points = service_points.listing()
    return web.render("points", title="Service points", points=points, counts=service_points.open_counts(),
                      error=error,
                      typed=typed or {}, engineers={p.id: service_points.engineers(p) for p in points},
                      may_edit=web.user.role in MANAGERS)


def _fields(web: Web) -> dict:
    return dict(name=web.form("name", limit=200), address=web.form("address", limit=1000),
                phone=web.form("phone", limit=40), response_hours=web.form("response", limit=10),
                resolution_hours=web.form("resolution", limit=10))


def create(web: Web):
    fields = _fields(web)
    try:
        point = service_points.save(**fields, region=web.settings.default_region, by=web.user)
    except service_points.PointError as exc:
        bottle.response.status = 400
        return listing(web, web.problem(exc), fields)
    web.redirect(f"/points/{point.id}", web.t("{point} saved.").format(point=point.name))


def _point(point_id: str) -> ServicePoint:
    return by_id(ServicePoint, point_id, "service point")


def detail(web: Web, point_id: str, error: str = "", typed: dict | None = None):
    point = _point(point_id)
    return web.render("point", title=point.name, p=point, error=error, typed=typed or {},
                      engineers=service_points.engineers(point), technicians=tickets.assignable(),
                      rows=service_points.open_tickets(point, web.user), now=clock.utcnow(),
                      may_edit=web.user.role in MANAGERS)


def act(web: Web, point_id: str):
    point = _point(point_id)
    action = web.form("action", limit=20)
    typed = {}
    try:
        if action == "save":
            typed = _fields(web)
            service_points.save(**typed, active=web.form("active") == "on", region=web.settings.default_region,
                                point=point, by=web.user)
        elif action == "engineers":
            chosen = [int_or_zero(v) for v in bottle.request.forms.getall("engineer")]
            service_points.set_engineers(point, chosen, by=web.user)
        else:
            web.refuse(400, "Unknown action.")
    except service_points.PointError as exc:
        bottle.response.status = 400
        return detail(web, point_id, web.problem(exc), typed)
    web.redirect(f"/points/{point.id}", "Saved.")
