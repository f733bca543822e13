"""The five frequent tasks, each at most two taps from the dashboard, on a
phone (390 px), in Indonesian, in a real browser (Debian's Chromium through
Playwright) against `loket run --demo <kind>`, in the shop kind that has the
task: answer a customer, today's bookings and the queue at the spa; a payment
to check at the parts dealer (orders); a ticket to assign at the internet
provider.

How taps are counted:
- The count starts on the dashboard, just opened, logged in (logging in is not a tap).
- A tap is a click on a link or a button: a tile, a navigation item, a row in
  a list, a toggle that opens something, a filter.
- Not taps: scrolling; typing text; choosing within the task's own form (a
  technician in its list); the task's final submit (the button that does the
  thing: Send, Call next, verify: paid, Assign) and the question it asks first.
- The task is reached when the control that does it (or, for today's bookings,
  the list itself) is on the page. Each test then does the task, to show that
  the path it counted really does it.
Screenshots of each reached page land in test-output/two-taps/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest

from appliance import db, policy, shopdata
from appliance.demo import ISP_NEXT_TICKET
from appliance.modem.network import SimNetwork
from appliance.models import Booking, Customer, Service
from appliance.settings import load
from appliance.webui import formats
from appliance.webui.i18n import translate
from conftest import launch_loket
from support import REPO, open_all_day_every_day, wait_until

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
SHOTS = REPO / "test-output" / "two-taps"
PHONE = {"width": 390, "height": 844}
MOST = 2


def id_(text: str) -> str:
    """The words as an Indonesian user reads them."""
    return translate(text, "id")


@pytest.fixture(scope="module")
def shops(tmp_path_factory):
    """One running demo shop per kind, started when a test first asks for it."""
    running, stack = {}, contextlib.ExitStack()

    def shop(kind: str):
        if kind not in running:
            loket = stack.enter_context(launch_loket(tmp_path_factory.mktemp(kind), {"LOKET_QUIET_HOURS": ""},
                                                     args=("--demo", kind)))
            settings = load(env={}, overrides={"data_dir": str(loket.data_dir)})
            loket.network = SimNetwork(settings.sim_path)
            database = db.connect(settings.db_url)
            try:
                open_all_day_every_day()  # its queue takes numbers at whatever hour CI runs
            finally:
                database.close()
            running[kind] = loket
        return running[kind]

    with stack:
        yield shop


class Thumb:
    """A shop assistant's thumb on the phone: it taps, and counts its taps."""

    def __init__(self, browser, loket):
        self.loket, self.taps = loket, []
        self.page = browser.new_page(viewport=PHONE)
        self.page.on("dialog", lambda dialog: dialog.accept())  # the question before acting: yes
        self.page.goto(loket.url + "login")
        self.page.fill("input[name=username]", loket.user)
        self.page.fill("input[name=password]", loket.password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(re.compile(r".*/dashboard"))
        assert self.page.get_attribute("html", "lang") == "id", "the demo owner reads the shop's language"

    def tap(self, target, what: str) -> None:
        """One tap on a link or button that is on the page, then wait for what it opens."""
        target = target.first
        expect(target).to_be_visible()
        box = target.bounding_box()
        assert box["height"] >= 43.5 and box["width"] >= 43.5, f"{what}: a thumb's 44 px ({box})"
        target.click()
        self.page.wait_for_load_state()
        self.taps.append(what)

    def reached(self, target, task: str):
        """The task's control is on the page, within the taps allowed; a shot for people to look at."""
        expect(target.first).to_be_visible()
        assert len(self.taps) <= MOST, f"{task}: {len(self.taps)} taps ({' → '.join(self.taps)})"
        assert self.page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], "no sideways scroll"
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{task}.png"), full_page=True)
        return target.first

    def link(self, text: str):
        return self.page.locator("main a").filter(has_text=text)


def phone_got(loket, phone: str, words: str) -> bool:
    return wait_until(lambda: any(words.lower() in sms["text"].lower() for sms in loket.network.received(phone)), 20)


def test_answer_a_customer(browser, shops):
    loket = shops("spa")
    loket.text("+6281234500002", "Kak, parkirnya di mana ya?")  # no keyword: it waits for staff
    thumb = Thumb(browser, loket)
    thumb.tap(thumb.page.locator("main a[href^='/inbox']").filter(has_text=id_("Waiting for staff")),
              "the waiting tile")
    thumb.tap(thumb.link("Pak Budi"), "the customer's conversation")
    box = thumb.reached(thumb.page.locator("textarea[name=text]"), "answer-a-customer")
    box.fill("Parkir di depan toko kak, gratis.")
    thumb.page.locator("form:has(textarea[name=text]) button[type=submit]").first.click()
    assert phone_got(loket, "+6281234500002", "Parkir di depan toko")


def test_todays_bookings(browser, shops):
    loket = shops("spa")
    settings = load(env={}, overrides={"data_dir": str(loket.data_dir)})
    database = db.connect(settings.db_url)
    try:  # one booking today, at 10:00 in the shop's zone (the demo's visits are all past)
        tz = shopdata.live(settings).tz
        now = dt.datetime.now(dt.timezone.utc)
        start = policy.day_start(now, tz) + dt.timedelta(hours=10)
        Booking.create(customer=Customer.get(Customer.name == "Maria Tan"), service=Service.get(Service.name == "Baby spa"),
                       starts_at=start, ends_at=start + dt.timedelta(minutes=45), status="booked", source="staff",
                       created_at=start - dt.timedelta(days=1))
    finally:
        database.close()
    thumb = Thumb(browser, loket)
    thumb.tap(thumb.page.locator("main a.tile[href^='/bookings']"), "the bookings tile")
    today = thumb.page.locator("main section").filter(has=thumb.page.get_by_role(
        "heading", name=formats.day(now, "id", tz), exact=True))
    thumb.reached(today.filter(has_text="Maria Tan").filter(has_text="Baby spa"), "todays-bookings")


def test_call_the_next_number(browser, shops):
    loket = shops("spa")
    loket.text("+6281234500003", "ANTRI")
    thumb = Thumb(browser, loket)
    thumb.tap(thumb.page.locator("main a[href^='/queue']"), "the queue tile")
    call = thumb.reached(thumb.page.get_by_role("button", name=id_("Call next")), "call-the-next-number")
    call.click()
    expect(thumb.page.locator(".flash")).to_be_visible()
    assert phone_got(loket, "+6281234500003", "nomor antrian 1, sekarang giliran Anda")


def test_confirm_a_payment(browser, shops):
    loket = shops("parts")
    loket.text("+6281234500011", "BAYAR O-1001 120.000 sudah transfer BCA")
    thumb = Thumb(browser, loket)
    thumb.tap(thumb.page.locator("a[href^='/orders']").filter(
        has_text=re.compile(f"{id_('Orders')}|{id_('Payment claims to check')}")), "to the payments to check")
    verify = thumb.reached(thumb.page.get_by_role("button", name=id_("verify: paid")), "confirm-a-payment")
    verify.click()  # it asks first (the customer gets an SMS); the thumb says yes
    expect(thumb.page.locator(".flash")).to_be_visible()
    assert phone_got(loket, "+6281234500011", "O-1001")


def test_assign_a_ticket(browser, shops):
    loket = shops("isp")
    loket.text("+6281234500021", "internet mati dari pagi")  # a new ticket, nobody on it yet
    thumb = Thumb(browser, loket)
    new = f"T-{ISP_NEXT_TICKET:04d}"  # after the demo's planned visits
    thumb.tap(thumb.link(new), "the ticket on the dashboard")
    assign = thumb.reached(thumb.page.get_by_role("button", name=id_("Assign"), exact=True), "assign-a-ticket")
    thumb.page.select_option("select[name=technician]", label="Andi (teknisi)")  # choosing, not a tap
    assign.click()
    expect(thumb.page.locator(".flash")).to_be_visible()
    assert phone_got(loket, "+6281234599001", new)
