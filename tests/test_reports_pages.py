"""The reports page over real HTTP against `loket web`: the period picked
with plain links or two dates (no JavaScript), a CSV for every report, the
customer export streamed, and the page as the owner sees it on her phone,
in Indonesian."""

import csv
import datetime as dt
import http.client
import io
import re
import shutil
import urllib.parse
import zoneinfo

import pytest
from support import REPO, Browserless, start_web

from appliance import auth, clock, customers_csv, daily, db, generator, migrations
from appliance import settings as settings_module
from appliance.models import Booking, Customer, Order, Service

PASSWORD = "correct horse battery"
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("reports")
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    auth.create_user("owner", PASSWORD, "owner")  # in the shop's language: Indonesian
    generator.generate(300, 6000, days=400)
    massage = Service.create(name="Pijat bayi", duration_minutes=60, price=85_000)
    now = clock.utcnow()
    for n, customer in enumerate(Customer.select().limit(120)):
        at = now - dt.timedelta(days=n * 3, hours=2)
        Booking.create(customer=customer, service=massage, starts_at=at, ends_at=at,
                       status=("done", "done", "no_show", "cancelled")[n % 4])
        Order.create(number=1000 + n, customer=customer, total=85_000 * (1 + n % 3), created_at=at,
                     paid_at=at if n % 2 else None, status="paid" if n % 2 else "new")
    daily.backfill(JAKARTA, pause=0)
    with start_web(data_dir) as url:
        browser = Browserless(url)
        browser.login("owner", PASSWORD)
        yield url, browser
    database.close()


def today():
    return clock.utcnow().astimezone(JAKARTA).date()


def test_the_period_is_picked_with_links_and_the_current_one_is_marked(site):
    _, browser = site
    for days in (7, 30, 90, 365):
        status, _, html = browser.get(f"/reports?days={days}")
        assert status == 200
        current = re.findall(r'<a href="/reports\?days=(\d+)" class="button current" aria-current="page">', html)
        assert current == [str(days)]
        first = today() - dt.timedelta(days=days - 1)
        assert f'name="from" value="{first.isoformat()}"' in html
        assert f'/reports/messages.csv?days={days}' in html
    assert "7 hari" in browser.get("/reports")[2]  # the links in Indonesian


def test_a_custom_period_from_two_dates_and_a_clear_answer_to_bad_ones(site):
    _, browser = site
    status, _, html = browser.get("/reports?from=2026-11-01&to=2026-11-30")
    assert status == 200 and "1 Nov – 30 Nov 2026" in html
    assert "/reports/messages.csv?from=2026-11-01&amp;to=2026-11-30" in html
    assert 'class="button current"' not in html  # no preset period is marked
    status, _, html = browser.get("/reports?from=2026-11-30&to=2026-11-01")  # the wrong way round: swapped
    assert status == 200 and "1 Nov – 30 Nov 2026" in html
    status, _, html = browser.get("/reports?from=kemarin&to=2026-11-01")
    assert status == 200 and 'role="alert"' in html and "Traceback" not in html
    status, _, html = browser.get("/reports?from=2010-01-01&to=2026-11-01")
    assert status == 200 and 'role="alert"' in html


def test_every_chart_has_its_table_and_its_csv(site):
    _, browser = site
    for tab, names in (("", ("messages", "bookings")), ("/sales", ("orders", "revenue")),
                       ("/customers", ("customers", "returning", "retention"))):
        _, _, page = browser.get(f"/reports{tab}?days=365")
        for name in names:
            section = page.split(f'id="{name}"')[1].split("</section>")[0]
            assert '<svg class="bars"' in section and "<table>" in section, name
            assert f'href="/reports/{name}.csv?days=365"' in section
    _, _, html = browser.get("/reports?days=365")
    assert "Pesan" in html and "Diterima" in html and "Tabel" in html  # the legends and headings in Indonesian
    # 365 days drawn by month: the table says which month, one way of writing it.
    assert re.search(r"<td>Des 20\d\d</td>", html)


def test_a_reports_csv_is_the_periods_days_in_the_users_language(site):
    _, browser = site
    first, last = today() - dt.timedelta(days=89), today()
    status, headers, text = browser.get(f"/reports/messages.csv?from={first}&to={last}")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert f'filename="messages-{first}-{last}.csv"' in headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Hari", "Diterima", "Terkirim", "Gagal"]
    assert len(rows) == 1 + 90 and rows[1][0] == first.isoformat() and rows[-1][0] == last.isoformat()
    expected = {r["day"].isoformat(): r for r in daily.per_day(first, last, JAKARTA)}
    assert all(int(row[1]) == expected[row[0]]["received"] for row in rows[1:])
    status, _, text = browser.get("/reports/revenue.csv?days=30")
    assert status == 200 and text.splitlines()[0].startswith("Hari,")
    assert browser.get("/reports/nothing.csv")[0] == 404


def test_the_customer_export_streams(site):
    url, browser = site
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.jar)
    host = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    connection.request("GET", "/customers/export.csv", headers={"Cookie": cookie})
    response = connection.getresponse()
    assert response.status == 200
    # Sent as it is read, not built whole first: chunked, no length known up front.
    assert response.getheader("Transfer-Encoding") == "chunked" and response.getheader("Content-Length") is None
    body = response.read().decode("utf-8-sig")
    connection.close()
    lines = body.splitlines()
    assert lines[0].startswith("name,phone") and len(lines) == 1 + Customer.select().count()
    # In pieces of a batch each, the same file as the whole one.
    pieces = list(customers_csv.export_chunks(batch=50))
    assert len(pieces) == 300 // 50 and "".join(pieces) == customers_csv.export_csv()


def test_the_reports_page_on_a_phone_in_indonesian(site):
    """Looked at, too: test-output/browser/reports-390.png."""
    playwright = pytest.importorskip("playwright.sync_api")
    url, browser = site
    chromium_path = shutil.which("chromium") or "/usr/bin/chromium"
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu",
                                                                          "--disable-dev-shm-usage"])
        page = chromium.new_page(viewport={"width": 390, "height": 844})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url + "/login")
        page.fill("input[name=username]", "owner")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(url + "/reports?days=365")
        assert page.get_attribute("html", "lang") == "id"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing off the side
        sizes = page.evaluate("""[...document.querySelectorAll('svg.bars text')]
                                 .map(t => t.getBoundingClientRect().height)""")
        assert sizes and min(sizes) >= 12  # chart text as big on the phone as anywhere
        page.click("#messages summary")
        assert page.is_visible("#messages table")
        page.click("text=7 hari")
        page.wait_for_url(re.compile(r".*days=7"))
        page.fill("input[name=from]", "2026-11-01")
        page.fill("input[name=to]", "2026-11-30")
        page.click(".period-form button")
        page.wait_for_url(re.compile(r".*from=2026-11-01.*"))
        page.goto(url + "/reports?days=365")
        shots = REPO / "test-output" / "browser"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "reports-390.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(shots / "reports-1280.png"), full_page=True)
        chromium.close()
    assert errors == []


def test_the_demo_shop_comes_with_its_days_counted(tmp_path):
    from support import loket_cli
    done = loket_cli("demo", "--customers", "200", "--messages", "3000", data_dir=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    settings = settings_module.load(env={}, overrides={"data_dir": str(tmp_path)})
    database = db.connect(settings.db_url)
    try:
        from appliance.models import DailyCount, Message
        kept = {row.day: row.received for row in DailyCount.select()}
        assert len(kept) >= 360  # a year of days, counted once by `loket demo`
        counted = {}
        for m in Message.select().where(Message.direction == "in"):
            day = m.created_at.astimezone(JAKARTA).date()
            counted[day] = counted.get(day, 0) + 1
        assert all(kept[day] == counted.get(day, 0) for day in kept)
    finally:
        database.close()
