"""Staff logins: Argon2id password hashes, server-side sessions, lockout.

A session cookie carries a random token; the database keeps only its
SHA-256, so a copied database opens no sessions. Each session has its own
CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

import argon2

from .audit import audit
from .clock import utcnow
from .models import ROLES, Session, User

LOCKOUT = dt.timedelta(minutes=15)
_hasher = argon2.PasswordHasher()  # RFC 9106 low-memory profile: 64 MiB, t=3


class AuthError(ValueError):
    """A login or user change that cannot be done; the message is for people."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < 10:
        raise AuthError("a password needs at least 10 characters")
    if len(password) > 256:
        raise AuthError("a password may have at most 256 characters")


def generate_password() -> str:
    # Easy to read aloud and type on a phone: four groups of lowercase letters/digits.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def create_user(username: str, password: str, role: str, *, language: str | None = None,
                by: User | None = None) -> User:
    """A staff login. Its UI language is the shop's (`default_language`)
    unless the person creating it chose another."""
    username = (username or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9._-]{2,64}", username):
        raise AuthError("a user name has 2 to 64 letters, digits, dots, dashes or underscores")
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")
    check_password_strength(password)
    if User.select().where(User.username ** username).exists():
        raise AuthError(f"a user named {username} already exists")
    if language not in ("id", "en"):
        from . import shopdata  # here, not at the top: shopdata reaches the settings table
        language = shopdata.setting("default_language")
    user = User.create(username=username, password_hash=hash_password(password), role=role, language=language)
    audit("user.create", user=by, target=username, detail=f"role {role}")
    return user


def login(username: str, password: str, *, session_hours: int, max_attempts: int,
          now: dt.datetime | None = None) -> tuple[User, str]:
    """Returns (user, session token) or raises AuthError with one message for
    every failure, so the page does not tell which user names exist."""
    now = now or utcnow()
    failure = AuthError("wrong user name or password")
    user = User.get_or_none(User.username ** (username or "").strip())
    if user is None or not user.active:
        _hasher.hash("timing")  # the same work as a real check: no user-name oracle by time
        raise failure
    if user.locked_until and user.locked_until > now:
        raise AuthError("too many failed logins: this account is locked for a few minutes")
    try:
        _hasher.verify(user.password_hash, password or "")
    except (argon2.exceptions.VerifyMismatchError, argon2.exceptions.InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= max_attempts:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            audit("login.locked", user=user, target=user.username, now=now)
        user.save()
        raise failure from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.save()
    token = secrets.token_urlsafe(32)
    Session.create(token_hash=_digest(token), user=user, csrf_token=secrets.token_urlsafe(32),
                   created_at=now, expires_at=now + dt.timedelta(hours=session_hours))
    audit("login", user=user, target=user.username, now=now)
    return user, token


def session_for(token: str | None, *, session_hours: int, now: dt.datetime | None = None) -> Session | None:
    """The live session for a cookie token; sliding expiry."""
    if not token or len(token) > 128:
        return None
    now = now or utcnow()
    session = Session.get_or_none(Session.token_hash == _digest(token))
    if session is None or not session.user.active:
        return None
    if session.expires_at <= now:
        session.delete_instance()
        return None
    renewed = now + dt.timedelta(hours=session_hours)
    if renewed - session.expires_at > dt.timedelta(minutes=5):  # spare the SD card a write per click
        session.expires_at = renewed
        session.save()
    return session


def logout(token: str | None) -> None:
    if token:
        Session.delete().where(Session.token_hash == _digest(token)).execute()


def logout_everywhere(user: User) -> None:
    """After a password reset or a switched-off login: every session ends."""
    Session.delete().where(Session.user == user).execute()


def csrf_ok(session: Session, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(session.csrf_token, submitted)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
