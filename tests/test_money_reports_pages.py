"""The reports' sales, SMS-spend and customers tabs over real HTTP against
`loket web`, on a shop whose orders went through the real order flow (placed,
claimed, verified, rejected, cancelled by the unpaid job): the numbers in
Rupiah as the shop writes them, a table and a CSV beside every chart, the
tabs only for those who may read reports, and the pages on a phone."""

import csv
import datetime as dt
import io
import re
import shutil
import zoneinfo

import pytest
from support import REPO, Browserless, start_web

from appliance import auth, clock, customers, daily, db, migrations, orders
from appliance import settings as settings_module
from appliance.models import Booking, Campaign, Message, Product, Service

PASSWORD = "correct horse battery"
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def today():
    return clock.utcnow().astimezone(JAKARTA).date()


def at(days_ago: int, hour: int = 10) -> dt.datetime:
    day = today() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=JAKARTA).astimezone(dt.timezone.utc)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("money")
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    for role in ("owner", "viewer", "frontdesk"):
        auth.create_user(role, PASSWORD, role)  # in the shop's language: Indonesian
    shop = orders.shop_or_default(None)
    helmet = Product.create(name="Helm KYT", category="Aksesoris", price=350_000, stock=100)
    chain = Product.create(name="Rantai RK", category="Mesin", price=125_000, stock=100)
    sly = Product.create(name="=HYPERLINK(\"http://x\")", category="+Cmd", price=10_000, stock=100)
    buyers = [f"+62812000010{n:02d}" for n in range(12)]
    for n, phone in enumerate(buyers):  # one paid order a day for twelve days, two from the first buyer
        order = orders.create_order(buyers[0] if n % 4 == 0 else phone,
                                    [(helmet, 1, None), (chain, 2, None)] + ([(sly, 1, None)] if n == 3 else []),
                                    now=at(20 - n, 9))
        claim, _ = orders.record_claim(order, order.total, now=at(20 - n, 11))
        orders.verify_claim(claim, None, at(20 - n, 13))
    late = orders.create_order("+6281200002000", [(chain, 1, None)], now=at(15))
    claim, _ = orders.record_claim(late, 1000, now=at(15, 12))
    orders.reject_claim(claim, "belum masuk", None, at(15, 14))
    orders.cancel_unpaid(shop, at(5))  # not paid in time
    waiting = orders.create_order("+6281200002001", [(helmet, 1, None)], now=at(1), status="new")  # still unpaid
    orders.record_claim(waiting, 350_000, now=at(1, 12))  # and its claim waits for staff
    massage = Service.create(name="Servis ringan", duration_minutes=60, price=50_000)
    for n in range(3):
        Booking.create(customer=customers.customer_for(buyers[1]), service=massage, starts_at=at(10 - n),
                       ends_at=at(10 - n), status="done")
    promo = Campaign.create(name="Promo oli", text="x")
    month_ago = at(35)
    for when, category, campaign, parts, price in ((at(2), "transactional", None, 1, 150),
                                                   (at(2), "reminder", None, 2, 150),
                                                   (at(3), "marketing", promo, 3, 200),
                                                   (month_ago, "transactional", None, 4, 100)):
        Message.create(direction="out", phone=buyers[2], text="x", state="delivered", category=category,
                       campaign=campaign, parts=parts, part_price=price, created_at=when)
    daily.backfill(JAKARTA, pause=0)
    with start_web(data_dir) as url:
        browser = Browserless(url)
        browser.login("owner", PASSWORD)
        yield url, browser
    database.close()


def section(html: str, name: str) -> str:
    return html.split(f'id="{name}"')[1].split("</section>")[0]


def test_the_sales_tab_in_rupiah_with_a_table_and_a_csv_beside_every_chart(site):
    _, browser = site
    status, _, html = browser.get("/reports/sales?days=30")
    assert status == 200 and "Traceback" not in html
    assert 'href="/reports/sales?days=30" aria-current="page">Penjualan</a>' in html  # the tab, in Indonesian
    assert 'href="/reports/sales?days=7"' in html  # the period links stay on the tab
    for name in ("orders", "revenue", "payments"):
        part = section(html, name)
        assert '<svg class="bars"' in part and "<table>" in part and "<tfoot>" in part, name
        assert f'href="/reports/{name}.csv?days=30"' in part
    # Twelve paid orders of one helmet and two chains, one with a ten-thousand extra: Rp 7.210.000.
    assert "Rp 7.210.000" in section(html, "revenue")
    payments = section(html, "payments")
    assert re.search(r"<tfoot><tr>\s*<th>Total</th>\s*<th>14</th>\s*<th>12</th>\s*<th>1</th>", payments)
    orders_part = section(html, "orders")
    assert "Batal, tidak dibayar tepat waktu" in orders_part and "Belum dibayar" in orders_part
    products = section(html, "products")
    assert "<details class=\"report-table\" open>" in products  # a table without a chart is open
    rows = re.findall(r"<tr>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", products)
    assert rows[0] == ("Helm KYT", "Aksesoris", "12", "Rp 4.200.000")
    assert rows[1] == ("Rantai RK", "Mesin", "24", "Rp 3.000.000")
    assert "Produk terlaris" in html and "Penjualan per kategori" in html
    assert "Rata-rata pesanan dibayar" in html and "Rp 600.833" in html  # 7.210.000 / 12, whole rupiah
    assert re.search(r'<dd>1\s*<a class="button" href="/orders">Cek sekarang</a>', html)  # the claim to check


def test_the_sales_csvs_are_in_the_users_language_and_never_a_formula(site):
    _, browser = site
    status, headers, text = browser.get("/reports/products.csv?days=30")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Produk", "Kategori", "Terjual", "Uang diterima (Rp)"]
    assert rows[1] == ["Helm KYT", "Aksesoris", "12", "4200000"]
    assert ["'=HYPERLINK(\"http://x\")", "'+Cmd", "1", "10000"] in rows  # a product named like a formula
    rows = list(csv.reader(io.StringIO(browser.get("/reports/categories.csv?days=30")[2])))
    assert rows[1][0] == "Aksesoris" and rows[1][3] == "4200000"
    rows = list(csv.reader(io.StringIO(browser.get("/reports/payments.csv?days=30")[2])))
    assert rows[0][:4] == ["Hari", "Masuk", "Diterima", "Ditolak"] and len(rows) == 31
    assert sum(int(r[1]) for r in rows[1:]) == 14 and sum(int(r[3]) for r in rows[1:]) == 1


def test_sms_spend_per_month_this_month_and_the_last_ones(site):
    _, browser = site
    status, _, html = browser.get("/reports/sms")
    assert status == 200 and "Biaya SMS per bulan" in html
    assert 'class="periods"' not in html and "12 bulan terakhir" in html  # a fixed year, no picker
    part = section(html, "sms")
    assert '<svg class="bars"' in part and "<tfoot>" in part
    # 150 + 2 x 150 + 3 x 200 sent lately, 4 x 100 a month before; the orders' own SMS cost nothing (no price).
    assert re.search(r"<th>Total</th>\s*<th>Rp 550</th>\s*<th>Rp 300</th>\s*<th>Rp 600</th>\s*<th>Rp 1.450</th>", part)
    spent_now = sum(p * c for p, c, ago in ((1, 150, 2), (2, 150, 2), (3, 200, 3)) if at(ago).astimezone(
        JAKARTA).month == today().month)
    assert re.search(rf"<dd>Rp {spent_now:,}\s*</dd>".replace(",", "."), html)  # this month so far
    rows = list(csv.reader(io.StringIO(browser.get("/reports/sms.csv")[2])))
    assert rows[0][0] == "Bulan" and "Pengingat (bagian SMS)" in rows[0] and len(rows) == 13
    assert rows[-1][0] == today().strftime("%Y-%m") and sum(int(r[4]) for r in rows[1:]) == 1450


def test_the_customers_tab_growth_and_returning_customers(site):
    _, browser = site
    status, _, html = browser.get("/reports/customers?days=30")
    assert status == 200
    growth = section(html, "customers")
    assert "Semua pelanggan" in growth and '<svg class="bars"' in growth
    returning = section(html, "returning")
    assert "lebih dari sekali" in returning  # the help line says what returning means
    # Eleven customers ordered or came: the first buyer ordered three times, the second ordered once and came
    # three times. Each day counts them from their second time on: 2 + 3 days.
    assert re.search(r"<dt>Pelanggan yang kembali</dt><dd>2 \(18 %\)\s*</dd>", html)
    assert re.search(r"<dt>Memesan atau datang</dt><dd>11\s*</dd>", html)
    rows = list(csv.reader(io.StringIO(browser.get("/reports/returning.csv?days=30")[2])))
    assert rows[0] == ["Dari", "Sampai", "Memesan atau datang", "Lebih dari sekali"] and len(rows) == 31
    assert sum(int(r[2]) for r in rows[1:]) == 16 and sum(int(r[3]) for r in rows[1:]) == 5
    rows = list(csv.reader(io.StringIO(browser.get("/reports/customers.csv?days=30")[2])))
    assert rows[0] == ["Hari", "Pelanggan baru", "Semua pelanggan"]
    assert int(rows[-1][2]) == int(rows[1][2]) + sum(int(r[1]) for r in rows[2:])
    assert "retention" in html  # the visits' month-on-month, beside it


def test_only_report_readers_see_the_tabs(site):
    url, _ = site
    viewer, desk = Browserless(url), Browserless(url)
    viewer.login("viewer", PASSWORD)
    desk.login("frontdesk", PASSWORD)
    for path in ("/reports/sales", "/reports/sms", "/reports/customers", "/reports/products.csv",
                 "/reports/sms.csv"):
        assert viewer.get(path)[0] == 200, path
        assert desk.get(path)[0] == 403, path
    assert viewer.get("/reports/sales?from=kemarin")[0] == 200  # a bad date: an answer, not a stack trace


def test_the_money_tabs_on_a_phone_in_indonesian(site):
    """Looked at, too: test-output/browser/reports-{sales,sms,customers}-390.png."""
    playwright = pytest.importorskip("playwright.sync_api")
    url, _ = site
    chromium_path = shutil.which("chromium") or "/usr/bin/chromium"
    shots = REPO / "test-output" / "browser"
    shots.mkdir(parents=True, exist_ok=True)
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
        page.goto(url + "/reports?days=30")
        page.click("text=Penjualan")
        page.wait_for_url(re.compile(r".*/reports/sales\?days=30"))
        for tab in ("sales", "sms", "customers"):
            page.goto(url + f"/reports/{tab}" + ("" if tab == "sms" else "?days=90"))
            assert page.get_attribute("html", "lang") == "id"
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, tab  # nothing off the side
            page.screenshot(path=str(shots / f"reports-{tab}-390.png"), full_page=True)
        chromium.close()
    assert errors == []
