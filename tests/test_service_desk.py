"""The service desk's data (seed 004): service points with their engineers
and SLA, customers' projects whose contract dates decide a ticket's SLA, a
customer's contact person and salesperson. The SLA a ticket works to is the
project's over the service point's over the category's."""

import datetime as dt
import re
import zoneinfo

import pytest
from playhouse.migrate import SchemaMigrator, migrate
from support import Browserless, start_web

from appliance import auth, projects, service_points, tickets
from appliance.conversation import Shop
from appliance.customers import CustomerError, customer_for, set_contact
from appliance.models import AuditEntry, Customer, PointEngineer, Project, ServicePoint, Ticket, TicketCategory, User

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
SHOP = Shop(name="Servis IT", tz=JAKARTA)
START, END = dt.date(2026, 11, 2), dt.date(2026, 11, 30)


def jakarta(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=JAKARTA).astimezone(dt.timezone.utc)


def minutes_of(ticket):
    return ((ticket.response_due - ticket.created_at).total_seconds() // 60,
            (ticket.resolution_due - ticket.created_at).total_seconds() // 60)


@pytest.fixture
def desk(shop):
    hardware = TicketCategory.create(name="hardware", words="printer, laptop", response_minutes=240,
                                     resolution_minutes=2880)
    eko = User.create(username="eko", password_hash="-", role="technician", full_name="Eko", phone="+6281234599011")
    fajar = User.create(username="fajar", password_hash="-", role="technician", full_name="Fajar")
    bekasi = service_points.save("Cabang Bekasi", address="Jl. Ahmad Yani 12", phone="021-88812345",
                                 response_hours="2", resolution_hours="8")
    service_points.set_engineers(bekasi, [fajar.id])
    pt = customer_for("+6281234500041")
    contract = projects.save(pt, "Kontrak 2026", START.isoformat(), END.isoformat(), "1", "4")
    return dict(hardware=hardware, eko=eko, fajar=fajar, bekasi=bekasi, pt=pt, contract=contract,
                other=customer_for("+6281234500042"))


def test_the_project_wins_within_its_dates_both_ends_included_then_the_point_then_the_category(desk):
    opened = lambda customer, at, point=None: tickets.open_ticket(  # noqa: E731
        customer, "printer macet", now=at, shop=SHOP, service_point=point)
    # The last minute before the contract (Jakarta's day, not UTC's): the point's times, or the category's.
    assert minutes_of(opened(desk["pt"], jakarta(START - dt.timedelta(days=1), 23, 59), desk["bekasi"])) == (120, 480)
    assert minutes_of(opened(desk["pt"], jakarta(START - dt.timedelta(days=1), 23, 59))) == (240, 2880)
    # Its first and its last minute: the project's, over the point's.
    first = opened(desk["pt"], jakarta(START, 0, 0), desk["bekasi"])
    assert minutes_of(first) == (60, 240) and first.project_id == desk["contract"].id
    assert first.service_point_id == desk["bekasi"].id
    assert minutes_of(opened(desk["pt"], jakarta(END, 23, 59))) == (60, 240)
    # The day after it ended: the point's again; another customer never gets it.
    after = opened(desk["pt"], jakarta(END + dt.timedelta(days=1), 0, 0), desk["bekasi"])
    assert minutes_of(after) == (120, 480) and after.project_id is None
    assert minutes_of(opened(desk["other"], jakarta(START, 9), desk["bekasi"])) == (120, 480)


def test_a_point_that_sets_one_time_keeps_the_categorys_other(desk):
    north = service_points.save("Cabang Utara", resolution_hours="24")
    ticket = tickets.open_ticket(desk["other"], "laptop mati", now=jakarta(START, 9), shop=SHOP, service_point=north)
    assert minutes_of(ticket) == (240, 24 * 60)


def test_moving_a_ticket_to_a_point_moves_its_running_clocks_but_not_a_projects(desk):
    at = jakarta(START - dt.timedelta(days=3), 9)
    ticket = tickets.open_ticket(desk["other"], "printer macet", now=at, shop=SHOP)
    assert minutes_of(ticket) == (240, 2880)
    service_points.place(ticket, desk["bekasi"], desk["eko"], now=at + dt.timedelta(minutes=10))
    ticket = Ticket.get_by_id(ticket.id)
    assert minutes_of(ticket) == (120, 480) and ticket.service_point_id == desk["bekasi"].id
    assert ticket.events.order_by(Ticket.id).count() == 2  # opened, changed
    # A ticket under a contract keeps the contract's times whatever its point or category.
    contracted = tickets.open_ticket(desk["pt"], "printer macet", now=jakarta(START, 9), shop=SHOP)
    service_points.place(contracted, desk["bekasi"], None, now=jakarta(START, 9, 5))
    tickets.edit(contracted, "printer macet", None, None, now=jakarta(START, 9, 6))
    assert minutes_of(Ticket.get_by_id(contracted.id)) == (60, 240)
    # The offer: the point's engineers first, then every other technician.
    first, others = service_points.technicians_for(Ticket.get_by_id(ticket.id))
    assert [u.username for u in first] == ["fajar"] and [u.username for u in others] == ["eko"]


@pytest.mark.parametrize("change, refusal", [
    (dict(ends_on="2026-11-01"), "is before the start"),
    (dict(starts_on="2/11/2026"), "a date such as"),
    (dict(response_hours="satu"), "whole number of hours"),
    (dict(response_hours="0"), "between 1 and"),
    (dict(resolution_hours="99999"), "between 1 and"),
    (dict(response_hours="8", resolution_hours="4"), "cannot be shorter"),
    (dict(name="  "), "needs a name"),
    (dict(name="Kontrak 2026"), "already has a project"),
])
def test_a_project_with_bad_dates_or_times_is_refused(desk, change, refusal):
    fields = {**dict(name="Garansi", starts_on="2026-11-02", ends_on="2026-12-31", response_hours="2",
                     resolution_hours="8"), **change}
    with pytest.raises(projects.ProjectError, match=refusal):
        projects.save(desk["pt"], fields.pop("name"), **fields)
    assert Project.select().count() == 1


@pytest.mark.parametrize("change, refusal", [
    (dict(phone="0812-abc"), "only digits"),
    (dict(phone="12"), "not a valid phone number"),
    (dict(name=""), "needs a name"),
    (dict(name="cabang bekasi"), "already a service point"),
    (dict(response_hours="-3"), "between 1 and"),
])
def test_a_service_point_with_a_bad_phone_or_name_is_refused(desk, change, refusal):
    with pytest.raises(service_points.PointError, match=refusal):
        service_points.save(**{"name": "Cabang Depok", **change})
    assert ServicePoint.select().count() == 1


def test_only_active_technicians_are_engineers_and_a_closed_point_takes_no_ticket(desk):
    owner = User.create(username="boss", password_hash="-", role="owner")
    with pytest.raises(service_points.PointError, match="active technician"):
        service_points.set_engineers(desk["bekasi"], [desk["fajar"].id, owner.id])
    assert [u.username for u in service_points.engineers(desk["bekasi"])] == ["fajar"]  # unchanged
    closed = service_points.save("Cabang Lama", active=False)
    ticket = tickets.open_ticket(desk["other"], "laptop mati", now=jakarta(START, 9), shop=SHOP)
    with pytest.raises(service_points.PointError, match="closed"):
        service_points.place(ticket, closed, None)


def test_a_contact_person_and_a_salesperson(desk):
    sinta = User.create(username="sinta", password_hash="-", role="frontdesk", full_name="Sinta")
    pt = desk["pt"]
    set_contact(pt, contact_name=" Bu  Lina ", contact_phone="0812-3456-0048", salesperson=sinta, by=sinta)
    pt = Customer.get_by_id(pt.id)
    assert (pt.contact_name, pt.contact_phone, pt.salesperson.username) == ("Bu Lina", "+6281234560048", "sinta")
    assert AuditEntry.select().where(AuditEntry.action == "customer.contact").count() == 1
    with pytest.raises(CustomerError, match="only digits"):
        set_contact(pt, contact_name="Bu Lina", contact_phone="lina@pt")
    viewer = User.create(username="lihat", password_hash="-", role="viewer")
    with pytest.raises(CustomerError, match="salesperson"):
        set_contact(pt, contact_name="Bu Lina", salesperson=viewer)
    set_contact(pt)  # empty clears
    assert Customer.get_by_id(pt.id).salesperson_id is None


def test_a_database_from_before_the_service_desk_gains_its_tables_and_columns(tmp_path):
    from appliance import db, migrations
    from appliance.models import MODELS, SchemaVersion
    database = db.connect(f"sqlite:///{tmp_path / 'old.db'}")
    step = next(s for s in migrations.STEPS if "service points" in s.note)
    database.create_tables(MODELS)  # (the desk's tables go last: the ticket's columns point at them)
    migrator = SchemaMigrator.from_database(database)
    migrate(*[migrator.drop_index(table, f"{table}_{column}") for table, column in (
        ("customer", "salesperson_id"), ("ticket", "service_point_id"), ("ticket", "project_id"))])
    migrate(*[migrator.drop_column("customer", c) for c in ("contact_name", "contact_phone", "salesperson_id")],
            *[migrator.drop_column("ticket", c, legacy=True)  # (a column with its foreign key: the table is copied)
              for c in ("service_point_id", "project_id")])
    database.drop_tables([PointEngineer, Project, ServicePoint])
    SchemaVersion.create(version=step.version - 1, note="before")
    database.execute_sql("INSERT INTO customer (phone, name, address, email, consent_reminder, consent_marketing, "
                         "notes, flag, points, created_at) VALUES ('+6281234500041', 'PT Lama', '', '', 1, 0, '', "
                         "'', 0, '2026-11-01 10:00:00')")
    assert migrations.migrate(database)[0] == f"migrated to {step.version}: {step.note}"
    assert migrations.check(database) == []
    old = Customer.get(Customer.phone == "+6281234500041")
    assert (old.contact_name, old.contact_phone, old.salesperson_id) == ("", "", None)
    database.close()


# -- the pages, over real HTTP -----------------------------------------------------------------

PASSWORD = "kopi susu manis"


@pytest.fixture
def site(tmp_path):
    from appliance import db, demo, migrations, settings as settings_module
    data = tmp_path / "data"
    database = db.connect(settings_module.load(env={}, overrides={"data_dir": str(data)}).db_url)
    migrations.migrate(database)
    demo.seed(data, "service")
    for name, role in (("owner", None), ("helpdesk", None), ("fajar", None), ("sinta", None)):
        user = User.get(User.username == name)
        user.password_hash = auth.hash_password(PASSWORD)
        user.save()
    database.close()
    with start_web(data) as url:
        database = db.connect(settings_module.load(env={}, overrides={"data_dir": str(data)}).db_url)
        yield url
        database.close()


def login(url, user):
    browser = Browserless(url)
    assert browser.login(user, PASSWORD) == 200
    return browser


def error_of(body):
    found = re.search(r'<p class="error" role="alert">([^<]*)</p>', body)
    return found.group(1) if found else ""


def test_the_desk_keeps_points_projects_and_contacts_through_its_pages(site):
    owner = login(site, "owner")  # the demo's owner reads Indonesian
    csrf = owner.csrf("/points")
    status, _, body = owner.get("/points")
    assert status == 200 and "Cabang Sudirman" in body and "Cabang Bekasi" in body and "Titik layanan" in body
    # A bad phone, then a good point.
    status, _, body = owner.post("/points", {"csrf": csrf, "name": "Cabang Depok", "phone": "0812-abc"})
    assert status == 400 and "hanya berisi angka" in error_of(body) and 'value="Cabang Depok"' in body
    status, _, body = owner.post("/points", {"csrf": csrf, "name": "Cabang Depok", "phone": "021 7770 1234",
                                             "response": "3", "resolution": "12"})
    assert status == 200 and "Cabang Depok disimpan." in body
    depok = ServicePoint.get(ServicePoint.name == "Cabang Depok")
    assert depok.phone == "+622177701234" and depok.resolution_minutes == 720
    fajar = User.get(User.username == "fajar")
    status, _, body = owner.post(f"/points/{depok.id}", {"csrf": csrf, "action": "engineers", "engineer": fajar.id})
    assert status == 200 and [u.username for u in service_points.engineers(depok)] == ["fajar"]
    assert owner.get("/points/999999")[0] == 404

    # A ticket for Depok; an unknown point is refused.
    status, _, body = owner.post("/tickets", {"csrf": csrf, "phone": "0812-7777-0001", "text": "printer macet",
                                              "point": "999999"})
    assert status == 400 and "Pilih titik layanan dari daftar." in body
    assert Ticket.select().count() == 2
    status, _, body = owner.post("/tickets", {"csrf": csrf, "phone": "0812-7777-0001", "text": "printer macet",
                                              "point": str(depok.id)})
    ticket = Ticket.select().order_by(Ticket.id.desc()).get()
    assert status == 200 and ticket.service_point_id == depok.id and minutes_of(ticket)[1] == 720
    # Its page offers Depok's engineer first, and says whose times it has.
    status, _, body = owner.get(f"/tickets/{ticket.number}")
    assert status == 200 and "Teknisi Cabang Depok" in body and "waktu titik layanan" in body
    assert body.index("Fajar Nugroho") < body.index("Eko Prasetyo")
    # The list filters by point.
    status, _, body = owner.get(f"/tickets?point={depok.id}")
    assert status == 200 and f"T-{ticket.number:04d}" in body and "T-0001" not in body
    # The visits' calendar offers the technicians by service point.
    status, _, body = owner.get("/visits")
    assert status == 200 and '<optgroup label="Cabang Bekasi">' in body and '<optgroup label="Cabang Sudirman">' in body
    # The job card tells the engineer whom to ask for.
    status, _, body = owner.get("/tickets/1/card")
    assert status == 200 and "Bu Lina (kepala TI)" in body and "0812-3450-0048" in body

    # The contact person: a bad phone is refused and nothing of the form is saved.
    maju = Customer.get(Customer.name == "CV Maju Jaya")
    form = {"csrf": csrf, "name": "CV Maju Jaya", "contact_name": "Pak Budi", "contact_phone": "08-12",
            "salesperson": str(User.get(User.username == "sinta").id), "reminder": "on"}
    status, _, body = owner.post(f"/customers/{maju.id}", form)
    assert status == 400 and "bukan nomor telepon yang benar" in error_of(body)
    assert Customer.get_by_id(maju.id).contact_name == "Pak Anton (admin kantor)"
    # ... but the form shows what was typed, to correct the phone and save again.
    assert 'value="Pak Budi"' in body and 'value="08-12"' in body and 'value="Pak Anton' not in body
    assert re.search(r'<option value="%d" selected>Sinta' % User.get(User.username == "sinta").id, body)
    status, _, body = owner.post(f"/customers/{maju.id}", {**form, "contact_phone": "0812 3456 0050"})
    maju = Customer.get_by_id(maju.id)
    assert status == 200 and (maju.contact_name, maju.contact_phone) == ("Pak Budi", "+6281234560050")
    assert 'value="Pak Budi"' in body and "Sinta Maharani" in body
    status, _, body = owner.post(f"/customers/{maju.id}", {**form, "contact_phone": "", "salesperson": "999999"})
    assert status == 400 and "tenaga penjual" in error_of(body)

    # A project: the end before the start is refused with what was typed; then a good one.
    today = dt.datetime.now(JAKARTA).date()
    project = {"csrf": csrf, "name": "Kontrak jaringan", "starts": today.isoformat(),
               "ends": (today - dt.timedelta(days=1)).isoformat(), "response": "1", "resolution": "6"}
    status, _, body = owner.post(f"/customers/{maju.id}/projects", project)
    assert status == 400 and "sebelum tanggal mulai" in error_of(body) and 'value="Kontrak jaringan"' in body
    assert owner.post("/customers/999999/projects", project)[0] == 404
    project["ends"] = (today + dt.timedelta(days=30)).isoformat()
    status, _, body = owner.post(f"/customers/{maju.id}/projects", project)
    assert status == 200 and "Kontrak jaringan disimpan." in body and "berjalan" in body
    # Its ticket takes the project's times over Bekasi's.
    owner.post("/tickets", {"csrf": csrf, "phone": maju.phone, "text": "server mati", "point": "2"})
    ticket = Ticket.select().order_by(Ticket.id.desc()).get()
    assert minutes_of(ticket) == (60, 360) and ticket.project.name == "Kontrak jaringan"
    assert "waktu proyek" in owner.get(f"/tickets/{ticket.number}")[2]
    saved = Project.get(Project.name == "Kontrak jaringan")
    status, _, body = owner.post(f"/projects/{saved.id}", {**project, "resolution": "x"})
    assert status == 400 and "jumlah jam bulat" in error_of(body)
    assert owner.post("/projects/999999", project)[0] == 404


def test_each_role_its_part_and_every_form_its_csrf(site):
    helpdesk, engineer = login(site, "helpdesk"), login(site, "fajar")
    for browser in (helpdesk, engineer):
        assert browser.get("/points")[0] == 200 and browser.get("/points/1")[0] == 200
    csrf = helpdesk.csrf("/points")
    assert helpdesk.post("/points", {"csrf": csrf, "name": "Cabang X"})[0] == 403
    assert helpdesk.post("/customers/1/projects", {"csrf": csrf, "name": "X"})[0] == 403
    assert engineer.post("/points/1", {"csrf": engineer.csrf("/points"), "action": "save", "name": "X"})[0] == 403
    owner = login(site, "owner")
    assert owner.post("/points", {"name": "Cabang X"})[0] == 403  # no CSRF token
    assert ServicePoint.select().where(ServicePoint.name == "Cabang X").count() == 0
    # The engineer sees his point's open tickets only: Bekasi's new one has no technician yet.
    status, _, body = engineer.get("/points/2")
    assert status == 200 and "Internet kantor putus" not in body
