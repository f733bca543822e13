"""Customers: the profile, tags, search, the timeline, REG by SMS, and CSV
files as shops really have them."""

import datetime as dt
import zoneinfo

import pytest
from support import text_in

from appliance import customers, customers_csv
from appliance.conversation import Shop
from appliance.models import Customer
from appliance.responder import Responder

T0 = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def responder(shop):
    return Responder(Shop(name="Spa Bunda", tz=zoneinfo.ZoneInfo("Asia/Jakarta")))


def test_reg_saves_the_name(responder):
    _, [reply] = text_in("+6281234567890", "DAFTAR  Sari   Wulandari", T0, responder)
    assert "Kak Sari Wulandari" in reply.text
    assert Customer.get(Customer.phone == "+6281234567890").name == "Sari Wulandari"


def test_reg_without_a_name_asks_and_takes_the_next_text(responder):
    _, [ask] = text_in("+6281234567890", "REG", T0, responder)
    assert "REG" in ask.text or "DAFTAR" in ask.text
    _, [done] = text_in("+6281234567890", "Budi Santoso", T0, responder)
    assert Customer.get(Customer.phone == "+6281234567890").name == "Budi Santoso"
    assert "Budi Santoso" in done.text


@pytest.mark.parametrize("name", ["12345", "😀😀", "x" * 101, "<script>"])
def test_reg_refuses_what_is_not_a_name(responder, name):
    _, [reply] = text_in("+6281234567890", f"REG {name}", T0, responder)
    assert "tidak bisa" in reply.text or "cannot" in reply.text
    assert Customer.get(Customer.phone == "+6281234567890").name == ""


@pytest.mark.parametrize("name, ok", [
    ("Sari", True), ("Ni Luh Putu Ayu", True), ("O'Brien", True), ("Dr. Andi, S.Kom", True), ("Ösa", True),
    ("", False), ("   ", False), ("123", False), ("a" * 100, True), ("a" * 101, False), ("=cmd|calc", False),
])
def test_names(name, ok):
    if ok:
        assert customers.clean_name(name)
    else:
        with pytest.raises(customers.CustomerError):
            customers.clean_name(name)


def test_profile_tags_and_search(shop):
    sari = customers.add_customer("0812-3456-7890", name="Sari Wulandari", address="Jl. Gajah Mada 12")
    customers.set_tags(sari, ["VIP", " ibu hamil ", "vip"])
    assert customers.tags_of(sari) == ["ibu hamil", "vip"]
    for query in ("sari", "Wulan", "081234567890", "+6281234567890", "6281234567890", "3456"):
        assert [c.id for c in customers.search(query)] == [sari.id], query
    assert customers.search("nobody") == []
    with pytest.raises(customers.CustomerError, match="already a customer"):
        customers.add_customer("+6281234567890")
    with pytest.raises(customers.CustomerError, match="e-mail"):
        customers.update_profile(sari, email="not an email")


def test_the_timeline_shows_messages(responder):
    text_in("+6281234567890", "halo", T0, responder)
    customer = Customer.get(Customer.phone == "+6281234567890")
    kinds = [e["kind"] for e in customers.timeline(customer)]
    assert kinds[:2] == ["sms-out", "sms-in"] or set(kinds) >= {"sms-in", "sms-out"}


EXCEL_EXPORT = (
    "Nama;No HP;Alamat;Email;Label;Promo\r\n"
    "Sari Wulandari;0812-3456-7890;Jl. Gajah Mada 12, Pontianak;sari@example.com;vip, ibu hamil;ya\r\n"
    "Budi;'081298765432;;;;\r\n"
    "Budi lagi;081298765432;;;;\r\n"             # the same number again
    "Ani;6.28123E+12;;;;\r\n"                    # Excel ate the number
    "Tono;81355500011;;;;\r\n"                   # Excel dropped the leading zero
    "Rina;hello;;;;\r\n"                         # not a number
    "Dewi;08123;;;;\r\n"                         # too short
    "12345;081377788899;;;;\r\n"                 # not a name
    "Joko;081377788800;;bukan email;;\r\n"       # not an e-mail
    ";;;;;\r\n"                                  # an empty line
).encode("cp1252")


def test_an_excel_style_csv_gets_a_verdict_per_row(shop):
    report = customers_csv.import_csv(EXCEL_EXPORT)
    by_line = {r.line: r for r in report.rows}
    assert report.columns["phone"] == "No HP" and report.columns["name"] == "Nama"
    assert by_line[2].status == "added"
    assert by_line[3].status == "added" and by_line[3].phone == "+6281298765432"
    assert by_line[4].status == "duplicate"
    assert by_line[5].status == "refused" and "scientific notation" in by_line[5].reason
    assert by_line[6].status == "added" and by_line[6].phone == "+6281355500011"
    assert by_line[7].status == "refused" and "digits" in by_line[7].reason
    assert by_line[8].status == "refused"
    assert by_line[9].status == "refused" and "letter" in by_line[9].reason
    assert by_line[10].status == "refused" and "e-mail" in by_line[10].reason
    assert 11 not in by_line
    sari = Customer.get(Customer.phone == "+6281234567890")
    assert sari.consent_marketing and customers.tags_of(sari) == ["ibu hamil", "vip"]
    assert report.summary == {"added": 3, "updated": 0, "unchanged": 0, "duplicate": 1, "refused": 5}


def test_a_dry_run_changes_nothing(shop):
    report = customers_csv.import_csv(EXCEL_EXPORT, dry_run=True)
    assert report.summary["added"] == 3
    assert Customer.select().count() == 0


def test_importing_again_updates_instead_of_duplicating(shop):
    customers_csv.import_csv(EXCEL_EXPORT)
    again = customers_csv.import_csv(EXCEL_EXPORT)
    assert again.summary["added"] == 0
    assert Customer.select().count() == 3


@pytest.mark.parametrize("data, error", [
    (b"", "empty"),
    (b"nama,alamat\r\nSari,Jl. X\r\n", "no phone column"),
    (b"\xff\xfe" + "phone\r\n".encode("utf-16-le"), ""),
    (b"x" * (5 * 1024 * 1024 + 1), "larger than"),
])
def test_files_that_cannot_be_imported_say_why(shop, data, error):
    report = customers_csv.import_csv(data)
    assert error in report.error


def test_export_round_trips_and_is_safe_in_a_spreadsheet(shop):
    customers_csv.import_csv(EXCEL_EXPORT)
    evil = customers.add_customer("081311122233", name="Eve")
    evil.notes = "=HYPERLINK(\"http://x\")"
    evil.address = "=1+1"
    evil.save()
    exported = customers_csv.export_csv()
    assert exported.startswith("\ufeffname,phone")
    assert "'=1+1" in exported and ",+6281311122233," in exported
    Customer.delete().execute()
    report = customers_csv.import_csv(exported.encode("utf-8"))
    assert report.summary["added"] == 4 and report.summary["refused"] == 0


# -- a big import and the rest of the shop ---------------------------------------------------

WRITER = r"""
import os, sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=120, isolation_level=None)
conn.execute("CREATE TABLE IF NOT EXISTS probe (at REAL)")
print("ready", flush=True)
while not os.path.exists(sys.argv[2]):  # as the worker does: a short write transaction, often
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO probe VALUES (?)", (time.time(),))
    conn.execute("COMMIT")
    time.sleep(0.02)
"""


def test_a_big_import_lets_the_worker_write_between_batches(tmp_path):
    # 50,000 rows once held the write lock for 200 s: no text was stored or answered meanwhile.
    import sqlite3
    import subprocess
    import sys
    import time

    from appliance import db, migrations
    path = tmp_path / "loket.db"
    database = db.connect(f"sqlite:///{path}")
    migrations.migrate(database)
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(stop)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        rows = 5 * customers_csv.BATCH_ROWS
        data = ("nama;hp;tags\n" + "\n".join(f"Pelanggan {i};0812{i:08d};vip" for i in range(rows))).encode()
        for dry_run in (True, False):
            began = time.time()
            report = customers_csv.import_csv(data, dry_run=dry_run)
            ended = time.time()
            assert report.summary["added"] == rows
            probe = sqlite3.connect(path, timeout=30)
            during = [at for (at,) in probe.execute("SELECT at FROM probe WHERE at > ? AND at < ?",
                                                    (began, ended - 0.2 * (ended - began)))]
            probe.close()
            # The other writer got through while the import ran, not only once it was over.
            assert len(during) >= 3, f"{'preview' if dry_run else 'import'} held the lock for {ended - began:.1f} s"
        assert Customer.select().count() == rows
    finally:
        stop.touch()
        writer.wait(30)
        database.close()


def test_previews_are_removed_after_confirming_and_expire(tmp_path):
    import os
    import time

    from appliance import auth, db, migrations, settings as settings_module
    from support import Browserless, start_web
    data = tmp_path / "data"
    database = db.connect(settings_module.load(env={}, overrides={"data_dir": str(data)}).db_url)
    migrations.migrate(database)
    auth.create_user("owner", "kopi susu manis", "owner")
    database.close()
    sheet = "nama,hp\nSari,081234567890\n".encode()
    with start_web(data) as url:
        browser = Browserless(url)
        browser.login("owner", "kopi susu manis")
        csrf = browser.csrf("/customers/import")
        status, _, page = browser.upload("/customers/import", {"csrf": csrf}, "file", "pelanggan.csv", sheet)
        assert status == 200
        [preview] = (data / "imports").glob("*.csv")
        token = preview.stem
        status, _, page = browser.post("/customers/import/confirm", {"csrf": csrf, "token": token})
        assert status == 200 and not preview.exists(), "confirmed: the copy of the customers' data is gone"
        status, _, _ = browser.post("/customers/import/confirm", {"csrf": csrf, "token": token})
        assert status == 400, "a second click imports nothing"
        # A preview nobody confirmed expires after an hour, and many are never kept.
        browser.upload("/customers/import", {"csrf": csrf}, "file", "pelanggan.csv", sheet)
        [old] = (data / "imports").glob("*.csv")
        hour_ago = time.time() - 3700
        os.utime(old, (hour_ago, hour_ago))
        status, _, _ = browser.post("/customers/import/confirm", {"csrf": csrf, "token": old.stem})
        assert status == 400 and not old.exists()
        for _ in range(8):
            browser.upload("/customers/import", {"csrf": csrf}, "file", "pelanggan.csv", sheet)
        assert len(list((data / "imports").glob("*.csv"))) <= 5


def test_a_refused_row_leaves_no_empty_customer_behind(shop):
    sheet = ("nama;hp;alamat\nSari;081234567890;" + "Jl. Panjang " * 60 + "\nBudi;081298765432;Jl. Pendek 1\n").encode()
    report = customers_csv.import_csv(sheet)
    assert [r.status for r in report.rows] == ["refused", "added"] and "address" in report.rows[0].reason
    assert [c.phone for c in Customer.select()] == ["+6281298765432"]
