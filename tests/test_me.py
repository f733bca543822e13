"""Each person's own login (/me): anyone changes their own password, with
the current one first and other devices logged out after, and their own
phone; a manager changes a staff member's phone on the Users page. Over real
HTTP against `loket web`, in Indonesian as the shop's staff read it."""

import pytest

from appliance import auth, db, migrations, settings as settings_module, shopdata
from appliance.models import User
from support import Browserless, start_web

PASSWORD = "teknisi andal 2026"


@pytest.fixture
def shop(tmp_path):
    settings = settings_module.load(env={}, overrides={"data_dir": str(tmp_path)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    shopdata.invalidate()
    auth.create_user("owner", PASSWORD, "owner", language="id")
    auth.create_user("andi", PASSWORD, "technician", language="id")
    auth.create_user("rina", PASSWORD, "frontdesk", language="id")
    with start_web(tmp_path) as url:
        yield url
    database.close()


def logged_in(url, name, password=PASSWORD, source=None) -> Browserless:
    browser = Browserless(url, source)
    assert browser.login(name, password) == 200
    return browser


def change(browser, current, new, new2=None):
    return browser.post("/me/password", {"csrf": browser.csrf("/me"), "current": current, "new": new,
                                         "new2": new if new2 is None else new2})


def test_a_technician_changes_his_own_password_and_his_other_phone_is_logged_out(shop):
    andi = logged_in(shop, "andi")
    other_device = logged_in(shop, "andi", source="127.0.0.2")
    page = andi.get("/dashboard")[2]
    assert 'href="/me"' in page  # his own login, from every page's header
    status, _, page = andi.get("/me")
    assert status == 200 and "Ganti kata sandi saya" in page and "teknisi" in page

    status, _, page = change(andi, "salah sekali", "kopi pahit manis")
    assert status == 400 and "kata sandi saat ini salah" in page
    status, _, page = change(andi, PASSWORD, "kopi pahit manis", "kopi pahit manys")
    assert status == 400 and "kedua kata sandi baru tidak sama" in page
    status, _, page = change(andi, PASSWORD, "pendek")
    assert status == 400 and "10 karakter" in page
    status, _, page = change(andi, PASSWORD, PASSWORD)
    assert status == 400 and "sama dengan yang sekarang" in page

    status, _, page = change(andi, PASSWORD, "kopi pahit manis")
    assert status == 200 and "Kata sandi diganti" in page
    assert andi.get("/me")[0] == 200  # this device stays in
    assert "/login" in other_device.get("/dashboard", follow=False)[1].get("Location", "")
    assert Browserless(shop).login("andi", PASSWORD) == 403
    assert Browserless(shop).login("andi", "kopi pahit manis") == 200


def test_guessing_the_current_password_stops_after_five_tries(shop):
    """A session left open on a shared phone is not enough to take the login over."""
    rina = logged_in(shop, "rina")
    for _ in range(5):
        assert change(rina, "tebakan ngawur", "kata sandi baru sekali")[0] == 400
    status, _, page = change(rina, PASSWORD, "kata sandi baru sekali")
    assert status == 400 and "tunggu 15 menit" in page
    assert Browserless(shop).login("rina", PASSWORD) == 200  # nothing changed


def test_each_person_sets_their_own_phone_and_a_manager_sets_staff_phones(shop):
    andi = logged_in(shop, "andi")
    csrf = andi.csrf("/me")
    assert andi.post("/me/phone", {"csrf": csrf, "phone": "0812 1111 2222"})[0] == 200
    assert User.get(User.username == "andi").phone == "+6281211112222"
    assert 'value="0812-1111-2222"' in andi.get("/me")[2]
    status, _, page = andi.post("/me/phone", {"csrf": csrf, "phone": "halo"})
    assert status == 400 and 'value="halo"' in page
    assert User.get(User.username == "andi").phone == "+6281211112222"  # kept

    owner = logged_in(shop, "owner")
    rina_id = User.get(User.username == "rina").id
    status, _, page = owner.post(f"/settings/users/{rina_id}", {"csrf": owner.csrf("/settings/users"),
                                                                "action": "phone", "phone": "+62 812-1111-2222"})
    assert status == 400 and "nomor" in page.lower()  # andi has it
    assert owner.post(f"/settings/users/{rina_id}", {"csrf": owner.csrf("/settings/users"), "action": "phone",
                                                     "phone": "0813-3333-4444"})[0] == 200
    assert User.get(User.username == "rina").phone == "+6281333334444"
    assert owner.post(f"/settings/users/{rina_id}", {"csrf": owner.csrf("/settings/users"), "action": "phone",
                                                     "phone": ""})[0] == 200
    assert User.get(User.username == "rina").phone is None  # cleared

    # A technician may not open the Users page; without a login nothing of /me answers.
    assert andi.post(f"/settings/users/{rina_id}", {"csrf": csrf, "action": "phone", "phone": "0813"})[0] == 403
    stranger = Browserless(shop)
    assert "/login" in stranger.get("/me", follow=False)[1].get("Location", "")
    assert stranger.post("/me/password", {"current": PASSWORD, "new": "x" * 12, "new2": "x" * 12})[0] in (401, 403)
    # The session's form token is required.
    assert andi.post("/me/password", {"current": PASSWORD, "new": "x" * 12, "new2": "x" * 12})[0] == 403
