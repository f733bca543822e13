"""Webhooks (owner only): the addresses that hear of the shop's events, each
with its secret (shown once, when made or renewed), and the delivery log
with "send again"."""

from __future__ import annotations

import bottle

from appliance import events, webhooks
from appliance.models import HookDelivery, Webhook

from .i18n import N_
from .web import Web, by_id

# What each event means, for the page (the names themselves are the API's).
EVENT_LABELS = {
    "message.received": N_("a customer's text arrived"), "message.sent": N_("a text was sent"),
    "message.delivered": N_("a text was delivered"), "message.failed": N_("a text failed"),
    "booking.made": N_("a booking was made"), "booking.moved": N_("a booking was moved"),
    "booking.cancelled": N_("a booking was cancelled"), "ticket.opened": N_("a ticket was opened"),
    "ticket.changed": N_("a ticket changed"), "ticket.resolved": N_("a ticket was resolved"),
    "order.made": N_("an order was made"), "order.paid": N_("an order was paid"),
    "order.changed": N_("an order moved a step (in production, packed) or its goods changed"),
    "order.shipped": N_("an order was shipped"), "sim.credit_low": N_("the SIM's credit is low"),
}


def page(web: Web, error: str = "", secret: tuple[str, str] | None = None, form: dict | None = None):
    hooks = list(Webhook.select().order_by(Webhook.id))
    return web.render("webhooks", title="Webhooks", hooks=hooks, logs={h.id: webhooks.log_of(h, 20) for h in hooks},
                      events=events.EVENTS, labels=EVENT_LABELS, error=error, secret=secret,
                      form=form or {"url": "", "events": (), "note": ""}, describe=webhooks.describe)


def _chosen() -> list[str]:
    return [name[:40] for name in bottle.request.forms.getall("events")][:len(events.EVENTS)]


def create(web: Web):
    try:
        hook = webhooks.create(web.form("url", limit=2100), _chosen(), note=web.form("note", limit=200), by=web.user)
    except webhooks.HookError as exc:
        bottle.response.status = 400
        return page(web, web.problem(exc), form={"url": web.form("url", limit=2100), "events": _chosen(),
                                                  "note": web.form("note", limit=200)})
    return page(web, secret=(hook.url, hook.secret))


def act(web: Web, hook_id: str):
    hook = by_id(Webhook, hook_id, N_("No such webhook."))
    action = web.form("action", limit=20)
    if action == "remove":
        webhooks.remove(hook, by=web.user)
        web.redirect("/settings/webhooks", N_("Webhook removed."))
    if action == "secret":
        return page(web, secret=(hook.url, webhooks.new_secret_for(hook, by=web.user)))
    try:
        webhooks.update(hook, web.form("url", limit=2100), _chosen(), web.form("enabled") == "1",
                        note=web.form("note", limit=200), by=web.user)
    except webhooks.HookError as exc:
        bottle.response.status = 400
        return page(web, web.problem(exc))
    web.redirect("/settings/webhooks", N_("Webhook saved."))


def send_again(web: Web, delivery_id: str):
    delivery = by_id(HookDelivery, delivery_id, N_("No such delivery."))
    webhooks.send_again(delivery, by=web.user)
    web.redirect("/settings/webhooks", N_("Queued to be sent again."))
