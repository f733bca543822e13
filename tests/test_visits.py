"""A ticket's visit: planned by the desk, told to the customer and the
technician (with the address), moved, and listed each morning for the
technician once a day."""

import datetime as dt
import zoneinfo

import pytest

from appliance import outbox, services, shopdata, tickets, visit_texts, visits, visits_morning
from appliance.conversation import Shop
from appliance.customers import customer_for
from appliance.models import Message, User

services.load()
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.timezone.utc)  # Monday 08:00 in Jakarta
SHOP = Shop(name="NetDesa", tz=JAKARTA)
RINA, DEDI, BUDI = "+6281234567890", "+6285711112222", "+6281311112222"


def at(hours):
    return T0 + dt.timedelta(hours=hours)


@pytest.fixture
def budi(shop):
    return User.create(username="budi", password_hash="-", role="technician", full_name="Budi", phone=BUDI)


def customer(phone, name, address=""):
    c = customer_for(phone)
    c.name, c.address = name, address
    c.save()
    return c


def texts_to(phone):
    return [m.text for m in Message.select().where((Message.direction == "out") & (Message.phone == phone))
            .order_by(Message.id)]


def ticket_for(who, technician=None):
    ticket = tickets.open_ticket(who, "internet mati sejak pagi", now=T0, shop=SHOP, source="staff")
    if technician is not None:
        tickets.assign(ticket, technician, now=T0, shop=SHOP)
    return ticket


def test_a_planned_visit_reaches_the_customer_and_the_technician_with_the_address(budi):
    rina = customer(RINA, "Rina Marlina", "Jl. Melati 12 RT 03,\n Sukamaju")
    ticket = ticket_for(rina, budi)
    assert "Jl. Melati 12 RT 03, Sukamaju" in texts_to(BUDI)[-1]
    visits.schedule(ticket, at(6), None, now=T0, shop=SHOP)  # 14:00 Jakarta
    assert texts_to(RINA)[-1] == ("NetDesa: teknisi kami akan datang untuk T-0001 pada 2/11 pukul 14:00. "
                                  "Bila tidak cocok, balas SMS ini.")
    job = texts_to(BUDI)[-1]
    assert "2/11 14:00" in job and "Rina Marlina +6281234567890, Jl. Melati 12 RT 03, Sukamaju" in job
    visits.schedule(ticket, at(6), None, now=T0, shop=SHOP)  # the same form twice: nothing more
    visits.schedule(ticket, at(27), None, now=T0, shop=SHOP)  # moved to Tuesday 11:00
    assert "dipindah ke 3/11 pukul 11:00" in texts_to(RINA)[-1]
    assert len(texts_to(RINA)) == 4  # opened, assigned, visit, moved
    assert "3/11 11:00" in texts_to(BUDI)[-1]
    assert tickets.job_card(ticket, JAKARTA)["visit_at"].hour == 11


def test_a_customer_without_an_address_gets_a_sentence_not_a_dash(budi):
    ticket = ticket_for(customer(DEDI, "Dedi"))
    tickets.assign(ticket, budi, now=T0, shop=SHOP)
    job = texts_to(BUDI)[-1]
    assert "alamat belum dicatat, telepon pelanggan" in job and ", -." not in job
    budi.language = "en"
    budi.save()
    assert "no address yet, call the customer" in visit_texts.technician_job(ticket, "T-0001", budi, SHOP)[1]


def test_a_visit_in_the_past_or_years_ahead_is_refused(budi):
    ticket = ticket_for(customer(DEDI, "Dedi"), budi)
    with pytest.raises(tickets.TicketError, match="passed"):
        visits.schedule(ticket, at(-2), None, now=T0, shop=SHOP)
    with pytest.raises(tickets.TicketError, match="year"):
        visits.schedule(ticket, at(24 * 400), None, now=T0, shop=SHOP)
    with pytest.raises(tickets.TicketError, match="time"):
        visits.parse_local("2026-11-02", "siang", JAKARTA)
    assert visits.parse_local("2026-11-02", "14.30", JAKARTA) == at(6.5)
    tickets.resolve(ticket, "ganti kabel", budi, now=T0, shop=SHOP)
    with pytest.raises(tickets.TicketError, match="reopen"):
        visits.schedule(ticket, at(3), None, now=T0, shop=SHOP)


def test_each_morning_one_list_per_technician_held_in_quiet_hours_and_never_twice(budi):
    rina = customer(RINA, "Rina Marlina", "Jl. Melati 12")
    for hours, who in ((3, rina), (5, customer(DEDI, "Dedi")), (30, rina)):  # today 11:00, 13:00; tomorrow
        visits.schedule(ticket_for(who, budi), at(hours), None, now=T0, shop=SHOP)
    assert visits_morning.send_morning_lists(SHOP, at(-2)) == 0  # 06:00: before the morning hour
    assert visits_morning.send_morning_lists(SHOP, at(-0.5)) == 1  # 07:30
    [row] = Message.select().where(Message.template == "visits_morning")
    assert row.idempotency_key == "visits:%d:2026-11-02" % budi.id and row.category == "reminder"
    assert "(2): 11:00 T-0001 Rina Marlina +6281234567890, Jl. Melati 12; 13:00 T-0002 Dedi" in row.text
    assert "alamat belum dicatat" in row.text and "T-0003" not in row.text
    # quiet hours until 08:00 (the default) hold it; a reminder goes after them
    assert row.id not in [m.id for m in outbox.due_outbound(at(-0.5), hold_low=True)]
    assert row.id in [m.id for m in outbox.due_outbound(at(0.5))]
    # a worker restarted later that day, a visit added since: no second list
    visits.schedule(ticket_for(rina, budi), at(8), None, now=T0, shop=SHOP)
    assert visits_morning.send_morning_lists(SHOP, at(2)) == 0
    assert Message.select().where(Message.template == "visits_morning").count() == 1
    shopdata.save_ui_settings({"visits_morning_hour": 9})
    assert visits_morning.send_morning_lists(SHOP, at(24)) == 0  # Tuesday 08:00: the hour is 09 now
    assert visits_morning.send_morning_lists(SHOP, at(25)) == 1


def test_a_long_day_is_split_between_lines():
    lines = [f"{9 + n}:00 T-00{n:02} Pelanggan nomor {n} +62812000000{n:02}, Jl. Panjang Sekali {n}" for n in range(9)]
    pieces = visits_morning.split(lines)
    assert len(pieces) > 1 and all(len(p) <= visits_morning.PART_LIMIT for p in pieces)
    assert "; ".join(pieces) == "; ".join(lines)
