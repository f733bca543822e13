"""What an SMS costs the shop: the list price of its SIM's operator, or the
owner's own price; one function for every estimate on screen, and each sent
part keeps the price it went at."""

from __future__ import annotations

import html
import json

import pytest
from support import Browserless, start_web

from appliance import auth, customers, db, migrations, outbox, shopdata, simcredit
from appliance import settings as settings_module
from appliance.clock import utcnow
from appliance.models import Message

PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize("name,imsi", [
    ("TELKOMSEL", ""), ("", "510101234567890"), ("INDOSAT OOREDOO", ""), ("", "510211234567890"),
    ("XL Axiata", ""), ("AXIS", ""), ("3", ""), ("", "510891234567890"), ("Smartfren", ""),
])
def test_a_part_costs_the_list_price_of_the_sims_operator(name, imsi):
    operator = simcredit.operator_for(name, imsi)
    assert simcredit.part_price(name, imsi) == operator.price > 0


def test_an_operator_nobody_knows_costs_the_common_price():
    assert simcredit.part_price("SIMULATOR", "") == simcredit.DEFAULT_PART_PRICE == 150


@pytest.mark.parametrize("configured,price", [(200, 200), ("90", 90), (0, 0), ("", 150), (None, 150)])
def test_the_owners_price_wins_even_a_free_sms_package(configured, price):
    assert simcredit.part_price("TELKOMSEL", "", configured) == price


def test_the_owners_price_is_a_whole_rupiah_amount_or_empty():
    assert settings_module.check("sms_price", " ", "test") == ""
    assert settings_module.check("sms_price", "75", "test") == 75
    for bad in ("murah", "-1", "1.5", "100001"):
        with pytest.raises(settings_module.SettingsError):
            settings_module.check("sms_price", bad, "test")


def _shop(tmp_path, operator):
    settings = settings_module.load(env={}, overrides={"data_dir": str(tmp_path)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    shopdata.use(settings)
    shopdata.invalidate()
    (tmp_path / "status").mkdir()
    (tmp_path / "status" / "m.json").write_text(json.dumps(
        {"modem": "m", "at": utcnow().isoformat(), "ok": True, "operator": operator, "registration": "home"}))
    return database


def test_the_shop_price_is_the_owners_or_the_dearest_of_its_sims(tmp_path):
    database = _shop(tmp_path, "TELKOMSEL")
    assert simcredit.shop_part_price() == 150
    (tmp_path / "status" / "n.json").write_text(json.dumps({"modem": "n", "operator": "SIMULATOR"}))
    (tmp_path / "status" / "broken.json").write_text("{not json")  # a half-written file is skipped
    assert simcredit.shop_part_price() == 150
    shopdata.save_ui_settings({"sms_price": "120"})
    assert simcredit.shop_part_price() == 120
    database.close()


def test_each_sent_part_keeps_its_price_and_the_credit_left_counts_it(tmp_path):
    database = _shop(tmp_path, "TELKOMSEL")
    now = utcnow()
    simcredit.record("m", simcredit.parse("Sisa Pulsa Anda Rp10.000. Aktif s.d. 15-01-2027."), now, source="*888#")
    row, _ = outbox.queue_outbound("+6281200000009", "Pesanan O-1001 sudah dikirim.", now=now)
    assert outbox.lease(row, "w:1", now)
    outbox.record_sent([outbox.Sent(row.id, (7, 8), "m", now, "gsm7", 95)], "w:1")
    sent = Message.get_by_id(row.id)
    assert (sent.state, sent.parts, sent.part_price) == ("sent", 2, 95)
    assert simcredit.remaining(simcredit.latest("m"), now) == 10_000 - 2 * 95
    database.close()


def test_the_campaign_estimate_and_the_sms_counter_use_the_sims_price(tmp_path):
    database = _shop(tmp_path, "XL Axiata")
    auth.create_user("pemilik", PASSWORD, "owner", language="id")
    for k in range(3):
        customer = customers.customer_for(f"+62812000001{k:02d}")
        customer.name, customer.consent_marketing = f"Pelanggan {k}", True
        customer.save()
    xl = simcredit.BY_KEY["xl"].price
    with start_web(tmp_path) as url:
        owner = Browserless(url)
        assert owner.login("pemilik", PASSWORD) == 200
        form = {"csrf": owner.csrf("/campaigns/new"), "name": "Promo", "kind": "promotion",
                "text": "Diskon 20% minggu ini!", "action": "send"}
        _, _, page = owner.post("/campaigns", form)
        assert f"Kirim ke 3 pelanggan, ± Rp {3 * xl}?" in html.unescape(page)
        _, _, counter = owner.get("/api/plan?text=Halo")
        assert json.loads(counter)["price_per_part"] == xl and json.loads(counter)["cost"] == xl
        # The owner's SMS package: a part costs Rp 20.
        token = owner.csrf("/settings/shop")
        status, _, _ = owner.post("/settings/shop", {"csrf": token, "section": "sms", "sms_price": "20"})
        assert status == 200
        form["csrf"] = owner.csrf("/campaigns/new")
        _, _, page = owner.post("/campaigns", form)
        assert "Kirim ke 3 pelanggan, ± Rp 60?" in html.unescape(page)
        assert json.loads(owner.get("/api/plan?text=Halo")[2])["cost"] == 20
    assert not Message.select().where(Message.direction == "out").exists()  # asked, never sent
    database.close()
