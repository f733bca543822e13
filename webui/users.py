"""Users: staff logins and their roles; a new or reset password is shown once."""

from __future__ import annotations

import bottle

from appliance import audit, auth
from appliance.models import User
from appliance.phone import PhoneError, normalise

from .i18n import N_
from .web import Web, by_id


def users(web: Web, error: str = "", shown_password: str = ""):
    return web.render("users", title="Users", rows=list(User.select().order_by(User.username)), error=error,
                      shown_password=shown_password, shop_language=web.settings.default_language)


def staff_phone(web: Web, typed: str, user: User | None = None) -> str | None:
    """A staff member's phone as typed (empty: none), normalised; AuthError
    says why not. Checked before anything is saved."""
    typed = (typed or "").strip()
    if not typed:
        return None
    try:
        phone = normalise(typed, web.settings.default_region)
    except PhoneError as exc:
        raise auth.AuthError(web.t("Phone: {reason}").format(reason=web.problem(exc))) from None
    others = User.select().where(User.phone == phone)
    if user is not None:
        others = others.where(User.id != user.id)
    if others.exists():
        raise auth.AuthError(N_("another user has this phone number"))
    return phone


def user_create(web: Web):
    password = auth.generate_password()
    try:
        phone = staff_phone(web, web.form("phone", limit=40))  # before the user is made: no half-made login
        user = auth.create_user(web.form("username", limit=64), password, web.form("role", limit=16),
                                language=web.form("language", limit=2) or None, by=web.user)
        if phone:
            user.phone = phone
            user.save()
    except auth.AuthError as exc:
        bottle.response.status = 400
        return users(web, web.problem(exc))
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
        audit.audit("user.reset_password", user=me, target=user.username)
        return users(web, shown_password=f"{user.username}: {password}")
    if action == "phone":
        try:
            user.phone = staff_phone(web, web.form("phone", limit=40), user)
        except auth.AuthError as exc:
            bottle.response.status = 400
            return users(web, web.problem(exc))
        user.save()
        audit.audit("user.phone", user=me, target=user.username)
    elif action == "role":
        role = web.form("role", limit=16)
        try:
            auth.may_give_role(me, role)
        except auth.AuthError:
            web.refuse(400, "Choose a role you may give.")
        if user.id == me.id and role != me.role:
            web.refuse(400, "You cannot change your own role.")
        user.role = role
        user.save()
        audit.audit("user.role", user=me, target=user.username, detail=role)
    elif action in ("deactivate", "activate"):
        if user.id == me.id:
            web.refuse(400, "You cannot switch off your own login.")
        user.active = action == "activate"
        user.save()
        if not user.active:
            auth.logout_everywhere(user)
        audit.audit(f"user.{action}", user=me, target=user.username)
    else:
        web.refuse(400, "Unknown action.")
    web.redirect("/settings/users", N_("Saved."))

