"""The inbox a shop assistant lives in, over real HTTP (`loket web` on a real
SQLite file): the filters mine and today with the search and the paging,
quick replies staff save, the customer's bookings, orders and tickets beside
the conversation with the forms for her prefilled, in Indonesian with the
shop's times and numbers as people write them; and the conversation in
Chromium at 390 px."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from urllib.parse import quote

import pytest
from support import Browserless, quick_beside_a_scan, start_web

from appliance import auth, bookings, clock, db, demo, inbox, migrations, orders, tickets
from appliance import settings as settings_module
from appliance.models import Booking, Customer, Message, Product, QuickReply, Service, Ticket, User
from appliance.webui import formats

PASSWORD = "correct horse battery"
NOW = clock.utcnow()  # set again when the shop is made
ANI, SARI, BUDI, STRANGER = "+6281300000001", "+6281300000002", "+6281300000003", "+6281399999999"


def link(phone: str) -> str:
    return "/inbox/" + quote(phone, safe="")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    global NOW  # the moment this shop is made: the suite was collected minutes (perhaps a day) ago
    NOW = clock.utcnow()
    data_dir = tmp_path_factory.mktemp("inbox")
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    demo.seed(data_dir, "spa")
    for role in ("admin", "frontdesk", "technician", "viewer"):
        auth.create_user(role, PASSWORD, role, language="id")
    owner = User.get(User.username == "owner")
    owner.password_hash, owner.language = auth.hash_password(PASSWORD), "id"
    owner.save()
    desk, technician = User.get(User.username == "frontdesk"), User.get(User.username == "technician")
    tz = settings.tz
    local_midnight = dt.datetime.combine(clock.local(NOW, tz).date(), dt.time(), tzinfo=tz)
    today, yesterday = max(NOW - dt.timedelta(minutes=5), local_midnight), local_midnight - dt.timedelta(hours=2)
    people = {phone: Customer.create(phone=phone, name=name) for phone, name in
              ((ANI, "Ibu Ani"), (SARI, "Bu Sari"), (BUDI, "Pak Budi"))}

    def said(phone, text, at, direction="in", author=None, **more):
        return Message.create(direction=direction, phone=phone, customer=people.get(phone), text=text,
                              state="handled" if direction == "in" else "sent", author=author, created_at=at,
                              **more)

    said(ANI, "kemarin saya tanya harga pijat", yesterday)
    said(SARI, "hari ini buka sampai jam berapa?", today)
    said(SARI, "Buka sampai jam 17.00 kak", today, "out", desk)
    said(BUDI, "bisa pesan untuk sabtu?", today)
    said(BUDI, "Bisa pak, jam berapa?", today, "out", desk)
    said(BUDI, "Sudah kami catat ya pak", today, "out", owner)
    said(STRANGER, "halo ini nomor toko?", today, needs_staff=True)
    for n in range(60):  # more than a page of conversations that texted today about a promo
        said(f"+628131000{n:04d}", f"tanya promo {n}", today)
    # Sari's bookings, orders and tickets, one ticket the technician's.
    Booking.create(customer=people[SARI], service=Service.select().first(), starts_at=NOW + dt.timedelta(days=1),
                   ends_at=NOW + dt.timedelta(days=1, hours=1))
    order = orders.create_order(people[SARI], [("Minyak telon", 2, 25_000)], now=NOW)
    his = tickets.open_ticket(people[SARI], "Kursi pijat rusak", source="staff", by=owner, now=NOW)
    Ticket.update(assignee=technician, status="assigned").where(Ticket.id == his.id).execute()
    other = tickets.open_ticket(people[SARI], "Handuk kurang", source="staff", by=owner, now=NOW)
    with start_web(data_dir) as url:
        yield dict(url=url, order=order, his=his, other=other, tz=tz, ani_at=yesterday)
    database.close()


def browse(site, role):
    browser = Browserless(site["url"])
    assert browser.login(role, PASSWORD) == 200
    return browser


def rows_of(page: str) -> list[str]:
    """The conversations listed, as their links."""
    listing = page.split('<ul class="conversations">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="(/inbox/[^"]+)"', listing)


def test_mine_is_where_the_last_staff_reply_is_yours(site):
    _, _, page = browse(site, "frontdesk").get("/inbox?show=mine")
    assert rows_of(page) == [link(SARI)]  # Budi was answered by the owner after her
    _, _, page = browse(site, "owner").get("/inbox?show=mine")
    assert rows_of(page) == [link(BUDI)]
    _, _, page = browse(site, "admin").get("/inbox?show=mine")
    assert rows_of(page) == []


def test_today_is_the_shops_day_and_the_filters_keep_the_search_and_the_pages(site):
    owner = browse(site, "owner")
    listed = rows_of(owner.get("/inbox?show=today")[2]) + rows_of(owner.get("/inbox?show=today&page=2")[2])
    assert len(set(listed)) == len(listed) >= 63  # Sari, Budi, the stranger, the 60 asking about the promo (and the demo's)
    assert link(SARI) in listed and link(BUDI) in listed and link(ANI) not in listed  # Ani wrote yesterday
    _, _, page = owner.get("/inbox?show=today&q=promo")
    first = rows_of(page)
    assert len(first) == 50 and all(p.startswith("/inbox/%2B628131000") for p in first)
    older = html.unescape(re.search(r'href="([^"]*page=2[^"]*)"', page).group(1))
    assert "show=today" in older and "q=promo" in older  # page 2 is page 2 of the same list
    _, _, page = owner.get(older)
    second = rows_of(page)
    assert len(second) == 10 and not set(first) & set(second)
    # Every filter's link keeps the words searched; the search keeps the filter.
    tools = page.split('class="inbox-tools"', 1)[1].split("</div>", 1)[0]
    assert all("q=promo" in html.unescape(href) for href in re.findall(r'<a href="([^"]+)"', tools))
    assert '<input type="hidden" name="show" value="today">' in tools
    _, _, page = owner.get("/inbox?show=waiting&q=" + quote("0813-9999-9999"))
    assert rows_of(page) == [link(STRANGER)]
    _, _, page = owner.get("/inbox?waiting=1")  # the dashboard's tile
    assert link(STRANGER) in rows_of(page) and link(SARI) not in rows_of(page)
    assert 'aria-current="page">Menunggu<' in page


def test_the_inbox_speaks_indonesian_with_the_shops_times_and_numbers_as_people_write_them(site):
    owner = browse(site, "owner")
    _, _, page = owner.get("/inbox?show=waiting")
    assert "0813-9999-9999" in page and "+6281399999999</span>" not in page  # the stranger, as a number
    _, _, page = owner.get(link(ANI))
    written = formats.when(site["ani_at"], "id", site["tz"])
    assert written in page and re.search(r"\b(Sen|Sel|Rab|Kam|Jum|Sab|Min), \d+ ", written)
    assert "0813-0000-0001" in page and "Promosi" in page
    status, _, body = owner.get(link(SARI) + "/since?after=0")
    data = json.loads(body)
    assert status == 200 and {m["state"] for m in data["messages"] if m["direction"] == "out"} == {"terkirim", "antre kirim"}
    assert all(re.fullmatch(r"\d\d\.\d\d", m["when"]) for m in data["messages"])  # today: 14.05, in the shop's zone


def test_quick_replies_are_saved_from_a_conversation_and_fill_the_reply_box(site):
    desk = browse(site, "frontdesk")
    csrf = desk.csrf(link(SARI))
    status, _, page = desk.post(link(SARI) + "/quick", {"csrf": csrf, "text": "  Baik kak, kami cek dulu ya 🙏 "})
    assert status == 200 and "Tersimpan sebagai balasan cepat" in page
    saved = QuickReply.get(QuickReply.text == "Baik kak, kami cek dulu ya 🙏")
    assert ">Baik kak, kami cek dulu ya 🙏</textarea>" in page  # the box keeps what was saved
    # In another conversation: one tap (a link, without JS) fills the box.
    _, _, page = desk.get(link(BUDI))
    tap = html.unescape(re.search(r'<a href="([^"]+)" data-fill="Baik kak', page).group(1))
    assert tap == f"{link(BUDI)}?quick={saved.id}#reply-text"
    _, _, page = desk.get(tap.split("#")[0])
    assert ">Baik kak, kami cek dulu ya 🙏</textarea>" in page
    counter = re.sub(r"\s+", " ", page.split('id="reply-counter"', 1)[1].split("</p>", 1)[0])
    assert "28 karakter · 1 SMS · 41 tersisa di bagian ini · UCS-2" in counter  # counted without JS, too
    # Saved twice: kept once. Empty or too long: said why, in Indonesian, and what was typed stays.
    desk.post(link(BUDI) + "/quick", {"csrf": csrf, "text": "Baik kak, kami cek dulu ya 🙏"})
    assert QuickReply.select().where(QuickReply.text.startswith("Baik kak")).count() == 1
    status, _, page = desk.post(link(BUDI) + "/quick", {"csrf": csrf, "text": "  "})
    assert status == 400 and "tulis balasannya dulu" in page
    status, _, page = desk.post(link(BUDI) + "/quick", {"csrf": csrf, "text": "panjang " * 50})
    assert status == 400 and "paling banyak 320 karakter" in page and "panjang panjang" in page
    # Only the desk keeps them; a technician or a viewer may not.
    for role in ("viewer", "technician"):
        other = browse(site, role)
        status, _, _ = other.post(link(SARI) + "/quick", {"csrf": other.csrf("/dashboard"), "text": "x"})
        assert status == 403, role
    # Deleted: gone from every conversation.
    status, _, page = desk.post(link(BUDI) + "/quick", {"csrf": csrf, "action": "delete", "reply": str(saved.id)})
    assert status == 200 and "Balasan cepat dihapus" in page and "data-fill" not in page
    status, _, _ = desk.post(link(BUDI) + "/quick", {"csrf": csrf, "action": "delete", "reply": str(saved.id)})
    assert status == 404


def test_beside_the_conversation_her_bookings_orders_tickets_and_forms_for_her(site):
    owner = browse(site, "owner")
    _, _, page = owner.get(link(SARI))
    aside = page.split('<aside class="beside"', 1)[1].split("</aside>", 1)[0]
    order, his, other = site["order"], site["his"], site["other"]
    for href in (f"/orders/{order.number}", f"/tickets/{his.number}", f"/tickets/{other.number}", "/bookings?day="):
        assert f'href="{href}' in aside, href
    assert "Rp 50.000" in aside and "Kursi pijat rusak" in aside
    forms = [html.unescape(h) for h in re.findall(r'class="button" href="([^"]+)"', aside)]
    assert forms == [f"/{page}?phone=0813-0000-0002&from=inbox#new" for page in ("bookings", "queue", "tickets", "orders")]
    for href in forms:  # each form opens with her number in it
        status, _, form = owner.get(href.split("#")[0])
        assert status == 200 and 'id="new" open>' in form and 'value="0813-0000-0002"' in form, href
    # The technician: his own ticket of hers only, and no forms (the desk makes those).
    _, _, page = browse(site, "technician").get(link(SARI))
    aside = page.split('<aside class="beside"', 1)[1]
    assert f"/tickets/{his.number}" in aside and f"/tickets/{other.number}" not in aside
    assert 'class="button"' not in aside
    # A number that is no customer yet: the page, and the forms to make her one.
    status, _, page = owner.get(link(STRANGER))
    assert status == 200 and "belum jadi pelanggan" in page and "?phone=0813-9999-9999" in html.unescape(page)
    # A viewer reads; no reply box, no forms.
    _, _, page = browse(site, "viewer").get(link(SARI))
    assert 'class="reply"' not in page and 'class="button"' not in page


def test_what_staff_make_beside_a_conversation_brings_them_back_to_it(site):
    """A booking, a queue number, a ticket and an order made from the forms
    beside Sari's texts: each done, staff are back in her conversation with a
    note of what was made; the same forms on their own pages stay there."""
    owner = browse(site, "owner")
    service, product = Service.select().first(), Product.select().where(Product.active == True).first()  # noqa: E712
    day = next(d for d in (NOW.astimezone(site["tz"]).date() + dt.timedelta(days=n) for n in range(2, 9))
               if bookings.free_slots(service, d, NOW))
    at = bookings.free_slots(service, day, NOW)[0].astimezone(site["tz"])
    filled = {"bookings": {"service": service.id, "date": day.isoformat(), "time": at.strftime("%H:%M")},
              "queue": {"action": "join", "service": service.id},
              "tickets": {"text": "Pintu loker macet"},
              "orders": {"product1": product.id, "quantity1": "1"}}
    for page, fields in filled.items():
        csrf = owner.csrf(f"/{page}?phone=0813-0000-0002&from=inbox")
        status, headers, _ = owner.post(f"/{page}", {"csrf": csrf, "phone": "0813-0000-0002", "from": "inbox",
                                                     **fields}, follow=False)
        assert status in (302, 303) and headers["Location"].split("?")[0].endswith(link(SARI)), page
        assert "done=" in headers["Location"], page
    # Opened on the ticket page itself: the new ticket's page, as before.
    status, headers, _ = owner.post("/tickets", {"csrf": owner.csrf("/tickets"), "phone": "0813-0000-0002",
                                                 "text": "Lampu mati"}, follow=False)
    assert status in (302, 303) and "/tickets/" in headers["Location"]
    # The form shown again with its error keeps where it came from.
    _, _, again = owner.post("/bookings", {"csrf": owner.csrf("/bookings"), "phone": "0813-0000-0002",
                                           "from": "inbox", "service": service.id})
    assert 'name="from" value="inbox"' in again


def test_the_conversation_on_a_phone_in_chromium(site, browser):
    from support import REPO
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    QuickReply.create(text="Terima kasih kak, ditunggu kedatangannya")
    page.goto(site["url"] + "/login")
    page.fill("input[name=username]", "frontdesk")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard"))
    page.goto(site["url"] + link(SARI))
    page.click("ul.quick a")  # one tap, and the box holds it; the page did not reload
    assert page.input_value("#reply-text") == "Terima kasih kak, ditunggu kedatangannya"
    assert "?quick=" not in page.url
    # The counter counts what the tap put in (from the box's codec: 40 characters, one SMS).
    page.wait_for_function("() => document.getElementById('reply-counter').textContent.startsWith('40 ')")
    found = page.evaluate("""() => {
      const small = [...document.querySelectorAll('main a[href], main button, main textarea, main summary')]
        .filter(el => el.getBoundingClientRect().height > 0 && el.getBoundingClientRect().height < 43.5)
        .map(el => el.outerHTML.slice(0, 80));
      return {wide: document.scrollingElement.scrollWidth, small};
    }""")
    assert found == {"wide": 390, "small": []}, found
    assert not errors, errors
    shots = REPO / "test-output" / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "conversation-390-id.png"), full_page=True)
    context.close()


def test_mine_and_today_stay_quick_with_many_messages(tmp_path):
    """200,000 messages over a month from 20,000 customers, a staff member's
    4,000 replies among them: "mine" and "today" read what they show."""
    database = db.connect(settings_module.load(env={}, overrides={"data_dir": str(tmp_path)}).db_url)
    migrations.migrate(database)
    staff = User.create(username="sari", password_hash="x", role="frontdesk")
    phones = [f"+62819{n:08d}" for n in range(20_000)]
    with database.atomic():
        database.cursor().executemany(
            "INSERT INTO message (direction, phone, text, state, created_at, updated_at, folder, category, priority, "
            "needs_staff, template, incomplete, parts, encoding, modem, lease_owner, attempts, resent_after_crash, "
            "error, understood, author_id) VALUES (?, ?, 'pesan', 'handled', ?, ?, '', 'transactional', 0, 0, '', 0, "
            "1, 'gsm7', '', '', 0, 0, '', '', ?)",
            [(("in", "out")[n % 2], phones[(n // 2 * 7919) % len(phones)], at, at, staff.id if n % 50 == 1 else None)
             for n in range(200_000) for at in [f"2026-11-{1 + n * 30 // 200_000:02d} 10:00:00"]])
    checks = {"mine": lambda: inbox.among(inbox.answered_by(staff)),
              "today": lambda: inbox.among(inbox.texted_since(dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc))),
              "today, waiting, page 2": lambda: inbox.among(
                  inbox.texted_since(dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc)), offset=50, waiting_only=True)}
    quick_beside_a_scan(checks)  # under 100 ms here
    assert len(inbox.among(inbox.answered_by(staff))) == 50
    database.close()


@pytest.mark.parametrize("how_many", [40, 1_000])  # under and over inbox.WALK_AMONG: two ways to the same list
def test_a_search_that_finds_many_phones_lists_their_newest_conversations_first(tmp_path, how_many):
    database = db.connect(settings_module.load(env={}, overrides={"data_dir": str(tmp_path)}).db_url)
    migrations.migrate(database)
    phones = [f"+62819{n:08d}" for n in range(how_many)]
    robots = {phones[n] for n in range(0, how_many, 10)}  # operators' names and short codes, in their own folder
    at = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    newest = {}
    for n in range(how_many * 4):
        phone = phones[(n * 7) % how_many]
        row = Message.create(direction="in", phone=phone, text="pesan", state="handled", created_at=at, updated_at=at,
                             folder="robot" if phone in robots else "", needs_staff=n % 3 == 0)
        newest[phone] = row.id
    def expected(folder, waiting=False):
        kept = [p for p in phones if (p in robots) == (folder == "robot")
                and (not waiting or Message.select().where(Message.phone == p, Message.needs_staff == True).exists())]  # noqa: E712
        return [p for p in sorted(kept, key=lambda p: -newest[p])]
    for folder in ("", "robot"):
        listed = [row["phone"] for row in inbox.among(phones, limit=25, folder=folder)]
        assert listed == expected(folder)[:25]
        assert [row["phone"] for row in inbox.among(phones, limit=25, offset=25, folder=folder)] == \
            expected(folder)[25:50]
    assert [row["phone"] for row in inbox.among(phones, limit=25, waiting_only=True)] == expected("", True)[:25]
    database.close()
