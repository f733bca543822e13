"""Settings: the keywords customers text and the replies the box sends, with
a live preview of a reply as an SMS."""

from __future__ import annotations

import bottle

from appliance import audit, replies, shopdata
from appliance.keywords import DEFAULT_KEYWORDS

from .web import Web


def settings_page(web: Web, error: str = ""):
    keywords = shopdata.keywords()
    overrides = shopdata.template_overrides()
    templates = {key: {lang: overrides.get((key, lang), by_lang.get(lang, "")) for lang in ("id", "en")}
                 for key, by_lang in sorted(replies.DEFAULT_TEMPLATES.items())}
    return web.render("settings", title="Settings", keywords=keywords, defaults=DEFAULT_KEYWORDS,
                      templates=templates, error=error)


def keyword_save(web: Web):
    keyword, language = web.form("keyword", limit=16), web.form("language", limit=2)
    if keyword not in DEFAULT_KEYWORDS or language not in ("id", "en"):
        web.refuse(400, "Unknown keyword or language.")
    aliases = [a for a in web.form("aliases", limit=1000).replace(";", ",").split(",") if a.strip()]
    if not aliases:
        bottle.response.status = 400
        return settings_page(web, "A keyword needs at least one word.")
    if any(len(a.strip()) > 32 or " " in a.strip() for a in aliases):
        bottle.response.status = 400
        return settings_page(web, "Each word is one word of at most 32 letters.")
    shopdata.set_aliases(keyword, language, aliases)
    audit.audit("settings.keyword", user=web.user, target=keyword, detail=f"{language}: {', '.join(aliases)}")
    web.redirect("/settings", "Saved.")


def template_save(web: Web):
    key, language = web.form("key", limit=48), web.form("language", limit=2)
    if key not in replies.DEFAULT_TEMPLATES or language not in ("id", "en"):
        web.refuse(400, "Unknown reply or language.")
    text = web.form("text", limit=2000).strip()
    if len(text) > 640:
        bottle.response.status = 400
        return settings_page(web, "A reply has at most 640 characters (four SMS).")
    default = replies.DEFAULT_TEMPLATES[key].get(language, "")
    shopdata.set_template(key, language, None if text in ("", default) else text)
    audit.audit("settings.template", user=web.user, target=key, detail=language)
    web.redirect("/settings", "Saved.")


def template_preview(web: Web):
    """A reply with typical values filled in (JSON), for the live preview."""
    text = web.query("text", limit=2000)
    sample = replies.render(text, shop=web.settings.shop_name, name="Sari", points=120, commands="BANTUAN, POIN",
                            choices="PESAN / POIN", number="T-0042", order="O-1001", prize="Voucher",
                            modem="modem1", credit="8.500", until="15-01-2027")  # (the SIM's warnings)
    from appliance import sms
    plan = sms.plan(sample)
    return {"text": sample, "parts": plan.parts, "encoding": plan.encoding}

