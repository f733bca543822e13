"""Settings: the keywords customers text and the replies the box sends, on one
page grouped by what they are for, with human labels, a search, a preview of
each reply as an SMS (characters, parts, GSM-7 or UCS-2, cost) and one save.

The save is one form: every field that changed is checked first (placeholders,
length, a keyword word another keyword already has), then all are written in
one transaction, or none with each problem shown beside its field and what was
typed kept. Fields not sent (a search hid them) and fields unchanged are left alone.
"""

from __future__ import annotations

from urllib.parse import quote

import bottle

from appliance import audit, replies, shopdata, simcredit, sms
from appliance.keywords import fold
from appliance.models import InfoAnswer, ReplyTemplate

from .i18n import N_
from .replylabels import KEYWORD_LABELS, PURPOSE_LABELS, REPLY_LABELS
from .web import Web

LANGUAGES = replies.LANGUAGES
MAX_REPLY = 640  # four SMS
TYPED_LIMIT = 10_000  # what is read of a field: more is refused, not cut silently
WORD_LIMIT = 32

# Typical values for the preview; per language where the words differ.
SAMPLES = {
    "commands": {"id": "PESAN, ANTRI, POIN, BERHENTI", "en": "BOOK, QUEUE, POINTS, STOP"},
    "choices": "1) pijat 24/11 10:00 2) lulur 25/11 14:00", "example": "pijat", "example_goods": "KR-01",
    "services": "pijat, lulur, totok wajah", "service": "pijat bayi",
    "day": {"id": "besok 24/11", "en": "tomorrow 24/11"}, "asked": {"id": "besok 10:00", "en": "tomorrow 10:00"},
    "slots": "1) 10:00 2) 13:00 3) 15:30", "days": 3, "time": "10:00", "n": 3, "name": "Sari",
    "prize": "Voucher Rp 50.000", "draw": "Desember", "items": "beras 5 kg x2, minyak 1 L x1", "total": "Rp 250.000",
    "amount": "Rp 250.000", "order": "O-1001", "hours": {"id": "Sen-Sab 09:00-17:00", "en": "Mon-Sat 09:00-17:00"},
    "address": "Jl. Ahmad Yani 12, Garut", "goods": "beras, minyak", "where": "BCA 123-456-7890 a.n. Toko Sari",
    "due": "26/11 17:00", "detail": " (JNE 0123456789)", "courier": "J&T Express", "tracking": "JP1234567890", "reason": {"id": "menunggu suku cadang", "en": "waiting for a part"},
    "state": {"id": "menunggu pembayaran", "en": "awaiting payment"}, "item": "beras", "left": 2, "number": "T-0042",
    "position": 3, "eta": 20, "technician": "Budi", "summary": "printer tidak mau mencetak", "resolution": "ganti kabel",
    "when": "24/11 15:00", "phone": "0812-3456-7890", "command": "OK", "open": "T-0042, T-0043", "count": 4,
    "numbers": "T-0042, T-0043", "points": 120, "modem": "modem1", "credit": "8.500", "until": "15-01-2027",
}


def reply_field(key: str, language: str) -> str:
    return f"reply.{key}.{language}"


def keyword_field(keyword: str, language: str) -> str:
    return f"kw.{keyword}.{language}"


def known_placeholders(key: str) -> list[str]:
    """What a reply may use: the placeholders its default texts use (the values its service fills in)."""
    names: list[str] = []
    for text in replies.DEFAULT_TEMPLATES.get(key, {}).values():
        for name in replies.placeholders(text) or ():
            if name not in names:
                names.append(name)
    return names


def reply_problem(web: Web, key: str | None, text: str) -> str:
    """Why this text cannot be this reply, in the user's language; "" when it can."""
    if len(text) > MAX_REPLY:
        return web.t("A reply has at most 640 characters (four SMS).")
    names = replies.placeholders(text)
    if names is None:
        return web.t("Braces are only for placeholders such as {shop}: a { or } on its own cannot be sent.")
    known = known_placeholders(key) if key else None
    unknown = [name for name in names if known is not None and name not in known]
    if unknown:
        return web.t("{placeholder} is not known in this reply. It can use: {known}.").format(
            placeholder="{" + unknown[0] + "}", known=", ".join("{" + k + "}" for k in known) or "-")
    return ""


def preview(web: Web, key: str | None, language: str, text: str) -> dict:
    """A reply as the customer would get it, with typical values, and what it costs."""
    values = {name: (value.get(language, value["id"]) if isinstance(value, dict) else value)
              for name, value in SAMPLES.items()}
    sample = replies.render(text, **{**values, "shop": web.settings.shop_name})
    plan = sms.plan(sample)
    price = simcredit.shop_part_price()  # the one price every cost on screen uses
    line = web.t("{chars} characters · {parts} SMS · {encoding} · {cost}").format(
        chars=plan.chars, parts=plan.parts, encoding="GSM-7" if plan.encoding == "gsm7" else "UCS-2",
        cost=f"Rp {plan.parts * price:,}".replace(",", "."))
    note = ""
    if plan.encoding != "gsm7":
        note = web.t("“{char}” makes it UCS-2: 70 characters per SMS instead of 160.").format(char=plan.offending or "?")
    return {"text": sample, "chars": plan.chars, "parts": plan.parts, "encoding": plan.encoding,
            "cost": plan.parts * price, "line": line, "note": note, "problem": reply_problem(web, key, text),
            "warn": plan.parts > 1 or plan.encoding != "gsm7"}


# -- the page ------------------------------------------------------------------------

def _keyword_label(web: Web, keyword: str) -> str:
    return web.t(KEYWORD_LABELS[keyword][1]) if keyword in KEYWORD_LABELS else keyword


def _reply_order() -> list[str]:
    """The labels' order (as a person reads a service's replies), then any reply not labelled yet."""
    labelled = [key for key in REPLY_LABELS if key in replies.DEFAULT_TEMPLATES]
    return labelled + sorted(set(replies.DEFAULT_TEMPLATES) - set(labelled))


def groups(web: Web, q: str = "", typed: dict | None = None, errors: dict | None = None) -> list[dict]:
    """The page's sections: each purpose with its keywords and replies, those the search finds."""
    typed, errors, wanted = typed or {}, errors or {}, fold(q)
    overrides, keywords = shopdata.template_overrides(), shopdata.keywords()
    sections = {p: {"id": p, "title": web.t(label), "keywords": [], "replies": []}
                for p, label in PURPOSE_LABELS.items()}

    def found(*texts) -> bool:
        return not wanted or wanted in fold(" ".join(str(t) for t in texts))

    for keyword in sorted(keywords, key=lambda k: (list(KEYWORD_LABELS).index(k) if k in KEYWORD_LABELS else 99, k)):
        fields = []
        for lang in LANGUAGES:
            name = keyword_field(keyword, lang)
            fields.append({"lang": lang, "name": name, "error": errors.get(name, ""),
                           "value": typed.get(name, ", ".join(keywords[keyword].get(lang, ())))})
        label = _keyword_label(web, keyword)
        if not found(label, keyword, *(f["value"] for f in fields)):
            continue
        purpose = KEYWORD_LABELS.get(keyword, ("other",))[0]
        sections[purpose]["keywords"].append({"keyword": keyword, "label": label, "fields": fields,
                                              "search": fold(" ".join([label, keyword] + [f["value"] for f in fields]))})
    for key in _reply_order():
        defaults = replies.DEFAULT_TEMPLATES[key]
        label, when = REPLY_LABELS.get(key, (key, ""))
        label, when = web.t(label), web.t(when)
        fields = []
        for lang in LANGUAGES:
            name = reply_field(key, lang)
            text = typed.get(name, overrides.get((key, lang), defaults.get(lang, "")))
            fields.append({"lang": lang, "name": name, "value": text, "default": defaults.get(lang, ""),
                           "edited": (key, lang) in overrides, "error": errors.get(name, ""),
                           "preview": preview(web, key, lang, text)})
        if not found(label, when, key, *(f["value"] for f in fields)):
            continue
        purpose = replies.PURPOSE_OF.get(key, "other")
        sections.setdefault(purpose, {"id": purpose, "title": web.t(PURPOSE_LABELS["other"]), "keywords": [],
                                      "replies": []})
        sections[purpose]["replies"].append({
            "key": key, "label": label, "when": when, "fields": fields,
            "placeholders": known_placeholders(key),
            "search": fold(" ".join([label, when, key] + [f["value"] for f in fields]))})
    shown = []
    for section in sections.values():
        if section["keywords"] or section["replies"]:
            items = section["keywords"] + section["replies"]
            section["open"] = bool(wanted) or any(f["error"] for item in items for f in item["fields"])
            shown.append(section)
    return shown


def settings_page(web: Web, error: str = "", typed: dict | None = None, errors: dict | None = None):
    q = web.query("q", limit=100) if not typed else web.form("q", limit=100)
    sections = groups(web, q, typed, errors)
    return web.render("settings", title="Keywords and replies", sections=sections, q=q, error=error,
                      found=sum(len(s["keywords"]) + len(s["replies"]) for s in sections))


# -- the one save --------------------------------------------------------------------------

def _reply_changes(web: Web, typed: dict, errors: dict) -> dict:
    overrides, changes = shopdata.template_overrides(), {}
    for key, defaults in replies.DEFAULT_TEMPLATES.items():
        for lang in LANGUAGES:
            name = reply_field(key, lang)
            raw = web.form(name, None, limit=TYPED_LIMIT)
            if raw is None:
                continue  # not on the page the owner saved: left alone
            typed[name] = raw
            text = raw.replace("\r\n", "\n").strip()
            default = defaults.get(lang, "")
            if text == overrides.get((key, lang), default) or (not text and (key, lang) not in overrides):
                continue
            problem = reply_problem(web, key, text) if text else ""
            if problem:
                errors[name] = problem
            else:
                changes[(key, lang)] = None if text in ("", default) else text
    return changes


def _keyword_changes(web: Web, typed: dict, errors: dict) -> dict:
    current = shopdata.keywords()
    after = {k: dict(v) for k, v in current.items()}
    changes = {}
    for keyword in current:
        for lang in LANGUAGES:
            name = keyword_field(keyword, lang)
            raw = web.form(name, None, limit=1000)
            if raw is None:
                continue
            typed[name] = raw
            words = list(dict.fromkeys(w.strip().lower() for w in raw.replace(";", ",").split(",") if w.strip()))
            if words == [w.lower() for w in current[keyword].get(lang, ())]:
                continue
            if not words:
                errors[name] = web.t("A keyword needs at least one word.")
            elif any(len(w) > WORD_LIMIT or len(fold(w).split()) != 1 for w in words):
                errors[name] = web.t("Each word is one word of at most 32 letters.")
            else:
                after[keyword][lang] = tuple(words)
                changes[(keyword, lang)] = words
    # A word is one keyword's: two keywords (or a staff-made answer) sharing it would be a coin toss.
    owners: dict[str, set[str]] = {}
    for keyword, by_lang in after.items():
        for words in by_lang.values():
            for word in words:
                owners.setdefault(fold(word), set()).add(keyword)
    answers = {fold(a.keyword) for a in InfoAnswer.select(InfoAnswer.keyword)}
    for (keyword, lang), words in list(changes.items()):
        for word in words:
            others = sorted(owners.get(fold(word), set()) - {keyword})
            if others or fold(word) in answers:
                whose = _keyword_label(web, others[0]) if others else web.t("Staff-made answers")
                errors[keyword_field(keyword, lang)] = web.t("“{word}” is already a word for: {other}. Choose another word."
                                                             ).format(word=word, other=whose)
                changes.pop((keyword, lang))
                break
    return changes


def settings_save(web: Web):
    typed, errors = {}, {}
    reply_changes = _reply_changes(web, typed, errors)
    keyword_changes = _keyword_changes(web, typed, errors)
    q = web.form("q", limit=100)
    if errors:
        typed["q"] = q
        bottle.response.status = 400
        return settings_page(web, web.t("Nothing was saved: see the fields marked below. What you typed is kept."),
                             typed, errors)
    with ReplyTemplate._meta.database.atomic():
        for (keyword, lang), words in keyword_changes.items():
            shopdata.set_aliases(keyword, lang, words)
            audit.audit("settings.keyword", user=web.user, target=keyword, detail=f"{lang}: {', '.join(words)}")
        for (key, lang), text in reply_changes.items():
            shopdata.set_template(key, lang, text)
            audit.audit("settings.template", user=web.user, target=key, detail=lang)
    back = "/settings" + (f"?q={quote(q)}" if q else "")
    web.redirect(back, "Saved." if reply_changes or keyword_changes else N_("Nothing changed."))


def template_preview(web: Web):
    """One reply as an SMS with typical values (JSON), for the live preview."""
    key = web.query("key", limit=48)
    language = web.query("language", limit=2)
    text = web.query("text", limit=TYPED_LIMIT)
    return preview(web, key if key in replies.DEFAULT_TEMPLATES else None,
                   language if language in LANGUAGES else "id", text)
