"""Demo shops, seeded on the first `loket run`: one per business Loket was
born from (see seeds.md), with a login and enough history to look around.

    spa      a mom & baby spa: treatments, bookings, the waiting queue, points
    parts    a motorcycle spare-part dealer: goods, orders, SMS payment claims
    isp      an internet provider: complaints, SLAs, technicians by SMS
    shop     a small online shoe shop: orders and their status by SMS
    service  an IT service desk: tickets with SLA and job cards, two service
             points with their engineers, a customer's contract, contact persons

The demo login's password is generated per data dir and kept in
`demo-login.txt` there (mode 0600) so `loket run` can print it every time;
a real appliance has no such file (its owner is made in the wizard).
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from pathlib import Path

from . import auth, demo_sales, demo_supply, loyalty, news, shopdata, staff, starter
from .audit import audit
from .clock import utcnow
from .models import (Booking, Customer, Message, OpeningHours, Order, OrderItem, PointEngineer, Product, Project,
                     Service, ServicePoint, Ticket, TicketCategory, User)

DEMO_USER = "owner"
DEMO_ZONE = zoneinfo.ZoneInfo("Asia/Jakarta")  # the demo shops' zone (the settings' default)
LOGIN_FILE = "demo-login.txt"
KINDS = ("spa", "parts", "isp", "shop", "service")
SHOP_NAMES = {
    "spa": "Spa Bunda",
    "parts": "Jaya Motor",
    "isp": "NetKita",
    "shop": "Sepatu Garut",
    "service": "Servis IT Cepat",
}

# Where each demo shop is: the answer to "lokasi dmn?" and the receipts' header.
SHOP_ADDRESSES = {
    "spa": "Jl. Gajah Mada No. 12, Pontianak",
    "parts": "Jl. Ahmad Yani No. 88, Garut",
    "isp": "Jl. Diponegoro No. 5, Garut",
    "shop": "Jl. Pembangunan No. 21, Garut",
    "service": "Jl. Jend. Sudirman No. 45, Jakarta Pusat",
}


def seed(data_dir: Path, kind: str = "spa", now: dt.datetime | None = None) -> tuple[str, str] | None:
    """Seed an empty shop; return the demo login (user, password) when there is one."""
    if kind not in KINDS:
        raise ValueError(f"unknown demo {kind!r}: choose one of {', '.join(KINDS)}")
    now = now or utcnow()
    login_file = data_dir / LOGIN_FILE
    if is_fresh():
        password = auth.generate_password()
        auth.create_user(DEMO_USER, password, "owner")  # in the shop's language, as every new user
        fd = os.open(login_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{DEMO_USER}\n{password}\n")
        with Customer._meta.database.atomic():
            SEEDERS[kind](now)
            shopdata.put("demo", kind)
        if not shopdata.setting("shop_address"):
            shopdata.save_ui_settings({"shop_address": SHOP_ADDRESSES[kind]})
    try:
        user, password = login_file.read_text().split()[:2]
        return user, password
    except (FileNotFoundError, ValueError):
        return None


def is_fresh() -> bool:
    """No login yet: a demo may be made here."""
    return not User.select().exists()


def seeded_kind() -> str | None:
    return shopdata.get("demo")


def _customer(phone: str, name: str, language: str = "id", *, address: str = "", marketing: bool = False,
              at: dt.datetime, text: str = "") -> Customer:
    customer = Customer.create(phone=phone, name=name, language=language, address=address, created_at=at,
                               last_contact_at=at, consent_marketing=marketing)
    if text:
        Message.create(direction="in", phone=phone, text=text, customer=customer, state="handled",
                                 needs_staff=True, created_at=at, updated_at=at)
    return customer


def _opening_hours(days=range(6), opens=dt.time(9), closes=dt.time(17)) -> None:
    for weekday in days:
        OpeningHours.create(weekday=weekday, opens=opens, closes=closes)


def _staff(username: str, full_name: str, phone: str, role: str = "technician") -> User:
    user = auth.create_user(username, None, role)  # no password until the owner gives one (Users)
    user.full_name, user.phone = full_name, phone
    user.save()
    return user


def _seed_spa(now: dt.datetime) -> None:
    _opening_hours()
    massage = Service.create(name="Pijat bayi", aliases="pijat bayi, baby massage, pijat", duration_minutes=60,
                             price=85_000, capacity=2, comeback_days=14)
    baby_spa = Service.create(name="Baby spa", aliases="spa bayi, baby spa, berenang", duration_minutes=45,
                              price=120_000, capacity=1, comeback_days=30)
    prenatal = Service.create(name="Pijat ibu hamil", aliases="prenatal, pijat hamil, ibu hamil", duration_minutes=90,
                              price=150_000, capacity=1, comeback_days=30)
    # Two therapists, one booking at a time each: only the midwife gives the prenatal massage.
    rina = _staff("rina", "Bidan Rina", "+6281300000101")
    dewi = _staff("dewi", "Kak Dewi", "+6281300000102")
    staff.set_up(rina, 1, [massage.id, baby_spa.id, prenatal.id], by=None, now=now)
    staff.set_up(dewi, 1, [massage.id, baby_spa.id], by=None, now=now)
    Product.create(name="Baju bayi katun", category="pakaian bayi", price=45_000, stock=20)
    Product.create(name="Minyak telon", category="perawatan", price=25_000, stock=50)
    people = [
        ("+6281234500001", "Ibu Sari", "id", "Pesan pijat bayi besok jam 10 ya"),
        ("+6281234500002", "Pak Budi", "id", "Terima kasih, anak saya senang sekali"),
        ("+6281234500003", "Maria Tan", "en", "Do you have a slot on Saturday?"),
    ]
    for n, (phone, name, language, text) in enumerate(people):
        at = now - dt.timedelta(hours=3 * (len(people) - n))
        customer = _customer(phone, name, language, marketing=n % 2 == 0, at=at, text=text)
        visit = now - dt.timedelta(days=20 + n)
        booking = Booking.create(customer=customer, service=massage, starts_at=visit, staff=(rina, dewi)[n % 2],
                                 ends_at=visit + dt.timedelta(hours=1), status="done", source="staff", created_at=visit)
        customer.last_visit_at = visit
        customer.save()
        loyalty.award_visit(customer, f"booking:{booking.id}", visit)
    # The day's plan: both therapists at 13:00, then the midwife's prenatal massage.
    one = _working_hour(now, 13)
    for phone, name, service, therapist, start in (
            ("+6281234500004", "Ibu Wulan", massage, rina, one), ("+6281234500005", "Ibu Dina", massage, dewi, one),
            ("+6281234500006", "Ibu Ratna", prenatal, rina, one + dt.timedelta(minutes=90))):
        customer = _customer(phone, name, at=now - dt.timedelta(days=2))
        Booking.create(customer=customer, service=service, staff=therapist, starts_at=start, source="sms",
                       ends_at=start + dt.timedelta(minutes=service.duration_minutes), created_at=now)


def _seed_parts(now: dt.datetime) -> None:
    _opening_hours(opens=dt.time(8), closes=dt.time(17))
    # The codes customers text (BELI KR-01 2), as printed on the shelf labels.
    parts = [("Kampas rem depan Vario", "KR-01", "rem", 65_000, 30, "set",
              "Kampas rem cakram depan Honda Vario 125/150, sepasang kiri-kanan."),
             ("Oli mesin 1L", "OL-10", "oli", 55_000, 100, "botol", "Oli mesin 4T SAE 10W-30, botol 1 liter."),
             ("Busi NGK CPR9EA", "BS-09", "busi", 28_000, 80, "pcs", "Busi NGK CPR9EA-9 untuk Vario, Beat, Scoopy."),
             ("Rantai set Supra X", "RT-25", "rantai", 210_000, 12, "set", "Gir depan, gir belakang dan rantai 428.")]
    products = [Product.create(name=n, sku=code, category=c, price=p, stock=s, unit=u, description=d)
                for n, code, c, p, s, u, d in parts]
    budi = _customer("+6281234500011", "Budi Santoso", address="Jl. Ahmad Yani 5, Pontianak", marketing=True,
                     at=now - dt.timedelta(days=2), text="Ada kampas rem Vario?")
    _customer("+6281234500012", "Rudi Hartono", marketing=True, at=now - dt.timedelta(days=1))
    order = Order.create(number=1001, customer=budi, status="awaiting_payment", total=120_000,
                         created_at=now - dt.timedelta(days=1), payment_due=now + dt.timedelta(days=2))
    _item(order, products[0], 1)
    _item(order, products[1], 1)
    demo_sales.history(now, products, kind="parts", phones="+62812345010",
                       reminder="Jaya Motor: Pak/Bu {name}, sudah 3 bulan sejak ganti oli. Mampir ya!",
                       promotion="Promo oli: diskon 10% oli mesin minggu ini di Jaya Motor")
    demo_supply.seed(now, products, "parts", SHOP_NAMES["parts"])


def _categories(kind: str) -> None:
    """The ticket categories a new shop of this kind is offered in the wizard."""
    for name, words, response_hours, resolution_hours in starter.CATEGORIES[kind]:
        TicketCategory.create(name=name, words=words, response_minutes=response_hours * 60,
                              resolution_minutes=resolution_hours * 60)


def _seed_isp(now: dt.datetime) -> None:
    _categories("isp")
    andi = _staff("andi", "Andi (teknisi)", "+6281234599001")
    joko = _staff("joko", "Joko (teknisi)", "+6281234599002")
    supervisor = User.get(User.username == DEMO_USER)
    supervisor.phone = "+6281234599000"
    supervisor.save()
    _customer("+6281234500021", "Dewi Lestari", address="Perum Bumi Indah Blok C-7", at=now - dt.timedelta(days=3))
    _customer("+6281234500022", "Hendra", address="Jl. Sungai Raya Dalam 21", at=now - dt.timedelta(days=1))
    # Dewi and Hendra have no open ticket: the journeys complain as them (tests/test_journeys.py).
    _isp_visits(now, [andi, joko], [
        _customer(phone, name, address=address, at=now - dt.timedelta(days=5))
        for phone, name, address in (("+6281234500023", "Pak Rahmat", "Gg. Mawar 3 RT 02/RW 05, Siantan"),
                                     ("+6281234500024", "Bu Yuli", "Komplek Villa Ria Indah Blok B-12"),
                                     ("+6281234500025", "Warung Kopi Asiang", "Jl. Gajah Mada 88 (depan masjid)"))])


# The ISP's planned visits: (days from today, hour, the complaint). They are tickets
# T-0001 to T-0006; a complaint texted to the demo becomes T-0007 (ISP_NEXT_TICKET).
ISP_VISITS = ((0, 9, "Internet mati sejak semalam, lampu LOS merah"), (0, 13, "Pasang baru paket 20 Mbps"),
              (0, 15, "Wifi lemot di lantai 2"), (1, 10, "Kabel putus kena pohon tumbang"),
              (2, 14, "Pindah lokasi router ke ruko sebelah"), (4, 9, "Sinyal sering putus sore hari"))
ISP_NEXT_TICKET = len(ISP_VISITS) + 1


def _isp_visits(now: dt.datetime, technicians: list[User], customers: list[Customer]) -> None:
    """Visits today and this week, in the shop's day, with addresses."""
    today = now.astimezone(DEMO_ZONE).date()
    for number, (days, hour, summary) in enumerate(ISP_VISITS, start=1):
        visit = dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour), tzinfo=DEMO_ZONE)
        opened = now - dt.timedelta(hours=6 * number)
        Ticket.create(number=number, customer=customers[(number - 1) % len(customers)], summary=summary,
                      status="assigned", assignee=technicians[number % 2], created_at=opened,
                      response_due=opened + dt.timedelta(hours=1), first_response_at=opened + dt.timedelta(minutes=20),
                      resolution_due=visit + dt.timedelta(hours=4), visit_at=visit)


def _seed_shop(now: dt.datetime) -> None:
    shoes = [("Sepatu kulit pantofel hitam 42", "PT-42H", "pantofel", 450_000, 8,
              "Kulit sapi asli, sol karet anti slip. Buatan Garut."),
             ("Sepatu boots kulit coklat 41", "BT-41C", "boots", 650_000, 5,
              "Boots kulit crazy horse, jahitan goodyear, sol bisa diganti."),
             ("Sandal kulit pria 40", "SD-40", "sandal", 180_000, 15, "Sandal selop kulit nabati, alas empuk.")]
    products = [Product.create(name=n, sku=code, category=c, price=p, stock=s, unit="pasang", description=d)
                for n, code, c, p, s, d in shoes]
    rina = _customer("+6281234500031", "Rina Marlina", address="Jl. Merdeka 10, Bandung", marketing=True,
                     at=now - dt.timedelta(days=4), text="Kak, pesanan saya sudah dikirim belum?")
    # Paid, not yet shipped: it can still be changed (another size, the shipping cost).
    order = Order.create(number=1001, customer=rina, status="paid", total=450_000 + 18_000, shipping=18_000,
                         created_at=now - dt.timedelta(days=4), paid_at=now - dt.timedelta(days=3))
    _item(order, products[0], 1)
    # A parcel on its way: the courier and tracking number the customer got by SMS.
    dian = _customer("+6281234500032", "Dian Pratiwi", address="Jl. Dago 45, Bandung", marketing=False,
                     at=now - dt.timedelta(days=6))
    shipped = Order.create(number=1002, customer=dian, status="shipped", total=830_000 + 25_000, shipping=25_000,
                           created_at=now - dt.timedelta(days=6), paid_at=now - dt.timedelta(days=5),
                           shipped_at=now - dt.timedelta(days=4), courier="JNE", tracking="CGK1234567890")
    _item(shipped, products[1], 1)
    _item(shipped, products[2], 1)
    # Boots made to measure, then packed: the shop switched on the steps between paid and shipped.
    shopdata.save_ui_settings({"order_steps": "production", "order_packed_sms": True})
    yusuf = _customer("+6281234500033", "Yusuf Hidayat", address="Jl. Riau 7, Bandung", at=now - dt.timedelta(days=3))
    made = Order.create(number=1003, customer=yusuf, status="in_production", total=650_000,
                        created_at=now - dt.timedelta(days=3), paid_at=now - dt.timedelta(days=2),
                        updated_at=now - dt.timedelta(days=2))
    _item(made, products[1], 1)
    lestari = _customer("+6281234500034", "Lestari Wulandari", address="Jl. Setiabudi 120, Bandung",
                        at=now - dt.timedelta(days=2))
    packed = Order.create(number=1004, customer=lestari, status="packed", total=180_000 + 15_000, shipping=15_000,
                          created_at=now - dt.timedelta(days=2), paid_at=now - dt.timedelta(days=1),
                          updated_at=now - dt.timedelta(hours=3))
    _item(packed, products[2], 1)
    demo_sales.history(now, products, kind="shop", phones="+62812345020", per_day=2, shipped=True,
                       promotion="Sepatu Garut: koleksi boots baru, gratis ongkir minggu ini")
    demo_supply.seed(now, products, "shop", SHOP_NAMES["shop"])


def _item(order: Order, product: Product, quantity: int) -> None:
    OrderItem.create(order=order, product=product, name=product.name, quantity=quantity, price=product.price,
                     code=product.sku or "", unit=product.unit)


def _seed_service(now: dt.datetime) -> None:
    _categories("service")
    engineer = _staff("eko", "Eko Prasetyo", "+6281234599011")
    fajar = _staff("fajar", "Fajar Nugroho", "+6281234599013")
    _staff("helpdesk", "Helpdesk", "+6281234599012", role="frontdesk")
    sales = _staff("sinta", "Sinta Maharani", "+6281234599014", role="frontdesk")
    supervisor = User.get(User.username == DEMO_USER)
    supervisor.phone = "+6281234599010"
    supervisor.save()
    # Two branches, each with its engineer; Bekasi promises quicker times than the categories'.
    sudirman = ServicePoint.create(name="Cabang Sudirman", address="Jl. Jend. Sudirman 8, Jakarta Pusat",
                                   phone="+62215551234", created_at=now)
    bekasi = ServicePoint.create(name="Cabang Bekasi", address="Jl. Ahmad Yani 12, Bekasi", phone="+622188812345",
                                 response_minutes=2 * 60, resolution_minutes=8 * 60, created_at=now)
    PointEngineer.create(point=sudirman, user=engineer)
    PointEngineer.create(point=bekasi, user=fajar)
    pt = _customer("+6281234500041", "PT Sinar Abadi", address="Gedung Graha Lt. 3, Jl. Sudirman 8",
                   at=now - dt.timedelta(days=2))
    maju = _customer("+6281234500042", "CV Maju Jaya", address="Ruko Galaxy Blok B-5, Bekasi",
                     at=now - dt.timedelta(days=1))
    for customer, contact, phone in ((pt, "Bu Lina (kepala TI)", "+6281234500048"),
                                     (maju, "Pak Anton (admin kantor)", "+6281234500049")):
        customer.contact_name, customer.contact_phone, customer.salesperson = contact, phone, sales
        customer.save()
    # PT Sinar Abadi's support contract: its tickets are answered within 2 hours, fixed within 8.
    today = now.astimezone(DEMO_ZONE).date()
    contract = Project.create(customer=pt, name="Kontrak dukungan 2026", starts_on=today - dt.timedelta(days=90),
                              ends_on=today + dt.timedelta(days=275), response_minutes=2 * 60,
                              resolution_minutes=8 * 60, note="20 PC, 3 printer, 1 server; kunjungan bulanan",
                              created_at=now - dt.timedelta(days=90))
    audit("demo.seed", detail="IT service desk")
    # The helpdesk news board (seed 004): what the supervisor tells the staff, on every dashboard.
    news.post("Piket Sabtu", "Sabtu ini helpdesk buka 09.00-13.00.\nTeknisi siaga: Eko (0812-3459-9011).",
              by=supervisor, pinned=True, now=now - dt.timedelta(hours=20))
    Ticket.create(number=1, customer=pt, summary="Printer lantai 3 tidak bisa mencetak", status="assigned",
                  assignee=engineer, created_at=now - dt.timedelta(hours=5), service_point=sudirman, project=contract,
                  response_due=now - dt.timedelta(hours=3), resolution_due=now + dt.timedelta(hours=3),
                  first_response_at=now - dt.timedelta(hours=4),
                  visit_at=_working_hour(now, 14))
    # A new one at Bekasi, not assigned yet: its engineer is offered first.
    opened = now - dt.timedelta(minutes=40)
    Ticket.create(number=2, customer=maju, summary="Internet kantor putus, router mati", status="new",
                  service_point=bekasi, created_at=opened, response_due=opened + dt.timedelta(hours=2),
                  resolution_due=opened + dt.timedelta(hours=8))


def _working_hour(now: dt.datetime, hour: int) -> dt.datetime:
    """Today at `hour` in the demo's zone, or tomorrow when that has passed."""
    local = now.astimezone(DEMO_ZONE)
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at > local else at + dt.timedelta(days=1)


SEEDERS = {"spa": _seed_spa, "parts": _seed_parts, "isp": _seed_isp, "shop": _seed_shop, "service": _seed_service}
