"""Paying and proof, over real HTTP on a real `loket web` and SQLite file: where to pay on
the order, the invoice and the receipt (A4 and the 58 mm roll), the courier and tracking
number of a shipment, and Chromium's print view of the roll."""

import datetime as dt
import html
import re

import pytest
from support import Browserless, start_web

from appliance import auth, db, demo, migrations, orders, shopdata
from appliance import settings as settings_module
from appliance.conversation import Shop
from appliance.models import AuditEntry, Customer, Message, Order, OrderItem, Product, User

PASSWORD = "correct horse battery"
NOW = dt.datetime.now(dt.timezone.utc)  # set again when the shop is made
PAY_TO = "BCA 1234567890 a.n. Jaya Motor, DANA 0812-3456-7890"
LONG_NAME = "Kampas rem depan Vario 125 original Honda (set kiri kanan) XKAMPASREMDEPANVARIO125ORIGINAL"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The parts dealer's demo (O-1001 awaits payment) with the shop's details filled in, an
    English customer's paid order with a long item, and a login for every role."""
    global NOW  # the moment this shop is made: the suite was collected minutes (perhaps a day) ago
    NOW = dt.datetime.now(dt.timezone.utc)
    data_dir = tmp_path_factory.mktemp("printing")
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    demo.seed(data_dir, "parts")
    shopdata.invalidate()
    shopdata.save_ui_settings({"shop_name": "Jaya Motor", "shop_address": "Jl. Ahmad Yani 5, Pontianak",
                               "shop_phone": "(0561) 734 555", "payment_instructions": PAY_TO})
    for role in ("admin", "frontdesk", "technician", "viewer"):
        auth.create_user(role, PASSWORD, role, language="id")
    owner = User.get(User.username == "owner")
    owner.password_hash, owner.language = auth.hash_password(PASSWORD), "id"
    owner.save()
    maria = Customer.create(phone="+6281234500077", name="Maria Tan", language="en", address="Jl. Gajah Mada 1")
    shop = Shop.from_settings(shopdata.live(settings))
    paid = orders.create_order(maria, [(LONG_NAME, 2, 625_000), ("Ongkos kirim", 1, 0)], now=NOW, shop=shop)
    paid = orders.set_status(paid, "paid", by=owner, now=NOW + dt.timedelta(hours=1), shop=shop)
    shopdata.invalidate()
    with start_web(data_dir) as url:
        yield url, paid.number
    database.close()


def browser_for(url, role):
    browser = Browserless(url)
    assert browser.login(role, PASSWORD) == 200
    return browser


def text_of(page):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_order_page_says_where_the_customer_was_told_to_pay(site):
    url, _ = site
    status, _, page = browser_for(url, "frontdesk").get("/orders/1001")
    assert status == 200
    assert "Bayar ke " + PAY_TO in text_of(page)
    assert 'href="/orders/1001/invoice"' in page and 'href="/orders/1001/invoice?paper=58"' in page
    assert "/orders/1001/receipt" not in page, "no receipt button before the order is paid"
    _, _, tech = browser_for(url, "technician").get("/orders/1001")
    assert "/invoice" not in tech, "a technician is shown no print button he may not use"


def test_the_invoice_carries_the_shop_the_number_the_lines_and_where_to_pay(site):
    url, _ = site
    desk = browser_for(url, "frontdesk")
    status, headers, page = desk.get("/orders/1001/invoice")
    assert status == 200 and headers.get_content_type() == "text/html"
    words = text_of(page)
    for expected in ("Jaya Motor", "Jl. Ahmad Yani 5, Pontianak", "Telepon (0561) 734 555", "FAKTUR",
                     "Nomor INV-1001", "Pesanan O-1001", "Budi Santoso", "Kampas rem depan Vario",
                     "Rp 65.000", "Oli mesin 1L", "Rp 55.000", "Total Rp 120.000", "Bayar ke: " + PAY_TO,
                     "Lalu SMS BAYAR O-1001 dan jumlahnya."):
        assert expected in words, expected
    created = Order.get(Order.number == 1001).created_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert f"{created.day} " in words and f"{created.year} {created:%H}.{created:%M}" in words, "the shop's zone"
    assert 'href="/static/print-a4.css"' in page and "http" not in re.sub(r'href="http://127[^"]*"', "", page)
    assert desk.get("/orders/1001/invoice")[2] == page, "a reprint is the same document"
    _, _, roll = desk.get("/orders/1001/invoice?paper=58")
    assert 'href="/static/print-58.css"' in roll and "INV-1001" in roll


def test_a_receipt_only_for_a_paid_order_in_the_customers_language(site):
    url, paid = site
    desk = browser_for(url, "frontdesk")
    status, _, refused = desk.get("/orders/1001/receipt")
    assert status == 409
    assert "Belum ada kuitansi: pesanan ini belum dibayar." in text_of(refused)
    assert 'href="/orders/1001/invoice"' in refused, "the invoice is still at hand"
    status, _, page = desk.get(f"/orders/{paid}/receipt?paper=58")
    assert status == 200
    words = text_of(page)
    for expected in ("RECEIPT", f"Number RCP-{paid}", "Maria Tan", "PAID", "Paid on", "Total Rp 1,250,000",
                     "Kembali ke pesanan", "Cetak"):  # the document in Maria's English, the buttons in the desk's
        assert expected in words, expected
    assert "Pay to" not in words
    _, _, indonesian = desk.get(f"/orders/{paid}/receipt?lang=id")
    assert "KUITANSI" in indonesian and "LUNAS" in indonesian and "Rp 1.250.000" in indonesian
    _, _, order_page = desk.get(f"/orders/{paid}")
    assert f'href="/orders/{paid}/receipt?paper=58"' in order_page


@pytest.mark.parametrize("path, status, says", [
    ("/orders/999999/invoice", 404, "Pesanan tidak ada."),
    ("/orders/abc/receipt", 404, "Pesanan tidak ada."),
    ("/orders/1001/invoice?paper=80", 400, "Kertas: a4 atau 58"),
    ("/orders/1001/invoice?lang=fr", 400, "Bahasa dokumen: id atau en."),
])
def test_bad_addresses_get_a_clear_answer(site, path, status, says):
    url, _ = site
    got, _, page = browser_for(url, "admin").get(path)
    assert got == status and says in text_of(page) and "Traceback" not in page


@pytest.mark.parametrize("role, status", [("owner", 200), ("admin", 200), ("frontdesk", 200), ("technician", 403),
                                          ("viewer", 403)])
def test_the_desk_prints_and_nobody_else(site, role, status):
    url, _ = site
    assert browser_for(url, role).get("/orders/1001/invoice")[0] == status


def _ship(browser, number, **fields):
    return browser.post(f"/orders/{number}", {"csrf": browser.csrf(f"/orders/{number}"), "action": "status",
                                               "status": "shipped", **fields})


@pytest.mark.parametrize("fields, says", [
    ({"courier": "JNE", "tracking": "JP" + "1" * 40}, "nomor resi: paling banyak 30 karakter, yang ini 42"),
    ({"courier": "JNE", "tracking": "JP123#456"}, "nomor resi: '#' tidak bisa dipakai"),
    ({"courier": "JNE", "tracking": "JP1234<script>"}, "nomor resi: '<' tidak bisa dipakai"),
    ({"courier": "", "tracking": "JP1234567890"}, "nomor resi ini dari kurir mana?"),
    ({"courier": "J" * 31, "tracking": ""}, "kurir: paling banyak 30 karakter"),
    ({"courier": "JNE😀", "tracking": ""}, "kurir: '😀' tidak bisa dipakai"),
])
def test_a_bad_courier_or_tracking_number_is_refused_and_ships_nothing(site, fields, says):
    url, paid = site
    desk = browser_for(url, "frontdesk")
    status, _, page = _ship(desk, paid, **fields)
    assert status == 409 and says in text_of(page)
    assert Order.get(Order.number == paid).status == "paid"


def test_shipping_with_courier_and_tracking_number_reaches_sms_page_invoice_and_timeline(site):
    url, paid = site
    desk = browser_for(url, "frontdesk")
    status, _, page = _ship(desk, paid, courier=" J&T  Express ", tracking="jp 1234 5678 90")
    assert status == 200
    order = Order.get(Order.number == paid)
    assert (order.status, order.courier, order.tracking) == ("shipped", "J&T Express", "JP1234567890")
    [sms] = Message.select().where((Message.phone == "+6281234500077") & (Message.template == "order_shipped"))
    assert sms.text == (f"Jaya Motor: order O-{paid} has been shipped by J&T Express, tracking number JP1234567890. "
                        "Thank you for shopping with us!")
    assert "J&T Express · no. resi JP1234567890" in text_of(page)
    _, _, invoice = desk.get(f"/orders/{paid}/invoice")
    assert "Shipped by J&T Express · tracking number JP1234567890" in text_of(invoice)
    _, _, customer = desk.get(f"/customers/{order.customer_id}")
    assert "J&T Express · no. resi JP1234567890" in text_of(customer)


def test_an_order_shipped_before_the_fields_keeps_its_note_readable(site):
    url, _ = site
    customer = Customer.get(Customer.phone == "+6281234500077")
    old = orders.create_order(customer, [("Busi", 1, 28_000)], now=NOW)
    for status in ("paid", "shipped"):  # as staff did before: the courier in the note
        orders.set_status(old, status, by=None, now=NOW, note="JNE 0123456789" if status == "shipped" else "")
    assert Order.get_by_id(old.id).courier == ""
    _, _, page = browser_for(url, "viewer").get(f"/orders/{old.number}")
    assert "JNE 0123456789" in text_of(page)


# -- codes, units, the shipping cost, and changing an order before it ships -----------------------

RINA = "+6281234500088"


def _new_order(desk, **fields):
    kampas = Product.get(Product.sku == "KR-01")
    status, _, page = desk.post("/orders", {"csrf": desk.csrf("/orders"), "phone": "0812-3450-0088",
                                            "product1": str(kampas.id), "quantity1": "2", **fields})
    return status, page


def _change(desk, number, **fields):
    seen = re.search(r'name="seen" value="([^"]*)"', desk.get(f"/orders/{number}")[2])
    return desk.post(f"/orders/{number}", {"csrf": desk.csrf(f"/orders/{number}"), "action": "edit",
                                           "seen": html.unescape(seen.group(1)) if seen else "", **fields})


def _line(number, code):
    return OrderItem.get((OrderItem.order == Order.get(Order.number == number).id) & (OrderItem.code == code))


def test_an_order_with_a_shipping_cost_shows_codes_units_and_the_shipping_line(site):
    url, _ = site
    desk = browser_for(url, "frontdesk")
    for shipping, says in (("-5.000", "ongkos kirim: jumlah tidak boleh negatif"),
                           ("99999999999", "ongkos kirim: Rp 99.999.999.999"),
                           ("ongkir", "ongkos kirim: 'ongkir'")):
        status, page = _new_order(desk, shipping=shipping)
        assert status == 400 and says in text_of(page), text_of(page)[:300]
    assert not Customer.select().where(Customer.phone == RINA).exists() or \
        not Order.select().join(Customer).where(Customer.phone == RINA).exists(), "nothing was ordered"
    status, page = _new_order(desk, shipping="15rb")
    assert status == 200
    order = Order.select().join(Customer).where(Customer.phone == RINA).get()
    assert (order.shipping, order.total) == (15_000, 145_000)
    words = text_of(page)
    for expected in ("Kampas rem depan Vario KR-01", "2 set", "Ongkos kirim Rp 15.000", "Total Rp 145.000",
                     "termasuk ongkir Rp 15.000"):
        assert expected in words, expected
    [sms] = Message.select().where((Message.phone == RINA) & (Message.template == "order_awaiting_payment"))
    assert "total Rp 145.000" in sms.text, "the SMS asking to pay says the total with the shipping cost"
    invoice = text_of(desk.get(f"/orders/{order.number}/invoice?paper=58")[2])
    for expected in ("KR-01", "2 set × Rp 65.000", "Barang Rp 130.000", "Ongkos kirim Rp 15.000", "Total Rp 145.000"):
        assert expected in invoice, expected


def test_an_order_is_changed_before_it_ships_and_refused_after(site):
    url, _ = site
    desk = browser_for(url, "frontdesk")
    number = Order.select().join(Customer).where(Customer.phone == RINA).get().number
    kampas, oli = Product.get(Product.sku == "KR-01"), Product.get(Product.sku == "OL-10")
    line = _line(number, "KR-01")
    stock = {p.id: p.stock for p in (kampas, oli)}
    for fields, says in (({f"qty{line.id}": "-1"}, "jumlah paling sedikit 0"),
                         ({f"qty{line.id}": "1e9"}, "jumlah harus bilangan bulat, bukan '1e9'"),
                         ({f"qty{line.id}": "99999999"}, "jumlah paling banyak 10.000"),
                         ({f"qty{line.id}": str(2 + stock[kampas.id] + 1)}, "hanya cukup untuk tambahan"),
                         ({f"qty{line.id}": "0"}, "paling sedikit satu barang"),
                         ({"add1": str(oli.id), "addqty1": "0"}, "jumlah paling sedikit 1"),
                         ({"shipping": "Rp 3.000.000.000"}, "terlalu besar"),
                         ({"qty999999": "1"}, "baris itu tidak ada di pesanan ini")):
        status, _, page = _change(desk, number, **fields)
        assert status == 409 and says in text_of(page), (fields, text_of(page)[:400])
        assert "Traceback" not in page and 'id="change" open' in page, "the form stays open with the error"
    assert Order.get(Order.number == number).total == 145_000
    assert {p.id: Product.get_by_id(p.id).stock for p in (kampas, oli)} == stock, "a refused change takes no stock"
    status, _, page = _change(desk, number, **{f"qty{line.id}": "1", "add1": str(oli.id), "addqty1": "2",
                                               "shipping": "20.000"})
    assert status == 200 and "Tersimpan." in text_of(page)
    order = Order.get(Order.number == number)
    assert (order.shipping, order.total) == (20_000, 65_000 + 2 * 55_000 + 20_000)
    assert Product.get_by_id(kampas.id).stock == stock[kampas.id] + 1
    assert Product.get_by_id(oli.id).stock == stock[oli.id] - 2
    assert "2 botol" in text_of(page) and "OL-10" in text_of(page)
    entry = AuditEntry.select().where((AuditEntry.action == "order.edit")
                                      & (AuditEntry.target == f"O-{number}")).get()
    assert "Kampas rem depan Vario 2 -> 1" in entry.detail and "total Rp 145.000 -> Rp 195.000" in entry.detail
    [changed] = Message.select().where((Message.phone == RINA) & (Message.template == "order_changed"))
    assert "total baru Rp 195.000" in changed.text and "Bayar ke: " + PAY_TO in changed.text
    # A form opened before that change is refused, not mixed in.
    stale = desk.post(f"/orders/{number}", {"csrf": desk.csrf(f"/orders/{number}"), "action": "edit",
                                             "seen": "2020-01-01T00:00:00+00:00", "shipping": "0"})
    assert stale[0] == 409 and "diubah orang lain" in text_of(stale[2])
    # Paid, then shipped with the courier and tracking number the SMS carries: no more changes.
    order = orders.set_status(order, "paid", by=None, now=NOW)
    assert _ship(desk, number, courier="JNE", tracking="CGK0099887766")[0] == 200
    [shipped] = Message.select().where((Message.phone == RINA) & (Message.template == "order_shipped"))
    assert "lewat JNE, no. resi CGK0099887766" in shipped.text
    page = desk.get(f"/orders/{number}")[2]
    assert 'id="change"' not in page, "a shipped order offers no change"
    status, _, page = desk.post(f"/orders/{number}", {"csrf": desk.csrf(f"/orders/{number}"), "action": "edit",
                                                       "shipping": "0"})
    assert status == 409 and f"O-{number} sudah dikirim: tidak bisa diubah lagi" in text_of(page)
    assert Order.get(Order.number == number).total == 195_000


# -- in Chromium: the roll's 48 mm, the paper sizes, the phone ----------------------------------
SHOTS = __import__("support").REPO / "test-output" / "print"
MM = 96 / 25.4  # CSS pixels per millimetre

WIDER_THAN_THE_ROLL = """(limit) => {
  const sheet = document.querySelector('.sheet').getBoundingClientRect();
  const wide = [];
  for (const el of document.querySelectorAll('.sheet, .sheet *')) {
    const r = el.getBoundingClientRect();
    if (!r.width) continue;
    if (r.left < sheet.left - 0.5 || r.right > sheet.left + limit + 0.5 || el.scrollWidth > el.clientWidth + 1 && el.clientWidth)
      wide.push(el.tagName + '.' + el.className + ' ' + Math.round(r.left - sheet.left) + '..' + Math.round(r.right - sheet.left));
  }
  return {width: sheet.width, wide};
}"""


def _page_size_mm(pdf: bytes) -> tuple[float, float]:
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return tuple(round(float(v) * 25.4 / 72, 1) for v in box.groups())


def test_the_roll_fits_48_mm_and_each_paper_prints_its_size_in_chromium(site, browser):
    url, paid = site
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    errors = []
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(url + "/login")
    page.fill("input[name=username]", "frontdesk")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard"))
    changed = Order.select().where(Order.shipping > 0).first()  # the order changed above, when it ran
    more = (f"/orders/{changed.number}", f"/orders/{changed.number}/invoice?paper=58") if changed else ()
    for path in (f"/orders/{paid}", "/orders/1001", "/orders/1001/invoice", f"/orders/{paid}/receipt?paper=58", *more):
        page.goto(url + path)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390, f"{path} is wider than a phone"
        page.screenshot(path=str(SHOTS / (path.strip("/").replace("/", "-").replace("?", "-") + "-390-id.png")),
                        full_page=True)
    page.emulate_media(media="print")
    for path in (f"/orders/{paid}/receipt?paper=58", "/orders/1001/invoice?paper=58", *more[1:]):
        page.goto(url + path)
        assert not page.locator(".print-bar").is_visible(), "the buttons are not printed"
        found = page.evaluate(WIDER_THAN_THE_ROLL, 48 * MM)
        assert found["width"] <= 48 * MM + 0.5 and not found["wide"], f"{path}: wider than 48 mm: {found}"
        page.screenshot(path=str(SHOTS / (path.strip("/").replace("/", "-").replace("?", "-") + "-print.png")),
                        full_page=True)
        assert _page_size_mm(page.pdf(prefer_css_page_size=True)) == pytest.approx((58, 210), abs=0.5)
    page.goto(url + f"/orders/{paid}/receipt")
    assert _page_size_mm(page.pdf(prefer_css_page_size=True)) == pytest.approx((210, 297), abs=0.5)  # A4
    page.goto(url + "/orders/1001/invoice")
    page.screenshot(path=str(SHOTS / "invoice-a4-print.png"), full_page=True)
    page.emulate_media(media="screen")
    page.goto(url + "/orders/1001/invoice")
    page.evaluate("window.print = () => { window.printed = true; }")  # headless Chromium has no dialog to open
    page.click("button[data-print]")
    assert page.evaluate("window.printed === true"), "the Print button opens the print dialog"
    assert not errors, errors
    context.close()

