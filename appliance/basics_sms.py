"""The keywords every shop answers: HELP (what one can text), STOP and START
(consent to reminders and promotions)."""

from __future__ import annotations

from .conversation import KEYWORD_HANDLERS, Conversation, Reply, on_keyword
from .customers import set_consent


@on_keyword("HELP")
def _help(c: Conversation) -> list[Reply]:
    # STOP has its own sentence in the template.
    commands = ", ".join(c.table.first_alias(k, c.language) for k in sorted(KEYWORD_HANDLERS)
                         if k not in ("STOP", "HELP", "START") and k in c.table.keywords)
    return [c.reply("help", commands=commands or c.table.first_alias("HELP", c.language))]


@on_keyword("STOP")
def _stop(c: Conversation) -> list[Reply]:
    set_consent(c.customer, reminder=False, marketing=False, now=c.now)
    return [c.reply("stop")]


@on_keyword("START")
def _start(c: Conversation) -> list[Reply]:
    set_consent(c.customer, reminder=True, marketing=True, now=c.now)
    return [c.reply("start")]
