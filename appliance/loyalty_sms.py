"""POIN / POINTS by SMS: the customer's points balance."""

from __future__ import annotations

from .conversation import Conversation, on_keyword, templates

templates({
    "points_balance": {
        "id": "{shop}: poin Anda saat ini {points}. Terima kasih sudah setia berkunjung!",
        "en": "{shop}: you have {points} points. Thank you for coming back!",
    },
}, purpose="points")


@on_keyword("POINTS")
def points(c: Conversation):
    return [c.reply("points_balance", points=c.customer.points if c.customer else 0)]
