"""Security by default, proven over real HTTP against `loket web`.

One real `loket web` process (waitress) for the module; the tests write to
its SQLite database directly, each with its own phone numbers and users.
"""

import csv
import io
import re
import socket
import time
import urllib.parse

import pytest
from support import Browserless, start_web

from appliance import auth, campaigns, customers, db, migrations, outbox, shopdata, tickets
from appliance import settings as settings_module
from appliance.models import Customer, Message, Ticket, User

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("site")
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    auth.create_user("owner", PASSWORD, "owner")
    auth.create_user("viewer", PASSWORD, "viewer")
    from appliance.webui.app import create_app
    table = create_app(settings, tasks=None).config["loket.routes"]  # the same table `loket web` serves
    with start_web(data_dir) as url:
        yield table, url
    database.close()


def test_every_route_but_the_public_ones_needs_a_login(site):
    table, url = site
    browser = Browserless(url)
    public = {(r.method, r.path) for r in table if r.public}
    # The login, static files, the waiting-room display, and the first-run wizard
    # (which answers only while there is no owner, and only to the setup code).
    assert public == {("GET", "/login"), ("POST", "/login"), ("GET", "/static/<path:path>"),
                      ("GET", "/display"), ("GET", "/display/board"), ("GET", "/setup"), ("POST", "/setup")}
    for route in table:
        if route.public:
            continue
        path = re.sub(r"<[^>]+>", "x", route.path)
        status, headers, _ = browser.request(route.method, path, {} if route.method == "POST" else None,
                                             follow=False)
        if route.api_scope:  # the API answers a program, not a browser: a problem, no login page
            assert status == 401 and headers.get_content_type() == "application/problem+json", route.path
        elif route.method == "GET":
            assert status in (302, 303) and "/login" in headers["Location"], route.path
        else:
            assert status == 401, route.path


def test_login_and_logout(site):
    _, url = site
    browser = Browserless(url)
    assert browser.login("owner", "wrong password") == 403
    assert browser.login("owner", PASSWORD) == 200
    assert browser.get("/inbox", follow=False)[0] == 200
    csrf = browser.csrf("/inbox")
    browser.post("/logout", {"csrf": csrf})
    assert browser.get("/inbox", follow=False)[0] in (302, 303)


def test_the_session_cookie_is_httponly_and_samesite(site):
    _, url = site
    browser = Browserless(url)
    token = browser.csrf("/login")
    _, headers, _ = browser.post("/login", {"csrf": token, "username": "owner", "password": PASSWORD},
                                 follow=False)
    cookie = headers["Set-Cookie"]
    assert "loket_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


def test_login_without_the_form_token_is_refused(site):
    _, url = site
    status, _, html = Browserless(url).post("/login", {"username": "owner", "password": PASSWORD})
    assert status == 400 and "kedaluwarsa" in html  # "the form expired", in the shop's language


def test_repeated_failures_lock_the_account(site):
    _, url = site
    auth.create_user("unlucky", PASSWORD, "frontdesk")
    browser = Browserless(url)
    for _ in range(5):
        assert browser.login("unlucky", "nope nope nope") == 403
    assert browser.login("unlucky", PASSWORD) == 403  # even the right password, for a while
    assert browser.login("owner", PASSWORD) == 200  # others are not affected


def test_a_post_without_the_csrf_token_is_refused(site):
    _, url = site
    browser = Browserless(url)
    browser.login("owner", PASSWORD)
    status, _, _ = browser.post("/inbox/%2B6281200000099/reply", {"text": "hi"})
    assert status == 403
    assert not Message.select().where(Message.phone == "+6281200000099").exists()


def test_a_viewer_may_read_but_not_reply(site):
    _, url = site
    outbox.queue_outbound("+6281200000098", "Halo")
    browser = Browserless(url)
    browser.login("viewer", PASSWORD)
    status, _, html = browser.get("/inbox/%2B6281200000098")
    assert status == 200 and "<textarea" not in html
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    status, _, _ = browser.post("/inbox/%2B6281200000098/reply", {"csrf": csrf, "text": "hi"})
    assert status == 403


def test_customer_text_is_escaped(site):
    _, url = site
    customer = customers.customer_for("+6281200000097")
    customer.name = "<script>alert(1)</script>"
    customer.save()
    Message.create(direction="in", phone=customer.phone, customer=customer, state="handled",
                   text='<img src=x onerror="alert(2)">')
    browser = Browserless(url)
    browser.login("owner", PASSWORD)
    for path in ("/inbox", "/inbox/%2B6281200000097"):
        _, _, html = browser.get(path)
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
        assert "<img src=x" not in html


def test_security_headers(site):
    _, url = site
    _, headers, _ = Browserless(url).get("/login")
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("text, status, message", [  # the owner reads Indonesian, the shop's language
    ("", 400, "Tulis pesan dulu"),
    ("   ", 400, "Tulis pesan dulu"),
    ("x" * 1001, 400, "paling banyak 1000 karakter (yang ini 1001)"),
    ("Baik, sampai besok 🙏", 200, ""),
    ("x" * 1000, 200, ""),
])
def test_reply_form_input(site, text, status, message):
    _, url = site
    browser = Browserless(url)
    browser.login("owner", PASSWORD)
    csrf = browser.csrf("/inbox/%2B6281234567890")
    got, _, html = browser.post("/inbox/%2B6281234567890/reply", {"csrf": csrf, "text": text})
    assert got == status
    assert message in html


def test_replying_to_a_short_code_is_refused(site):
    _, url = site
    Message.create(direction="in", phone="TELKOMSEL", state="handled", text="Sisa pulsa")
    browser = Browserless(url)
    browser.login("owner", PASSWORD)
    csrf = browser.csrf("/inbox/TELKOMSEL")
    status, _, html = browser.post("/inbox/TELKOMSEL/reply", {"csrf": csrf, "text": "hi"})
    assert status == 400 and "tidak bisa dibalas" in html


@pytest.mark.parametrize("path, status", [
    ("/inbox/%2B6281234567890%27%3B--", 404), ("/inbox/" + "9" * 500, 404), ("/inbox?page=-5", 200),
    ("/inbox?page=abc", 200), ("/static/../appliance/auth.py", 403), ("/nowhere", 404),
])
def test_odd_urls_get_a_plain_answer(site, path, status):
    _, url = site
    browser = Browserless(url)
    browser.login("owner", PASSWORD)
    got, _, html = browser.get(path)
    assert got == status
    assert "Traceback" not in html


# A browser drops a tab or a newline from a URL: `/<tab>/evil.example` is `//evil.example`.
@pytest.mark.parametrize("target", ["//evil.example/x", "/%09/evil.example", "/%0a/evil.example", "/%0d%0a/evil.example",
                                    "/%5Cevil.example", "/%20/evil.example", "https://evil.example/"])
def test_after_login_only_local_paths_are_followed(site, target):
    _, url = site
    browser = Browserless(url)
    token = browser.csrf("/login")
    _, headers, _ = browser.request("POST", "/login?next=" + target,
                                    {"csrf": token, "username": "owner", "password": PASSWORD}, follow=False)
    assert "evil" not in headers["Location"] and headers["Location"].startswith(url)
    # The other redirect that takes a path from the browser: after choosing a language.
    csrf = browser.csrf("/dashboard")
    _, headers, _ = browser.request("POST", "/me/language", {"csrf": csrf, "language": "en",
                                                             "back": urllib.parse.unquote(target)}, follow=False)
    assert "evil" not in headers["Location"] and headers["Location"].startswith(url)


def test_after_login_a_local_path_is_followed(site):
    _, url = site
    browser = Browserless(url)
    token = browser.csrf("/login")
    _, headers, _ = browser.request("POST", "/login?next=/customers%3Fq%3Dsari",
                                    {"csrf": token, "username": "owner", "password": PASSWORD}, follow=False)
    assert headers["Location"] == url + "/customers?q=sari"


def test_an_admin_cannot_make_an_owner(site):
    _, url = site
    auth.create_user("deputy", PASSWORD, "admin", language="en")
    helper = auth.create_user("helper", PASSWORD, "frontdesk")
    browser = Browserless(url)
    assert browser.login("deputy", PASSWORD) == 200
    csrf = browser.csrf("/settings/users")
    status, _, html = browser.post("/settings/users", {"csrf": csrf, "username": "boss2", "role": "owner"})
    assert status == 400 and "only an owner may make an owner" in html
    assert auth.find_user("boss2") is None
    status, _, _ = browser.post(f"/settings/users/{helper.id}", {"csrf": csrf, "action": "role", "role": "owner"})
    assert status == 400 and User.get_by_id(helper.id).role == "frontdesk"
    # The owner may.
    owner = Browserless(url)
    owner.login("owner", PASSWORD)
    status, _, _ = owner.post("/settings/users", {"csrf": owner.csrf("/settings/users"), "username": "boss2",
                                                  "role": "owner"})
    assert status == 200 and auth.find_user("boss2").role == "owner"


def test_a_refused_new_user_leaves_no_login_behind(site):
    _, url = site
    browser = Browserless(url)
    browser.login("owner", PASSWORD)
    status, _, _ = browser.post("/settings/users", {"csrf": browser.csrf("/settings/users"), "username": "halfmade",
                                                    "role": "frontdesk", "phone": "12"})
    assert status == 400 and auth.find_user("halfmade") is None


def test_a_link_cannot_put_its_own_words_on_a_page(site):
    _, url = site
    browser = Browserless(url)
    browser.login("owner", PASSWORD)
    _, _, html = browser.get("/dashboard?done=Your+account+is+suspended.+Call+0812-EVIL")
    assert "suspended" not in html and "EVIL" not in html
    # The box's own note after a change still shows, for the session it was written for only.
    csrf = browser.csrf("/settings/shop")
    _, headers, _ = browser.request("POST", "/settings/shop", {"csrf": csrf, "section": "hours"}, follow=False)
    note = headers["Location"][len(url):]
    saved = re.compile(r'class="flash" role="status">(Saved|Tersimpan)\.<')
    assert saved.search(browser.get(note)[2])
    stranger = Browserless(url)
    stranger.login("viewer", PASSWORD)
    assert not saved.search(stranger.get(note.replace("/settings/shop", "/dashboard"))[2])


def test_the_owner_can_clear_the_quiet_hours(site):
    _, url = site
    browser = Browserless(url)
    browser.login("owner", PASSWORD)
    csrf = browser.csrf("/settings/shop")
    status, _, _ = browser.post("/settings/shop", {"csrf": csrf, "section": "sms", "quiet_hours": "",
                                                   "daily_cap": "0", "rate_per_minute": "0",
                                                   "replies_per_hour": "30"})
    assert status == 200
    shopdata.invalidate()
    assert shopdata.ui_overrides()["quiet_hours"] == ""
    assert 'name="quiet_hours" value=""' in browser.get("/settings/shop")[2]


def test_report_downloads_hold_no_live_formulas(site):
    _, url = site
    campaigns.create('=HYPERLINK("http://evil.example","Klik")', "Halo {name}", {})
    browser = Browserless(url)
    browser.login("owner", PASSWORD)
    for name in ("campaigns", "messages", "bookings", "retention", "products", "categories", "sms", "customers",
                 "returning", "payments"):
        status, _, text = browser.get(f"/reports/{name}.csv")
        assert status == 200
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert not any(cell[:1] in ("=", "+", "@", "\t") or (cell[:1] == "-" and not cell[1:].isdigit())
                       for cell in cells), name
    assert "'=HYPERLINK" in browser.get("/reports/campaigns.csv")[2]
    # The ticket report's list: a customer's name is theirs to choose, by SMS.
    caller = customers.customer_for("+6281299990001")
    caller.name = "=cmd|' /C calc'!A0"
    caller.save()
    tickets.open_ticket(caller, "-2+3 internet mati")
    status, _, text = browser.get("/tickets/report.csv")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert status == 200 and "'=cmd|' /C calc'!A0" in cells
    assert not any(cell[:1] in ("=", "+", "@", "\t") or (cell[:1] == "-" and not cell[1:].isdigit()) for cell in cells)


def _raw(url: str, request: bytes, timeout: float = 10) -> tuple[bytes, float]:
    """Bytes straight to waitress; its status line and how long it took."""
    host, port = url.split("//")[1].split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        answer = sock.recv(200)
    return answer.split(b"\r\n")[0], time.monotonic() - started


def _session(url: str, name: str) -> str:
    browser = Browserless(url)
    browser.login(name, PASSWORD)
    return next(c.value for c in browser.jar if c.name == "loket_session")


def _announce(path: bytes, size: int, session: str) -> bytes:
    """A POST's headers announcing `size` bytes, with a session cookie, and no body yet."""
    return (b"POST " + path + b" HTTP/1.1\r\nHost: loket\r\nContent-Length: " + str(size).encode()
            + b"\r\nCookie: loket_session=" + session.encode()
            + b"\r\nContent-Type: multipart/form-data; boundary=x\r\n\r\n")


def test_a_huge_body_is_refused_before_it_is_read(site):
    _, url = site
    # 200 MB announced, nothing sent: answered at once, nothing spooled to the disk.
    for path in (b"/login", b"/settings/backup/restore", b"/customers/import", b"/settings/update"):
        status, took = _raw(url, b"POST " + path + b" HTTP/1.1\r\nHost: loket\r\nContent-Length: 209715200\r\n"
                                 b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")
        assert status == b"HTTP/1.1 413 Request Entity Too Large" and took < 2, path
    # A form is small: 2 MB is no form, even from the owner.
    assert _raw(url, _announce(b"/customers", 2_000_000, _session(url, "owner")))[0].endswith(b" 413 Request Entity Too Large")


def test_an_upload_bigger_than_a_form_is_taken_from_a_logged_in_owner(site):
    _, url = site
    browser = Browserless(url)
    browser.login("owner", PASSWORD)
    status, _, html = browser.upload("/settings/backup/restore", {"csrf": browser.csrf("/settings/backup")}, "file",
                                     "loket.db", b"not a database" * 200_000)
    assert status == 400 and "cannot be restored" in html
    # The same file from a viewer (no backups for her) is read, thrown away, and refused.
    viewer = Browserless(url)
    viewer.login("viewer", PASSWORD)
    status, _, _ = viewer.upload("/settings/backup/restore", {"csrf": viewer.csrf("/inbox")}, "file",
                                 "loket.db", b"not a database" * 200_000)
    assert status == 413


def test_a_chunked_body_is_refused_at_once(site):
    _, url = site
    # A chunk-size line that never ends kept waitress 3.0.2's only I/O thread busy.
    status, took = _raw(url, b"POST /login HTTP/1.1\r\nHost: loket\r\nTransfer-Encoding: chunked\r\n\r\n"
                             + b"f" * 200_000)
    assert status == b"HTTP/1.1 400 Bad Request" and took < 2
    started = time.monotonic()
    assert Browserless(url).get("/login")[0] == 200 and time.monotonic() - started < 2


def test_a_technician_sees_and_texts_only_the_customers_of_his_tickets(site):
    _, url = site
    mine, theirs = customers.customer_for("+6281211110001"), customers.customer_for("+6281211110002")
    mine.name, theirs.name = "Bu Mina", "Pak Lain"
    mine.save(), theirs.save()
    tech, other = auth.create_user("tech.ari", PASSWORD, "technician"), auth.create_user("tech.budi", PASSWORD, "technician")
    Ticket.create(number=9001, customer=mine, summary="printer macet", status="assigned", assignee=tech)
    Ticket.create(number=9002, customer=theirs, summary="wifi putus", status="assigned", assignee=other)
    for customer in (mine, theirs):
        Message.create(direction="in", phone=customer.phone, customer=customer, state="handled", text="KELUHAN rusak")
    failed = Message.create(direction="out", phone=theirs.phone, customer=theirs, state="failed", text="x")
    browser = Browserless(url)
    assert browser.login("tech.ari", PASSWORD) == 200
    csrf = browser.csrf("/inbox/%2B6281211110001")
    assert browser.get(f"/customers/{mine.id}")[0] == 200
    assert browser.get(f"/customers/{theirs.id}")[0] == 403
    listing = browser.get("/customers")[2]
    assert "Bu Mina" in listing and "Pak Lain" not in listing
    assert "Pak Lain" not in browser.get("/customers?q=Pak")[2]
    inbox = browser.get("/inbox")[2]
    assert "Bu Mina" in inbox and "Pak Lain" not in inbox
    assert browser.get("/inbox/%2B6281211110001")[0] == 200
    assert browser.get("/inbox/%2B6281211110002")[0] == 403
    assert browser.get("/inbox/%2B6281211110002/since")[0] == 403
    # He texts his own customer, and no one else: not another's, not a number that never wrote.
    assert browser.post("/inbox/%2B6281211110001/reply", {"csrf": csrf, "text": "Saya datang jam 3"})[0] == 200
    for phone in ("+6281211110002", "+6281299999999"):
        assert browser.post(f"/inbox/{urllib.parse.quote(phone)}/reply", {"csrf": csrf, "text": "Halo"})[0] == 403
        assert not Message.select().where((Message.phone == phone) & (Message.text == "Halo")).exists()
    assert f"/outbox/{failed.id}/resend" not in browser.get("/outbox")[2]
    assert browser.post(f"/outbox/{failed.id}/resend", {"csrf": csrf})[0] == 403
    # Staff at the desk see everyone.
    desk = Browserless(url)
    desk.login("owner", PASSWORD)
    assert desk.get(f"/customers/{theirs.id}")[0] == 200 and desk.get("/inbox/%2B6281211110002")[0] == 200
    assert f"/outbox/{failed.id}/resend" in desk.get("/outbox")[2]


def test_a_customer_refused_for_her_name_is_not_added(site):
    _, url = site
    browser = Browserless(url)
    browser.login("owner", PASSWORD)
    status, _, _ = browser.post("/customers", {"csrf": browser.csrf("/customers"), "phone": "081233330001",
                                               "name": "123 Sari"})
    assert status == 400
    assert not Customer.select().where(Customer.phone == "+6281233330001").exists()


def test_the_update_upload_takes_what_a_bundle_may_be():
    from appliance.box import bundle
    from appliance.webui import server
    assert server.UPDATE_LIMIT == bundle.MAX_BUNDLE


def test_an_error_page_carries_the_owners_name_for_the_shop_in_her_language(site):
    _, url = site
    browser = Browserless(url)
    browser.login("owner", PASSWORD)
    before = shopdata.setting("shop_name")
    rename = lambda name: browser.post("/settings/shop", {"csrf": browser.csrf("/settings/shop"), "section": "shop",
                                                          "shop_name": name})  # noqa: E731
    assert rename("Toko Sinar Garut")[0] == 200
    try:
        status, _, html = browser.get("/nowhere")
        assert status == 404 and "<title>404 · Toko Sinar Garut</title>" in html
        assert "Halaman ini tidak ada." in html and "Not found" not in html  # not bottle's own English
    finally:
        rename(before)


def test_the_note_of_what_was_done_goes_before_an_anchor():
    """'/tickets/7#events' with a note: the note in the query, where the server reads it
    (after '#' the browser keeps it to itself and the page showed nothing)."""
    import bottle
    from webui.web import Web

    class Signed(Web):
        session = None

    bottle.response.bind()
    try:
        Signed(None, None).redirect("/tickets/7#events", "Disimpan")
    except bottle.HTTPResponse as sent:
        location = sent.headers["Location"]
    assert location.split("?", 1)[0].endswith("/tickets/7") and location.endswith("#events")
    assert "done=Disimpan" in location.split("#")[0]
