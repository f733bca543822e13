"""The keywords every shop answers: HELP (what one can text), STOP and START
(consent to reminders and promotions)."""

from __future__ import annotations

from .conversation import CONFIRM_ACTIONS, KEYWORD_HANDLERS, Conversation, Reply, on_keyword, on_reply, yes_or_no
from .customers import set_consent


@on_keyword("HELP")
def _help(c: Conversation) -> list[Reply]:
    return [help_reply(c)]


def help_reply(c: Conversation) -> Reply:
    """What one can text here: the keywords this shop answers (STOP has its own sentence)."""
    commands = ", ".join(c.table.first_alias(k, c.language) for k in sorted(KEYWORD_HANDLERS)
                         if k not in ("STOP", "HELP", "START") and k in c.table.enabled_keywords)
    return c.reply("help", commands=commands or c.table.first_alias("HELP", c.language))


@on_keyword("STOP")
def _stop(c: Conversation) -> list[Reply]:
    set_consent(c.customer, reminder=False, marketing=False, now=c.now)
    return [c.reply("stop")]


@on_keyword("START")
def _start(c: Conversation) -> list[Reply]:
    set_consent(c.customer, reminder=True, marketing=True, now=c.now)
    return [c.reply("start")]


@on_reply("confirm")
def _confirm(c: Conversation) -> list[Reply] | None:
    """The answer to "... Balas YA": a yes does what was asked, a no nothing;
    anything else is read as a new text (None)."""
    answer = yes_or_no(c.text)
    if answer is None:
        return None
    c.forget()
    action = CONFIRM_ACTIONS.get((c.pending or {}).get("action"))
    if not answer or action is None:
        return [c.reply("confirm_no")]
    return action(c, c.pending)
