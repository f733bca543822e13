"""Settings: staff-made answers. A keyword (REKENING, JAM, PROMO ...) and the
phrases customers may write instead, with the reply in both languages; the
reader (appliance/understand.py) finds them through shopdata.lexicon()."""

from __future__ import annotations

import re

import bottle

from appliance import audit, clock, shopdata, sms, understand
from appliance.keywords import DEFAULT_KEYWORDS
from appliance.models import InfoAnswer

from .i18n import N_
from .web import Web, int_or_zero

MAX_REPLY = 320  # two SMS in GSM-7; an answer is a short fact, not a leaflet
MAX_PHRASES = 20
MAX_PHRASE = 60


def built_in_words() -> set[str]:
    """Every word a built-in keyword answers to, as staff have set them."""
    words = set(DEFAULT_KEYWORDS)
    for table in (DEFAULT_KEYWORDS, shopdata.keywords()):
        for keyword, by_language in table.items():
            words.add(keyword.upper())
            words |= {alias.upper() for aliases in by_language.values() for alias in aliases}
    return words


def answers_page(web: Web, error: str = "", draft: dict | None = None):
    answers = list(InfoAnswer.select().order_by(InfoAnswer.keyword))
    editing = None
    if draft is None:
        editing = InfoAnswer.get_or_none(InfoAnswer.id == int_or_zero(web.query("edit", limit=20)))
        draft = ({"id": editing.id, "keyword": editing.keyword, "phrases": editing.phrases,
                  "reply_id": editing.reply_id, "reply_en": editing.reply_en} if editing else {})
    parts = {a.id: (sms.plan(a.reply_id).parts, sms.plan(a.reply_en).parts) for a in answers}
    return web.render("answers", title="Staff-made answers", answers=answers, parts=parts, draft=draft,
                      error=error, max_reply=MAX_REPLY)


def _phrases(raw: str) -> list[str]:
    seen: list[str] = []
    for phrase in raw.replace(";", ",").replace("\n", ",").split(","):
        phrase = " ".join(phrase.split())
        if phrase and phrase.lower() not in (p.lower() for p in seen):
            seen.append(phrase)
    return seen


def answer_save(web: Web):
    answer_id = int_or_zero(web.form("id", limit=20))
    draft = {"id": answer_id, "keyword": web.form("keyword", limit=100).strip(),
             "phrases": web.form("phrases", limit=2000), "reply_id": web.form("reply_id", limit=2000).strip(),
             "reply_en": web.form("reply_en", limit=2000).strip()}
    keyword = draft["keyword"].upper()
    phrases = _phrases(draft["phrases"])
    existing = InfoAnswer.get_or_none(InfoAnswer.id == answer_id) if answer_id else None
    if answer_id and existing is None:
        web.refuse(404, web.t("No such answer."))
    error = ""
    if not re.fullmatch(r"[A-Z0-9]{1,24}", keyword):
        error = N_("The keyword is one word of letters and digits (at most 24).")
    elif keyword in built_in_words():
        error = N_("This keyword is built in; choose another word.")
    elif InfoAnswer.select().where((InfoAnswer.keyword == keyword) & (InfoAnswer.id != answer_id)).exists():
        error = N_("Another answer already has this keyword.")
    elif not draft["reply_id"] or not draft["reply_en"]:
        error = N_("Write the reply in Indonesian and in English.")
    elif max(len(draft["reply_id"]), len(draft["reply_en"])) > MAX_REPLY:
        error = N_("A reply has at most 320 characters.")
    elif len(phrases) > MAX_PHRASES or any(len(p) > MAX_PHRASE or not understand.words(p) for p in phrases):
        error = N_("Each phrase has at most 60 characters; at most 20 phrases.")
    if error:
        bottle.response.status = 400
        return answers_page(web, web.t(error), draft=draft)
    values = dict(keyword=keyword, phrases=", ".join(phrases), reply_id=draft["reply_id"],
                  reply_en=draft["reply_en"], updated_at=clock.utcnow())
    if existing is None:
        InfoAnswer.create(**values)
    else:
        InfoAnswer.update(**values).where(InfoAnswer.id == existing.id).execute()
    shopdata.invalidate()
    audit.audit("settings.answer", user=web.user, target=keyword, detail=values["phrases"][:200])
    web.redirect("/settings/answers", N_("Answer saved."))


def answer_act(web: Web):
    """Switch an answer off or on, or delete it."""
    answer = InfoAnswer.get_or_none(InfoAnswer.id == int_or_zero(web.form("id", limit=20)))
    if answer is None:
        web.refuse(404, web.t("No such answer."))
    action = web.form("action", limit=10)
    if action == "delete":
        answer.delete_instance()
        done = N_("Answer deleted.")
    elif action in ("off", "on"):
        InfoAnswer.update(active=action == "on", updated_at=clock.utcnow()).where(
            InfoAnswer.id == answer.id).execute()
        done = N_("Answer switched on.") if action == "on" else N_("Answer switched off.")
    else:
        web.refuse(400, "Unknown action.")
    shopdata.invalidate()
    audit.audit("settings.answer." + action, user=web.user, target=answer.keyword)
    web.redirect("/settings/answers", done)  # the page translates a flash
