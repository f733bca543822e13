"""The waiting queue: the board staff work from, and the public
waiting-room display (no login, nothing personal)."""

from __future__ import annotations

import bottle

from appliance import clock, waiting
from appliance.customers import customer_for
from appliance.models import QueueTicket, Service
from appliance.phone import PhoneError, normalise

from .i18n import N_
from .web import Web, done_for, int_or_zero, prefilled_phone, shop_of


def queue_board(web: Web, error: str = ""):
    day = clock.utcnow().astimezone(web.settings.tz).date()
    now = clock.utcnow()
    rows = waiting.tickets(day)
    return web.render("queue", title="Queue",
                      prefill=prefilled_phone(web), rows=rows, board=waiting.board(day), error=error,
                      eta={t.id: waiting.eta_minutes(t, now) for t in rows if t.status == "waiting"},
                      services=list(Service.select().where(Service.active == True)))  # noqa: E712


def queue_act(web: Web):
    action, now, shop = web.form("action", limit=20), clock.utcnow(), shop_of(web)
    joined = None  # the phone of a customer given a number
    try:
        if action == "next":
            ticket = waiting.call_next(web.user, now, shop=shop)
            done = web.t("Number {n} called.").format(n=ticket.number) if ticket else web.t("Nobody is waiting.")
        elif action == "join":
            raw = web.form("phone", limit=40).strip()
            customer = customer_for(normalise(raw, web.settings.default_region)) if raw else None
            service = Service.get_or_none(Service.id == int_or_zero(web.form("service")))
            ticket = waiting.join(customer, service=service, now=now, by=web.user, source="staff", shop=shop)
            joined = customer.phone if customer else None
            done = web.t("Number {n}.").format(n=ticket.number)
        else:
            ticket = QueueTicket.get_or_none(QueueTicket.id == int_or_zero(web.form("ticket")))
            if ticket is None:
                web.refuse(404, "No such number.")
            {"skip": waiting.skip, "done": waiting.done}.get(action, _unknown)(ticket, web.user, now, shop=shop)
            done = web.t("Saved.")
    except (PhoneError, waiting.QueueError) as exc:
        bottle.response.status = 400
        return queue_board(web, web.problem(exc))
    web.tasks.kick_outbox()
    done_for(web, joined, "/queue", done)


def _unknown(*args, **kwargs):
    raise bottle.HTTPError(400, N_("Unknown action."))


def display(web: Web):
    """The waiting-room screen: no login, large numbers, nothing personal."""
    day = clock.utcnow().astimezone(web.settings.tz).date()
    return web.render("display", title="Queue", board=waiting.board(day))


def display_board(web: Web):
    day = clock.utcnow().astimezone(web.settings.tz).date()
    board = waiting.board(day)
    return {"now_serving": board["serving"], "waiting": board["waiting"]}

