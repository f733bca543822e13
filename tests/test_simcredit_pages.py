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
