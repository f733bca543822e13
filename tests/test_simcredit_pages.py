"""The SIM's credit on the dashboard and the modem page, in the reader's language,
served by a real `loket web` over the worker's status file and the stored reading."""

from __future__ import annotations

import json

from support import Browserless, start_web

from appliance import auth, db, migrations, shopdata, simcredit
from appliance import settings as settings_module
from appliance.clock import utcnow

PASSWORD = "correct horse battery staple"


def test_the_credit_and_its_warning_show_on_the_dashboard_and_the_modem_page(tmp_path):
    settings = settings_module.load(env={}, overrides={"data_dir": str(tmp_path)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    auth.create_user("pemilik", PASSWORD, "owner", language="id")
    auth.create_user("boss", PASSWORD, "owner", language="en")
    now = utcnow()
    (tmp_path / "status").mkdir()
    (tmp_path / "status" / "m.json").write_text(json.dumps(
        {"modem": "m", "at": now.isoformat(), "ok": True, "operator": "TELKOMSEL", "registration": "home"}))
    shopdata.invalidate()
    simcredit.record("m", simcredit.parse("Sisa Pulsa Anda Rp4.000. Aktif s.d. 15-01-2027."), now, source="*888#")
    with start_web(tmp_path) as url:
        indonesian, english = Browserless(url), Browserless(url)
        assert indonesian.login("pemilik", PASSWORD) == 200 and english.login("boss", PASSWORD) == 200
        for path in ("/", "/settings/modem"):
            _, _, page = english.get(path)
            assert "Rp 4,000" in page and "Fri, 15 Jan 2027" in page, path
            assert "Low credit: top up the SIM." in page, path
            _, _, halaman = indonesian.get(path)
            assert "Pulsa" in halaman and "Pulsa menipis: isi ulang SIM." in halaman, path
            assert "Rp 4.000" in halaman and "Jum, 15 Jan 2027" in halaman, path
    database.close()


def test_the_owner_reads_and_edits_the_credit_warnings_like_every_other_reply(tmp_path):
    import html
    import zoneinfo

    from appliance.conversation import Shop
    from appliance.models import Message, User
    from appliance.replies import DEFAULT_TEMPLATES

    assert set(DEFAULT_TEMPLATES["credit_low"]) == set(DEFAULT_TEMPLATES["credit_ending"]) == {"id", "en"}
    settings = settings_module.load(env={}, overrides={"data_dir": str(tmp_path)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    owner = auth.create_user("pemilik", PASSWORD, "owner", language="id")
    User.update(phone="+6281377770001").where(User.id == owner.id).execute()
    with start_web(tmp_path) as url:
        browser = Browserless(url)
        assert browser.login("pemilik", PASSWORD) == 200
        _, _, page = browser.get("/settings")
        assert "reply.credit_low.id" in page and "pulsa SIM modem {modem} tinggal Rp{credit}" in html.unescape(page)
        status, _, _ = browser.post("/settings", {
            "csrf": browser.csrf("/settings"),
            "reply.credit_low.id": "{shop}: pulsa tinggal Rp{credit} di modem {modem}. Tolong isi hari ini ya."})
        assert status == 200
    shopdata.invalidate()
    now = utcnow()
    simcredit.record("m", simcredit.parse("Sisa Pulsa Anda Rp4.000. Aktif s.d. 15-01-2027."), now, source="*888#")
    assert simcredit.warn_owner(now, Shop(name="Toko Jaya", tz=zoneinfo.ZoneInfo("Asia/Jakarta"))) == 1
    [warning] = Message.select().where(Message.direction == "out")
    assert warning.text == "Toko Jaya: pulsa tinggal Rp4.000 di modem m. Tolong isi hari ini ya."
    assert warning.template == "credit_low"
    database.close()
