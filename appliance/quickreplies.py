"""Quick replies: short texts staff save from a conversation and send again
with one tap. They are the shop's own words, kept as written (no second
language: the shop writes them in its own)."""

from __future__ import annotations

from .audit import audit
from .models import QuickReply, User
from .words import N_, say

MAX_CHARS = 320  # two SMS parts of plain text: a quick reply is short
MAX_COUNT = 40  # more than fit under a thumb are no longer quick


class QuickReplyError(ValueError):
    pass


def listing() -> list[QuickReply]:
    """Every saved reply, oldest first: the order staff learnt them in."""
    return list(QuickReply.select().order_by(QuickReply.id))


def find(reply_id: int) -> QuickReply | None:
    return QuickReply.get_or_none(QuickReply.id == reply_id)


def save(text: str, by: User | None) -> QuickReply:
    """Keep `text` as a quick reply; the same text saved twice is kept once."""
    text = (text or "").strip()
    if not text:
        raise QuickReplyError(N_("write the reply first, then save it"))
    if len(text) > MAX_CHARS:
        raise QuickReplyError(say(N_("a quick reply has at most {n} characters"), n=MAX_CHARS))
    same = QuickReply.get_or_none(QuickReply.text == text)
    if same is not None:
        return same
    if QuickReply.select().count() >= MAX_COUNT:
        raise QuickReplyError(say(N_("at most {n} quick replies; delete one first"), n=MAX_COUNT))
    reply = QuickReply.create(text=text, created_by=by)
    audit("quickreply.save", user=by, target=str(reply.id), detail=text[:80])
    return reply


def delete(reply: QuickReply, by: User | None) -> None:
    reply.delete_instance()
    audit("quickreply.delete", user=by, target=str(reply.id), detail=reply.text[:80])
