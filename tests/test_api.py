"""The JSON API over real HTTP against `loket run`, as the shop's till would
use it: a token made by the owner on Settings > API, then every /api/v1
route with a good token, a token without the scope, an expired and a revoked
one, a session instead of a token, bad JSON, a huge body, wrong types and
unknown fields; a send with an Idempotency-Key goes out once across retries
and a worker killed with SIGKILL. These calls double as the API's examples.

One running shop per module (the spa demo: services, customers, bookings)."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from appliance.webui.app import ROUTES
from conftest import launch_loket
from support import Browserless, wait_until
from test_run_children import children_of, command_of

API_ROUTES = [r for r in ROUTES if r.api_scope]
PHONE = "+6281234500077"


def call(base: str, method: str, path: str, body=None, token: str | None = None, headers: dict | None = None,
         raw: bytes | None = None):
    """(status, headers, parsed JSON or text) of one API call, like any program makes it."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base.rstrip("/") + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, got, text = response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        status, got, text = error.code, error.headers, error.read().decode()
    kind = got.get_content_type()
    return status, got, json.loads(text) if kind.endswith("json") else text


def make_token(browser: Browserless, *scopes: str, per_minute: int = 100_000, note: str = "till") -> str:
    """The owner makes a token on Settings > API; the page shows its secret once."""
    csrf = browser.csrf("/settings/api")
    status, _, page = browser.post("/settings/api", {"csrf": csrf, "note": note, "days": "30",
                                                     "per_minute": str(per_minute),
                                                     **{f"scope_{s}": "1" for s in scopes}})
    assert status == 200, page
    [secret] = re.findall(r"lk_[0-9a-f]{8}_[\w-]+", page)
    return secret


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    with launch_loket(tmp_path_factory.mktemp("api") / "var", args=("--demo", "spa")) as loket:
        browser = loket.browser()
        assert browser.login(loket.user, loket.password) == 200
        yield loket, browser, make_token(browser, "admin")


def database(loket):
    return sqlite3.connect(loket.data_dir / "loket.db", timeout=10)


def test_the_token_is_shown_once_and_kept_only_as_a_hash(running):
    loket, browser, admin = running
    secret = make_token(browser, "customers", note="online running")
    _, _, page = browser.get("/settings/api")
    assert secret not in page and secret[:11] in page and "online running" in page  # its prefix identifies it
    with database(loket) as db:
        stored = db.execute("SELECT secret_hash FROM api_token WHERE prefix = ?", (secret[:11],)).fetchone()[0]
    assert secret not in stored and len(stored) == 64


def test_every_route_is_refused_without_a_token_with_a_session_or_without_its_scope(running):
    loket, browser, _ = running
    narrow = make_token(browser, "tickets")  # a scope no other route takes
    for route in API_ROUTES:
        path = re.sub(r"<[^>]+>", "1", route.path)
        status, headers, problem = call(loket.url, route.method, path, {} if route.method != "GET" else None)
        assert status == 401 and headers.get_content_type() == "application/problem+json", route.path
        assert "Bearer" in headers["WWW-Authenticate"] and problem["status"] == 401
        # The owner's logged-in browser, cookie and all, is no key to the API (no CSRF hole).
        status, headers, _ = browser.request(route.method, path, {} if route.method != "GET" else None,
                                             follow=False)
        assert status == 401, route.path
        if route.api_scope not in ("tickets", "any"):
            status, _, problem = call(loket.url, route.method, path, {} if route.method != "GET" else None,
                                      token=narrow)
            assert status == 403 and problem["type"].endswith("scope"), route.path
    # ... and a token opens no page: the HTML routes send it to the login.
    status, headers, _ = Browserless(loket.url).request("GET", "/inbox", follow=False)
    request = urllib.request.Request(loket.url + "inbox", headers={"Authorization": f"Bearer {narrow}"})
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                                              {"redirect_request": lambda *a, **k: None}))
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(request, timeout=10)
    assert refused.value.code in (302, 303) and "/login" in refused.value.headers["Location"]


def test_an_expired_and_a_revoked_token_are_refused_at_once(running):
    loket, browser, _ = running
    expiring, revoked = make_token(browser, "messages"), make_token(browser, "messages")
    assert call(loket.url, "GET", "/api/v1/messages", token=expiring)[0] == 200
    with database(loket) as db:
        db.execute("UPDATE api_token SET expires_at = ? WHERE prefix = ?",
                   ((dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)).isoformat(), expiring[:11]))
    status, _, problem = call(loket.url, "GET", "/api/v1/messages", token=expiring)
    assert status == 401 and problem["detail"] == "The token is expired."
    _, _, page = browser.get("/settings/api")
    token_id = re.search(rf'{revoked[:11]}</code>.*?action="/settings/api/(\d+)/revoke"', page, re.S).group(1)
    browser.post(f"/settings/api/{token_id}/revoke", {"csrf": browser.csrf("/settings/api")})
    status, _, problem = call(loket.url, "GET", "/api/v1/messages", token=revoked)
    assert status == 401 and problem["detail"] == "The token is revoked."
    assert call(loket.url, "GET", "/api/v1/messages", token="lk_00000000_made-up")[0] == 401


# Every route that takes a body: (method, path, a good body, the fields it must have). `{customer}`,
# `{service}` and `{slot}` are filled from the running shop; the good bodies are never sent whole.
WRITES = [("POST", "/api/v1/messages", {"to": PHONE, "text": "Pesanan siap", "category": "transactional"},
           ["to", "text"]),
          ("POST", "/api/v1/customers", {"phone": "0812 3450 0150", "name": "Rina", "consent_marketing": True,
                                         "tags": ["vip"]}, ["phone"]),
          ("PATCH", "/api/v1/customers/{customer}", {"name": "Rina", "consent_reminder": False, "tags": ["vip"]}, []),
          ("POST", "/api/v1/bookings", {"phone": PHONE, "service_id": "{service}", "starts_at": "{slot}",
                                        "note": "window seat"}, ["phone", "service_id", "starts_at"]),
          ("POST", "/api/v1/tickets", {"phone": PHONE, "text": "Kursi rusak", "detail": "kaki patah"},
           ["phone", "text"])]
WRONG_TYPE = {str: 12345, int: "one", bool: "yes", list: "vip"}  # a value of another JSON type for each kind


def bad_bodies(good: dict, required: list[str]):
    """(what, raw body, status, problem type) for one write route: the same table for every route."""
    def raw(value) -> bytes:
        return json.dumps(value).encode()
    yield from [("not JSON", b"{not json", 400, "bad-json"), ("not UTF-8", b"\xff\xfe", 400, "bad-json"),
                ("empty", b"", 400, "bad-json"), ("nested past any need", b"[" * 5000 + b"]" * 5000, 400, "bad-json"),
                ("a list", b"[1, 2]", 422, "shape"), ("a string", b'"hi"', 422, "shape"),
                ("null", b"null", 422, "shape"), ("a number", b"42", 422, "shape"),
                ("an unknown field", raw({**good, "colour": "red"}), 422, "unknown-field"),
                ("over 64 KB", raw({**good, next(iter(good)): "x" * 70_000}), 413, "body-too-large")]
    for name in required:
        yield f"without {name}", raw({k: v for k, v in good.items() if k != name}), 422, "invalid"
        yield f"{name} null", raw({**good, name: None}), 422, "invalid"
    for name, value in good.items():
        yield f"{name} of another type", raw({**good, name: WRONG_TYPE[type(value)]}), 422, "invalid"
        if isinstance(value, str):  # text no database can keep: a lone surrogate ("\\ud800" is valid JSON), a NUL
            yield f"{name} with a lone surrogate", raw(good)[:-1] + f', "{name}": "\\ud800"}}'.encode(), 422, "invalid"
            yield f"{name} with a NUL", raw({**good, name: "a\x00b"}), 422, "invalid"
        if isinstance(value, int) and not isinstance(value, bool):
            yield f"{name} past any id", raw({**good, name: 10**30}), 422, "invalid"


def test_bad_bodies_on_every_write_route_get_a_problem_never_a_stack_trace(running):
    loket, _, token = running
    service = call(loket.url, "GET", "/api/v1/services", token=token)[2]["items"][0]["id"]
    customer = call(loket.url, "GET", "/api/v1/customers?limit=1", token=token)[2]["items"][0]["id"]
    fill = {"{service}": service, "{slot}": "2030-01-02T10:00:00+07:00", "{customer}": customer}
    with database(loket) as db:
        before = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("customer", "booking", "ticket")]
    for method, path, good, required in WRITES:
        path = path.replace("{customer}", str(customer))
        good = {k: fill.get(v, v) if isinstance(v, str) else v for k, v in good.items()}
        for what, raw, status, kind in bad_bodies(good, required):
            got, headers, problem = call(loket.url, method, path, raw=raw, token=token)
            assert (got, problem["type"]) == (status, f"urn:loket:problem:{kind}"), (method, path, what, problem)
            assert headers.get_content_type() == "application/problem+json", (path, what)
            assert problem["status"] == got and "Traceback" not in json.dumps(problem), (path, what)
        # A body too big for any form, or one sent in chunks, is refused from its headers, before a byte is read.
        for framing, status, kind in ((f"Content-Length: {2 * 1024 * 1024}", 413, "body-too-large"),
                                      ("Transfer-Encoding: chunked", 400, "bad-request")):
            got = headers_only(loket.url, method, path, token, framing)
            assert got == (status, "application/problem+json", f"urn:loket:problem:{kind}"), (path, framing)
    with database(loket) as db:  # and none of it left a row behind
        assert [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("customer", "booking", "ticket")] \
            == before


def headers_only(base: str, method: str, path: str, token: str, framing: str):
    """Announce a body (`framing`: its Content-Length or Transfer-Encoding) and read the answer before
    sending any of it, as curl does: (status, content type, problem type)."""
    where = urllib.parse.urlparse(base)
    with socket.create_connection((where.hostname, where.port), timeout=30) as conn:
        conn.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                     f"Content-Type: application/json\r\n{framing}\r\n\r\n".encode())
        response = http.client.HTTPResponse(conn)
        response.begin()
        return response.status, response.headers.get_content_type(), json.loads(response.read())["type"]


def test_a_send_s_own_refusals_and_the_query_s(running):
    loket, _, token = running
    cases = [(json.dumps({"to": "12", "text": "hi"}).encode(), 422, "bad-phone"),
             (json.dumps({"to": PHONE, "text": "x" * 1001}).encode(), 422, "invalid")]
    for raw, status, kind in cases:
        got, headers, problem = call(loket.url, "POST", "/api/v1/messages", raw=raw, token=token)
        assert (got, problem["type"]) == (status, f"urn:loket:problem:{kind}"), (raw[:40], problem)
        assert headers.get_content_type() == "application/problem+json" and "Traceback" not in json.dumps(problem)
    for path, status in (("/api/v1/messages?limit=0", 400), ("/api/v1/messages?cursor=xyz", 400),
                         ("/api/v1/messages?since=yesterday", 400), ("/api/v1/nothing", 404),
                         ("/api/v1/messages/99999999", 404), ("/api/v1/customers/by-phone/abc", 422)):
        got, headers, problem = call(loket.url, "GET", path, token=token)
        assert got == status and headers.get_content_type() == "application/problem+json", path
    assert call(loket.url, "DELETE", "/api/v1/messages", token=token)[0] == 405
    # Consent: a promotion to a customer who has not agreed to promotions is refused, as the running's rules say.
    status, _, problem = call(loket.url, "POST", "/api/v1/messages", {"to": "0812-3450-0078", "text": "Promo!",
                                                                      "category": "marketing"}, token=token)
    assert status == 422 and problem["type"].endswith("no-consent")


def test_send_once_with_a_key_then_status_parts_inbox_and_conversation(running):
    loket, browser, _ = running
    sender = make_token(browser, "send")
    first = call(loket.url, "POST", "/api/v1/messages", {"to": "0812-3450-0077", "text": "Pesanan siap"},
                 token=sender, headers={"Idempotency-Key": "order-17"})
    again = call(loket.url, "POST", "/api/v1/messages", {"to": "+62 812 3450 0077", "text": "Pesanan siap"},
                 token=sender, headers={"Idempotency-Key": "order-17"})
    assert first[0] == 201 and again[0] == 200 and again[1]["Idempotent-Replayed"] == "true"
    assert first[2]["id"] == again[2]["id"] and first[2]["phone"] == PHONE
    other = call(loket.url, "POST", "/api/v1/messages", {"to": PHONE, "text": "Another"}, token=sender,
                 headers={"Idempotency-Key": "order-17"})
    assert other[0] == 409  # the key named another message
    message_id = first[2]["id"]
    assert wait_until(lambda: call(loket.url, "GET", f"/api/v1/messages/{message_id}", token=sender)[2]["state"]
                      in ("sent", "delivered"))
    detail = call(loket.url, "GET", f"/api/v1/messages/{message_id}", token=sender)[2]
    assert detail["sent_parts"] and detail["sent_parts"][0]["part"] == 1
    with database(loket) as db:
        assert db.execute("SELECT COUNT(*) FROM message WHERE text = 'Pesanan siap'").fetchone()[0] == 1
    # The customer answers; a reader token finds it in the inbox and the conversation.
    loket.text(PHONE, "Terima kasih", wait=5)  # thanks need no answer: it is only stored
    reader = make_token(browser, "messages")
    inbox = call(loket.url, "GET", "/api/v1/messages?direction=in&phone=0812-3450-0077", token=reader)[2]
    assert [m["text"] for m in inbox["items"]] == ["Terima kasih"]
    thread = call(loket.url, "GET", "/api/v1/conversations/081234500077?limit=1", token=reader)[2]
    assert len(thread["items"]) == 1 and thread["next"]
    rest = call(loket.url, "GET", thread["next"], token=reader)[2]
    texts = [m["text"] for m in thread["items"] + rest["items"]]
    assert "Pesanan siap" in texts and "Terima kasih" in texts and len(texts) == len(set(m["id"] for m in
                                                                                         thread["items"] + rest["items"]))
    # Every use is in the audit log, one row per request.
    with database(loket) as db:
        rows = db.execute("SELECT detail FROM audit_entry WHERE action = 'api.call' AND target = ?",
                          (sender[:11],)).fetchall()
    assert [r[0].split()[-1] for r in rows][:3] == ["201", "200", "409"]


def test_an_idempotent_send_goes_out_once_across_a_worker_killed_with_sigkill(running):
    loket, browser, _ = running
    sender = make_token(browser, "send")
    [worker] = [pid for pid in children_of(loket.process.pid) if command_of(pid).rstrip().endswith("worker")]
    hold_still(loket, worker)  # the text is queued, not sent, when the worker dies
    body = {"to": "0812-3450-0079", "text": "Nota O-1001"}
    first = call(loket.url, "POST", "/api/v1/messages", body, token=sender, headers={"Idempotency-Key": "k1"})
    os.kill(worker, signal.SIGKILL)
    retry = call(loket.url, "POST", "/api/v1/messages", body, token=sender, headers={"Idempotency-Key": "k1"})
    assert first[0] == 201 and first[2]["state"] == "queued"
    assert retry[0] == 200 and retry[2]["id"] == first[2]["id"]
    # `loket run` starts a new worker; it sends the one row, once.
    assert wait_until(lambda: call(loket.url, "GET", f"/api/v1/messages/{first[2]['id']}", token=sender)[2]
                      ["state"] in ("sent", "delivered"), timeout=40)
    again = call(loket.url, "POST", "/api/v1/messages", body, token=sender, headers={"Idempotency-Key": "k1"})
    assert again[2]["id"] == first[2]["id"]
    with database(loket) as db:
        assert db.execute("SELECT COUNT(*) FROM message WHERE text = 'Nota O-1001'").fetchone()[0] == 1
        assert db.execute("SELECT COUNT(*) FROM outbound_part WHERE message_id = ?",
                          (first[2]["id"],)).fetchone()[0] == 1


def hold_still(loket, worker: int) -> None:
    """SIGSTOP the worker between two of its writes: stopped inside one, it would
    hold SQLite's write lock and the web could not queue the text."""
    for _ in range(100):
        os.kill(worker, signal.SIGSTOP)
        try:
            with sqlite3.connect(loket.data_dir / "loket.db", timeout=0.2, isolation_level=None) as db:
                db.execute("BEGIN IMMEDIATE")
                db.execute("ROLLBACK")
            return
        except sqlite3.OperationalError:
            os.kill(worker, signal.SIGCONT)
            time.sleep(0.02)
    pytest.fail("the worker never let go of the database")


def test_customers_by_phone_create_change_and_pages(running):
    loket, browser, _ = running
    token = make_token(browser, "customers")
    made = call(loket.url, "POST", "/api/v1/customers", {"phone": "0812 3450 0080", "name": "Sulastri Wibisono",
                                                         "tags": ["vip"], "consent_marketing": True}, token=token)
    assert made[0] == 201 and made[2]["consent"]["marketing"] is True and made[2]["tags"] == ["vip"]
    assert call(loket.url, "POST", "/api/v1/customers", {"phone": "+6281234500080"}, token=token)[0] == 409
    assert call(loket.url, "POST", "/api/v1/customers", {"phone": "0812 3450 0081", "name": "9"},
                token=token)[0] == 422
    found = call(loket.url, "GET", "/api/v1/customers/by-phone/6281234500080", token=token)[2]
    assert found["id"] == made[2]["id"] and found["name"] == "Sulastri Wibisono"
    changed = call(loket.url, "PATCH", f"/api/v1/customers/{found['id']}",
                   {"consent_marketing": False, "tags": ["vip", "arisan"]}, token=token)
    assert changed[0] == 200 and changed[2]["consent"]["marketing"] is False and changed[2]["tags"] == ["arisan", "vip"]
    assert call(loket.url, "PATCH", f"/api/v1/customers/{found['id']}", {"consent_marketing": "yes"},
                token=token)[0] == 422
    assert call(loket.url, "GET", "/api/v1/customers?q=Wibisono", token=token)[2]["items"][0]["id"] == found["id"]
    seen, path = [], "/api/v1/customers?limit=2"
    while path and len(seen) < 8:
        page = call(loket.url, "GET", path, token=token)[2]
        seen += [c["id"] for c in page["items"]]
        path = page["next"]
    assert len(seen) == len(set(seen)) >= 4 and seen == sorted(seen, reverse=True)
    assert call(loket.url, "GET", f"/api/v1/customers/{found['id']}", token=token)[2]["phone"] == "+6281234500080"


def test_bookings_slots_tickets_orders_payments_and_the_modem(running):
    loket, _, admin = running
    [service, *_] = call(loket.url, "GET", "/api/v1/services", token=admin)[2]["items"]
    day = dt.date.today() + dt.timedelta(days=1)
    for _ in range(7):
        slots = call(loket.url, "GET", f"/api/v1/slots?service={service['id']}&date={day}", token=admin)[2]["slots"]
        if slots:
            break
        day += dt.timedelta(days=1)
    booked = call(loket.url, "POST", "/api/v1/bookings", {"phone": "0812-3450-0082", "service_id": service["id"],
                                                          "starts_at": slots[0]}, token=admin)
    assert booked[0] == 201 and booked[2]["status"] == "booked"
    assert call(loket.url, "POST", "/api/v1/bookings", {"phone": "0812-3450-0082", "service_id": service["id"],
                                                        "starts_at": slots[0]}, token=admin)[0] == 409
    assert call(loket.url, "POST", "/api/v1/bookings", {"phone": "0812-3450-0082", "service_id": "one",
                                                        "starts_at": slots[0]}, token=admin)[0] == 422
    listed = call(loket.url, "GET", f"/api/v1/bookings?date={day}", token=admin)[2]["items"]
    assert booked[2]["id"] in [b["id"] for b in listed]
    ticket = call(loket.url, "POST", "/api/v1/tickets", {"phone": "0812-3450-0082", "text": "Kursi pijat rusak"},
                  token=admin)
    assert ticket[0] == 201 and ticket[2]["label"].startswith("T-")
    got = call(loket.url, "GET", f"/api/v1/tickets/{ticket[2]['number']}", token=admin)[2]
    assert got["events"][0]["kind"] == "opened"
    assert call(loket.url, "GET", "/api/v1/tickets?status=new", token=admin)[0] == 200
    for path in ("/api/v1/orders", "/api/v1/payments", "/api/v1/orders/999999", "/api/v1/payments/999999"):
        status, _, answer = call(loket.url, "GET", path, token=admin)
        assert status == (404 if "999" in path else 200) and ("items" in answer or answer["status"] == 404)
    modem = call(loket.url, "GET", "/api/v1/modem", token=admin)
    assert modem[0] == 200 and isinstance(modem[2]["modems"], list)


def test_bookings_with_a_therapist(running):
    loket, _, admin = running
    people = {p["name"]: p for p in call(loket.url, "GET", "/api/v1/staff", token=admin)[2]["items"]}
    assert set(people) == {"Bidan Rina", "Kak Dewi"} and people["Kak Dewi"]["capacity"] == 1
    services = {s["name"]: s["id"] for s in call(loket.url, "GET", "/api/v1/services", token=admin)[2]["items"]}
    prenatal, baby_spa = services["Pijat ibu hamil"], services["Baby spa"]
    day = dt.date.today() + dt.timedelta(days=2)
    while not (slots := call(loket.url, "GET", f"/api/v1/slots?service={prenatal}&date={day}",
                             token=admin)[2]["slots"]):
        day += dt.timedelta(days=1)
    new = {"phone": "0812-3450-0091", "service_id": prenatal, "starts_at": slots[-1]}
    refused = call(loket.url, "POST", "/api/v1/bookings", {**new, "staff_id": people["Kak Dewi"]["id"]}, token=admin)
    assert refused[0] == 422 and refused[2]["type"].endswith("booking-staff_service"), refused
    assert call(loket.url, "POST", "/api/v1/bookings", {**new, "staff_id": 99999}, token=admin)[0] == 422
    made = call(loket.url, "POST", "/api/v1/bookings", {**new, "staff_id": people["Bidan Rina"]["id"]}, token=admin)
    assert made[0] == 201 and made[2]["staff"] == {"id": people["Bidan Rina"]["id"], "name": "Bidan Rina"}
    busy = call(loket.url, "POST", "/api/v1/bookings", {"phone": "0812-3450-0092", "service_id": baby_spa,
                                                        "starts_at": slots[-1], "staff_id": people["Bidan Rina"]["id"]},
                token=admin)
    assert busy[0] == 409 and "Bidan Rina" in busy[2]["detail"], busy


def test_the_rate_limit_answers_429_with_retry_after(running):
    loket, browser, _ = running
    slow = make_token(browser, "messages", per_minute=60)
    answers = [call(loket.url, "GET", "/api/v1/messages?limit=1", token=slow) for _ in range(12)]
    refused = [a for a in answers if a[0] == 429]
    assert refused and int(refused[0][1]["Retry-After"]) >= 1 and answers[0][0] == 200


def test_the_openapi_document_lists_every_api_route_and_the_page_too(running):
    loket, browser, admin = running
    narrow = make_token(browser, "tickets")
    status, _, document = call(loket.url, "GET", "/api/v1/openapi.json", token=narrow)
    assert status == 200 and document["openapi"].startswith("3.1")
    for route in API_ROUTES:
        path = re.sub(r"<(\w+)>", r"{\1}", route.path)
        assert route.method.lower() in document["paths"].get(path, {}), f"{route.method} {route.path}"
    send = document["paths"]["/api/v1/messages"]["post"]
    assert send["requestBody"]["content"]["application/json"]["schema"]["required"] == ["to", "text"]
    _, _, page = browser.get("/settings/api/docs")
    assert all(re.sub(r"<(\w+)>", r"{\1}", r.path) in page for r in API_ROUTES)


def test_the_send_and_read_path_on_postgresql_and_redis(tmp_path, postgres_url, redis_url):
    """The same calls on the scale-out path: the key's one row is in PostgreSQL, the nudge goes by Redis."""
    from appliance import db
    from appliance.models import MODELS, Message
    database = db.connect(postgres_url)
    database.drop_tables(MODELS, cascade=True)  # a fresh shop
    with launch_loket(tmp_path / "var", {"LOKET_DATABASE_URL": postgres_url, "LOKET_QUEUE_URL": redis_url}) as loket:
        browser = loket.browser()
        assert browser.login(loket.user, loket.password) == 200
        token = make_token(browser, "send", "messages", "customers")
        body = {"to": "0812-3450-0090", "text": "Dari kasir"}
        sent = [call(loket.url, "POST", "/api/v1/messages", body, token=token, headers={"Idempotency-Key": "pg-1"})
                for _ in range(2)]
        assert [s[0] for s in sent] == [201, 200] and sent[0][2]["id"] == sent[1][2]["id"]
        assert wait_until(lambda: call(loket.url, "GET", f"/api/v1/messages/{sent[0][2]['id']}", token=token)[2]
                          ["state"] in ("sent", "delivered"))
        loket.text("+6281234500090", "Oke makasih", wait=5)
        inbox = call(loket.url, "GET", "/api/v1/messages?direction=in&phone=%2B6281234500090", token=token)[2]
        assert [m["text"] for m in inbox["items"]] == ["Oke makasih"]
        assert call(loket.url, "GET", "/api/v1/customers/by-phone/081234500090", token=token)[0] == 200
        # Every route on this path too: a good token is answered (never a 500), a narrow one refused,
        # a revoked one refused at once, and bad bodies get their problem.
        admin, narrow, revoked = (make_token(browser, scope) for scope in ("admin", "tickets", "admin"))
        _, _, page = browser.get("/settings/api")
        token_id = re.search(rf'{revoked[:11]}</code>.*?action="/settings/api/(\d+)/revoke"', page, re.S).group(1)
        browser.post(f"/settings/api/{token_id}/revoke", {"csrf": browser.csrf("/settings/api")})
        for route in API_ROUTES:
            path, body = re.sub(r"<[^>]+>", "1", route.path), ({} if route.method != "GET" else None)
            status, headers, _ = call(loket.url, route.method, path, body, token=admin)
            assert status < 500 and headers.get_content_type().endswith("json"), (route.path, status)
            if route.api_scope not in ("tickets", "any"):
                assert call(loket.url, route.method, path, body, token=narrow)[0] == 403, route.path
            assert call(loket.url, route.method, path, body, token=revoked)[0] == 401, route.path
            if route.method != "GET":
                assert call(loket.url, route.method, path, raw=b"{not json", token=admin)[0] == 400, route.path
                assert call(loket.url, route.method, path, {"colour": "red"}, token=admin)[0] == 422, route.path
    assert Message.select().where(Message.idempotency_key.endswith(":pg-1")).count() == 1
    database.close()
