"""Every role its home: each role logged in to a real `loket web` sees its own
dashboard (the desk its day, a technician his visits, the owner the money,
the SIM's credit and the customers' scores), and the staff news board on
top, which only the owner and the admins post to — with bad input answered."""

import datetime as dt
import re

import pytest
from support import Browserless, start_web

from appliance import auth, db, migrations, orders, policy, services, shopdata, tickets, visits
from appliance import settings as settings_module
from appliance.conversation import Shop
from appliance.customers import customer_for
from appliance.models import AuditEntry, Booking, QueueTicket, Rating, Service, User
from appliance.newstable import NewsItem

PASSWORD = "correct horse battery"
NOW = dt.datetime.now(dt.timezone.utc)  # set again when the shop is made
# Each role's login, and the language it reads (the technician and the desk Indonesian, as most shops).
PEOPLE = {"pemilik": ("owner", "id"), "admin": ("admin", "id"), "meja": ("frontdesk", "id"),
          "andi": ("technician", "id"), "budi": ("technician", "id"), "tamu": ("viewer", "en")}


def _customer(phone, name, address=""):
    customer = customer_for(phone)
    customer.name, customer.address = name, address
    customer.save()
    return customer


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    global NOW  # the moment this shop is made: the suite was collected minutes (perhaps a day) ago
    NOW = dt.datetime.now(dt.timezone.utc)
    data_dir = tmp_path_factory.mktemp("homes")
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    services.load()
    users = {name: auth.create_user(name, PASSWORD, role, language=language)
             for name, (role, language) in PEOPLE.items()}
    for name, phone in (("andi", "+6281234599001"), ("budi", "+6281234599002")):
        User.update(phone=phone, full_name=name.title()).where(User.id == users[name].id).execute()
    tz = shopdata.live(settings).tz
    there = Shop(name="NetDesa", tz=tz)
    rina = _customer("+6281234567890", "Rina Marlina", "Jl. Melati 12, Sukamaju")
    dedi = _customer("+6285711112222", "Dedi Kurniawan", "Gang Mawar 3")
    # Andi's visit and Budi's, an hour or two ahead (today, or tomorrow early: within the week either way).
    mine = tickets.open_ticket(rina, "internet mati sejak pagi", now=NOW, shop=there, source="staff")
    tickets.assign(mine, User.get_by_id(users["andi"].id), now=NOW, shop=there)
    visits.schedule(mine, NOW + dt.timedelta(hours=2), None, now=NOW, shop=there)
    theirs = tickets.open_ticket(dedi, "pasang baru di rumah", now=NOW, shop=there, source="staff")
    tickets.assign(theirs, User.get_by_id(users["budi"].id), now=NOW, shop=there)
    visits.schedule(theirs, NOW + dt.timedelta(hours=3), None, now=NOW, shop=there)
    # The desk's day: a booking today (at the start of it: always today) and a number in the queue.
    spa = Service.create(name="Baby spa", duration_minutes=45)
    start = policy.day_start(NOW, tz)
    Booking.create(customer=dedi, service=spa, starts_at=start, ends_at=start + dt.timedelta(minutes=45),
                   status="booked", source="staff")
    QueueTicket.create(day=NOW.astimezone(tz).date(), number=7, customer=rina, status="waiting")
    # The owner's money: one order paid today, one waiting for the customer's transfer.
    orders.set_status(orders.create_order(rina, [("Router", 1, 85_000)], now=NOW), "paid", by=None, now=NOW)
    orders.create_order(dedi, [("Pasang baru", 1, 150_000)], now=NOW)
    # ... and the customers' scores this month: a 2 for Andi's work.
    Rating.create(customer=rina, ticket=mine, staff=users["andi"].id, category="", asked_at=NOW, score=2,
                  answered_at=NOW)
    with start_web(data_dir) as url:
        yield url, {"mine": mine.number, "theirs": theirs.number}
    database.close()


def logged_in(url, name):
    browser = Browserless(url)
    assert browser.login(name, PASSWORD) == 200
    return browser


def home(browser) -> str:
    status, _, page = browser.get("/dashboard")
    assert status == 200 and "Traceback" not in page
    return page


def main(page: str) -> str:
    """The page's own content, without the header's navigation (which names every section)."""
    return page[page.index("<main"):]


def test_the_owner_sees_the_money_the_credit_and_the_service_quality(shop):
    url, numbers = shop
    page = main(home(logged_in(url, "pemilik")))
    assert "Uang" in page and "Rp 85.000" in page  # paid today, and so this month
    assert "Belum dibayar" in page and "Rp 150.000" in page and 'href="/orders?status=awaiting_payment"' in page
    assert "Pulsa SMS" in page and "Biaya SMS bulan ini" in page
    assert "worker" not in page  # a word for whoever set the box up, not for the owner
    assert "Mutu layanan" in page and "2 / 5" in page and "jawaban: 1" in page and "Andi" in page
    # What waits for staff stays in reach: the tiles, and the open tickets to assign.
    assert 'href="/inbox?waiting=1"' in page and f'href="/tickets/{numbers["mine"]}"' in page
    assert "Kunjungan saya" not in page


def test_the_front_desk_sees_todays_bookings_and_the_queue_not_the_money(shop):
    url, _ = shop
    page = main(home(logged_in(url, "meja")))
    assert "Antrian" in page
    assert re.search(r"<strong>7</strong> · Rina Marlina", page)  # number 7 waits
    assert "Baby spa" in page and "Dedi Kurniawan" in page  # today's booking
    assert "Rp 85.000" not in page and "Pulsa SMS" not in page and "Mutu layanan" not in page
    assert 'action="/news"' not in page  # reads the news, does not post it


def test_a_technician_sees_his_visits_with_the_address_and_only_his_tickets(shop):
    url, numbers = shop
    page = main(home(logged_in(url, "andi")))
    assert "Kunjungan saya" in page and "Tiket saya yang masih terbuka" in page
    assert f'href="/tickets/{numbers["mine"]}"' in page and "Jl. Melati 12, Sukamaju" in page
    assert 'href="tel:+6281234567890"' in page
    assert f'href="/tickets/{numbers["theirs"]}"' not in page and "Gang Mawar 3" not in page  # Budi's
    assert "Rp 85.000" not in page and "Baby spa" not in page
    other = main(home(logged_in(url, "budi")))
    assert f'href="/tickets/{numbers["theirs"]}"' in other and f'href="/tickets/{numbers["mine"]}"' not in other


def test_the_admin_and_the_viewer_see_the_whole_day_in_their_language(shop):
    url, _ = shop
    admin = main(home(logged_in(url, "admin")))
    assert "Modem" in admin and "Baby spa" in admin and 'action="/news"' in admin
    viewer = main(home(logged_in(url, "tamu")))
    assert "Waiting for staff" in viewer and "Baby spa" in viewer and 'action="/news"' not in viewer


def test_the_owner_posts_news_everyone_reads_it_escaped_and_an_admin_removes_it(shop):
    url, _ = shop
    owner = logged_in(url, "pemilik")
    status, headers, _ = owner.post("/news", {
        "csrf": owner.csrf("/dashboard"), "title": "Rapat <b>Senin</b>",
        "text": "Semua teknisi datang jam 8.\n<script>alert(1)</script>", "pinned": "1",
        "until": (NOW + dt.timedelta(days=3)).date().isoformat()}, follow=False)
    assert status in (302, 303), status
    item = NewsItem.get(NewsItem.title == "Rapat <b>Senin</b>")
    assert item.pinned and item.author_name == "pemilik"
    assert AuditEntry.select().where((AuditEntry.action == "news.post") & (AuditEntry.detail == item.title)).exists()
    for name in ("meja", "andi", "tamu"):
        page = main(home(logged_in(url, name)))
        assert "Rapat &lt;b&gt;Senin&lt;/b&gt;" in page, name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page, name
        assert f'action="/news/{item.id}/remove"' not in page, name  # only who may post removes
    assert "Staff news" in main(home(logged_in(url, "tamu")))  # in English for who reads English
    # Newest first, the pinned one above them all.
    owner.post("/news", {"csrf": owner.csrf("/dashboard"), "title": "Stok kabel datang", "text": ""})
    page = main(home(logged_in(url, "meja")))
    assert page.index("Rapat &lt;b&gt;") < page.index("Stok kabel datang")
    admin = logged_in(url, "admin")
    status, _, _ = admin.post(f"/news/{item.id}/remove", {"csrf": admin.csrf("/dashboard")})
    assert status == 200 and not NewsItem.select().where(NewsItem.id == item.id).exists()
    assert AuditEntry.select().where(AuditEntry.action == "news.remove").exists()
    assert admin.post(f"/news/{item.id}/remove", {"csrf": admin.csrf("/dashboard")})[0] == 404  # twice


@pytest.mark.parametrize("fields, answer", [
    ({"title": "", "text": "tanpa judul"}, "Beri catatan itu judul."),
    ({"title": "   \x00 ", "text": ""}, "Beri catatan itu judul."),
    ({"title": "x" * 101}, "Judul paling banyak 100 karakter."),
    ({"title": "Panjang", "text": "y" * 1001}, "Catatan paling banyak 1000 karakter."),
    ({"title": "Panjang sekali", "text": "z" * 20_000}, "Catatan paling banyak 1000 karakter."),
    ({"title": "Tanggal", "until": "besok"}, "Isi hari terakhir sebagai tanggal"),
    ({"title": "Lewat", "until": "2020-01-01"}, "Hari itu sudah lewat"),
    ({"title": "Jauh", "until": "2062-01-01"}, "paling lama setahun"),
])
def test_bad_news_is_refused_with_a_reason_and_keeps_what_was_typed(shop, fields, answer):
    url, _ = shop
    owner = logged_in(url, "pemilik")
    before = NewsItem.select().count()
    status, _, page = owner.post("/news", {"csrf": owner.csrf("/dashboard"), **fields})
    assert status == 400 and answer in page and "Traceback" not in page
    assert NewsItem.select().count() == before
    if fields.get("title", "").strip() and len(fields["title"]) <= 100:
        assert f'value="{fields["title"]}"' in page  # what was typed is kept, to mend


def test_only_the_owner_and_admins_post_and_never_without_the_form(shop):
    url, _ = shop
    before = NewsItem.select().count()
    for name in ("meja", "andi", "tamu"):
        browser = logged_in(url, name)
        status, _, page = browser.post("/news", {"csrf": browser.csrf("/dashboard"), "title": "Libur"})
        assert status == 403 and "Traceback" not in page, name
    owner = logged_in(url, "pemilik")
    assert owner.post("/news", {"csrf": "forged", "title": "Libur"})[0] == 403
    assert Browserless(url).post("/news", {"title": "Libur"})[0] == 401
    assert NewsItem.select().count() == before


def test_a_note_past_its_day_or_old_and_unpinned_leaves_the_board(shop):
    url, _ = shop
    NewsItem.create(title="Sudah lewat", until=NOW - dt.timedelta(minutes=1), created_at=NOW - dt.timedelta(days=2))
    NewsItem.create(title="Lama sekali", created_at=NOW - dt.timedelta(days=40))
    NewsItem.create(title="Tetap di atas", pinned=True, created_at=NOW - dt.timedelta(days=40))
    page = main(home(logged_in(url, "meja")))
    assert "Sudah lewat" not in page and "Lama sekali" not in page and "Tetap di atas" in page


def test_the_owner_moves_a_person_to_another_role_and_their_home_follows_at_once(shop):
    """The Users page's role form (webui/users.py): the new role holds from the next click, in the same
    session; audited; a role that does not exist, or the owner's own, is refused."""
    url, numbers = shop
    auth.create_user("rudi", PASSWORD, "frontdesk", language="id")
    rudi = logged_in(url, "rudi")
    assert "Antrian" in main(home(rudi)) and "Kunjungan saya" not in main(home(rudi))
    owner = logged_in(url, "pemilik")
    rudi_id = User.get(User.username == "rudi").id
    status, _, _ = owner.post(f"/settings/users/{rudi_id}", {"csrf": owner.csrf("/settings/users"),
                                                             "action": "role", "role": "technician"})
    assert status == 200 and User.get_by_id(rudi_id).role == "technician"
    assert AuditEntry.select().where((AuditEntry.action == "user.role") & (AuditEntry.target == "rudi")
                                     & (AuditEntry.detail == "technician")).exists()
    page = main(home(rudi))  # the same session: his new home, and no ticket of another technician
    assert "Kunjungan saya" in page and f'href="/tickets/{numbers["mine"]}"' not in page
    assert rudi.post("/news", {"csrf": rudi.csrf("/dashboard"), "title": "x"})[0] == 403
    for role in ("superuser", "", "<b>owner</b>"):
        status, _, page = owner.post(f"/settings/users/{rudi_id}", {"csrf": owner.csrf("/settings/users"),
                                                                    "action": "role", "role": role})
        assert status == 400 and "Traceback" not in page and User.get_by_id(rudi_id).role == "technician", role
    me = User.get(User.username == "pemilik").id
    status, _, _ = owner.post(f"/settings/users/{me}", {"csrf": owner.csrf("/settings/users"), "action": "role",
                                                        "role": "viewer"})
    assert status == 400 and User.get_by_id(me).role == "owner"


def test_each_home_fits_a_phone_in_indonesian(shop, browser):
    """Each role's dashboard at 390 px, in Indonesian, with a note on the board: nothing wider than the
    screen, a thumb's 44 px, no serious axe finding; shot into test-output/homes/ for a person to look at."""
    from test_every_page import AXE, PHONE, check_page

    from support import REPO
    url, _ = shop
    owner = logged_in(url, "pemilik")
    owner.post("/news", {"csrf": owner.csrf("/dashboard"), "title": "Rapat teknisi Senin jam 8",
                         "text": "Bawa laporan kunjungan minggu ini.", "pinned": "1",
                         "until": (NOW + dt.timedelta(days=5)).date().isoformat()})
    shots = REPO / "test-output" / "homes"
    shots.mkdir(parents=True, exist_ok=True)
    failures = []
    for name in ("pemilik", "admin", "meja", "andi"):
        context = browser.new_context(viewport=PHONE)
        context.add_init_script(path=str(AXE))
        errors = []
        context.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page = context.new_page()
        page.goto(url + "/login")
        page.fill("input[name=username]", name)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/dashboard"))
        assert page.get_attribute("html", "lang") == "id"
        if PEOPLE[name][0] in ("owner", "admin"):
            page.click("section.news details summary")  # the news form open: it fits too
        failures += [f"{name}: {problem}" for problem in check_page(page, errors)]
        page.screenshot(path=str(shots / f"{PEOPLE[name][0]}-390-id.png"), full_page=True)
        context.close()
    assert not failures, "\n".join(failures)
