"""The JSON API's seam: the guard of every /api/v1 route, problem details,
JSON bodies and cursor pages. The resources are in api_*.py.

A route with `api_scope` is opened ONLY by `Authorization: Bearer <token>`
with that scope; a session cookie never opens it (so no form on another
site can make a logged-in browser call it: no CSRF hole), and the HTML
routes' guard (app.py) never reads a token.

Problems (RFC 9457, application/problem+json) are for programs: their
`title` and `detail` stay English on purpose, like HTTP's own reason
phrases; no catalog word, and never a stack trace.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import json
import logging
import threading
import time
from urllib.parse import urlencode

import bottle

from appliance import apitokens, audit, clock
from appliance.models import User

from .api_commit import WRITES

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
MAX_BODY = 64 * 1024  # no call needs more: a text is at most a few KB
PROBLEM_TYPE = "application/problem+json"
TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
          409: "Conflict", 413: "Body too large", 415: "Unsupported media type", 422: "Unprocessable content",
          429: "Too many requests", 500: "Internal error", 503: "Unavailable"}


class Problem(Exception):
    """Raised by a handler: answered as problem details."""

    def __init__(self, status: int, detail: str = "", *, kind: str = "", headers: dict | None = None, **extra):
        super().__init__(detail)
        self.status, self.detail, self.kind = status, detail, kind or TITLES.get(status, "error").lower()
        self.headers, self.extra = headers or {}, extra


def problem_body(status: int, detail: str = "", *, kind: str = "", **extra) -> dict:
    return {"type": "urn:loket:problem:" + (kind or TITLES.get(status, "error").lower()).replace(" ", "-"),
            "title": TITLES.get(status, "Error"), "status": status, **({"detail": detail} if detail else {}), **extra}


def problem_response(status: int, detail: str = "", *, kind: str = "", headers: dict | None = None,
                     **extra) -> bottle.HTTPResponse:
    body = problem_body(status, detail, kind=kind, **extra)
    response = bottle.HTTPResponse(json.dumps(body), status=status, **(headers or {}))
    response.content_type = PROBLEM_TYPE
    return response


def answer(body, status: int = 200, headers: dict | None = None) -> bottle.HTTPResponse:
    response = bottle.HTTPResponse(json.dumps(body, default=_plain), status=status, **(headers or {}))
    response.content_type = "application/json"
    return response


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


# -- the rate limit -------------------------------------------------------------------------
class Buckets:
    """A token bucket per API token: `per_minute` requests a minute, in bursts
    of up to a tenth of that (at least 10). Kept in this process: with several
    web processes each grants the rate; acceptable for a shop's box (one web),
    and nothing survives a restart to lock a program out."""

    def __init__(self):
        self._lock = threading.Lock()
        self._state: dict[int, tuple[float, float]] = {}  # token id -> (tokens left, at)

    def take(self, token_id: int, per_minute: int) -> float:
        """0 when the request may go; else the seconds until it may."""
        rate, burst = per_minute / 60, max(10.0, per_minute / 10)
        now = time.monotonic()
        with self._lock:
            left, at = self._state.get(token_id, (burst, now))
            left = min(burst, left + (now - at) * rate)
            if left >= 1:
                self._state[token_id] = (left - 1, now)
                return 0.0
            self._state[token_id] = (left, now)
            return (1 - left) / rate


BUCKETS = Buckets()
_last_used: dict[int, int] = {}  # token id -> the minute its last_used_at was written


# -- the guard ------------------------------------------------------------------------------
def _bearer() -> str:
    header = bottle.request.get_header("Authorization", "")
    kind, _, secret = header.partition(" ")
    return secret.strip() if kind.lower() == "bearer" else ""


def _token_for(scope: str):
    """The request's token, or a Problem: 401 without a valid one, 403 without the scope."""
    secret = _bearer()
    if not secret:
        raise Problem(401, "Send Authorization: Bearer <token>; a login session does not open the API.",
                      kind="no-token", headers={"WWW-Authenticate": 'Bearer realm="loket"'})
    token = apitokens.find(secret)
    now = clock.utcnow()
    if token is None or not apitokens.usable(token, now):
        why = "unknown" if token is None else ("revoked" if token.revoked_at else "expired")
        raise Problem(401, f"The token is {why}.", kind=f"token-{why}",
                      headers={"WWW-Authenticate": 'Bearer realm="loket", error="invalid_token"'})
    if not apitokens.allows(token, scope):
        raise Problem(403, f"This token lacks the scope {scope!r}.", kind="scope", scope=scope)
    wait = BUCKETS.take(token.id, token.per_minute)
    if wait:
        raise Problem(429, f"More than {token.per_minute} requests a minute.", kind="rate-limit",
                      headers={"Retry-After": str(max(1, round(wait + 0.5)))})
    minute = int(time.time() // 60)
    if _last_used.get(token.id) != minute:  # one write a minute, not one a request
        _last_used[token.id] = minute
        type(token).update(last_used_at=now).where(type(token).id == token.id).execute()
    return token


def audit_row(token, detail: str) -> None:
    """One audit row per request: which token (and whose), what it asked, the answer."""
    audit.audit("api.call", user=token.created_by_id, target=token.prefix, detail=detail)


def _audit(token, status: int) -> None:
    request = bottle.request
    if request.environ.get("loket.api_audited"):  # written with the request's own rows (a send)
        return
    detail = f"{request.method} {request.path} {status}"
    try:  # committed with the writes of the requests that end meanwhile: one wait for the disk, not one each
        WRITES.run(lambda: audit_row(token, detail))
    except Exception:  # the log must not turn an answer given into an error
        log.exception("could not write the API audit row")


def guard(route, web):
    """Wrap an API handler: the token, its scope and rate, the body's size, problems, the audit row."""
    handler = functools.partial(route.handler, web)

    def guarded(*args, **kwargs):
        token = None
        try:
            token = _token_for(route.api_scope)
            bottle.request.environ["loket.api_token"] = token
            if int(bottle.request.environ.get("CONTENT_LENGTH") or 0) > MAX_BODY:
                raise Problem(413, f"A body may have at most {MAX_BODY} bytes.")
            response = handler(*args, **kwargs)
            if not isinstance(response, bottle.HTTPResponse):
                response = answer(response)
        except Problem as exc:
            response = problem_response(exc.status, exc.detail, kind=exc.kind, headers=exc.headers, **exc.extra)
        except bottle.HTTPError as exc:  # a shared helper's refusal (found(): 404)
            response = problem_response(exc.status_code, exc.body if isinstance(exc.body, str) else "")
        except Exception:
            log.exception("API error on %s %s", bottle.request.method, bottle.request.path)
            response = problem_response(500, "It has been logged; try again.")
        if token is not None:  # an unknown token's flood writes nothing
            _audit(token, response.status_code)
        return response

    return guarded


def caller_user():
    """Whom the domain's audit rows name for this request: the token's maker."""
    token = bottle.request.environ.get("loket.api_token")
    return User.get_or_none(User.id == token.created_by_id) if token and token.created_by_id else None


def describe(summary: str, fields: dict | None = None):
    """Mark a handler with its one-line summary (N_-marked: the docs page
    translates it; the OpenAPI document keeps the English) and its body's
    fields: the OpenAPI document is built from these and the route table."""
    def mark(handler):
        handler.api_summary, handler.api_body = summary, fields
        return handler
    return mark


# -- JSON bodies ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Field:
    kind: type | tuple  # str, int, bool, list (of str), dict
    required: bool = False
    limit: int = 2000  # characters of a string, items of a list


def body(fields: dict[str, Field]) -> dict:
    """The request's JSON object, checked against `fields`: 400 for what is
    not JSON, 422 for another shape, an unknown field or a wrong type."""
    raw = bottle.request.body.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise Problem(413, f"A body may have at most {MAX_BODY} bytes.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: [[[[…]]]] nested thousands deep
        raise Problem(400, "The body is not JSON (UTF-8).", kind="bad-json") from None
    if not isinstance(data, dict):
        raise Problem(422, "The body must be a JSON object.", kind="shape")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise Problem(422, f"Unknown field(s): {', '.join(unknown)}.", kind="unknown-field", fields=unknown)
    errors = [f"{name} is required" for name, field in fields.items() if field.required and data.get(name) is None]
    for name, value in data.items():
        field = fields[name]
        if value is None and not field.required:
            continue
        kinds = field.kind if isinstance(field.kind, tuple) else (field.kind,)
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            errors.append(f"{name} must be {' or '.join(_JSON_NAMES[k] for k in kinds)}")
        elif isinstance(value, (str, list)) and len(value) > field.limit:
            errors.append(f"{name} has at most {field.limit} {'characters' if isinstance(value, str) else 'items'}")
        elif isinstance(value, list) and not all(isinstance(item, str) for item in value):
            errors.append(f"{name} must be a list of strings")
        elif not all(_keepable(text) for text in (value if isinstance(value, list) else [value])):
            errors.append(f"{name} has a NUL or an unpaired surrogate: no database keeps that text")
        elif isinstance(value, int) and not isinstance(value, bool) and not -2**63 <= value < 2**63:
            errors.append(f"{name} is out of range")
    if errors:
        raise Problem(422, "; ".join(errors) + ".", kind="invalid", errors=errors)
    return data


def _keepable(value) -> bool:
    """False for text that SQLite cannot encode (a lone surrogate: JSON's "\\ud800" is valid) or
    PostgreSQL refuses (NUL): a 422 now, not a 500 from the database later."""
    if not isinstance(value, str):
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


_JSON_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "a list", dict: "an object"}


# -- cursor pages ---------------------------------------------------------------------------
MAX_LIMIT = 100


def limit_param() -> int:
    raw = bottle.request.query.get("limit") or "50"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise Problem(400, f"limit is a whole number from 1 to {MAX_LIMIT}.", kind="bad-limit")
    return int(raw)


def _after() -> int | None:
    raw = bottle.request.query.get("cursor") or ""
    if not raw:
        return None
    try:
        after = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))["a"]
        if not isinstance(after, int):
            raise TypeError
        return after
    except (ValueError, KeyError, TypeError):
        raise Problem(400, "The cursor is not one this API gave.", kind="bad-cursor") from None


def page(query, id_field, show) -> dict:
    """One page of `query`, newest (highest id) first: {"items": [...], "next": link or null}.
    The cursor is opaque to programs (the last id seen, encoded): rows added
    meanwhile neither repeat nor shift a page, as an offset would."""
    limit = limit_param()
    after = _after()
    if after is not None:
        query = query.where(id_field < after)
    rows = list(query.order_by(id_field.desc()).limit(limit + 1))
    more = len(rows) > limit
    rows = rows[:limit]
    link = None
    if more:
        cursor = base64.urlsafe_b64encode(json.dumps({"a": getattr(rows[-1], id_field.name)}).encode())
        params = {k: v for k, v in bottle.request.query.allitems() if k != "cursor"}
        params["cursor"] = cursor.decode().rstrip("=")
        link = bottle.request.path + "?" + urlencode(params)
    return {"items": [show(row) for row in rows], "next": link}


def query_text(name: str, limit: int = 100) -> str:
    return (bottle.request.query.getunicode(name, "") or "")[:limit]
