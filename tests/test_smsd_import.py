"""Moving in from Gammu SMSD (alone, or under Kalkun or playSMS): `loket import smsd`.

Sources are made with the schemas Debian's gammu-smsd ships; the SQLite one
is filled by a real gammu-smsd run against libgammu's dummy phone.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import urllib.parse
import zoneinfo

import pytest

import servers
import smsd_databases as sources
from appliance import smsd_import
from appliance.models import Customer, CustomerTag, Message, Tag
from support import LOKET

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.skipif(shutil.which("gammu-smsd") is None or not sources.EXAMPLES.exists(),
                                reason="gammu-smsd is not installed (./dev test installs it)")


@pytest.fixture(scope="module")
def gammu_db(tmp_path_factory):
    return sources.gammu_sqlite(tmp_path_factory.mktemp("smsd"))


def _tags(phone):
    return sorted(t.name for t in Tag.select().join(CustomerTag).join(Customer).where(Customer.phone == phone))


def _check_imported(report, *, from_gammu: bool):
    assert not report.dry_run
    by_key = {m.idempotency_key: m for m in Message.select()}
    # Kalkun's phonebook: groups (GroupID and user_group) as tags; the name kept.
    sari = Customer.get(Customer.phone == "+6281234567001")
    assert sari.name == "Ibu Sari" and _tags("+6281234567001") == ["arisan", "pelanggan vip"]
    # Sent in three parts, one message; the failed one is failed, nothing is queued.
    promo = by_key["smsd:sent:100"]
    assert promo.text == "Promo Lebaran: diskon 20% untuk semua layanan." and promo.parts == 3
    assert promo.state == "sent" and promo.direction == "out"
    assert promo.created_at == dt.datetime(2024, 6, 1, 3, 0, tzinfo=dt.timezone.utc)  # 10:00 in Jakarta
    assert by_key["smsd:sent:101"].state == "failed" and by_key["smsd:sent:101"].phone == "+6281234567011"
    # Received in parts with one lost: joined from the hex, marked incomplete.
    lost = by_key["smsd:inbox:101"]
    assert lost.text == "bagian 1. bagian 3. " and lost.incomplete and lost.parts == 2
    # A short code's text is kept in the robots' folder, with no customer.
    robot = by_key["smsd:inbox:105"]
    assert robot.folder == "robot" and robot.customer is None and robot.phone == "3636"
    assert not Message.select().where(Message.state.in_(("queued", "sending", "received"))).exists()
    assert not Customer.select().where(Customer.phone == "TELKOMSEL").exists()
    refused = {r.number for r in report.refusals}
    assert {"TELKOMSEL", "3636"} <= refused
    if from_gammu:  # what gammu-smsd itself stored
        joined = Message.get(Message.phone == "+6281234567002")
        assert joined.text == sources.LONG and joined.parts == 2 and not joined.incomplete
        assert Message.get(Message.phone == "+6281234567003").text == "Terima kasih 🙏"
        assert Message.get(Message.idempotency_key == "smsd:sent:1").text == "Booking Anda besok jam 10"
        assert Customer.get(Customer.phone == "+6281234567001").last_contact_at > sari.created_at


def test_dry_run_import_and_rerun_from_a_real_gammu_smsd_database(shop, gammu_db):
    dry = smsd_import.run(str(gammu_db), tz=JAKARTA, dry_run=True)
    assert (dry.messages_in, dry.messages_out) == (6, 3)  # 5 by gammu-smsd (one in two parts) + 2 parts + 3636
    assert dry.customers_new == 6 and dry.multipart_joined == 3  # gammu's pair, the lost part's pair, sent x3
    assert Message.select().count() == 0 and Customer.select().count() == 0 and Tag.select().count() == 0

    report = smsd_import.run(str(gammu_db), tz=JAKARTA)
    assert (report.messages_in, report.messages_out, report.customers_new) == (6, 3, 6)
    _check_imported(report, from_gammu=True)

    again = smsd_import.run(str(gammu_db), tz=JAKARTA)
    assert (again.messages_in, again.messages_out, again.customers_new, again.customers_updated) == (0, 0, 0, 0)
    assert again.messages_already == 9 and Message.select().count() == 9


def test_a_customer_staff_already_know_keeps_their_name_and_gets_the_tags(shop, gammu_db):
    Customer.create(phone="+6281234567001", name="Sari (langganan)")
    report = smsd_import.run(str(gammu_db), tz=JAKARTA)
    assert report.customers_updated == 1 and report.customers_new == 5
    customer = Customer.get(Customer.phone == "+6281234567001")
    assert customer.name == "Sari (langganan)" and _tags(customer.phone) == ["arisan", "pelanggan vip"]


def test_the_command_line_reports_and_refuses_clearly(tmp_path, gammu_db):
    env_args = ["--data-dir", str(tmp_path / "data")]
    out = subprocess.run(LOKET + ["import", "smsd", str(gammu_db), "--dry-run", *env_args],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "dry run, nothing written" in out.stdout and "customers: 6 new" in out.stdout
    assert "TELKOMSEL" in out.stdout
    for bad, words in ((tmp_path / "nope.db", "is not a file"), (LOKET[0], "is not an SQLite database"),
                       ("ftp://x/y", "is not a database Loket reads")):
        out = subprocess.run(LOKET + ["import", "smsd", str(bad), *env_args], capture_output=True, text=True,
                             timeout=60)
        assert out.returncode != 0 and words in out.stderr and "Traceback" not in out.stderr


@pytest.fixture(scope="module")
def mariadb_url():
    try:
        with servers.mariadb() as url:
            yield url
    except servers.ServerMissing as exc:
        pytest.skip(str(exc))


def test_from_a_kalkun_server_on_mariadb(shop, mariadb_url):
    import pymysql
    url = urllib.parse.urlsplit(mariadb_url)
    con = pymysql.connect(host=url.hostname, port=url.port, user="root", autocommit=True)
    with con.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS kalkun")
        cur.execute("CREATE DATABASE kalkun CHARACTER SET utf8mb4")
        cur.execute("USE kalkun")
        for statement in (sources.statements(sources.schema("mysql")) + sources.statements(sources.KALKUN_PBK["mysql"])
                          + sources.statements(sources.PLAYSMS_PHONEBOOK)):
            cur.execute(statement)
        sources.fill(cur.execute, "mysql")
    con.close()
    report = smsd_import.run(mariadb_url + "kalkun", tz=JAKARTA)
    assert (report.messages_in, report.messages_out) == (2, 2)
    _check_imported(report, from_gammu=False)
    rina = Customer.get(Customer.phone == "+6281234567020")  # playSMS's phonebook, its group and tags
    assert (rina.name, rina.email, _tags(rina.phone)) == ("Mbak Rina", "rina@example.com", ["grosir", "reseller"])
    assert smsd_import.run(mariadb_url + "kalkun", tz=JAKARTA, dry_run=True).messages_already == 4


def test_from_a_gammu_database_on_postgresql(shop, postgres_url):
    import psycopg2
    con = psycopg2.connect(postgres_url)
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS smsd")
        cur.execute("CREATE DATABASE smsd")
    con.close()
    smsd_url = postgres_url.rsplit("/", 1)[0] + "/smsd"
    con = psycopg2.connect(smsd_url)
    with con, con.cursor() as cur:
        # The shipped file says CREATE LANGUAGE plpgsql, which PostgreSQL >= 9 has built in
        # (psql goes on past the error; one execute() would not).
        cur.execute(sources.schema("postgres").replace("CREATE LANGUAGE plpgsql;", ""))
        cur.execute(sources.KALKUN_PBK["postgres"])
        sources.fill(cur.execute, "postgres")
    con.close()
    report = smsd_import.run(smsd_url, tz=JAKARTA)
    _check_imported(report, from_gammu=False)


def test_the_page_uploads_previews_and_imports_over_http(tmp_path, gammu_db):
    from appliance import auth, db, migrations, settings as settings_module
    from support import Browserless, start_web
    data = tmp_path / "data"
    database = db.connect(settings_module.load(env={}, overrides={"data_dir": str(data)}).db_url)
    migrations.migrate(database)
    auth.create_user("owner", "kopi susu manis", "owner")
    database.close()
    with start_web(data) as url:
        browser = Browserless(url)
        browser.login("owner", "kopi susu manis")
        csrf = browser.csrf("/customers/import/smsd")
        status, _, page = browser.upload("/customers/import/smsd", {"csrf": csrf}, "file", "smsd.db",
                                         gammu_db.read_bytes())
        assert status == 200 and "TELKOMSEL" in page
        [preview] = (data / "imports").glob("*.sqlite")
        database = db.connect(settings_module.load(env={}, overrides={"data_dir": str(data)}).db_url)
        assert Message.select().count() == 0, "the preview wrote nothing"
        status, _, page = browser.post("/customers/import/smsd/confirm", {"csrf": csrf, "token": preview.stem})
        assert status == 200 and not preview.exists()
        assert Message.select().count() == 9 and Customer.select().count() == 6
        status, _, _ = browser.post("/customers/import/smsd/confirm", {"csrf": csrf, "token": preview.stem})
        assert status == 400, "a second click imports nothing"
        status, _, page = browser.upload("/customers/import/smsd", {"csrf": csrf}, "file", "notes.txt", b"hello")
        assert status == 400 and "notes.txt" in page and "SQLite" in page and "Traceback" not in page
        database.close()
