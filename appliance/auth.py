"""Staff logins: Argon2id password hashes, server-side sessions, lockout.

A session cookie carries a random token; the database keeps only its
SHA-256, so a copied database opens no sessions. Each session has its own
CSRF token.

Lockout: failed logins are counted per user name (existing or not) from
each address, per name from everywhere, and per address. Too many (the
login_attempts setting for a name from one address, NAME_SPREAD times that
for a name from all addresses, ADDRESS_ATTEMPTS from one address) and that
name or address waits LOCKOUT without its password being checked; the answer
is the same whether the name exists or not. So that a stranger cannot lock
the owner out for good, a browser that has logged in as a user before
carries a device cookie for that user (signed with the user's password hash,
so a password reset voids it) and is not held at all: the owner's own phone
or PC always gets in. A device cookie used with wrong passwords is itself
held after as many failures as a name.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
import threading

import argon2
import peewee as pw

from .words import N_, say  # noqa: F401
from .audit import audit
from .clock import utcnow
from .models import ROLES, Session, User

LOCKOUT = dt.timedelta(minutes=15)
ADDRESS_ATTEMPTS = 20  # failed logins from one address, whatever the names, before it waits
NAME_SPREAD = 4  # a name guessed from several addresses waits everywhere after this many times login_attempts
DEVICES_PER_BROWSER = 5  # a shared shop PC keeps the device cookies of its last five users
_hasher = argon2.PasswordHasher()  # RFC 9106 low-memory profile: 64 MiB, t=3
# Each hash takes 64 MiB and both cores: one at a time keeps the web process
# small, and a login that finds another already waiting is told to try again
# rather than holding a page thread. Measured, logins at 20 at once: four
# hashes at a time took the process from 40 to 307 MB and pages to 2.3 s
# (median); one at a time, 1,000 logins peak at 138 MB, pages 0.16 s.
_hashing = threading.Lock()
_login_slots = threading.BoundedSemaphore(2)


class AuthError(ValueError):
    """A login or user change that cannot be done; the message is for people."""


class Busy(AuthError):
    """Too many logins at this moment: the person tries again in a moment."""


def hash_password(password: str) -> str:
    with _hashing:
        return _hasher.hash(password)


# A login made without a password (the demo's staff): nothing opens it until
# one is set (Users: new password). Making the demo costs no argon2 work per person.
NO_PASSWORD = "!"


def _verify(password_hash: str, password: str) -> bool:
    if password_hash == NO_PASSWORD:
        _verify(_dummy_hash(), "timing")  # as long as a real check: such a name is not told apart
        return False
    with _hashing:
        try:
            return _hasher.verify(password_hash, password)
        except (argon2.exceptions.VerifyMismatchError, argon2.exceptions.InvalidHashError):
            return False


def find_user(username: str) -> User | None:
    """The user with exactly this name, ignoring case (never a pattern)."""
    return User.get_or_none(pw.fn.LOWER(User.username) == (username or "").strip().lower())


def may_give_role(by: User | None, role: str) -> None:
    """Only an owner makes an owner (the console, with no `by`, may too)."""
    if role not in ROLES:
        raise AuthError(say(N_("role must be one of {roles}"), roles=", ".join(ROLES)))
    if role == "owner" and by is not None and by.role != "owner":
        raise AuthError(N_("only an owner may make an owner"))


def check_password_strength(password: str) -> None:
    if len(password) < 10:
        raise AuthError(N_("a password needs at least 10 characters"))
    if len(password) > 256:
        raise AuthError(N_("a password may have at most 256 characters"))


def generate_password() -> str:
    # Easy to read aloud and type on a phone: four groups of lowercase letters/digits.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def create_user(username: str, password: str | None, role: str, *, language: str | None = None,
                by: User | None = None) -> User:
    """A staff login. Its UI language is the shop's (`default_language`)
    unless the person creating it chose another. Without a password
    (None) nobody can log in with it until one is set."""
    username = (username or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9._-]{2,64}", username):
        raise AuthError(N_("a user name has 2 to 64 letters, digits, dots, dashes or underscores"))
    may_give_role(by, role)
    if password is not None:
        check_password_strength(password)
    if find_user(username) is not None:
        raise AuthError(say(N_("a user named {name} already exists"), name=username))
    if language not in ("id", "en"):
        from . import shopdata  # here, not at the top: shopdata reaches the settings table
        language = shopdata.setting("default_language")
    user = User.create(username=username, password_hash=NO_PASSWORD if password is None else hash_password(password),
                       role=role, language=language)
    audit("user.create", user=by, target=username, detail=f"role {role}")
    return user


class _Failures:
    """Failed logins per key (a name, an address, a device) within LOCKOUT,
    kept in the web process's memory: a restart forgets them, and keys
    without a failure in LOCKOUT are dropped, so a flood of made-up names
    cannot fill the memory."""

    def __init__(self):
        self._lock = threading.Lock()
        self._times: dict[str, list[dt.datetime]] = {}

    def count(self, key: str, now: dt.datetime) -> int:
        with self._lock:
            times = [t for t in self._times.get(key, ()) if now - t < LOCKOUT]
            if times:
                self._times[key] = times
            else:
                self._times.pop(key, None)
            return len(times)

    def add(self, key: str, now: dt.datetime) -> int:
        with self._lock:
            if len(self._times) > 10_000:
                self._times = {k: v for k, v in self._times.items() if now - v[-1] < LOCKOUT}
            times = [t for t in self._times.get(key, ()) if now - t < LOCKOUT][-99:] + [now]
            self._times[key] = times
            return len(times)

    def clear(self, key: str) -> None:
        with self._lock:
            self._times.pop(key, None)

    def forget(self, matching) -> None:
        with self._lock:
            self._times = {k: v for k, v in self._times.items() if not matching(k)}


_failures = _Failures()


def unlock(username: str) -> None:
    """After a password reset: the name may try again at once, from anywhere."""
    name = username.strip().lower()
    _failures.forget(lambda key: key == "name:" + name or key.startswith(f"pair:{name}|"))


def device_token(user: User, cookie: str | None = None) -> str:
    """The device cookie's new value after `user` logged in on this browser:
    a fresh signed token for the user, in front of the others' it held."""
    nonce = secrets.token_urlsafe(12)
    mine = f"{user.id}.{nonce}.{_device_mac(user, nonce)}"
    others = [t for t in (cookie or "").split("|")[:DEVICES_PER_BROWSER] if t and not t.startswith(f"{user.id}.")]
    return "|".join([mine] + others[:DEVICES_PER_BROWSER - 1])


def _device_mac(user: User, nonce: str) -> str:
    return hmac.new(user.password_hash.encode(), f"device:{user.id}.{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def _known_device(user: User | None, cookie: str | None) -> str | None:
    """This browser's device nonce for `user`, if it holds a good one."""
    if user is None or not cookie or len(cookie) > 1000:
        return None
    for token in cookie.split("|")[:DEVICES_PER_BROWSER]:
        user_id, _, rest = token.partition(".")
        nonce, _, mac = rest.partition(".")
        if user_id == str(user.id) and hmac.compare_digest(mac, _device_mac(user, nonce)):
            return nonce
    return None


def login(username: str, password: str, *, session_hours: int, max_attempts: int, address: str = "",
          device: str | None = None, now: dt.datetime | None = None) -> tuple[User, str]:
    """Returns (user, session token) or raises AuthError, with one message
    for a wrong name or password and one for a lockout, whether or not the
    name exists: the page does not tell which user names exist."""
    now = now or utcnow()
    username = (username or "").strip()
    failure = AuthError(N_("wrong user name or password"))
    user = find_user(username)
    if user is not None and not user.active:
        user = None
    name_key, address_key = "name:" + username.lower(), "address:" + address
    pair_key = f"pair:{username.lower()}|{address}"
    nonce = _known_device(user, device)
    device_key = "device:" + (nonce or "")
    if nonce and _failures.count(device_key, now) >= max_attempts:
        nonce = None
    if not nonce and (_failures.count(pair_key, now) >= max_attempts
                      or _failures.count(name_key, now) >= max_attempts * NAME_SPREAD
                      or _failures.count(address_key, now) >= ADDRESS_ATTEMPTS):
        raise AuthError(N_("too many failed logins: wait 15 minutes and try again"))
    if not _login_slots.acquire(blocking=False):
        raise Busy(N_("many people are logging in at this moment: try again in a few seconds"))
    try:
        good = _verify(user.password_hash, password or "") if user else _verify(_dummy_hash(), "timing")
    finally:
        _login_slots.release()
    if not good:
        _failures.add(address_key, now)
        if nonce:
            _failures.add(device_key, now)
        _failures.add(name_key, now)
        if _failures.add(pair_key, now) == max_attempts and user is not None:
            audit("login.locked", user=user, target=user.username, now=now)
        raise failure
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    _failures.clear(name_key)
    _failures.clear(pair_key)
    user.failed_logins = 0
    user.locked_until = None
    user.save()
    token = secrets.token_urlsafe(32)
    Session.create(token_hash=_digest(token), user=user, csrf_token=secrets.token_urlsafe(32),
                   created_at=now, expires_at=now + dt.timedelta(hours=session_hours))
    audit("login", user=user, target=user.username, now=now)
    return user, token


def change_password(user: User, current: str, new: str, *, keep_session: str | None = None,
                    max_attempts: int = 5, now: dt.datetime | None = None) -> None:
    """A person changes their own password: the current one first (a session
    left open on a shared phone must not be enough), counted like failed
    logins; then every other session of theirs ends."""
    now = now or utcnow()
    key = f"change:{user.id}"
    if _failures.count(key, now) >= max_attempts:
        raise AuthError(N_("too many wrong passwords: wait 15 minutes and try again"))
    if not _login_slots.acquire(blocking=False):
        raise Busy(N_("many people are logging in at this moment: try again in a few seconds"))
    try:
        good = _verify(user.password_hash, current or "")
    finally:
        _login_slots.release()
    if not good:
        if _failures.add(key, now) == max_attempts:
            audit("user.password_locked", user=user, target=user.username, now=now)
        raise AuthError(N_("the current password is not right"))
    check_password_strength(new)
    if new == current:
        raise AuthError(N_("the new password is the same as the current one"))
    _failures.clear(key)
    user.password_hash = hash_password(new)
    user.save()
    others = Session.delete().where(Session.user == user)
    if keep_session:
        others = others.where(Session.token_hash != _digest(keep_session))
    others.execute()
    audit("user.password_changed", user=user, target=user.username, now=now)


@functools.cache
def _dummy_hash() -> str:
    """For an unknown name: the same work as a known one, so the time of the
    answer does not tell which names exist (made on first use, not at import)."""
    return hash_password(secrets.token_urlsafe(16))


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
