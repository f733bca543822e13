"""The wizard finishes the job: after the owner and the shop come the steps
the shop's kind needs (hours, a starter list of services or goods, where
customers pay, the modem and a test SMS), and the dashboard keeps a "shop
ready?" checklist until everything is done. All over real HTTP; the SMS
journeys against `loket run` with its simulated modem and network."""

import re

import pytest

from appliance import auth, db, migrations, settings as settings_module, shopdata
from appliance.models import OpeningHours, Product, Service, Ticket, TicketCategory
from appliance.modem.network import SimNetwork
from appliance.settings import load
from conftest import launch_loket
from support import Browserless, start_web, wait_until

QUIET = {"LOKET_QUIET_HOURS": ""}
OWNER = {"username": "pak.jaya", "password": "kopi susu manis", "password2": "kopi susu manis",
         "timezone": "Asia/Jakarta", "quiet_hours": "21:00-08:00"}


def create_owner(url, data_dir, kind, name="Jaya Motor") -> Browserless:
    """The first page of the wizard, as the owner fills it in; returns the owner's logged-in browser."""
    browser = Browserless(url)
    code = (data_dir / "setup-code.txt").read_text().strip()
    csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/setup")[2]).group(1)
    status, _, page = browser.post("/setup", {**OWNER, "csrf": csrf, "code": code, "shop_name": name,
                                              "shop_type": kind})
    assert status == 200 and 'action="/setup/hours"' in page, page[:2000]
    return browser


def form_of(page: str, action: str) -> dict:
    """The fields of one form as the page filled them (inputs, checked boxes, textareas)."""
    form = re.search(r'<form method="post" action="%s".*?</form>' % re.escape(action), page, re.S).group(0)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        if 'type="checkbox"' in tag:
            if " checked" in tag:
                fields[name.group(1)] = "on"
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[name.group(1)] = value.group(1) if value else ""
    for name, text in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = text
    return fields


def checklist(browser) -> dict[str, bool] | None:
    page = browser.get("/dashboard")[2]
    if 'class="card checklist"' not in page:
        return None
    return {key: state == "done" for state, key in re.findall(r'<li class="(done|todo)" data-item="(\w+)">', page)}


@pytest.fixture
def fresh(tmp_path):
    """A new box: the web alone (no worker), an empty database."""
    settings = settings_module.load(env={}, overrides={"data_dir": str(tmp_path)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    shopdata.invalidate()
    with start_web(tmp_path) as url:
        yield url, tmp_path
    database.close()


@pytest.fixture
def new_box(tmp_path):
    """`loket run` on a new data dir (web, worker, simulated modem and network); its database open here too."""
    with launch_loket(tmp_path / "var", QUIET, args=("--demo", "none")) as loket:
        settings = load(env={}, overrides={"data_dir": str(loket.data_dir)})
        database = db.connect(settings.db_url)
        shopdata.invalidate()
        yield loket, SimNetwork(settings.sim_path)
        database.close()


def test_a_new_parts_shop_goes_through_the_wizard_and_takes_an_sms_order(new_box):
    loket, network = new_box
    owner = create_owner(loket.url, loket.data_dir, "parts")
    assert checklist(owner) == {"owner": True, "shop": False, "hours": False, "offers": False,
                                "payment": False, "modem": checklist(owner)["modem"], "test": False}

    # Hours: Monday to Saturday, 08:00-17:00, as a parts shop keeps them; the address goes with them.
    page = owner.get("/setup/hours")[2]
    hours = form_of(page, "/setup/hours")
    assert hours["opens0"] == "08:00" and hours["closes5"] == "17:00" and "open5" in hours and "open6" not in hours
    status, _, page = owner.post("/setup/hours", {**hours, "shop_address": "Jl. Ahmad Yani 5, Garut"})
    assert status == 200 and 'action="/setup/offers"' in page
    assert OpeningHours.select().count() == 6
    assert checklist(owner)["hours"] and checklist(owner)["shop"]

    # Goods: the starter list, edited: a price written the Indonesian way, one row removed.
    goods = form_of(page, "/setup/offers")
    assert goods["code0"] == "KR-01" and goods["price0"] == "65.000"
    goods.update(price0="85.000", stock0="12", remove3="on", do="save")
    status, _, page = owner.post("/setup/offers", goods)
    assert status == 200 and 'action="/setup/payment"' in page
    brake = Product.get(Product.sku == "KR-01")
    assert (brake.name, brake.price, brake.stock) == ("Kampas rem depan", 85_000, 12)
    assert Product.select().count() == 3 and checklist(owner)["offers"]

    # Where customers pay.
    payment = form_of(page, "/setup/payment")
    payment["payment_instructions"] = "BCA 1234567890 a.n. Jaya Motor"
    status, _, page = owner.post("/setup/payment", payment)
    assert status == 200 and 'action="/setup/modem"' in page
    assert checklist(owner)["payment"]

    # The modem the worker found, and a test SMS to the owner's phone through the real outbox.
    assert wait_until(lambda: checklist(owner)["modem"], 30)
    status, _, page = owner.post("/setup/modem", {**form_of(page, "/setup/modem"), "phone": "0812-1111-2222"})
    assert status == 200 and "data-test-state" in page
    assert wait_until(lambda: any("test SMS" in sms["text"] for sms in network.received("+6281211112222")))
    assert wait_until(lambda: checklist(owner) is None, 20)  # every item done: the checklist is gone

    # A customer orders a starter good by its code.
    loket.text("+6281234500011", "BELI KR-01 2")
    assert wait_until(lambda: any("Rp 170.000" in sms["text"] for sms in network.received("+6281234500011")))


def test_a_salon_gets_services_customers_book_by_sms(new_box):
    loket, network = new_box
    owner = create_owner(loket.url, loket.data_dir, "spa", name="Salon Ayu")
    page = owner.post("/setup/hours", form_of(owner.get("/setup/hours")[2], "/setup/hours"))[2]
    services = form_of(page, "/setup/offers")
    assert services["name0"] == "Pijat bayi" and services["duration0"] == "60"
    status, _, page = owner.post("/setup/offers", {**services, "do": "save"})
    # A spa takes no payments by SMS: straight on to the modem.
    assert status == 200 and 'action="/setup/modem"' in page and "/setup/payment" not in page
    assert [s.name for s in Service.select().order_by(Service.name)] == [
        "Baby spa", "Pijat bayi", "Pijat ibu hamil"]
    loket.text("+6281234500001", "PESAN pijat bayi senin")
    assert wait_until(lambda: any("Pijat bayi" in sms["text"] and "1)" in sms["text"]
                                  for sms in network.received("+6281234500001")))


def test_each_step_can_wait_and_the_wizard_goes_on_where_it_was(fresh):
    url, data_dir = fresh
    owner = create_owner(url, data_dir, "shop", name="Sepatu Garut")
    # "Later" on the hours: nothing is saved, the goods come next.
    page = owner.get("/setup/hours")[2]
    later = re.search(r'<a class="button" href="([^"]+)">Nanti saja</a>', page).group(1)
    assert later == "/setup/offers" and not OpeningHours.select().exists()
    owner.get(later)
    # Away to the dashboard and back: /setup opens the step the owner left.
    status, headers, _ = owner.get("/setup", follow=False)
    assert status in (302, 303) and headers["Location"].endswith("/setup/offers")
    # The goods saved twice are there once.
    goods = {**form_of(owner.get("/setup/offers")[2], "/setup/offers"), "do": "save"}
    owner.post("/setup/offers", goods)
    again = {**form_of(owner.get("/setup/offers")[2], "/setup/offers"), "do": "save"}
    assert again["id0"]  # the second time the list is the shop's own goods
    owner.post("/setup/offers", again)
    assert Product.select().count() == 2
    # Back to the hours, done this time; the checklist counts what the Shop page does too.
    owner.post("/setup/hours", form_of(owner.get("/setup/hours")[2], "/setup/hours"))
    assert checklist(owner)["hours"] and not checklist(owner)["payment"]
    csrf = owner.csrf("/settings/shop")
    owner.post("/settings/shop", {"csrf": csrf, "section": "orders", "payment_instructions": "DANA 0812-3456-7890"})
    assert checklist(owner)["payment"]
    # The owner may hide the list.
    status, _, page = owner.post("/dashboard/checklist", {"csrf": owner.csrf("/dashboard")})
    assert status == 200 and checklist(owner) is None


@pytest.mark.parametrize("change, message", [
    ({"name0": "", "price0": "85.000"}, "Baris 1: tulis namanya."),
    ({"price1": "abc"}, "Baris 2: abc bukan harga Rupiah"),
    ({"price0": "1e30"}, "Baris 1: 1e30 bukan harga Rupiah"),
    ({"price0": "99.999.999.999"}, "Baris 1: harga terlalu besar"),
    ({"name1": "kampas REM depan"}, "Baris 2: kampas REM depan ada dua kali"),
    ({"code1": "KR-01"}, "Baris 2: kode KR-01 ada dua kali"),
    ({"stock2": "banyak"}, "Baris 3: stok"),
])
def test_bad_rows_are_answered_clearly_and_kept(fresh, change, message):
    url, data_dir = fresh
    owner = create_owner(url, data_dir, "parts")
    goods = {**form_of(owner.get("/setup/offers")[2], "/setup/offers"), **change, "do": "save"}
    status, _, page = owner.post("/setup/offers", goods)
    assert status == 400 and message in page, page[page.find('class="error"'):][:400]
    for field, value in change.items():
        assert f'name="{field}" value="{value}"' in page  # what was typed is still there
    assert not Product.select().exists()


def test_two_hundred_rows_are_refused_and_a_row_can_be_added(fresh):
    url, data_dir = fresh
    owner = create_owner(url, data_dir, "parts")
    csrf = owner.csrf("/setup/offers")
    rows = {"csrf": csrf, "rows": "200", "do": "save"}
    for i in range(200):
        rows.update({f"name{i}": f"Barang {i}", f"price{i}": "10.000", f"code{i}": "", f"stock{i}": "1"})
    status, _, page = owner.post("/setup/offers", rows)
    assert status == 400 and "Paling banyak 50 baris" in page and 'name="name199" value="Barang 199"' in page
    assert not Product.select().exists()
    goods = {**form_of(owner.get("/setup/offers")[2], "/setup/offers"), "do": "add"}
    status, _, page = owner.post("/setup/offers", goods)
    assert status == 200 and 'name="name4" value=""' in page and not Product.select().exists()


def test_bad_hours_and_a_bad_phone_keep_what_was_typed(fresh):
    url, data_dir = fresh
    owner = create_owner(url, data_dir, "spa")
    hours = {**form_of(owner.get("/setup/hours")[2], "/setup/hours"), "opens1": "17:00", "closes1": "09:00",
             "opens2": "pagi"}
    status, _, page = owner.post("/setup/hours", hours)
    assert status == 400 and "Selasa: toko tutup setelah buka." in page and 'value="pagi"' in page
    assert not OpeningHours.select().exists()
    status, _, page = owner.post("/setup/modem", {"csrf": owner.csrf("/setup/modem"), "phone": "halo"})
    assert status == 400 and "0812-3456-7890" in page and 'value="halo"' in page


def test_only_the_owner_sees_the_checklist_and_the_steps(fresh):
    url, data_dir = fresh
    owner = create_owner(url, data_dir, "parts")
    assert checklist(owner) is not None
    auth.create_user("rina", "kasir toko 123", "frontdesk")  # the front desk, as the Users page makes her
    desk = Browserless(url)
    assert desk.login("rina", "kasir toko 123") == 200
    assert checklist(desk) is None
    assert desk.get("/setup/hours")[0] == 403
    status, headers, _ = desk.get("/setup", follow=False)
    assert headers["Location"].endswith("/login")
    # Nobody logged in: the steps ask for a login.
    stranger = Browserless(url)
    status, headers, _ = stranger.get("/setup/offers", follow=False)
    assert status in (302, 303) and "/login" in headers["Location"]
    assert stranger.post("/setup/offers", {"rows": "1", "name0": "x", "price0": "1"})[0] == 401


def test_an_internet_provider_starts_with_ticket_categories_it_edits(new_box):
    loket, network = new_box
    owner = create_owner(loket.url, loket.data_dir, "isp", name="NetKita")
    page = owner.get("/setup/hours")[2]
    steps = re.findall(r'<li><a href="/setup/(\w+)"', page)
    assert steps == ["hours", "offers", "payment", "modem"]  # complaints sorted, bills paid by SMS, no goods
    page = owner.post("/setup/hours", form_of(page, "/setup/hours"))[2]
    categories = form_of(page, "/setup/offers")
    assert (categories["name0"], categories["response0"], categories["resolution0"]) == ("internet mati", "1", "8")
    # Edited: an outage fixed sooner, a word the town uses for it, the bills left to the office's own list.
    categories.update(resolution0="4,5", words0=categories["words0"] + ", byarpet", remove3="on", do="save")
    status, _, page = owner.post("/setup/offers", categories)
    assert status == 200 and 'action="/setup/payment"' in page
    outage = TicketCategory.get(TicketCategory.name == "internet mati")
    assert (outage.response_minutes, outage.resolution_minutes) == (60, 270) and "byarpet" in outage.words
    assert TicketCategory.select().count() == 3 and checklist(owner)["offers"]
    # Saved again from the list (the step's link): the same three, nothing added twice.
    page = owner.get("/setup/offers")[2]
    again = form_of(page, "/setup/offers")
    row = next(k[4:] for k, v in again.items() if k.startswith("name") and v == "internet mati")
    assert again[f"resolution{row}"] == "4,5"
    assert owner.post("/setup/offers", {**again, "do": "save"})[0] == 200
    assert TicketCategory.select().count() == 3
    # A customer complains in her own words: the ticket lands in the owner's category, with its SLA.
    loket.text("+6281234500021", "KELUHAN internet byarpet dari pagi")
    assert wait_until(lambda: Ticket.select().where(Ticket.category == outage).exists(), 30)


def test_bad_category_hours_are_answered_in_their_rows(fresh):
    url, data_dir = fresh
    owner = create_owner(url, data_dir, "service", name="Servis Komputer Prima")
    categories = {**form_of(owner.get("/setup/offers")[2], "/setup/offers"), "response0": "besok",
                  "response1": "4", "resolution1": "1", "name2": "", "do": "save"}
    status, _, page = owner.post("/setup/offers", categories)
    assert status == 400
    assert "Baris 1: tulis jamnya sebagai angka" in page and "Baris 2: waktu selesai tidak boleh lebih pendek" in page
    assert "Baris 3: tulis namanya." in page
    assert 'name="response0" value="besok"' in page  # what was typed is still there
    assert not TicketCategory.select().exists()