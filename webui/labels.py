"""Statuses and kinds as staff read them: one table, value -> English label
(marked for the catalogs), shown in the reader's language. A value the table
lacks is shown as it is stored (and the page-words test names it)."""

from __future__ import annotations

from .i18n import N_, translate

LABELS = {
    # bookings (booked, cancelled, done, no_show) and the queue (waiting, called, done, skipped, left)
    "booked": N_("booked"), "cancelled": N_("cancelled"), "done": N_("done"), "no_show": N_("no-show"), "no show": N_("no-show"),
    "waiting": N_("waiting"), "called": N_("called"), "skipped": N_("skipped"), "left": N_("left"),
    # orders and payment claims
    "new": N_("new"), "awaiting_payment": N_("awaiting payment"), "awaiting payment": N_("awaiting payment"), "paid": N_("paid"), "shipped": N_("shipped"),
    "in_production": N_("in production"), "packed": N_("packed"),
    "ordered": N_("ordered"), "claimed": N_("to check"), "verified": N_("paid, checked"), "rejected": N_("rejected"),
    # tickets and their history
    "assigned": N_("assigned"), "pending": N_("pending"), "resolved": N_("resolved"), "closed": N_("closed"),
    "opened": N_("opened"), "on_the_way": N_("on the way"), "note": N_("note"), "changed": N_("changed"), "accepted": N_("accepted"),
    "coming": N_("not started"), "running": N_("running"), "ended": N_("ended"),
    "reopened": N_("reopened"), "sla_warning": N_("time nearly up"), "sla_breach": N_("time is up"),
    "all": N_("all"), "open": N_("open"),
    # campaigns and draws
    "draft": N_("draft"), "scheduled": N_("scheduled"), "sending": N_("sending"), "committed": N_("published"),
    "drawn": N_("drawn"), "promotion": N_("promotion"), "announcement": N_("announcement"),
    # messages: categories and states
    "transactional": N_("service message"), "reminder": N_("reminder"), "marketing": N_("promotion"),
    "queued": N_("queued"), "sent": N_("sent"), "delivered": N_("delivered"), "failed": N_("failed"),
    "unknown": N_("not known"), "received": N_("received"), "handled": N_("handled"),
    # a customer's timeline
    "in": N_("received"), "out": N_("sent"), "booking": N_("booking"), "visit": N_("visit"),
    "points": N_("points"), "order": N_("order"), "ticket": N_("ticket"), "queue": N_("queue"),
    # the modem's network registration (modem/atparse.py)
    "not registered": N_("not on the network"), "registered, home network": N_("on the network"),
    "searching": N_("looking for the network"), "registration denied": N_("refused by the network"),
    "registered, roaming": N_("on the network, roaming"),
    "registered for SMS only, home network": N_("on the network, SMS only"),
    "registered for SMS only, roaming": N_("on the network, SMS only, roaming"),
    "emergency services only": N_("emergency calls only"),
    "registered, home network, CSFB not preferred": N_("on the network"),
    "registered, roaming, CSFB not preferred": N_("on the network, roaming"),
    # roles
    "owner": N_("owner"), "admin": N_("admin"), "frontdesk": N_("front desk"), "technician": N_("technician"),
    "viewer": N_("viewer"),
}


def label(value, language: str | None) -> str:
    if value is None or value == "":
        return ""
    text = LABELS.get(value)
    return translate(text, language) if text else str(value)


# The audit log's actions (appliance/audit.py callers) as the owner reads them.
ACTIONS = {
    "login": N_("logged in"), "login.locked": N_("login locked after wrong passwords"),
    "user.create": N_("user added"), "user.role": N_("role changed"), "user.reset_password": N_("password reset"),
    "user.password_changed": N_("own password changed"), "user.password_locked": N_("password change locked"),
    "user.phone": N_("phone changed"),
    "api.call": N_("API call"), "api.token_made": N_("API token made"), "api.token_revoked": N_("API token revoked"),
    "user.activate": N_("user switched on"), "user.deactivate": N_("user switched off"),
    "customer.add": N_("customer added"), "customer.update": N_("customer changed"),
    "customer.tags": N_("tags changed"), "customer.import": N_("customers imported"),
    "customer.flagged": N_("customer flagged"), "consent": N_("consent changed"), "points": N_("points changed"),
    "visit": N_("visit"), "booking.add": N_("booking made"), "booking.done": N_("booking done"),
    "booking.no_show": N_("booking: no-show"), "booking.cancel": N_("booking cancelled"),
    "queue.join": N_("joined the queue"), "queue.call": N_("number called"), "queue.done": N_("queue: done"),
    "queue.skipped": N_("queue: skipped"), "queue.left": N_("queue: left"),
    "order.create": N_("order made"), "order.status": N_("order status changed"), "order.edit": N_("order changed"),
    "order.due_extended": N_("time to pay extended"), "order.claim": N_("payment claimed"),
    "order.claim_verified": N_("payment checked: paid"), "order.claim_rejected": N_("payment rejected"),
    "ticket.opened": N_("ticket opened"), "ticket.assigned": N_("ticket assigned"),
    "ticket.accepted": N_("ticket accepted"), "ticket.on_the_way": N_("technician on the way"),
    "ticket.pending": N_("ticket pending"), "ticket.resolved": N_("ticket resolved"),
    "ticket.closed": N_("ticket closed"), "ticket.reopened": N_("ticket reopened"), "ticket.note": N_("ticket note"),
    "ticket.changed": N_("ticket changed"), "ticket.visit": N_("ticket visit planned"),
    "ticket.customer_sms": N_("SMS to the customer about a ticket"),
    "customer.contact": N_("contact person or salesperson changed"),
    "point.add": N_("service point added"), "point.update": N_("service point changed"),
    "point.engineers": N_("service point's engineers changed"),
    "project.add": N_("project added"), "project.update": N_("project changed"),
    "campaign.create": N_("campaign made"), "campaign.start": N_("campaign started"),
    "campaign.schedule": N_("campaign scheduled"), "campaign.cancel": N_("campaign cancelled"),
    "draw.create": N_("draw made"), "draw.commit": N_("draw commitment published"), "draw.run": N_("draw run"),
    "draw.notify": N_("winners told"), "message.resend": N_("message sent again"),
    "service.add": N_("service added"), "service.update": N_("service changed"),
    "product.add": N_("product added"), "product.update": N_("product changed"), "product.stock": N_("stock changed"),
    "product.photo": N_("product photo changed"), "product.photo_removed": N_("product photo removed"),
    "settings.shop": N_("shop settings changed"), "settings.keyword": N_("keyword changed"),
    "settings.template": N_("reply changed"), "settings.answer": N_("answer changed"),
    "inbox.teach": N_("taught a new word"), "quickreply.save": N_("quick reply saved"),
    "quickreply.delete": N_("quick reply deleted"), "modem.test": N_("test SMS"), "modem.pin": N_("SIM PIN changed"),
    "backup": N_("backup made"), "backup.download": N_("backup downloaded"),
    "backup.restore_staged": N_("restore staged"), "update.staged": N_("update staged"),
    "setup.done": N_("shop set up"), "demo.seed": N_("demo data made"),
    "webhook.add": N_("webhook added"), "webhook.edit": N_("webhook changed"),
    "webhook.secret": N_("webhook secret renewed"), "webhook.remove": N_("webhook removed"),
    "webhook.send_again": N_("webhook sent again"),
    "supplier.add": N_("supplier added"), "supplier.update": N_("supplier changed"),
    "restock.create": N_("restock order made"), "restock.lines": N_("restock order changed"),
    "restock.order": N_("restock order ordered"), "restock.sms": N_("restock order sent by SMS"),
    "restock.receive": N_("restock goods received"), "restock.close": N_("restock order closed"),
    "restock.cancel": N_("restock order cancelled"),
}


def action_label(action: str, language: str | None) -> str:
    text = ACTIONS.get(action) or ACTIONS.get(action.rsplit(".", 1)[0] if action.startswith("settings.answer.") else "")
    return translate(text, language) if text else action
