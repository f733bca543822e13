"""The keywords and replies page as the owner meets it on a phone, in
Indonesian: groups by purpose, human labels, a search, each reply's SMS
counted and priced, one save for the page; and the shop's settings with
rupiah written as the shop writes them. Real `loket web`, real HTTP, a
real SQLite file; the last test drives Debian's Chromium at 390 px."""

from __future__ import annotations

import html
import json
import re
import shutil
import urllib.parse

import pytest
from support import REPO, Browserless, start_web

from appliance import auth, db, migrations, replies
from appliance import settings as settings_module
from appliance.keywords import DEFAULT_KEYWORDS
from appliance.models import KeywordAlias, ReplyTemplate, Service
from appliance.webui.i18n import SETTING_LABELS, known, translate
from appliance.webui.replylabels import KEYWORD_LABELS, PURPOSE_LABELS, REPLY_LABELS

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("settings-page")
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    auth.create_user("owner", PASSWORD, "owner", language="id")  # the shop's language, whatever ran before
    auth.create_user("desk", PASSWORD, "frontdesk", language="id")
    Service.create(name="Pijat bayi", duration_minutes=60, price=85_000, capacity=1)
    with start_web(data_dir) as url:
        yield url, database
    database.close()


def owner(url) -> Browserless:
    browser = Browserless(url)
    assert browser.login("owner", PASSWORD) == 200
    return browser


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def overrides() -> dict:
    return {(t.key, t.language): t.text for t in ReplyTemplate.select()}


# -- every reply has a name and a place --------------------------------------------------------

def test_every_reply_and_keyword_has_a_human_label_a_group_and_its_indonesian():
    for key in replies.DEFAULT_TEMPLATES:
        assert key in REPLY_LABELS, f"reply {key} has no label in webui/replylabels.py"
        assert replies.PURPOSE_OF.get(key) in PURPOSE_LABELS and replies.PURPOSE_OF[key] != "other", \
            f"reply {key} is registered without a purpose: templates({{...}}, purpose=...)"
        label, when = REPLY_LABELS[key]
        assert known(label) and known(when), key
    assert set(REPLY_LABELS) == set(replies.DEFAULT_TEMPLATES), "a label for a reply nobody registers"
    for keyword in DEFAULT_KEYWORDS:
        purpose, label = KEYWORD_LABELS[keyword]
        assert purpose in PURPOSE_LABELS and known(label), keyword
    assert set(replies.PURPOSES) <= set(PURPOSE_LABELS)


# -- the page -------------------------------------------------------------------------------

def test_the_page_opens_folded_by_purpose_in_indonesian_with_one_save(site):
    url, _ = site
    status, _, page = owner(url).get("/settings")
    assert status == 200
    words = text_of(page)
    assert "Kata kunci dan balasan" in words
    for purpose in ("Booking", "Antrian", "Pesanan dan pembayaran", "Keluhan dan tiket", "Poin dan undian"):
        assert purpose in words, purpose
    assert "Sudah dibayar" in words and "BAYAR untuk pesanan yang sudah lunas." in words  # a label and its moment
    assert "pay_already_paid (id)" not in words, "no internal keys as labels"
    assert page.count("<details class=\"card purpose\"") >= 9
    assert not re.search(r"<details class=\"card purpose\"[^>]*\bopen\b", page), "groups start folded"
    assert page.count('type="submit" class="primary"') == 1, "one save for the page"
    for key in replies.DEFAULT_TEMPLATES:
        assert f'name="reply.{key}.id"' in page and f'name="reply.{key}.en"' in page, key
    for keyword in DEFAULT_KEYWORDS:
        assert f'name="kw.{keyword}.id"' in page, keyword
    # Each reply is counted as an SMS and priced at the shop's price of one SMS (Rp 150 by default).
    assert re.search(r"\d+ huruf · 1 SMS · GSM-7 · Rp 150", words)


def test_the_search_narrows_by_label_keyword_or_text_without_javascript(site):
    url, _ = site
    browser = owner(url)
    _, _, page = browser.get("/settings?q=" + urllib.parse.quote("sudah dibayar"))
    words = text_of(page)
    assert "Sudah dibayar" in words and "Booking berhasil" not in words
    assert re.search(r"<details class=\"card purpose\" id=\"g-orders\"[^>]*\bopen", page), "what is found is open"
    _, _, page = browser.get("/settings?q=antri")  # a keyword's word
    assert 'name="kw.QUEUE.id"' in page and 'name="kw.BOOK.id"' not in page
    _, _, page = browser.get("/settings?q=counter")  # words of a reply's English text
    assert 'name="reply.queue_called.en"' in page and 'name="reply.book_done.id"' not in page
    _, _, page = browser.get("/settings?q=" + urllib.parse.quote("zzz<script>"))
    assert "Tidak ditemukan" in text_of(page) and "<script>" not in page.split("<main>")[1]


def test_one_save_writes_every_change_and_leaves_the_rest_alone(site):
    url, _ = site
    browser = owner(url)
    _, _, page = browser.get("/settings")
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    # Everything as shown, as a browser posts the whole form ...
    form = {name: html.unescape(value) for name, value in
            re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', page)}
    form.update({name: html.unescape(value) for name, value in
                 re.findall(r'<input id="(kw\.[^"]+)" name="[^"]+" value="([^"]*)"', page)})
    assert len(form) == 2 * len(replies.DEFAULT_TEMPLATES) + 2 * len(DEFAULT_KEYWORDS)
    # ... with three changes.
    form["reply.book_done.id"] = "{shop}: siap, {service} {day} jam {time} sudah dicatat. Sampai jumpa!"
    form["reply.queue_called.en"] = "{shop}: number {number}, please come in now."
    form["kw.POINTS.id"] = "poin, cekpoin"
    status, _, page = browser.post("/settings", {"csrf": token, **form})
    assert status == 200 and "Tersimpan." in page
    assert overrides() == {("book_done", "id"): form["reply.book_done.id"],
                           ("queue_called", "en"): form["reply.queue_called.en"]}, "nothing else written"
    assert {a.alias for a in KeywordAlias.select().where((KeywordAlias.keyword == "POINTS")
                                                         & (KeywordAlias.language == "id"))} == {"poin", "cekpoin"}
    assert translate("reply changed", "id") in browser.get("/settings/audit")[2]  # the audit log speaks sentences
    # Saving the page again unchanged changes nothing; emptying a reply brings its default back.
    status, _, page = browser.post("/settings", {"csrf": token, "reply.queue_called.en": ""})
    assert "Saved." in page or "Tersimpan." in page
    assert ("queue_called", "en") not in overrides()
    status, _, page = browser.post("/settings", {"csrf": token, "reply.book_done.id": form["reply.book_done.id"]})
    assert "Tidak ada yang berubah." in page


def test_a_refused_field_saves_nothing_and_keeps_what_was_typed(site):
    url, _ = site
    browser = owner(url)
    token = browser.csrf("/settings")
    before = overrides()
    typed = "{shop}: halo {nama}, pesanan {order} sudah lunas"
    status, _, page = browser.post("/settings", {"csrf": token, "reply.pay_already_paid.id": typed,
                                                 "reply.pay_thanks.id": "{shop}: terima kasih, {order} dicatat.",
                                                 "kw.CANCEL.id": "batal, pesan"})
    assert status == 400
    words = text_of(page)
    assert "Belum ada yang disimpan" in words
    assert "{nama} tidak dikenal di balasan ini. Yang bisa dipakai: {shop}, {order}." in words
    assert "“pesan” sudah dipakai untuk: Pesan jadwal. Pilih kata lain." in words
    assert html.escape(typed, quote=False) in page and 'value="batal, pesan"' in page, "what was typed is kept"
    assert re.search(r'id="g-orders"[^>]*\bopen', page) and re.search(r'id="g-bookings"[^>]*\bopen', page)
    assert overrides() == before, "not even the good change is saved"
    assert not KeywordAlias.select().where(KeywordAlias.alias == "pesan", KeywordAlias.keyword == "CANCEL").exists()


@pytest.mark.parametrize("value", ["", " ", "x" * 10_000, "{", "{0}", "{shop!r}", "😀 terima kasih {shop}",
                                   "<script>alert(1)</script>", "\x00"])
def test_any_input_gets_an_answer_never_a_stack_trace(site, value):
    url, _ = site
    browser = owner(url)
    token = browser.csrf("/settings")
    status, _, page = browser.post("/settings", {"csrf": token, "reply.help.en": value, "kw.HELP.en": value,
                                                 "reply.no_such_reply.id": value, "nonsense": value})
    assert status in (200, 400) and "Traceback" not in page and "<script>alert" not in page
    if len(value) > 640:
        assert "A reply has at most 640 characters" in page or "paling banyak 640 huruf" in page
    status, _, body = browser.get("/settings/templates/preview?" + urllib.parse.urlencode(
        {"key": "no_such_reply", "language": "xx", "text": value}))
    assert status == 200 and "line" in json.loads(body)


def test_the_preview_counts_parts_encoding_and_cost(site):
    url, _ = site
    browser = owner(url)

    def preview(text, key="help", language="id"):
        query = urllib.parse.urlencode({"key": key, "language": language, "text": text})
        return json.loads(browser.get("/settings/templates/preview?" + query)[2])

    short = preview("{shop}: halo")
    assert (short["parts"], short["encoding"], short["cost"]) == (1, "gsm7", 150)
    assert short["text"].endswith(": halo") and short["line"].endswith("Rp 150")
    emoji = preview("{shop}: terima kasih 😀")
    assert emoji["encoding"] == "ucs2" and "UCS-2" in emoji["line"] and "😀" in emoji["note"]
    long = preview("a" * 200)
    assert long["parts"] == 2 and long["cost"] == 300 and "2 SMS" in long["line"]
    assert preview("{shop} {nama}")["problem"].startswith("{nama} tidak dikenal")


def test_only_managers_change_keywords_and_replies_and_only_with_the_forms_token(site):
    url, _ = site
    desk = Browserless(url)
    assert desk.login("desk", PASSWORD) == 200
    assert desk.get("/settings")[0] == 403
    assert desk.post("/settings", {"csrf": desk.csrf("/dashboard"), "reply.help.id": "x"})[0] == 403
    status, _, _ = owner(url).post("/settings", {"csrf": "forged", "reply.help.id": "{shop}: x"})
    assert status == 403 and ("help", "id") not in overrides()


# -- the shop's settings ----------------------------------------------------------------------------

def test_shop_settings_read_indonesian_and_write_rupiah_as_the_shop_does(site):
    url, _ = site
    browser = owner(url)
    status, _, page = browser.get("/settings/shop")
    words = text_of(page)
    assert status == 200 and "Pengaturan toko" in words and "Jam buka" in words and "Senin" in words
    assert translate(SETTING_LABELS["sms_price"], "id") in words
    assert 'name="points_per_rupiah" value="10.000"' in page and 'name="price" value="85.000"' in page
    token = browser.csrf("/settings/shop")
    status, _, page = browser.post("/settings/shop", {"csrf": token, "section": "points", "points_per_visit": "2",
                                                      "points_per_rupiah": "Rp 25.000"})
    assert status == 200 and 'name="points_per_rupiah" value="25.000"' in page
    assert re.search(r'<details class="card" id="points"[^>]*\bopen', page), "the part just saved stays open"
    status, _, page = browser.post("/settings/shop", {"csrf": token, "section": "points", "points_per_visit": "3",
                                                      "points_per_rupiah": "dua puluh"})
    assert status == 400 and 'name="points_per_rupiah" value="dua puluh"' in page
    assert 'name="points_per_visit" value="3"' in page, "the other typed value is kept too"
    service = Service.get(Service.name == "Pijat bayi")
    form = {"csrf": token, "section": "service", "id": str(service.id), "name": "Pijat bayi", "duration": "60",
            "price": "Rp 95.000", "capacity": "1", "aliases": "", "comeback": "", "active": "on"}
    assert browser.post("/settings/shop", form)[0] == 200
    assert Service.get_by_id(service.id).price == 95_000
    status, _, page = browser.post("/settings/shop", {**form, "price": "sembilan", "aliases": "pijat kecil"})
    assert status == 400 and 'value="sembilan"' in page and 'value="pijat kecil"' in page
    assert Service.get_by_id(service.id).price == 95_000


# -- in a real browser, on a phone ------------------------------------------------------------------

def test_on_a_phone_the_page_is_short_the_search_narrows_and_the_preview_counts(site):
    playwright = pytest.importorskip("playwright.sync_api")
    chromium_path = shutil.which("chromium") or "/usr/bin/chromium"
    url, _ = site
    shots = REPO / "test-output" / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu"])
        page = chromium.new_page(viewport={"width": 390, "height": 844})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url + "/login")
        page.fill("input[name=username]", "owner")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/dashboard"))
        page.goto(url + "/settings")
        assert page.get_attribute("html", "lang") == "id"
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 2600, f"folded, the page is a few screens, not {height} px"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(shots / "settings-folded-390.png"), full_page=True)
        small = page.evaluate("""[...document.querySelectorAll('summary, button, input[type=search]')]
            .filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height).filter(h => h < 44).length""")
        assert small == 0, "every target is 44 px tall"

        page.fill("#replies-q", "bayar")
        page.wait_for_timeout(200)
        shown = page.evaluate("[...document.querySelectorAll('[data-search]')].filter(e => !e.hidden).length")
        groups = page.evaluate("[...document.querySelectorAll('details[data-group]')].filter(g => g.open).length")
        assert 0 < shown < 20 and groups >= 1
        assert page.is_visible("text=Sudah dibayar")
        page.screenshot(path=str(shots / "settings-search-390.png"), full_page=True)

        area = page.locator("textarea[name='reply.pay_already_paid.id']")
        area.fill("{shop}: pesanan {order} sudah lunas. " + "Terima kasih banyak! " * 8)
        line = area.locator("xpath=..").locator("[data-line]")
        playwright.expect(line).to_contain_text("2 SMS", timeout=5000)
        playwright.expect(line).to_contain_text("Rp 300")
        area.fill("{shop}: lunas 😀")
        playwright.expect(line).to_contain_text("UCS-2", timeout=5000)
        area.fill("{shop}: {nama}")
        playwright.expect(area.locator("xpath=..").locator("[data-problem]")).to_contain_text("{nama}", timeout=5000)
        page.screenshot(path=str(shots / "settings-preview-390.png"), full_page=False)

        page.goto(url + "/settings/shop")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.click("summary:has-text('Poin')")
        page.screenshot(path=str(shots / "shop-settings-390.png"), full_page=True)
        assert not errors, errors
        chromium.close()
