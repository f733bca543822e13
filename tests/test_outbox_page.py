"""Failed messages are listed for staff, with a re-send action (real HTTP)."""

import re

import pytest
from support import Browserless, start_web

from appliance import auth, customers, db, migrations, outbox
from appliance import settings as settings_module
from appliance.models import Message

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("outbox")
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    auth.create_user("desk", PASSWORD, "frontdesk")
    auth.create_user("watcher", PASSWORD, "viewer")
    with start_web(data_dir) as url:
        yield url
    database.close()


def failed(phone, text, state="failed", category="transactional"):
    customer = customers.customer_for(phone)
    row, _ = outbox.queue_outbound(phone, text, customer=customer, category=category)
    Message.update(state=state, error="+CMS ERROR 38: network out of order").where(Message.id == row.id).execute()
    return row


def test_staff_see_what_did_not_go_and_send_it_again(site):
    row = failed("+6281200000001", "Pesanan Anda sudah dikirim")
    browser = Browserless(site)
    browser.login("desk", PASSWORD)
    status, _, page = browser.get("/outbox")
    assert status == 200 and "Pesanan Anda sudah dikirim" in page and "network out of order" in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert browser.post(f"/outbox/{row.id}/resend", {"csrf": csrf})[0] == 200
    copy = Message.select().where((Message.phone == row.phone) & (Message.id != row.id)).get()
    assert (copy.state, copy.text, copy.author.username) == ("queued", row.text, "desk")
    assert f"sent again as message {copy.id}" in Message.get_by_id(row.id).error
    _, _, page = browser.get("/outbox")
    assert "Pesanan Anda sudah dikirim" not in page  # decided


def test_an_unknown_promotion_waits_for_a_person(site):
    failed("+6281200000002", "Promo akhir tahun", state="unknown", category="marketing")
    browser = Browserless(site)
    browser.login("desk", PASSWORD)
    assert "Promo akhir tahun" in browser.get("/outbox")[2]


@pytest.mark.parametrize("target, status", [("999999", 404), ("abc", 404), ("-1", 404)])
def test_resending_something_that_is_not_there(site, target, status):
    browser = Browserless(site)
    browser.login("desk", PASSWORD)
    csrf = browser.csrf("/outbox")
    assert browser.post(f"/outbox/{target}/resend", {"csrf": csrf})[0] == status


def test_a_message_that_went_out_is_not_sent_twice(site):
    row, _ = outbox.queue_outbound("+6281200000003", "sudah terkirim")
    Message.update(state="sent").where(Message.id == row.id).execute()
    browser = Browserless(site)
    browser.login("desk", PASSWORD)
    csrf = browser.csrf("/outbox")
    assert browser.post(f"/outbox/{row.id}/resend", {"csrf": csrf})[0] == 409
    assert Message.select().where(Message.phone == "+6281200000003").count() == 1


def test_a_viewer_may_look_but_not_resend(site):
    row = failed("+6281200000004", "hanya dilihat")
    browser = Browserless(site)
    browser.login("watcher", PASSWORD)
    status, _, page = browser.get("/outbox")
    assert status == 200 and "Send again" not in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert browser.post(f"/outbox/{row.id}/resend", {"csrf": csrf})[0] == 403
