"""The staff UI in a real browser: Playwright driving Debian's Chromium
(/usr/bin/chromium; never a downloaded browser) against `loket run`.

Each journey ends with screenshots at phone width (390 px) and desktop width
(1280 px) in `test-output/browser/` at the repo root (git-ignored).
"""

import datetime as dt
import re

import pytest

from appliance.demo import ISP_NEXT_TICKET
from appliance.modem.network import SimNetwork
from appliance.settings import load
from conftest import launch_loket
from support import REPO, wait_until

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
SHOTS = REPO / "test-output" / "browser"
QUIET = {"LOKET_QUIET_HOURS": ""}


@pytest.fixture
def shop(tmp_path):
    opened = []

    def start(kind):
        context = launch_loket(tmp_path / kind, QUIET, args=("--demo", kind))
        loket = context.__enter__()
        opened.append(context)
        loket.network = SimNetwork(load(env={}, overrides={"data_dir": str(loket.data_dir)}).sim_path)
        return loket

    yield start
    for context in opened:
        context.__exit__(None, None, None)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def log_in(page, loket):
    page.goto(loket.url + "login")
    page.fill("input[name=username]", loket.user)
    page.fill("input[name=password]", loket.password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard"))
    # The demo's owner starts in the shop's language, Indonesian; these journeys read English.
    assert page.get_attribute("html", "lang") == "id"
    page.click("header button:has-text('EN')")
    page.wait_for_selector("nav.main >> text=Inbox")


def phone_got(loket, phone, words, timeout=20):
    return wait_until(lambda: any(words.lower() in sms["text"].lower() for sms in loket.network.received(phone)),
                      timeout)


def test_answer_a_customer_from_the_inbox(browser, shop):
    loket = shop("spa")
    loket.text("+6281234567890", "Apakah besok buka jam 8?")
    page = browser.new_page()
    log_in(page, loket)
    page.click("nav.main >> text=Inbox")
    page.click("text=0812-3456-7890")
    page.fill("#reply-text", "Buka kak, jam 08.00 sampai 17.00 🙏")
    expect(page.locator("#reply-counter")).to_contain_text("UCS-2")  # the live counter, from the codec
    assert "🙏" in page.text_content("#reply-counter")
    page.click("form.reply button[type=submit]")
    assert phone_got(loket, "+6281234567890", "jam 08.00 sampai 17.00")
    # The conversation page shows new messages without a reload.
    loket.text("+6281234567890", "Terima kasih kak")
    page.wait_for_selector("text=Terima kasih kak", timeout=15000)
    shot(page, "inbox")


def test_book_a_customer_and_call_them_from_the_queue(browser, shop):
    loket = shop("spa")
    page = browser.new_page()
    log_in(page, loket)
    page.click("nav.main >> text=Bookings")
    page.click("text=New booking")
    page.fill("input[name=phone]", "081234500001")
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    page.fill("input[name=date]", tomorrow)
    page.fill("input[name=time]", "10:00")
    page.click("form[action='/bookings'] button[type=submit]")
    page.wait_for_selector(".flash")
    shot(page, "bookings")
    page.click("nav.main >> text=Queue")
    page.click("text=Add to the queue")
    page.fill("form[action='/queue'] input[name=phone]", "081234500002")
    page.click("form[action='/queue']:has(input[name=phone]) button[type=submit]")
    page.wait_for_selector("text=Number 1.")
    page.click("button:has-text('Call next')")
    page.wait_for_selector("text=Number 1 called.")
    assert phone_got(loket, "+6281234500002", "1")
    shot(page, "queue")
    display = browser.new_page()  # the waiting-room screen needs no login
    display.goto(loket.url + "display")
    assert display.text_content("[data-now]").strip() == "1"
    shot(display, "display")


def test_assign_a_ticket_and_the_technician_gets_an_sms(browser, shop):
    loket = shop("isp")
    loket.text("+6281234500021", "KELUHAN internet mati sejak pagi")
    page = browser.new_page()
    log_in(page, loket)
    page.click("nav.main >> text=Tickets")
    new = f"T-{ISP_NEXT_TICKET:04d}"  # after the demo's planned visits
    page.click(f"text={new}")
    page.select_option("select[name=technician]", label="Andi (teknisi)")
    page.click("button:has-text('Assign')")
    page.wait_for_selector(".flash")
    assert phone_got(loket, "+6281234599001", new)
    shot(page, "ticket")
    page.goto(loket.url + f"tickets/{ISP_NEXT_TICKET}/card")
    shot(page, "jobcard")


def test_run_a_campaign_and_watch_its_progress(browser, shop):
    loket = shop("parts")
    page = browser.new_page()
    log_in(page, loket)
    page.click("nav.main >> text=Campaigns")
    page.click("text=New campaign")
    page.fill("input[name=name]", "Oli baru")
    page.fill("#campaign-text", "Halo {name}, oli mesin baru diskon 10% minggu ini!")
    page.click("button[value=preview]")
    page.wait_for_selector("dl.preview")
    assert "GSM-7" in page.text_content("dl.preview")
    page.click("button[value=send]")
    # Sending spends credit: the page first says to whom and what it costs, and asks.
    page.wait_for_selector(".ask")
    assert "customers" in page.text_content(".ask") and "Rp" in page.text_content(".ask")
    page.click(".ask button[value=send]")
    # The progress bar follows the worker (the page's own script polls; the CSP forbids eval here).
    expect(page.locator("[data-field=done_percent]")).to_have_text("100", timeout=30000)
    shot(page, "campaign")


def test_run_a_draw_and_verify_it(browser, shop):
    loket = shop("spa")
    page = browser.new_page()
    log_in(page, loket)
    page.click("nav.main >> text=Draws")
    page.click("text=New draw")
    page.fill("input[name=name]", "Undian bulan ini")
    page.fill("input[name=start]", (dt.date.today() - dt.timedelta(days=60)).isoformat())
    page.fill("input[name=end]", (dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.fill("textarea[name=prizes]", "Voucher pijat bayi")
    page.click("form[action='/draws'] button[type=submit]")
    asked = []  # running the draw and texting the winners each ask first
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    for step in ("Publish the commitment", "Run the draw", "Notify winners"):
        page.click(f"button:has-text('{step}')")
        page.wait_for_selector(".flash")
    assert len(asked) == 2 and "cannot be undone" in asked[0]
    assert "matches the commitment" in page.text_content("main")
    assert "the winners follow from the seed and the entries" in page.text_content("main")
    # On a phone the draw's facts keep their room: no date or hash squeezed into a sliver.
    page.set_viewport_size({"width": 390, "height": 844})
    squeezed = page.evaluate("""() => [...document.querySelectorAll('dl.facts dd')]
        .filter(dd => dd.getBoundingClientRect().width < dd.parentElement.getBoundingClientRect().width / 2)
        .map(dd => dd.textContent.trim().slice(0, 30))""")
    assert squeezed == [] and page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "draw")


def phone_sized(page):
    """Nothing wider than a 390 px phone, and every tap target in the page at least 44 px tall."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    small = page.evaluate("""() => [...document.querySelectorAll(
        'main button, main a.button, .wizard-steps a, .ready a, main label.check')]
        .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44)
        .map(e => e.textContent.trim().slice(0, 30))""")
    assert small == []


def test_the_first_run_wizard_then_indonesian(browser, tmp_path):
    """A new spa is set up on a phone, in Indonesian, from the setup code to the dashboard."""
    with launch_loket(tmp_path / "new", QUIET, args=("--demo", "none")) as loket:
        code = (loket.data_dir / "setup-code.txt").read_text().strip()
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(loket.url + "login")
        page.click("text=siapkan Loket ini")  # a new box speaks the shop's language, Indonesian, from the start
        page.fill("input[name=code]", code)
        page.fill("input[name=username]", "bu.sari")
        page.fill("input[name=password]", "kopi susu manis")
        page.fill("input[name=password2]", "kopi susu manis")
        page.fill("input[name=shop_name]", "Spa Bunda")
        page.select_option("select[name=shop_type]", "spa")
        phone_sized(page)
        shot(page, "wizard-owner")
        page.click("button[type=submit]")
        page.wait_for_selector("h1:has-text('Alamat dan jam buka')")
        # Away to the dashboard: its checklist says what is left, and each item leads back to its step.
        page.goto(loket.url + "dashboard")
        expect(page.locator(".checklist li.done[data-item=owner]")).to_have_count(1)
        expect(page.locator(".checklist li.todo[data-item=hours]")).to_have_count(1)
        page.set_viewport_size({"width": 390, "height": 844})
        phone_sized(page)
        shot(page, "wizard-checklist")
        page.click(".checklist li[data-item=hours] a")
        # Address and hours: Monday to Saturday 09:00-17:00 for a spa, Sunday closed.
        page.wait_for_selector("h1:has-text('Alamat dan jam buka')")
        assert page.input_value("input[name=opens0]") == "09:00" and not page.is_checked("input[name=open6]")
        page.fill("input[name=shop_address]", "Jl. Pembangunan 12, Garut")
        page.set_viewport_size({"width": 390, "height": 844})
        phone_sized(page)
        shot(page, "wizard-hours")
        page.click("button:has-text('Simpan dan lanjut')")
        # The spa's starter services, edited: a price written the Indonesian way, a row added and removed.
        page.wait_for_selector("h1:has-text('Layanan')")
        page.fill("input[name=price0]", "90.000")
        page.click("button:has-text('Tambah baris')")
        page.fill("input[name=name3]", "Pijat anak")
        page.fill("input[name=price3]", "abc")
        page.click("button:has-text('Simpan dan lanjut')")
        expect(page.locator("fieldset.bad-row p.error")).to_contain_text("Baris 4: abc bukan harga Rupiah")
        assert page.input_value("input[name=price0]") == "90.000"  # what was typed is still there
        page.set_viewport_size({"width": 390, "height": 844})
        phone_sized(page)
        shot(page, "wizard-services")
        page.fill("input[name=price3]", "75.000")
        page.check("input[name=remove2]")
        page.click("button:has-text('Simpan dan lanjut')")
        # A spa takes no payment by SMS: on to the modem and a test SMS to the owner's phone.
        page.wait_for_selector("h1:has-text('Modem dan SMS uji')")
        page.fill("form[action='/setup/modem'] input[name=phone]", "081234567890")
        page.click("form[action='/setup/modem'] button[type=submit]")
        # The page follows the SMS by itself, from waiting to sent (or delivered).
        page.wait_for_selector("[data-test-state=sent], [data-test-state=delivered]", timeout=30_000)
        page.set_viewport_size({"width": 390, "height": 844})
        phone_sized(page)
        shot(page, "wizard-modem")
        page.click("text=Selesai: ke dasbor")
        # Everything done: the checklist is gone from the dashboard.
        page.wait_for_url(re.compile(r".*/dashboard"))
        expect(page.locator(".checklist")).to_have_count(0)
        # An owner in an Indonesian time zone starts in Indonesian; the header button switches.
        page.wait_for_selector("nav.main >> text=Kotak masuk")
        shot(page, "indonesian")
        page.click("header button:has-text('EN')")
        page.wait_for_selector("nav.main >> text=Inbox")


def test_teach_loket_a_text_and_make_an_answer_in_indonesian(browser, shop):
    loket = shop("spa")
    loket.text("+6281234500001", "kak hari minggu pada masuk?")
    loket.text("TELKOMSEL", "Sisa pulsa Anda Rp 5.000. Isi ulang sekarang!", wait=3)
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, loket)
    if page.locator("header button:has-text('ID')").count():
        page.click("header button:has-text('ID')")
    page.click("nav.main >> text=Kotak masuk")
    expect(page.locator(".conversations")).to_contain_text("hari minggu pada masuk")  # the customer's words
    page.fill("input[name=q]", "0812 3450 0001")
    page.click(".inbox-tools button[type=submit]")
    shot(page, "inbox-search")
    page.click("a[href='/inbox/%2B6281234500001']")
    expect(page.locator(".understood").first).to_contain_text("tidak dipahami")
    page.click("details.teach summary")
    page.select_option("details.teach select", "hours")
    shot(page, "teach")
    page.click("details.teach button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("jam buka")
    page.goto(loket.url + "inbox?folder=robot")
    expect(page.locator(".conversations")).to_contain_text("TELKOMSEL")
    shot(page, "inbox-robots")
    page.click("nav.main >> text=Pengaturan")
    page.click("text=Jawaban buatan staf")
    page.fill("input[name=keyword]", "batal")  # a built-in keyword: refused, and nothing typed is lost
    page.fill("textarea[name=reply_id]", "Transfer ke BCA 1234567 a.n. Spa Bunda ya kak")
    page.fill("textarea[name=reply_en]", "Please pay to BCA 1234567, Spa Bunda")
    page.click("#answer-form button[type=submit]")
    expect(page.locator("#answer-form .error")).to_contain_text("sudah dipakai Loket")
    shot(page, "answers-refused")
    page.fill("input[name=keyword]", "rekening")
    page.fill("input[name=phrases]", "nomor rekening, transfer ke mana")
    page.fill("textarea[name=reply_id]", "Transfer ke BCA 1234567 a.n. Spa Bunda ya kak")
    page.fill("textarea[name=reply_en]", "Please pay to BCA 1234567, Spa Bunda")
    expect(page.locator("#answer-id-counter")).to_contain_text("GSM-7")
    page.click("#answer-form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("Jawaban tersimpan")
    expect(page.locator(".answers")).to_contain_text("REKENING")
    shot(page, "answers")
