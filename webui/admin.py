"""Running the shop: users and roles, the audit log, keywords and replies."""

from __future__ import annotations

import bottle

from appliance import auth, crm, replies, shopdata
from appliance.keywords import DEFAULT_KEYWORDS
from appliance.models import AuditEntry, User

from .app import MANAGERS, OWNER, PER_PAGE, Route, Web, by_id


def users(web: Web, error: str = "", shown_password: str = ""):
    return web.render("users", title="Users", rows=list(User.select().order_by(User.username)), error=error,
                      shown_password=shown_password)


def user_create(web: Web):
    password = auth.generate_password()
    try:
        phone = web.form("phone", limit=40).strip()
        if phone:  # checked before the user is made: a refused form leaves no half-made login
            from appliance.phone import PhoneError, normalise
            try:
                phone = normalise(phone, web.settings.default_region)
            except PhoneError as exc:
                raise auth.AuthError(f"phone: {exc}") from None
            if User.select().where(User.phone == phone).exists():
                raise auth.AuthError("another user has this phone number")
        user = auth.create_user(web.form("username", limit=64), password, web.form("role", limit=16),
                                language=web.form("language", "id", limit=2) or "id", by=web.user)
        if phone:
            user.phone = phone
            user.save()
    except auth.AuthError as exc:
        bottle.response.status = 400
        return users(web, str(exc))
    return users(web, shown_password=f"{user.username}: {password}")


def _user(user_id: str) -> User:
    return by_id(User, user_id, "user")


def user_update(web: Web, user_id: str):
    user = _user(user_id)
    action = web.form("action", limit=20)
    me = web.user
    if user.role == "owner" and me.role != "owner":
        web.refuse(403, "Only an owner may change an owner.")
    if action == "reset":
        password = auth.generate_password()
        user.password_hash = auth.hash_password(password)
        user.failed_logins, user.locked_until = 0, None
        user.save()
        auth.unlock(user.username)
        auth.logout_everywhere(user)
        crm.audit("user.reset_password", user=me, target=user.username)
        return users(web, shown_password=f"{user.username}: {password}")
    if action == "role":
        role = web.form("role", limit=16)
        try:
            auth.may_give_role(me, role)
        except auth.AuthError:
            web.refuse(400, "Choose a role you may give.")
        if user.id == me.id and role != me.role:
            web.refuse(400, "You cannot change your own role.")
        user.role = role
        user.save()
        crm.audit("user.role", user=me, target=user.username, detail=role)
    elif action in ("deactivate", "activate"):
        if user.id == me.id:
            web.refuse(400, "You cannot switch off your own login.")
        user.active = action == "activate"
        user.save()
        if not user.active:
            auth.logout_everywhere(user)
        crm.audit(f"user.{action}", user=me, target=user.username)
    else:
        web.refuse(400, "Unknown action.")
    web.redirect("/settings/users", "Saved.")


def audit_log(web: Web):
    page = web.page_number()
    rows = list(AuditEntry.select().order_by(AuditEntry.id.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE))
    return web.render("audit", title="Audit log", rows=rows[:PER_PAGE], page=page, more=len(rows) > PER_PAGE)


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
    crm.audit("settings.keyword", user=web.user, target=keyword, detail=f"{language}: {', '.join(aliases)}")
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
    crm.audit("settings.template", user=web.user, target=key, detail=language)
    web.redirect("/settings", "Saved.")


def template_preview(web: Web):
    """A reply with typical values filled in (JSON), for the live preview."""
    text = web.query("text", limit=2000)
    sample = replies.render(text, shop=web.settings.shop_name, name="Sari", points=120, commands="BANTUAN, POIN",
                            choices="PESAN / POIN", number="T-0042", order="O-1001", prize="Voucher")
    from appliance import sms
    plan = sms.plan(sample)
    return {"text": sample, "parts": plan.parts, "encoding": plan.encoding}


def routes() -> list[Route]:
    return [
        Route("GET", "/settings", settings_page, roles=MANAGERS),
        Route("POST", "/settings/keywords", keyword_save, roles=MANAGERS),
        Route("POST", "/settings/templates", template_save, roles=MANAGERS),
        Route("GET", "/settings/templates/preview", template_preview, roles=MANAGERS),
        Route("GET", "/settings/users", users, roles=MANAGERS),
        Route("POST", "/settings/users", user_create, roles=MANAGERS),
        Route("POST", "/settings/users/<user_id>", user_update, roles=MANAGERS),
        Route("GET", "/settings/audit", audit_log, roles=OWNER + ("admin",)),
    ]
