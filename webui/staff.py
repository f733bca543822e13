"""Staff who take bookings (a spa's therapists): for each user, how many
bookings at the same time and which services. The rules are staff.py's."""

from __future__ import annotations

import bottle

from appliance import clock, staff
from appliance.models import Service, User

from .i18n import N_
from .web import Web, by_id, int_or_zero


def staff_page(web: Web, error: str = ""):
    users = list(User.select().where(User.active == True).order_by(User.full_name, User.username))  # noqa: E712
    members = {m.user_id: m for m in staff.everyone()}
    return web.render("staff", title="Staff who take bookings", error=error, users=users, members=members,
                      services=list(Service.select().where(Service.active == True).order_by(Service.name)),  # noqa: E712
                      does={user_id: staff.services_of(m) for user_id, m in members.items()},
                      staff_name=staff.name, most=staff.MAX_CAPACITY)


def staff_save(web: Web, user_id: str):
    user = by_id(User, user_id, "user")
    raw = web.form("capacity", limit=10).strip() or "1"
    chosen = [int_or_zero(v) for v in bottle.request.forms.getall("service")[:200]]
    try:  # not a whole number: 0, which set_up refuses with the range
        staff.set_up(user, int(raw) if raw.isdigit() else 0, chosen, by=web.user, now=clock.utcnow())
    except staff.StaffError as exc:
        bottle.response.status = 400
        return staff_page(web, f"{staff.name(user)}: {web.problem(exc)}")
    web.redirect("/settings/staff", N_("Saved."))
