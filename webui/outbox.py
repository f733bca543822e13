"""The outbox's exceptions: messages that did not go out, or may not have,
for staff to send again or leave."""

from __future__ import annotations

import bottle

from appliance import clock, outbox
from appliance.audit import audit
from appliance.models import Message

from . import scope
from .web import PER_PAGE, Web, int_or_zero


def outbox_page(web: Web):
    """Messages that did not go out, or may not have: staff decide."""
    page = web.page_number()
    if scope.limited(web.user):  # a technician: the texts to the customers of his own tickets
        mine = scope.phones(web.user)
        rows = [m for m in outbox.needing_attention(limit=1000) if m.phone in mine]
        rows = rows[(page - 1) * PER_PAGE:page * PER_PAGE + 1]
    else:
        rows = outbox.needing_attention(limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    return web.render("outbox", title="Not sent", rows=rows[:PER_PAGE], page=page, more=len(rows) > PER_PAGE)


def resend(web: Web, message_id: str):
    original = Message.get_or_none((Message.id == int_or_zero(message_id)) & (Message.direction == "out"))
    if original is None:
        web.refuse(404, "No such message.")
    if not scope.may_see_phone(web.user, original.phone):
        web.refuse(403, "This conversation belongs to a ticket assigned to someone else.")
    if original.state not in ("failed", "unknown", "cancelled"):
        web.refuse(409, "This message is not waiting for a decision.")
    copy = outbox.resend(original, clock.utcnow(), by=web.user)
    audit("message.resend", user=web.user, target=original.phone,
          detail=f"message {original.id} sent again as {copy.id}")
    web.tasks.kick_outbox()
    bottle.redirect("/outbox")

