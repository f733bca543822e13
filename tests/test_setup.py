"""The first-run wizard: only while there is no owner, only with the setup code."""

import re

import pytest

from appliance import db, migrations, settings as settings_module, shopdata
from appliance.models import User
from support import Browserless, start_web


@pytest.fixture
def fresh(tmp_path):
    settings = settings_module.load(env={}, overrides={"data_dir": str(tmp_path)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    shopdata.invalidate()
    with start_web(tmp_path) as url:
        yield url, tmp_path
    database.close()


def wizard_form(browser):
    status, _, html = browser.get("/setup")
    assert status == 200
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def fields(csrf, code, **changes):
    return {"csrf": csrf, "code": code, "username": "bu.sari", "password": "kopi susu manis", "password2":
            "kopi susu manis", "shop_name": "Spa Bunda", "shop_type": "spa", "timezone": "Asia/Makassar",
            "quiet_hours": "21:30-07:30", **changes}


def test_the_wizard_makes_the_owner_then_disappears(fresh):
    url, data_dir = fresh
    code = (data_dir / "setup-code.txt").read_text().strip()
    browser = Browserless(url)
    assert "siapkan Loket ini" in browser.get("/login")[2]  # the shop's language before anyone logs in
    csrf = wizard_form(browser)
    status, _, page = browser.post("/setup", fields(csrf, code))
    assert status == 200 and 'action="/setup/hours"' in page  # logged in, on the kind's first step
    owner = User.get(User.username == "bu.sari")
    assert owner.role == "owner"
    assert not (data_dir / "setup-code.txt").exists()
    shopdata.invalidate()
    assert shopdata.ui_overrides() == {"shop_name": "Spa Bunda", "timezone": "Asia/Makassar",
                                       "quiet_hours": "21:30-07:30"}
    # Once there is an owner, the wizard is gone for everybody.
    other = Browserless(url)
    status, headers, _ = other.get("/setup", follow=False)
    assert status in (302, 303) and headers["Location"].endswith("/login")
    assert other.post("/setup", fields("x", code))[0] in (400, 403)


@pytest.mark.parametrize("changes, message", [
    ({"code": "0000-0000"}, "bukan kode"),
    ({"code": ""}, "bukan kode"),
    ({"password2": "something else"}, "tidak sama"),
    ({"password": "short", "password2": "short"}, "10 karakter"),  # the shop's language, Indonesian
    ({"username": "x"}, "2 sampai 64"),
    ({"timezone": "Mars/Base"}, "tidak dikenal (coba Asia/Jakarta)"),  # the settings' reasons in Indonesian too
    ({"quiet_hours": "late"}, "JJ:MM"),
    ({"shop_type": "casino"}, "Pilih jenis toko"),
    ({"shop_name": ""}, "tidak boleh kosong"),
])
def test_bad_answers_create_nothing(fresh, changes, message):
    url, data_dir = fresh
    code = (data_dir / "setup-code.txt").read_text().strip()
    browser = Browserless(url)
    csrf = wizard_form(browser)
    status, _, page = browser.post("/setup", {**fields(csrf, code), **changes})
    assert status in (400, 403)
    assert message in page
    assert not User.select().exists()


def test_the_wizard_needs_its_form_token(fresh):
    url, data_dir = fresh
    code = (data_dir / "setup-code.txt").read_text().strip()
    status, _, _ = Browserless(url).post("/setup", fields("forged", code))
    assert status == 400 and not User.select().exists()


def test_the_setup_code_cannot_be_guessed(fresh):
    url, data_dir = fresh
    code = (data_dir / "setup-code.txt").read_text().strip()
    guesser = Browserless(url, source="127.0.0.2")
    for n in range(10):
        status, _, page = guesser.post("/setup", fields(wizard_form(guesser), f"2222-{n:04d}"))
        assert status == 403 and "bukan kode" in page
    # Now even the right code waits, from that address ...
    status, _, page = guesser.post("/setup", fields(wizard_form(guesser), code))
    assert status == 429 and "15" in page
    assert not User.select().exists()
    # ... while the technician at the box, on another address, finishes the setup.
    technician = Browserless(url, source="127.0.0.3")
    status, _, page = technician.post("/setup", fields(wizard_form(technician), code))
    assert status == 200 and User.get(User.username == "bu.sari").role == "owner"


def test_a_setup_code_in_any_script_gets_a_plain_answer(fresh):
    url, _ = fresh
    browser = Browserless(url)
    status, _, page = browser.post("/setup", fields(wizard_form(browser), "٢٢٢٢-٢٢٢٢ 😀"))
    assert status == 403 and "bukan kode" in page
