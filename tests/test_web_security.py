"""Security by default, proven over real HTTP against `loket web`.

One real `loket web` process (waitress) for the module; the tests write to
its SQLite database directly, each with its own phone numbers and users.
"""

import re

import pytest
from support import Browserless, start_web

from appliance import auth, customers, db, migrations, outbox
from appliance import settings as settings_module
from appliance.models import Message

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
        if route.method == "GET":
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
    assert status == 400 and "expired" in html


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


@pytest.mark.parametrize("text, status, message", [
    ("", 400, "Write a message"),
    ("   ", 400, "Write a message"),
    ("x" * 1001, 400, "at most 1000"),
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
    assert status == 400 and "cannot be answered" in html


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


def test_after_login_only_local_paths_are_followed(site):
    _, url = site
    browser = Browserless(url)
    token = browser.csrf("/login")
    _, headers, _ = browser.request("POST", "/login?next=//evil.example/x",
                                    {"csrf": token, "username": "owner", "password": PASSWORD}, follow=False)
    assert "evil" not in headers["Location"] and headers["Location"].startswith(url)
