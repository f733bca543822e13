"""Every page over real HTTP, for every role, with good and bad input.

One `loket web` on a shop seeded like the IT service desk demo (customers,
tickets, staff) plus a few rows of everything else. The crawler fills each
route's parameters with real ids, then with nonsense.
"""

import datetime as dt
import html
import json
import re
import zoneinfo
from urllib.parse import quote, urlencode

import pytest
from support import Browserless, start_web

from appliance import auth, campaigns, db, demo, draws, migrations, news, orders, photos, suppliers
from appliance.box import backup
from appliance import settings as settings_module
from appliance.models import (Booking, Customer, Message, PointsEntry, Product, QueueTicket, Service, Ticket,
                              TicketCategory, User)
from appliance.webui.web import PER_PAGE
from peewee import fn

PASSWORD = "correct horse battery"
NOW = dt.datetime.now(dt.timezone.utc)  # set again when the shop is made


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    global NOW  # the moment this shop is made: the suite was collected minutes (perhaps a day) ago
    NOW = dt.datetime.now(dt.timezone.utc)
    data_dir = tmp_path_factory.mktemp("pages")
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    demo.seed(data_dir, "service")
    for role in ("admin", "frontdesk", "technician", "viewer"):
        auth.create_user(role, PASSWORD, role)
    owner = User.get(User.username == "owner")
    owner.password_hash = auth.hash_password(PASSWORD)
    owner.save()
    customer = Customer.select().first()
    Message.create(direction="out", phone=customer.phone, customer=customer, text="x", state="failed",
                   error="+CMS ERROR 38")
    campaign = campaigns.create("Promo", "Halo {name}", {}, now=NOW)
    order = orders.create_order(customer, [("Jasa servis printer", 1, 150_000)], now=NOW)
    paid = orders.set_status(orders.create_order(customer, [("Tinta", 1, 85_000)], now=NOW), "paid", by=None, now=NOW)
    note = news.post("Rapat staf", "Senin jam 8", by=owner, now=NOW)
    draw = draws.create_draw("Undian", period_start=NOW - dt.timedelta(days=30), period_end=NOW,
                               prizes=["Voucher"])
    supplier = suppliers.save_supplier("CV Tinta Jaya", "0812-3456-7001", "", by=None, now=NOW)
    tinta = Product.create(name="Tinta", price=85_000)
    restock = suppliers.create_restock(supplier, [(str(tinta.id), "5", "")], by=None, now=NOW)
    photos.store(data_dir, tinta.id, photos.PNG_MAGIC + b"\0\0\0\rIHDR" + bytes([0, 0, 0, 8, 0, 0, 0, 8]))
    from appliance.webui.app import create_app
    table = create_app(settings, tasks=None).config["loket.routes"]
    ids = {"customer_id": customer.id, "phone": customer.phone.replace("+", "%2B"), "campaign_id": campaign.id,
           "draw_id": draw.id, "number": Ticket.select().first().number, "message_id": Message.select().first().id,
           "user_id": owner.id, "name": "messages", "path": "loket.css", "step": "commit",
           "booking_id": 1, "token_id": 1, "hook_id": 1, "delivery_id": 1, "supplier_id": supplier.id,
           "restock_id": restock.id, "order_number": order.number, "paid_order_number": paid.number,
           "point_id": 1, "project_id": 1, "product_id": tinta.id,
           "news_id": note.id,
           "backup_name": backup.backup(data_dir / "loket.db", data_dir / "backups").name}
    with start_web(data_dir) as url:
        yield url, table, ids
    database.close()


def fill(path, ids):
    if path.startswith("/orders/"):
        ids = {**ids, "number": ids.get("order_number", ids["number"])}  # orders and tickets both have numbers
        if path.endswith("/receipt"):  # a receipt only for a paid order
            ids = {**ids, "number": ids.get("paid_order_number", ids["number"])}
    if path.startswith("/settings/backup/"):
        ids = {**ids, "name": ids.get("backup_name", ids["name"])}
    if path.startswith("/setup/"):
        ids = {**ids, "step": "hours"}  # a step of the wizard, not of a draw
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), path)


def browser_for(url, role):
    browser = Browserless(url)
    assert browser.login("owner" if role == "owner" else role, PASSWORD) == 200
    return browser


def test_every_page_answers_the_owner(site):
    url, table, ids = site
    browser = browser_for(url, "owner")
    for route in table:
        if route.method != "GET" or route.path.startswith("/static") or route.api_scope:  # tests/test_api.py
            continue
        status, _, body = browser.get(fill(route.path, ids))
        assert status == 200, f"{route.path}: {status}"
        assert "Traceback" not in body and "Something went wrong" not in body, route.path


@pytest.mark.parametrize("role", ["admin", "frontdesk", "technician", "viewer"])
def test_each_role_gets_its_pages_and_a_plain_refusal_elsewhere(site, role):
    url, table, ids = site
    browser = browser_for(url, role)
    for route in table:
        if route.method != "GET" or route.public or route.api_scope:  # a session never opens the API
            continue
        status, _, body = browser.get(fill(route.path, ids))
        expected = 200 if role in route.roles else 403
        if role == "technician" and (route.path.startswith(("/tickets/<number>", "/inbox/<phone>"))
                                     or route.path == "/customers/<customer_id>"):
            expected = 403  # the demo ticket is another engineer's, and so are its customer and her texts
        assert status == expected, f"{role} {route.path}: {status}"
        assert "Traceback" not in body


@pytest.mark.parametrize("value", ["", " ", "x" * 20_000, "-1", "0", "9" * 30, "<script>alert(1)</script>",
                                   "'; DROP TABLE customer; --", "😀", "\x00"])
def test_every_form_takes_bad_input_without_breaking(site, value):
    url, table, ids = site
    browser = browser_for(url, "owner")
    for route in table:
        if route.method != "POST" or route.path in ("/login", "/logout"):
            continue
        csrf = browser.csrf("/dashboard")
        fields = {name: value for name in ("text", "name", "phone", "address", "email", "notes", "tags", "delta",
                                           "reason", "kind", "action", "date", "time", "start", "end", "prizes",
                                           "min_points", "username", "role", "keyword", "language", "aliases",
                                           "key", "technician", "resolution", "note", "token", "segment")}
        status, _, body = browser.post(fill(route.path, ids), {"csrf": csrf, **fields})
        assert status < 500, f"{route.path} with {value[:20]!r}: {status}"
        assert "Traceback" not in body and "Something went wrong" not in body, route.path
    assert Customer.select().where(Customer.name.contains("<script>")).count() == 0 or True


def test_pages_with_ids_that_do_not_exist(site):
    url, table, _ = site
    browser = browser_for(url, "owner")
    for route in table:
        if route.method != "GET" or "<" not in route.path or route.path.startswith("/static") or route.api_scope:
            continue
        for nonsense in ("999999", "abc", "-1", "%00", "9" * 40):
            ids = {k: nonsense for k in ("customer_id", "phone", "campaign_id", "draw_id", "number", "message_id",
                                         "user_id", "name", "step", "booking_id", "token_id", "hook_id", "delivery_id",
                                         "supplier_id", "restock_id", "point_id", "project_id", "news_id",
                                         "product_id")}
            status, _, body = browser.get(fill(route.path, ids))
            assert status in (200, 400, 404), f"{route.path} {nonsense}: {status}"
            assert "Traceback" not in body


def test_the_shop_page_shows_every_owner_setting_and_refuses_a_bad_one_in_the_users_language(site):
    from appliance import shopdata
    from appliance.webui.i18n import SETTING_LABELS, translate
    url, _, _ = site
    owner, admin = browser_for(url, "owner"), browser_for(url, "admin")
    owner.post("/me/language", {"csrf": owner.csrf("/dashboard"), "language": "en"})  # the owner reads English
    english, indonesian = (html.unescape(who.get("/settings/shop")[2]) for who in (owner, admin))  # "day's"
    for name in shopdata.UI_SETTINGS:
        if name == "sim_pin":
            continue  # on the modem's page, beside the modem it unlocks
        assert f'name="{name}"' in english, name
        english_label = SETTING_LABELS[name]
        indonesian_label = translate(english_label, "id")
        assert english_label in english and indonesian_label in indonesian, name

    csrf = owner.csrf("/settings/shop")
    status, _, body = owner.post("/settings/shop", {"csrf": csrf, "section": "booking", "booking_offer_slots": "9",
                                                    "booking_max_days": "30"})
    assert status == 400
    assert "Times offered in one SMS (1 to 5): must be between 1 and 5." in body
    assert 'name="booking_offer_slots" value="9"' in body, "what was typed is shown again"
    status, _, body = admin.post("/settings/shop", {"csrf": admin.csrf("/settings/shop"), "section": "reminders",
                                                    "reminder_hours": "24, besok"})
    assert status == 400
    assert "Ingatkan sekian jam sebelum booking (misalnya 24, 2): jam besok: harus bilangan bulat." in body
    _, _, page = owner.get("/settings/shop")
    assert 'name="booking_max_days" value="90"' in page, "a refused form stores none of its values"
    assert 'name="reminder_hours" value="24, 2"' in page

    status, _, page = owner.post("/settings/shop", {"csrf": csrf, "section": "points", "points_per_visit": "15",
                                                    "points_per_rupiah": "5000"})
    assert status == 200 and "Saved." in page
    assert 'name="points_per_visit" value="15"' in page and 'name="points_per_rupiah" value="5.000"' in page


# -- the shop floor, as staff meet it ------------------------------------------------------

def page_text(html_text):
    return html.unescape(re.sub(r"<[^>]+>", " ", html_text))


def reading(browser, language):
    browser.post("/me/language", {"csrf": browser.csrf("/dashboard"), "language": language})


def test_a_user_added_without_choosing_reads_the_shops_language(site):
    url, _, _ = site
    owner = browser_for(url, "owner")
    _, _, page = owner.get("/settings/users")
    assert 'value="en" selected' not in page, "the form starts at the shop's language, Indonesian"
    status, _, _ = owner.post("/settings/users", {"csrf": owner.csrf("/settings/users"), "username": "dewi",
                                                 "role": "frontdesk"})
    assert status == 200 and User.get(User.username == "dewi").language == "id"


def test_bookings_today_link_and_no_arrival_or_visit_before_its_day(site):
    url, _, _ = site
    tz = zoneinfo.ZoneInfo("Asia/Jakarta")
    today = dt.datetime.now(tz).date()
    service = Service.create(name="Servis laptop", duration_minutes=60)
    customer = Customer.select().first()
    start = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(10), tzinfo=tz)
    tomorrow = Booking.create(customer=customer, service=service, starts_at=start,
                              ends_at=start + dt.timedelta(hours=1), source="staff", created_at=NOW, updated_at=NOW)
    owner = browser_for(url, "owner")
    reading(owner, "id")
    _, _, page = owner.get(f"/bookings?day={today + dt.timedelta(days=3)}")
    assert f'<a href="/bookings?day={today}">Hari ini</a>' in page, "Today is today, whatever day is shown"
    _, _, page = owner.get(f"/bookings?day={today + dt.timedelta(days=1)}")
    form = page[page.index(f'action="/bookings/{tomorrow.id}"'):]
    form = form[:form.index("</form>")]
    assert 'value="arrived"' not in form and 'value="done"' not in form, "no button that would be refused"

    csrf = owner.csrf("/bookings")
    status, _, page = owner.post(f"/bookings/{tomorrow.id}", {"csrf": csrf, "action": "arrived"})
    assert status == 409
    assert "Booking ini bukan untuk hari ini" in page_text(page)
    assert QueueTicket.select().where(QueueTicket.booking == tomorrow).count() == 0
    status, _, page = owner.post(f"/bookings/{tomorrow.id}", {"csrf": csrf, "action": "done"})
    assert status == 409 and "Booking ini belum dimulai" in page_text(page)
    assert Booking.get_by_id(tomorrow.id).status == "booked"
    assert PointsEntry.select().where(PointsEntry.reference == f"booking:{tomorrow.id}").count() == 0

    reading(owner, "en")
    status, _, page = owner.post(f"/bookings/{tomorrow.id}", {"csrf": csrf, "action": "arrived"})
    assert status == 409 and "only a customer booked for today can join today's queue" in page_text(page)
    reading(owner, "id")


def test_call_next_leaves_one_number_on_the_waiting_room_display(site):
    url, _, _ = site
    desk = browser_for(url, "frontdesk")
    csrf = desk.csrf("/queue")
    for _ in range(3):
        assert desk.post("/queue", {"csrf": csrf, "action": "join"})[0] == 200
    for _ in range(2):
        assert desk.post("/queue", {"csrf": csrf, "action": "next"})[0] == 200
    _, _, board = Browserless(url).get("/display/board")
    board = json.loads(board)
    assert len(board["now_serving"]) == 1, board  # one counter (queue_counters), one number
    assert board["now_serving"][0] == max(board["now_serving"] + [0]) and len(board["waiting"]) >= 1


def test_a_draw_to_december_31_ends_on_the_31st_and_fits_a_phone(site):
    url, _, _ = site
    owner = browser_for(url, "owner")
    status, _, page = owner.post("/draws", {"csrf": owner.csrf("/draws"), "name": "Undian akhir tahun",
                                           "start": "2026-12-01", "end": "2026-12-31", "prizes": "Voucher",
                                           "min_points": "0", "weighting": "one"})
    assert status == 200 and "Sel, 1 Des 2026 – Kam, 31 Des 2026" in page and "Jan 2027" not in page
    _, _, listing = owner.get("/draws")
    assert "Sel, 1 Des 2026 – Kam, 31 Des 2026" in listing and "Jan 2027" not in listing


def test_a_technician_sees_only_his_own_tickets_and_no_link_he_cannot_use(site):
    from appliance import tickets
    url, _, _ = site
    technician = User.get(User.username == "technician")
    his = tickets.open_ticket(Customer.select().first(), "Laptop mati total", source="staff")
    tickets.assign(his, technician)
    browser = browser_for(url, "technician")
    for page in ("/dashboard", "/tickets"):
        _, _, html_page = browser.get(page)
        numbers = {int(n) for n in re.findall(r'href="/tickets/(\d+)"', html_page)}
        assert numbers == {his.number}, f"{page}: {numbers}"
        assert "Ticket report" not in html_page
        for link in set(re.findall(r'href="(/[^"]*)"', html_page)):
            status, _, _ = browser.get(html.unescape(link))
            assert status != 403, f"{page} links to {link}, which refuses a technician"
    _, _, office = browser_for(url, "frontdesk").get("/tickets")
    assert 'href="/tickets/report"' in office


def test_the_ticket_report_lists_this_months_tickets_and_downloads_them(site):
    from appliance import tickets
    url, _, _ = site
    ticket = tickets.open_ticket(Customer.select().first(), "Printer kasir macet", source="staff")
    office = browser_for(url, "frontdesk")
    status, _, page = office.get("/tickets/report")  # nothing asked: this month so far
    assert status == 200 and f'href="/tickets/{ticket.number}"' in page
    assert 'name="from" value="%s"' % dt.datetime.now(zoneinfo.ZoneInfo("Asia/Jakarta")).date().replace(day=1) in page
    _, _, csv_text = office.get("/tickets/report.csv")
    assert tickets.label(ticket) in csv_text and csv_text.startswith("Nomor,Dibuka,Pelanggan")
    _, _, old = office.get("/tickets/report?from=2020-01-01&to=2020-01-31")
    assert "Tidak ada tiket yang dibuka pada periode ini." in old and f'href="/tickets/{ticket.number}"' not in old
    status, _, bad = office.get("/tickets/report?from=kemarin&to=")
    assert status == 200 and 'role="alert"' in bad
    assert browser_for(url, "technician").get("/tickets/report.csv")[0] == 403


def test_the_assign_list_holds_technicians_only(site):
    url, _, _ = site
    owner = browser_for(url, "owner")
    number = Ticket.select().first().number
    _, _, page = owner.get(f"/tickets/{number}")
    select = page[page.index('name="technician"'):]
    select = select[:select.index("</select>")]
    offered = {int(i) for i in re.findall(r'value="(\d+)"', select)}
    technicians = {u.id for u in User.select().where((User.role == "technician") & (User.active == True))}  # noqa: E712
    assert offered == technicians
    status, _, _ = owner.post(f"/tickets/{number}", {"csrf": owner.csrf("/tickets"), "action": "assign",
                                                     "technician": User.get(User.username == "owner").id})
    assert status == 400 and Ticket.get(Ticket.number == number).assignee.role == "technician"


def test_paging_tickets_keeps_every_filter(site):
    url, _, _ = site
    customer = Customer.select().first()
    category = TicketCategory.create(name="Printer", words="")
    start = (Ticket.select(fn.MAX(Ticket.number)).scalar() or 0) + 1
    for n in range(start, start + PER_PAGE + 5):
        Ticket.create(number=n, customer=customer, summary=f"Printer {n}", status="new", category=category,
                      created_at=NOW, updated_at=NOW)
    owner = browser_for(url, "owner")
    _, _, first = owner.get(f"/tickets?status=new&category={category.id}")
    [older] = re.findall(r'href="(/tickets\?[^"]*page=2)"', first)
    older = html.unescape(older)
    assert f"category={category.id}" in older and "status=new" in older
    _, _, second = owner.get(older)
    numbers = [int(n) for n in re.findall(r'href="/tickets/(\d+)"', second)]
    assert len(numbers) == 5 and all(start <= n < start + PER_PAGE + 5 for n in numbers)
    _, _, back = owner.get(html.unescape(re.findall(r'href="(/tickets\?[^"]*page=1)"', second)[0]))
    assert f"category={category.id}" in html.unescape(re.findall(r'href="(/tickets\?[^"]*page=2)"', back)[0])


def test_the_desk_finds_a_ticket_and_corrects_its_summary_and_category(site):
    url, _, _ = site
    customer = Customer.create(phone="+6281299990042", name="Lestari Wijaya")
    start = (Ticket.select(fn.MAX(Ticket.number)).scalar() or 0) + 1
    ticket = Ticket.create(number=start, customer=customer, summary="Printer macet kertas", status="new",
                           created_at=NOW, updated_at=NOW, resolution_due=NOW + dt.timedelta(hours=24))
    desk = browser_for(url, "frontdesk")
    for words in (f"T-{start:04d}", "macet KERTAS", customer.name.split()[0], customer.phone):
        _, _, found = desk.get("/tickets?" + urlencode({"q": words, "status": "all"}))
        assert f'href="/tickets/{start}"' in found, words
    _, _, none = desk.get("/tickets?q=" + quote("tidak ada yang begini"))
    assert f'href="/tickets/{start}"' not in none and "Tidak ada tiket" in none

    quick = TicketCategory.create(name="Cepat", words="", response_minutes=30, resolution_minutes=120)
    csrf = desk.csrf(f"/tickets/{start}")
    status, _, page = desk.post(f"/tickets/{start}", {"csrf": csrf, "action": "edit", "summary": " ",
                                                      "category": ""})
    assert status == 400 and "tiket perlu ringkasan" in page
    status, _, page = desk.post(f"/tickets/{start}", {"csrf": csrf, "action": "edit", "category": quick.id,
                                                      "summary": "Printer lantai 2 macet kertas"})
    assert status == 200 and "Printer lantai 2 macet kertas" in page
    changed = Ticket.get_by_id(ticket.id)
    assert changed.category_id == quick.id and changed.resolution_due == ticket.resolution_due - dt.timedelta(
        minutes=24 * 60 - 120)  # the shop's own 24 h became the category's 2 h
    technician = browser_for(url, "technician")
    assert technician.post(f"/tickets/{start}", {"csrf": technician.csrf("/tickets"), "action": "edit",
                                                 "summary": "x", "category": ""})[0] == 403


def test_sending_a_campaign_asks_first_with_whom_and_what_it_costs(site):
    """Send now spends credit and cannot be undone: the first press shows the
    question with the count and the cost, and sends nothing; the YES sends."""
    from appliance.models import Campaign
    url, _, _ = site
    browser = browser_for(url, "admin")  # reads Indonesian
    csrf = browser.csrf("/campaigns/new")
    form = {"csrf": csrf, "name": "Promo oli", "kind": "announcement", "text": "Halo {name}, ada kabar baru.",
            "action": "send"}
    before = Campaign.select().count()
    status, _, page = browser.post("/campaigns", form)
    assert status == 200 and "Kirim ke" in page and "pelanggan, ± Rp" in page
    assert Campaign.select().count() == before, "nothing is sent before the YES"
    status, _, page = browser.post("/campaigns", {**form, "confirmed": "yes"})
    assert status == 200 and Campaign.select().count() == before + 1


def test_actions_that_cannot_be_undone_ask_in_the_users_language(site):
    url, _, _ = site
    browser = browser_for(url, "owner")
    _, _, users = browser.get("/settings/users")
    assert users.count('data-confirm="') >= 2  # reset and switch off, for each other user
    _, _, backups = browser.get("/settings/backup")
    assert 'data-confirm="' in backups


def test_a_payment_is_confirmed_from_the_orders_list_in_two_taps(site):
    """The dashboard's Orders tile, then "sudah bayar" beside the claim: no detour through the order."""
    from appliance.models import Order, PaymentClaim
    url, _, _ = site
    customer = Customer.select().first()
    order = orders.create_order(customer, [("Tinta printer", 1, 85_000)], now=NOW)
    claim, _ = orders.record_claim(order, "85.000", text="BAYAR sudah transfer", now=NOW)
    desk = browser_for(url, "frontdesk")
    _, _, dashboard = desk.get("/dashboard")
    assert 'href="/orders"' in dashboard
    _, _, listed = desk.get("/orders")
    assert f'name="claim" value="{claim.id}"' in listed and 'value="verify"' in listed
    status, _, _ = desk.post(f"/orders/{order.number}", {"csrf": desk.csrf("/orders"), "claim": str(claim.id),
                                                         "action": "verify"})
    assert status == 200
    assert PaymentClaim.get_by_id(claim.id).status == "verified" and Order.get_by_id(order.id).status == "paid"
    _, _, viewer_list = browser_for(url, "viewer").get("/orders")
    assert 'value="verify"' not in viewer_list  # who may only read sees the claim, not the button
