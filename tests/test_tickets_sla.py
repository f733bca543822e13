"""The IT service desk: SLA warnings and breaches reach the supervisors once
each, the printable job card, and the ticket report."""

import datetime as dt
import zoneinfo

import pytest
from support import owner_sets

from appliance import jobs, ticket_list, tickets, tickets_sms
from appliance.conversation import Shop
from appliance.customers import customer_for
from appliance.models import Message, Ticket, TicketCategory, TicketEvent, User

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.timezone.utc)  # 08:00 in Jakarta
SHOP = Shop(name="Servis IT Prima", tz=JAKARTA)
OWNER = "+6281100000001"
ADMIN = "+6281100000002"
ENGINEER = "+6281300000003"


def minutes(n):
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def desk(shop):
    make = lambda username, role, **kw: User.create(username=username, password_hash="-", role=role, **kw)  # noqa: E731
    people = dict(
        owner=make("pak.har", "owner", full_name="Pak Hartono", phone=OWNER, language="en"),
        admin=make("wulan", "admin", full_name="Wulan", phone=ADMIN),
        helpdesk=make("desk", "admin", full_name="Helpdesk"),  # no phone: sees it in the UI only
        retired=make("lama", "admin", phone="+6281100000009", active=False),
        frontdesk=make("fd", "frontdesk", phone="+6281100000010"),
        engineer=make("eko", "technician", full_name="Eko Prasetyo", phone=ENGINEER))
    people["onsite"] = TicketCategory.create(name="Onsite", words="printer, server, jaringan",
                                             response_minutes=30, resolution_minutes=240, warn_percent=80)
    people["remote"] = TicketCategory.create(name="Remote", words="password, email, akun",
                                             response_minutes=120, resolution_minutes=1440, warn_percent=50)
    people["customer"] = customer_for("+6285700000001")
    people["customer"].name, people["customer"].address = "PT Maju Jaya", "Jl. Sudirman 5, lantai 3"
    people["customer"].save()
    return people


def alerts():
    return list(Message.select().where((Message.direction == "out") & Message.template.startswith("ticket_sla_"))
                .order_by(Message.id))


def test_the_sla_job_is_registered():
    assert jobs.JOBS["tickets.sla"] is tickets_sms.watch_sla


def test_warning_and_breach_reach_each_supervisor_exactly_once(desk):
    ticket = tickets.open_ticket(desk["customer"], "printer lantai 3 tidak bisa cetak", now=T0)
    assert ticket.category.name == "Onsite"
    # The worker runs the job every minute; a clock that moves on, and jobs run twice.
    for minute in range(0, 301):
        tickets_sms.watch_sla(SHOP, minutes(minute))
        tickets_sms.watch_sla(SHOP, minutes(minute))
    sent = alerts()
    by_kind = {}
    for message in sent:
        by_kind.setdefault(message.template, []).append(message.phone)
    assert by_kind == {
        "ticket_sla_warning_response": [OWNER, ADMIN],  # at 80% of 30 minutes
        "ticket_sla_breach_response": [OWNER, ADMIN],
        "ticket_sla_warning_resolution": [OWNER, ADMIN],  # at 80% of 4 hours
        "ticket_sla_breach_resolution": [OWNER, ADMIN],
    }
    assert all(m.category == "transactional" for m in sent)
    assert [(e.kind, e.at) for e in Ticket.get_by_id(ticket.id).events.where(
        TicketEvent.kind.startswith("sla")).order_by(TicketEvent.id)] == [
        ("sla_warning", minutes(24)), ("sla_breach", minutes(30)),
        ("sla_warning", minutes(192)), ("sla_breach", minutes(240))]
    ticket = Ticket.get_by_id(ticket.id)
    assert ticket.warned_at == minutes(24) and ticket.breached_at == minutes(30)
    owner_breach = next(m for m in sent if m.phone == OWNER and m.template == "ticket_sla_breach_response")
    assert "SLA MISSED T-0001" in owner_breach.text and "08:30" in owner_breach.text  # English, Jakarta time
    admin_warning = next(m for m in sent if m.phone == ADMIN and m.template == "ticket_sla_warning_response")
    assert "PERINGATAN T-0001" in admin_warning.text and "printer" in admin_warning.text


def test_a_prompt_response_stops_the_response_clock(desk):
    ticket = tickets.open_ticket(desk["customer"], "server mati", now=T0)
    tickets.assign(ticket, desk["engineer"], desk["admin"], minutes(5), shop=SHOP)
    tickets.accept(ticket, desk["engineer"], minutes(10), shop=SHOP)
    for minute in range(0, 200, 5):
        tickets_sms.watch_sla(SHOP, minutes(minute))
    tickets.resolve(ticket, "ganti power supply", desk["engineer"], minutes(200), shop=SHOP)
    for minute in range(200, 400, 5):
        tickets_sms.watch_sla(SHOP, minutes(minute))
    # Only the resolution warning (at 192 minutes) went out: answered in time, resolved in time.
    assert {m.template for m in alerts()} == {"ticket_sla_warning_resolution"}


def test_a_job_that_wakes_up_late_sends_the_breach_not_a_stale_warning(desk):
    tickets.open_ticket(desk["customer"], "lupa password email", now=T0)  # Remote: 2 h / 24 h, warn at 50%
    assert tickets_sms.watch_sla(SHOP, minutes(59)) == 0
    assert tickets_sms.watch_sla(SHOP, minutes(125)) == 1  # the box was off through the warning
    assert [m.template for m in alerts()] == ["ticket_sla_breach_response"] * 2
    assert tickets_sms.watch_sla(SHOP, minutes(125)) == 0
    assert tickets_sms.watch_sla(SHOP, minutes(720)) == 1  # half of a day: the resolution warning
    assert tickets_sms.watch_sla(SHOP, minutes(721)) == 0


def test_closed_tickets_and_a_shop_without_supervisor_phones_raise_no_sms(desk):
    done = tickets.open_ticket(desk["customer"], "printer macet", now=T0)
    tickets.resolve(done, "bersihkan roller", desk["engineer"], minutes(5), shop=SHOP)
    User.update(phone=None).where(User.role.in_(["owner", "admin"])).execute()
    late = tickets.open_ticket(desk["customer"], "jaringan putus", now=T0)
    assert tickets_sms.watch_sla(SHOP, minutes(35)) == 1
    assert alerts() == []  # nobody to text, but staff see it in the ticket's history
    assert Ticket.get_by_id(late.id).breached_at == minutes(35)
    assert Ticket.get_by_id(done.id).events.where(TicketEvent.kind.startswith("sla")).count() == 0


def test_a_ticket_without_a_category_follows_the_shops_default_sla(desk):
    owner_sets(ticket_response_minutes=10, ticket_resolution_minutes=100, ticket_warn_percent=50)
    ticket = tickets.open_ticket(desk["customer"], "mohon info jam buka", now=T0)
    assert ticket.category is None and ticket.response_due == minutes(10)
    assert tickets_sms.watch_sla(SHOP, minutes(5)) == 1
    assert [m.template for m in alerts()] == ["ticket_sla_warning_response"] * 2


def test_the_job_card_has_everything_the_printed_card_shows(desk):
    ticket = tickets.open_ticket(desk["customer"], "printer lantai 3 tidak bisa cetak", now=T0,
                                 detail="HP LaserJet M404, kertas macet terus")
    tickets.assign(ticket, desk["engineer"], desk["admin"], minutes(5), shop=SHOP)
    tickets.accept(ticket, desk["engineer"], minutes(12), shop=SHOP)
    tickets.note(ticket, "bawa roller cadangan", desk["admin"], minutes(13))
    tickets.resolve(ticket, "ganti roller penarik kertas", desk["engineer"], minutes(100), shop=SHOP)
    card = tickets.job_card(ticket, tz=JAKARTA)
    assert card["number"] == "T-0001" and card["status"] == "resolved" and card["category"] == "Onsite"
    assert card["summary"] == "printer lantai 3 tidak bisa cetak"
    assert card["detail"] == "HP LaserJet M404, kertas macet terus"
    assert card["customer"] == {"name": "PT Maju Jaya", "phone": "+6285700000001",
                                "address": "Jl. Sudirman 5, lantai 3", "contact_name": "", "contact_phone": ""}
    assert card["technician"] == {"name": "Eko Prasetyo", "phone": ENGINEER}
    assert card["created_at"] == dt.datetime(2026, 11, 2, 8, 0, tzinfo=JAKARTA)
    assert card["created_at"].utcoffset() == dt.timedelta(hours=7)
    assert card["first_response_at"] == minutes(12) and card["resolved_at"] == minutes(100)
    assert card["response_due"] == minutes(30) and card["resolution_due"] == minutes(240)
    assert card["resolution"] == "ganti roller penarik kertas"
    assert card["sla"] == {"response": "met", "resolution": "met"}
    assert [(h["kind"], h["user"]) for h in card["history"]] == [
        ("opened", ""), ("assigned", "Wulan"), ("accepted", "Eko Prasetyo"), ("note", "Wulan"),
        ("resolved", "Eko Prasetyo")]
    assert card["history"][3]["note"] == "bawa roller cadangan"
    assert card["blank_lines"] > 0 and {s["role"] for s in card["signatures"]} == {"technician", "customer"}


def test_a_job_card_for_a_new_ticket_has_empty_places_not_errors(desk):
    card = tickets.job_card(tickets.open_ticket(desk["customer"], "🙏 tolong cek email", now=T0))
    assert card["technician"] is None and card["resolved_at"] is None and card["resolution"] == ""
    assert card["category"] == "Remote" and card["sla"]["response"] in ("open", "late")


def test_the_report_counts_and_measures_the_sla(desk):
    onsite, remote, eko, wulan = desk["onsite"], desk["remote"], desk["engineer"], desk["admin"]
    customer = desk["customer"]

    def opened(text, at, category):
        return tickets.open_ticket(customer, text, now=at, category=category)

    a = opened("printer rusak", T0, onsite)  # answered in 10, resolved in 100: both met
    tickets.assign(a, eko, wulan, T0)
    tickets.accept(a, eko, minutes(10))
    tickets.resolve(a, "ganti toner", eko, minutes(100))
    b = opened("server lambat", T0, onsite)  # answered in 40, resolved in 300: both missed
    tickets.assign(b, eko, wulan, T0)
    tickets.accept(b, eko, minutes(40))
    tickets.resolve(b, "tambah RAM", eko, minutes(300))
    tickets.close(b, wulan, minutes(310))
    opened("reset password", T0, remote)  # still waiting at 300 minutes: response missed, resolution not yet due
    e = opened("jaringan putus", T0, onsite)  # resolved at once, in 20: both met
    tickets.resolve(e, "colok kabel", wulan, minutes(20))
    opened("printer lagi", T0 - dt.timedelta(days=2), onsite)  # before the period
    opened("email penuh", T0 + dt.timedelta(days=2), remote)  # after it

    result = tickets.report(T0 - dt.timedelta(hours=1), T0 + dt.timedelta(days=1), now=minutes(300))
    assert result["total"] == 4
    assert result["by_status"] == {"new": 1, "assigned": 0, "pending": 0, "resolved": 2, "closed": 1}
    assert result["by_category"] == {"Onsite": 3, "Remote": 1}
    assert result["by_technician"] == {"Eko Prasetyo": 2}
    assert result["response_sla"] == {"met": 2, "missed": 2, "percent": 50.0}
    assert result["resolution_sla"] == {"met": 2, "missed": 1, "percent": 66.7}
    assert result["average_response_minutes"] == pytest.approx((10 + 40 + 20) / 3, abs=0.1)
    assert result["average_resolution_minutes"] == pytest.approx((100 + 300 + 20) / 3, abs=0.1)
    # The report's list: the same four, oldest first, each clock as minutes taken and its verdict.
    since, until = T0 - dt.timedelta(hours=1), T0 + dt.timedelta(days=1)
    rows = ticket_list.rows(since, until, now=minutes(300))
    assert [r["number"] for r in rows] == [tickets.label(t) for t in (a, b)] + ["T-0003", tickets.label(e)]
    assert (rows[0]["technician"], rows[0]["category"], rows[0]["answer"], rows[0]["fix"]) == \
        ("Eko Prasetyo", "Onsite", (10, "met"), (100, "met"))
    assert rows[1]["answer"] == (40, "missed") and rows[1]["status"] == "closed"
    assert rows[2]["answer"] == (None, "late") and rows[2]["technician"] == ""
    assert [r["number"] for r in ticket_list.rows(since, until, offset=1, limit=2, now=minutes(300))] == \
        [rows[1]["number"], rows[2]["number"]]


def test_an_empty_report_and_an_impossible_period(desk):
    result = tickets.report(T0, T0 + dt.timedelta(days=1), now=T0)
    assert result["total"] == 0 and result["response_sla"]["percent"] is None
    assert result["average_resolution_minutes"] is None
    with pytest.raises(tickets.TicketError):
        tickets.report(T0, T0, now=T0)


def test_the_resolution_clock_stands_still_while_the_ticket_waits(desk):
    """Onsite: 4 hours to resolve. Pending for a new part from 1 h to 3 days
    later: no breach while waiting, and the 4 hours are counted without the wait."""
    ticket = tickets.open_ticket(desk["customer"], "server mati", now=T0)
    tickets.assign(ticket, desk["engineer"], desk["admin"], minutes(5), shop=SHOP)
    tickets.set_pending(ticket, "tunggu power supply baru", desk["engineer"], minutes(60), shop=SHOP)
    tickets.set_pending(ticket, "power supply dikirim besok", desk["engineer"], minutes(24 * 60), shop=SHOP)
    for minute in range(60, 3 * 24 * 60, 30):
        tickets_sms.watch_sla(SHOP, minutes(minute))
    assert not any(m.template.endswith("_resolution") for m in alerts()), "no alarm about a ticket that waits"
    # The part came: back to work. The wait (from the first TUNDA, 71 hours) is added to the due time.
    tickets.accept(ticket, desk["engineer"], minutes(2 * 24 * 60), shop=SHOP)  # OK: still waiting
    tickets.on_the_way(ticket, desk["engineer"], minutes(3 * 24 * 60 - 60), shop=SHOP)
    ticket = Ticket.get_by_id(ticket.id)
    assert ticket.resolution_due == minutes(240 + (3 * 24 * 60 - 60) - 60)
    tickets.resolve(ticket, "ganti power supply", desk["engineer"], minutes(3 * 24 * 60), shop=SHOP)
    ticket = Ticket.get_by_id(ticket.id)
    assert ticket.resolved_at <= ticket.resolution_due, "resolved within its 4 working hours"


def test_resolving_straight_from_pending_counts_the_wait_out(desk):
    ticket = tickets.open_ticket(desk["customer"], "printer macet", now=T0)
    tickets.set_pending(ticket, "tunggu toner", desk["admin"], minutes(10), shop=SHOP)
    tickets.resolve(ticket, "toner diganti", desk["engineer"], minutes(10 + 48 * 60 + 30), shop=SHOP)
    ticket = Ticket.get_by_id(ticket.id)
    assert ticket.resolution_due == minutes(240 + 48 * 60 + 30)
    assert ticket.resolved_at <= ticket.resolution_due


def test_a_flood_of_tickets_cannot_make_the_shop_text_staff_all_day(desk):
    # Once 239 tickets made the watch queue 2,040 transactional SMS to staff in a day.
    from appliance import alerts as limits
    for n in range(60):
        tickets.open_ticket(customer_for(f"+62857000{n:05d}"), f"printer {n} rusak", now=T0)
    for minute in range(0, 24 * 60, 5):
        tickets_sms.watch_sla(SHOP, minutes(minute))
    for phone in (OWNER, ADMIN):
        mine = [m for m in alerts() if m.phone == phone]
        singles = [m for m in mine if m.template != limits.DIGEST]
        digests = [m for m in mine if m.template == limits.DIGEST]
        assert len(singles) == limits.STAFF_DAILY_CAP
        assert 1 <= len(digests) <= 24 and all(m.category == "transactional" for m in mine)
        assert all(len(m.text) <= 160 and m.text.isascii() for m in digests)
    digest = next(m for m in alerts() if m.template == limits.DIGEST and m.phone == OWNER)
    assert "tickets near or past their SLA" in digest.text and "T-00" in digest.text  # the owner reads English
    # Nothing is lost: every ticket's warning and breach is on the ticket, for the pages.
    assert TicketEvent.select().where(TicketEvent.kind == "sla_breach").count() == 60 * 2
    assert TicketEvent.select().where(TicketEvent.note.contains("held for the digest")).count() > 0
    # The next day the phones hear of single tickets again.
    tickets.open_ticket(desk["customer"], "server mati", now=minutes(24 * 60))
    before = len(alerts())
    tickets_sms.watch_sla(SHOP, minutes(24 * 60 + 30))
    assert any(m.template == "ticket_sla_breach_response" for m in alerts()[before:])
