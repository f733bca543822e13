"""Tokens for the shop's other programs (the till, the web shop): made by the
owner, each with scopes, an expiry and a note; shown once, kept as a hash,
revoked at once. The JSON API (webui/api.py) checks them on every request."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from .words import N_
from .audit import audit
from .clock import utcnow
from .hotsql import HotGet
from .models import ApiToken, User

# What a token may open. `admin` opens everything, and the modem's state.
SCOPES = ("send", "messages", "customers", "bookings", "tickets", "orders", "admin")
PREFIX = "lk_"
MAX_DAYS = 3650
MAX_PER_MINUTE = 100_000


class TokenError(ValueError):
    """A token that cannot be made; the message is for people."""


def digest(secret: str) -> str:
    # The secret is 32 random bytes: no dictionary to try, so a fast hash is
    # as good as a slow one here, and the check stays cheap on every request.
    return hashlib.sha256(secret.encode()).hexdigest()


def make(scopes, *, note: str = "", days: int | None = 90, per_minute: int = 600, by: User | None = None,
         now: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token and its secret (the only time the secret exists in the clear)."""
    now = now or utcnow()
    chosen = sorted({s for s in scopes if s})
    if not chosen:
        raise TokenError(N_("Choose at least one thing the token may do."))
    if any(s not in SCOPES for s in chosen):
        raise TokenError(N_("Unknown scope."))
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise TokenError(N_("A token lasts 1 to 3650 days, or never expires."))
    if not 1 <= per_minute <= MAX_PER_MINUTE:
        raise TokenError(N_("Requests per minute: 1 to 100000."))
    note = " ".join((note or "").split())[:200]
    prefix = PREFIX + secrets.token_hex(4)
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.create(prefix=prefix, secret_hash=digest(secret), note=note, scopes=",".join(chosen),
                            per_minute=per_minute, created_by=by, created_at=now,
                            expires_at=now + dt.timedelta(days=days) if days else None)
    audit("api.token_made", user=by, target=prefix, detail=f"{','.join(chosen)}; {note}", now=now)
    return token, secret


def revoke(token: ApiToken, *, by: User | None = None, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    if token.revoked_at is None:
        ApiToken.update(revoked_at=now).where(ApiToken.id == token.id).execute()
        audit("api.token_revoked", user=by, target=token.prefix, now=now)


def find(secret: str) -> ApiToken | None:
    """The token with this secret, whatever its state (the caller checks it)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    return _by_hash(digest(secret))


_by_hash = HotGet(ApiToken, ApiToken.secret_hash)  # every API request looks its token up


def usable(token: ApiToken, now: dt.datetime) -> bool:
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)


def scopes_of(token: ApiToken) -> set[str]:
    return set(filter(None, token.scopes.split(",")))


def allows(token: ApiToken, scope: str) -> bool:
    """`scope` names one scope, or several any of which will do ("messages send");
    `any`: every valid token (the API's own description)."""
    have = scopes_of(token)
    return scope == "any" or "admin" in have or any(s in have for s in scope.split())


def listing() -> list[ApiToken]:
    return list(ApiToken.select().order_by(ApiToken.revoked_at.is_null(False), ApiToken.id.desc()))
