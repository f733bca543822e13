"""No page shows a word that is not in the catalogs: every page, flash and
refusal, as every role, in Indonesian, over real HTTP.

How: the web runs with LOKET_I18N_MARK=1, so every string it takes from a
catalog (and every date Babel writes) arrives between two invisible marks.
A page's visible text minus the marked parts, minus the shop's own data (every
text in its database: names, services, messages) and minus numbers, must hold
no word. What is left is English someone wrote without t(), or a stored value
shown raw (`awaiting_payment`).
"""

import contextlib
import datetime as dt
import html.parser
import json
import re
import sqlite3

import pytest
from support import Browserless, start_web

from appliance import auth, campaigns, db, demo, draws, migrations, orders, photos, suppliers, tickets, waiting
from appliance import settings as settings_module
from appliance.box import backup
from appliance.conversation import Shop
from appliance.models import Customer, Message, Product, Ticket, User
from appliance.phone import display
from appliance.webui.i18n import CLOSE, OPEN

PASSWORD = "correct horse battery"
NOW = dt.datetime.now(dt.timezone.utc)  # set again when the shop is made

# Words that are the same in every language: names of things and units.
SAME_IN_EVERY_LANGUAGE = {"Loket", "SMS", "SIM", "PIN", "IMEI", "USSD", "GSM", "UCS", "dBm", "MB", "CSV", "EN", "ID",
                          "Rp", "HMAC", "SHA", "UTF", "Excel", "USB", "LOKETBACKUP", "LOKET-BACKUP", "Bahasa",
                          "Indonesia", "English", "loket", "modem", "detect", "Telkomsel",
                          "INV", "RCP",  # an invoice's and a receipt's number: INV-1001, RCP-1001
                          "API", "JSON", "RFC", "OpenAPI"}

# Printed for the customer's signature in both languages at once, on purpose.
BILINGUAL = ("/tickets/<number>/card", "/display")


class VisibleText(html.parser.HTMLParser):
    """The text a person sees or hears: text outside <script>/<style>, and the
    attributes a browser shows (placeholder, title, aria-label, a confirm question).

    An element marked `data-sms` holds an SMS as customers read it (a reply being
    edited, its preview, its placeholders): the replies are in both languages on
    purpose, so its text and attributes are the SMS's, not the page's words. So is
    one marked `translate="no"` (HTML's own mark): a program's words, an API path
    or scope, a webhook's event name, an example address, the same in every language."""

    SHOWN = ("placeholder", "title", "aria-label", "data-confirm", "alt", "data-words")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden, self.sms = [], 0, []  # sms: the open data-sms element's tag and depth

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        sms = any(name == "data-sms" or (name, value) == ("translate", "no") for name, value in attrs)
        if self.sms and tag == self.sms[0]:
            self.sms[1] += 1
        elif not self.sms and sms and tag not in self.VOID:
            self.sms = [tag, 1]
        if not self.sms and not sms:
            self.parts.extend(value for name, value in attrs if name in self.SHOWN and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1
        if self.sms and tag == self.sms[0]:
            self.sms[1] -= 1
            if not self.sms[1]:
                self.sms = []

    def handle_data(self, data):
        if not self.hidden and not self.sms and data.strip():
            self.parts.append(data)


def unmarked_words(page: str, data: list[str]) -> list[str]:
    """The words of `page` that came from no catalog and are not the shop's own data."""
    parser = VisibleText()
    parser.feed(page)
    words = []
    for text in parser.parts:
        previous = None
        while previous != text:  # innermost first: a translated pattern may hold translated words
            previous, text = text, re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
        text = re.sub(r"\S+\.(?:db|bundle)\b", " ", text)  # a file name (a backup) is no word
        for value in data:
            if value in text:  # whole words only: a status "one" is no reason to pass "Indonesia"
                text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
        words += [w for w in re.findall(r"[A-Za-z][A-Za-z'_-]*[A-Za-z]", text) if w not in SAME_IN_EVERY_LANGUAGE]
    return words


def texts_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in texts_in(item)]


def shop_data(db_path, shop_name: str) -> list[str]:
    """Every text the shop keeps (and its phone numbers as shown), longest first."""
    con = sqlite3.connect(db_path)
    values = {shop_name}
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for column in con.execute(f'PRAGMA table_info("{table}")').fetchall():
            if column[2].upper().startswith(("VARCHAR", "TEXT")):
                for (value,) in con.execute(f'SELECT DISTINCT "{column[1]}" FROM "{table}"'):
                    if isinstance(value, str) and value[:1] in "[{":  # a JSON list or object: its texts
                        with contextlib.suppress(ValueError):
                            values.update(texts_in(json.loads(value)))
                    if isinstance(value, str) and len(value.strip()) > 1:
                        values.update({value, value[:80], value[:120], value[:160]})  # lists show a message's start
                        if value.startswith("+"):
                            values.add(display(value))
    con.close()
    values.update(product_data())
    return sorted(values, key=len, reverse=True)


def product_data() -> set[str]:
    """Texts that are data on the pages that edit them, not words of the UI: the
    keywords customers text (they have their own two languages), the time zones'
    names, an example address. (The replies' SMS texts are marked `data-sms`.)"""
    from appliance.keywords import DEFAULT_KEYWORDS
    from appliance.webui.setup import ZONES
    values = set(ZONES) | {"Jl. Ahmad Yani 5, Garut"}
    values |= {word for languages in DEFAULT_KEYWORDS.values() for words in languages.values() for word in words}
    values |= {zone.replace("_", " ") for zone in ZONES} | {part for zone in ZONES for part in zone.split("/")}
    return {value for value in values if isinstance(value, str) and len(value.strip()) > 1}


def test_the_checker_finds_english_written_without_the_catalogs():
    page = (f"<h1>{OPEN}Pemesanan{CLOSE}</h1><h2>New booking</h2><p>{OPEN}Kirim ke {OPEN}Budi{CLOSE}{CLOSE} · 12</p>"
            f"<button data-confirm=\"Cancel it?\">{OPEN}Batal{CLOSE}</button><td>awaiting_payment</td>"
            "<script>var English = 1;</script><p>Ibu Sari</p>")
    assert unmarked_words(page, ["Ibu Sari"]) == ["New", "booking", "Cancel", "it", "awaiting_payment"]


def test_an_sms_marked_as_such_is_no_page_word_but_the_words_around_it_are():
    page = ("<p>Sent when: <textarea data-sms placeholder=\"Thanks!\">We are <b>open</b></textarea>"
            "<p data-sms>Halo <p>Sari</p> {shop}</p> Saved <input data-sms placeholder=\"Hi\"> twice</p>")
    assert unmarked_words(page, []) == ["Sent", "when", "Saved", "twice"]


def test_a_template_line_written_without_t_is_caught(monkeypatch):
    """The whole path as a page takes it: a template, t() from the catalogs with marks, the checker."""
    import bottle

    from appliance.webui import i18n
    monkeypatch.setattr(i18n, "MARK", True)
    page = bottle.SimpleTemplate("<h1>{{t('Bookings')}}</h1>\n<h2>New booking</h2>\n<p>{{t('No bookings today.')}}</p>")
    assert unmarked_words(page.render(t=lambda text: i18n.translate(text, "id")), []) == ["New", "booking"]


@pytest.fixture(scope="module", params=["service", "spa", "shop"])
def site(request, tmp_path_factory):
    """A demo shop with a row in every state a page words differently: a failed SMS, a campaign
    for some customers, an order with a payment to check, a ticket with history, a called number."""
    global NOW  # the moment this shop is made: the suite was collected minutes (perhaps a day) ago
    NOW = dt.datetime.now(dt.timezone.utc)
    data_dir = tmp_path_factory.mktemp(request.param)
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    demo.seed(data_dir, request.param)
    for role in ("admin", "frontdesk", "technician", "viewer"):
        auth.create_user(role, PASSWORD, role, language="id")
    owner = User.get(User.username == "owner")
    owner.password_hash, owner.language = auth.hash_password(PASSWORD), "id"
    owner.save()
    customer = Customer.select().first()
    Message.create(direction="out", phone=customer.phone, customer=customer, text="x", state="failed",
                   error="+CMS ERROR 38")
    campaign = campaigns.create("Promo", "Halo {name}", {"tags": ["vip"], "min_points": 5}, now=NOW)
    order = orders.create_order(customer, [("Jasa servis printer", 1, 150_000)], now=NOW)
    orders.set_status(order, "awaiting_payment", by=owner, now=NOW, shop=Shop.from_settings(settings))
    orders.record_claim(order, 150_000, text="sudah transfer", now=NOW)
    paid = orders.set_status(orders.create_order(customer, [("Tinta", 1, 85_000)], now=NOW), "paid", by=owner,
                             now=NOW, shop=Shop.from_settings(settings))
    draw = draws.create_draw("Undian", period_start=NOW - dt.timedelta(days=30), period_end=NOW,
                             prizes=["Voucher"])
    ticket = tickets.open_ticket(customer, "Printer macet", source="staff", by=owner, now=NOW) \
        if not Ticket.select().exists() else Ticket.select().first()
    tickets.note(ticket, "dicek besok", owner, now=NOW)
    waiting.join(customer, now=NOW, by=owner, source="staff", shop=Shop.from_settings(settings))
    waiting.call_next(owner, NOW, shop=Shop.from_settings(settings))
    goods = Product.select().first() or Product.create(name="Tinta printer", price=85_000, stock=2)
    supplier = suppliers.save_supplier("CV Tinta Jaya", "0812-3456-7001", "tempo 14 hari", [goods.id], by=owner,
                                       now=NOW)
    restock = suppliers.create_restock(supplier, [(goods.id, "5", "60.000")], by=owner, now=NOW)  # a draft
    photos.store(data_dir, goods.id, photos.PNG_MAGIC + b"\0\0\0\rIHDR" + bytes([0, 0, 0, 8, 0, 0, 0, 8]))
    from appliance.webui.app import create_app
    table = create_app(settings, tasks=None).config["loket.routes"]
    ids = {"customer_id": customer.id, "phone": customer.phone.replace("+", "%2B"), "campaign_id": campaign.id,
           "draw_id": draw.id, "step": "hours", "number": ticket.number, "order_number": order.number,
           "paid_order_number": paid.number, "supplier_id": supplier.id, "restock_id": restock.id, "point_id": 1,
           "product_id": goods.id,
           "user_id": owner.id, "name": "messages", "backup_name": backup.backup(data_dir / "loket.db",
                                                                               data_dir / "backups").name}
    with start_web(data_dir, env={"LOKET_I18N_MARK": "1"}) as url:
        yield url, table, ids, shop_data(data_dir / "loket.db", settings.shop_name)
    database.close()


def _path(route_path, ids):
    if route_path.startswith("/orders/"):
        ids = {**ids, "number": ids["paid_order_number" if route_path.endswith("/receipt") else "order_number"]}
    if route_path.startswith("/settings/backup/"):
        ids = {**ids, "name": ids["backup_name"]}
    return re.sub(r"<(\w+)>", lambda m: str(ids[m.group(1)]), route_path)


def _pages(table):
    for route in table:
        if (route.method == "GET" and not route.path.startswith("/static") and not route.path.endswith(".csv")
                and route.path not in BILINGUAL and "/progress" not in route.path
                and not route.path.startswith(("/settings/backup/<", "/display/"))):
            yield route


@pytest.mark.parametrize("role", ["owner", "admin", "frontdesk", "technician", "viewer"])
def test_every_page_speaks_only_catalog_words_in_indonesian(site, role):
    url, table, ids, data = site
    browser = Browserless(url)
    assert browser.login(role, PASSWORD) == 200
    found = []
    for route in _pages(table):
        if role not in route.roles and not route.public:
            continue
        path = _path(route.path, ids)
        status, headers, page = browser.get(path)
        if status == 200 and headers.get_content_type() == "text/html":
            found += [f"{path}: {word}" for word in unmarked_words(page, data)]
    assert not found, "words outside the catalogs:\n" + "\n".join(sorted(set(found)))


def test_flashes_and_refusals_speak_indonesian_too(site):
    url, _, ids, data = site
    browser = Browserless(url)
    assert browser.login("owner", PASSWORD) == 200
    csrf = browser.csrf("/dashboard")
    answers = {
        "a bad phone number": browser.post("/customers", {"csrf": csrf, "phone": "12", "name": "x"}),
        "a booking without a time": browser.post("/bookings", {"csrf": csrf, "phone": "0812345678901"}),
        "calling the next number": browser.post("/queue", {"csrf": csrf, "action": "next"}),
        "a page that is not there": browser.get("/customers/999999"),
        "an order that is not there": browser.get("/orders/999999"),
        "an expired form": browser.post("/queue", {"csrf": "old", "action": "next"}),
        "a draw with nonsense points": browser.post("/draws", {"csrf": csrf, "name": "x", "min_points": "x"}),
        "a restock line with no quantity": browser.post("/restock", {"csrf": csrf, "supplier": ids["supplier_id"],
                                                                     "goods1": "1", "qty1": "-3"}),
        "receiving a draft": browser.post(f"/restock/{ids['restock_id']}", {"csrf": csrf, "action": "receive",
                                                                            "receipts": "0"}),
        "a service point with a bad phone": browser.post("/points", {"csrf": csrf, "name": "x", "phone": "x1"}),
        "a project that ends before it starts": browser.post(
            f"/customers/{ids['customer_id']}/projects", {"csrf": csrf, "name": "x", "starts": "2026-12-02",
                                                          "ends": "2026-12-01", "response": "1", "resolution": "2"}),
    }
    found = [f"{what}: {word}" for what, (_, _, page) in answers.items() for word in unmarked_words(page, data)]
    assert not found, "words outside the catalogs:\n" + "\n".join(found)
