"""How did we do? After a ticket is resolved or a booking is done the
customer is asked to reply 1-5 (a reminder: with consent, outside quiet
hours); the answer is kept, a low one goes to staff, and the ticket report
shows the scores per technician, category and month."""

import datetime as dt
import zoneinfo

import pytest
from support import text_in

from appliance import bookings, satisfaction, tickets
from appliance.conversation import Shop
from appliance.customers import customer_for
from appliance.models import Booking, Message, Rating, Service, TicketCategory, TicketEvent, User
from appliance.responder import Responder
from appliance.shopdata import save_ui_settings

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
T0 = dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.timezone.utc)  # 10:00 in Jakarta
SHOP = Shop(name="NetDesa", tz=JAKARTA)
RINA = "+6281234567890"


@pytest.fixture
def responder(shop):
    return Responder(SHOP)


@pytest.fixture
def resolved(shop):
    """Rina's outage, fixed by Budi."""
    budi = User.create(username="budi", password_hash="-", role="technician", full_name="Budi", phone="+6281311112222")
    outage = TicketCategory.create(name="Gangguan", words="mati, putus")
    ticket = tickets.open_ticket(customer_for(RINA), "internet mati", now=T0)
    tickets.assign(ticket, budi, None, T0, shop=SHOP)
    tickets.resolve(ticket, "ganti konektor", budi, T0 + dt.timedelta(hours=2), shop=SHOP)
    assert ticket.category_id == outage.id
    return ticket


def asked(phone=RINA):
    return list(Message.select().where((Message.phone == phone) & (Message.template == "satisfaction_ask")))


def test_a_resolved_ticket_asks_once_and_a_good_score_is_thanked(responder, resolved):
    [question] = asked()
    assert "T-0001" in question.text and "Balas 1-5" in question.text
    assert question.category == "reminder"  # held in quiet hours, and only with consent to reminders
    _, [reply] = text_in(RINA, "4 mantap kak", T0 + dt.timedelta(hours=3), responder)
    assert "terima kasih atas nilainya" in reply.text.lower()
    rating = Rating.get()
    assert (rating.score, rating.staff.username, rating.category) == (4, "budi", "Gangguan")
    assert not Message.select().where(Message.needs_staff == True).exists()  # noqa: E712
    # Reopened and resolved again: not asked a second time.
    tickets.reopen(resolved, None, T0 + dt.timedelta(hours=4))
    tickets.resolve(resolved, "ganti kabel", None, T0 + dt.timedelta(hours=5), shop=SHOP)
    assert len(asked()) == 1


def test_a_low_score_goes_to_staff_and_onto_the_ticket(responder, resolved):
    incoming, [reply] = text_in(RINA, "1, teknisinya telat", T0 + dt.timedelta(hours=3), responder)
    assert "staf kami akan menghubungi" in reply.text.lower()
    assert Message.get_by_id(incoming.id).needs_staff
    assert TicketEvent.get((TicketEvent.ticket == resolved) & (TicketEvent.kind == "rated")).note.startswith("score 1")


@pytest.mark.parametrize("text", ["kapan teknisinya datang lagi?", "10", "3 atau 4"])
def test_a_text_that_is_no_score_is_answered_as_any_text(responder, resolved, text):
    text_in(RINA, text, T0 + dt.timedelta(hours=3), responder)
    assert Rating.get().score is None


def test_a_score_after_three_days_is_a_new_text(responder, resolved):
    text_in(RINA, "5", T0 + dt.timedelta(days=4), responder)
    assert Rating.get().score is None


def test_no_question_without_consent_or_when_the_owner_turned_it_off(shop):
    quiet = customer_for("+6285711112222")
    quiet.consent_reminder = False
    quiet.save()
    ticket = tickets.open_ticket(quiet, "internet mati", now=T0)
    tickets.resolve(ticket, "beres", None, T0, shop=SHOP)
    assert not asked("+6285711112222")
    save_ui_settings({"satisfaction_survey": False})
    ticket = tickets.open_ticket(customer_for(RINA), "internet lambat", now=T0)
    tickets.resolve(ticket, "beres", None, T0, shop=SHOP)
    assert not asked()


def test_a_visit_marked_done_asks_about_the_service(responder, shop):
    massage = Service.create(name="Pijat bayi", duration_minutes=60, price=85_000)
    visit = Booking.create(customer=customer_for(RINA), service=massage, starts_at=T0, ends_at=T0 + dt.timedelta(hours=1))
    bookings.mark_done(visit, None, T0 + dt.timedelta(hours=1), shop=SHOP)
    [question] = asked()
    assert "Pijat bayi" in question.text
    text_in(RINA, "lima", T0 + dt.timedelta(hours=2), responder)
    assert Rating.get().score == 5


@pytest.mark.parametrize("text, score", [("5", 5), ("4 mantap", 4), ("nilai 3", 3), ("lima", 5), ("4/5", 4),
                                         ("4 dari 5", 4), ("2 ya", 2), ("10", None), ("0", None),
                                         ("3 atau 4", None), ("kapan buka?", None), ("", None)])
def test_scores_as_customers_write_them(text, score):
    assert satisfaction.score_in(text) == score


def test_the_report_averages_per_technician_category_and_month(responder, resolved):
    text_in(RINA, "2", T0 + dt.timedelta(hours=3), responder)
    summary = satisfaction.summary(T0, T0 + dt.timedelta(days=1), JAKARTA)
    assert summary["staff"] == [dict(key="Budi", average=2.0, count=1)]
    assert summary["category"] == [dict(key="Gangguan", average=2.0, count=1)]
    assert summary["month"] == [dict(key=dt.date(2026, 11, 1), average=2.0, count=1)]
