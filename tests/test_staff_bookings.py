"""Bookings with staff: the spa plans two therapists. A time is free when one
of the service's therapists is free; an SMS booking gets one, its confirmation
names her; the desk picks or changes her, and a wrong pick is refused in words."""

import datetime as dt
import re
import zoneinfo

import pytest
from support import text_in
from test_journeys import say, shop_of  # noqa: F401  the real `loket run --demo spa`

import appliance.bookings_sms  # noqa: F401  registers BOOK
from appliance import auth, bookings, clock, staff
from appliance.bookings import BookingError
from appliance.conversation import Shop
from appliance.customers import customer_for
from appliance.models import Booking, Customer, Message, Service, StaffMember, User
from appliance.responder import Responder

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
SHOP = Shop(name="Spa Bunda", tz=WIB)
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=WIB)  # Monday morning, before opening
TOMORROW = dt.date(2026, 11, 24)


def at(hour, minute=0):
    return dt.datetime.combine(TOMORROW, dt.time(hour, minute), tzinfo=WIB)


@pytest.fixture
def spa(shop):
    """Two therapists, one booking at a time each; only the midwife gives the prenatal massage.
    The rooms would take three babies at once: the therapists are what limits."""
    baby = Service.create(name="Pijat Bayi", aliases="baby massage", duration_minutes=60, capacity=3)
    prenatal = Service.create(name="Pijat Ibu Hamil", aliases="prenatal", duration_minutes=90, capacity=3)
    rina = auth.create_user("rina", "correct horse battery", "technician")
    rina.full_name = "Bidan Rina"
    rina.save()
    dewi = auth.create_user("dewi", "correct horse battery", "technician")
    dewi.full_name = "Kak Dewi"
    dewi.save()
    staff.set_up(rina, 1, [baby.id, prenatal.id], by=None, now=NOW)
    staff.set_up(dewi, 1, [baby.id], by=None, now=NOW)
    return dict(baby=baby, prenatal=prenatal, rina=rina, dewi=dewi, responder=Responder(SHOP))


def test_two_mothers_text_for_the_same_time_and_each_gets_a_therapist_a_third_is_offered_another(spa):
    _, [first] = text_in("+6281234500101", "PESAN pijat bayi besok jam 10", NOW, spa["responder"])
    _, [second] = text_in("+6281234500102", "PESAN pijat bayi besok jam 10", NOW, spa["responder"])
    assert "10:00" in first.text and "sudah kami catat" in first.text
    assert "10:00" in second.text and "sudah kami catat" in second.text
    given = {b.staff_id for b in Booking.select().where(Booking.starts_at == at(10))}
    assert given == {spa["rina"].id, spa["dewi"].id}, "one booking per therapist"
    assert {"Bidan Rina", "Kak Dewi"} == {n for n in ("Bidan Rina", "Kak Dewi") if n in first.text + second.text}
    # Both are busy at 10:00 although the rooms have space: the third mother hears another time.
    _, [third] = text_in("+6281234500103", "PESAN pijat bayi besok jam 10", NOW, spa["responder"])
    assert "penuh" in third.text and "1) 09:00 2) 11:00" in third.text
    assert Booking.select().where(Booking.starts_at == at(10)).count() == 2
    assert at(10) not in bookings.free_slots(spa["baby"], TOMORROW, NOW, shop=SHOP)
    assert not bookings.available(spa["baby"], at(10), NOW, shop=SHOP)


def test_a_mother_who_names_her_therapist_gets_her_or_the_staff_answer(spa):
    # Both are free at 10:00; the text names the one the least-busy choice would not give.
    _, [asked] = text_in("+6281234500111", "kak besok jam 10 pijat bayi sama kak dewi bisa?", NOW, spa["responder"])
    assert "jam 10:00 bersama Kak Dewi masih kosong" in asked.text and "YA" in asked.text
    _, [done] = text_in("+6281234500111", "ya", NOW, spa["responder"])
    assert "Kak Dewi" in done.text and "sudah kami catat" in done.text
    assert Booking.get(Booking.starts_at == at(10)).staff_id == spa["dewi"].id
    # Dewi does no prenatal massage: no robot gives her mother someone else; staff answer.
    message, replies = text_in("+6281234500113", "besok jam 13 pijat ibu hamil sama dewi bisa?", NOW, spa["responder"])
    assert Message.get_by_id(message.id).needs_staff
    assert not any("YA" in r.text or "catat" in r.text for r in replies)
    # Dewi is busy at 10:00: her mother hears Dewi's free times, not someone else's, and picks one.
    _, [offer] = text_in("+6281234500112", "bsk jm 10 pijat bayi sm kak dewi ya", NOW, spa["responder"])
    assert "Kak Dewi sudah penuh besok 24/11 10:00. Dia kosong besok 24/11 jam 1) 09:00 2) 11:00" in offer.text
    _, [done] = text_in("+6281234500112", "2", NOW, spa["responder"])
    assert "11:00 bersama Kak Dewi sudah kami catat" in done.text
    assert Booking.get(Booking.starts_at == at(11)).staff_id == spa["dewi"].id
    assert Booking.select().count() == 2
    # A mother called Dewi asks for no one: she is booked with whoever is free, as before.
    _, [asked] = text_in("+6281234500114", "saya Dewi, besok jam 11 pijat bayi bisa?", NOW, spa["responder"])
    assert "YA" in asked.text
    _, [done] = text_in("+6281234500114", "ya", NOW, spa["responder"])
    assert "Bidan Rina" in done.text and "sudah kami catat" in done.text


def test_a_mother_who_names_her_therapist_and_only_a_day_is_offered_her_free_times(spa):
    # The midwife is booked 09:00 and 11:00 tomorrow: "besok sama bidan rina" offers the hours she is free.
    for hour in (9, 11):
        bookings.book(customer_for(f"+62812345002{hour:02d}"), spa["baby"], at(hour), now=NOW, shop=SHOP,
                      staff=spa["rina"])
    _, [offer] = text_in("+6281234500121", "kak besok mau pijat bayi sama bidan rina", NOW, spa["responder"])
    assert "Pijat Bayi bersama Bidan Rina kosong besok 24/11 jam 1) 10:00 2) 12:00" in offer.text
    _, [done] = text_in("+6281234500121", "1", NOW, spa["responder"])
    assert "10:00 bersama Bidan Rina sudah kami catat" in done.text
    assert Booking.get(Booking.starts_at == at(10)).staff_id == spa["rina"].id
    # No day either: her first day with a free hour. In English too.
    Customer.update(language="en").where(Customer.id == customer_for("+6281234500122").id).execute()
    _, [offer] = text_in("+6281234500122", "can I book a baby massage with dewi?", NOW, spa["responder"])
    assert "Pijat Bayi with Kak Dewi" in offer.text and "1) 09:00" in offer.text
    assert "booked" in text_in("+6281234500122", "1", NOW, spa["responder"])[1][0].text


def test_a_therapist_busy_with_another_service_is_busy(spa):
    # The midwife gives a prenatal massage 10:00-11:30; Dewi does no prenatal massage.
    bookings.book(customer_for("+6281234500104"), spa["prenatal"], at(10), now=NOW, shop=SHOP)
    assert at(10) not in bookings.free_slots(spa["prenatal"], TOMORROW, NOW, shop=SHOP)
    baby = bookings.book(customer_for("+6281234500105"), spa["baby"], at(10), now=NOW, shop=SHOP)
    assert baby.staff_id == spa["dewi"].id  # the one still free
    assert at(10) not in bookings.free_slots(spa["baby"], TOMORROW, NOW, shop=SHOP)
    assert at(12) in bookings.free_slots(spa["baby"], TOMORROW, NOW, shop=SHOP)


def test_a_service_nobody_does_is_booked_by_its_capacity_as_before(spa):
    gym = Service.create(name="Baby Gym", duration_minutes=60, capacity=1)
    booking = bookings.book(customer_for("+6281234500106"), gym, at(10), now=NOW, shop=SHOP)
    assert booking.staff_id is None
    with pytest.raises(BookingError) as full:
        bookings.book(customer_for("+6281234500107"), gym, at(10), now=NOW, shop=SHOP)
    assert full.value.reason == "full"


def test_the_desk_picks_a_therapist_and_a_wrong_pick_is_refused_in_words(spa):
    sari = customer_for("+6281234500108")
    made = bookings.book(sari, spa["baby"], at(10), source="staff", now=NOW, shop=SHOP, staff=spa["dewi"])
    assert made.staff_id == spa["dewi"].id
    # The staff booking's confirmation SMS names her.
    from appliance.models import Message
    [sms] = Message.select().where(Message.idempotency_key == f"booking:{made.id}:confirmed")
    assert "Kak Dewi" in sms.text and "10:00" in sms.text
    cases = [
        (spa["dewi"], spa["baby"], at(10), "staff_full", "Kak Dewi already has 1 booking(s) at that time"),
        (spa["dewi"], spa["prenatal"], at(13), "staff_service", "Kak Dewi does not do Pijat Ibu Hamil"),
        (auth.create_user("desk", "correct horse battery", "frontdesk"), spa["baby"], at(13), "staff",
         "desk does not take bookings"),
    ]
    for person, service, start, reason, words in cases:
        with pytest.raises(BookingError) as refused:
            bookings.book(customer_for("+6281234500109"), service, start, source="staff", now=NOW, shop=SHOP,
                          staff=person)
        assert refused.value.reason == reason and words in str(refused.value)
    assert Booking.select().count() == 1, "nothing half-made"
    # Changing the therapist: to one free then, never to one who is busy or does not do it.
    other = bookings.book(customer_for("+6281234500110"), spa["baby"], at(10), now=NOW, shop=SHOP)
    assert other.staff_id == spa["rina"].id
    with pytest.raises(BookingError, match="already has"):
        bookings.assign(other, spa["dewi"], by=None, now=NOW)
    bookings.cancel(made, now=NOW, shop=SHOP)
    bookings.assign(other, spa["dewi"], by=None, now=NOW)
    assert Booking.get_by_id(other.id).staff_id == spa["dewi"].id
    bookings.assign(other, spa["dewi"], by=None, now=NOW)  # the same again: no harm
    prenatal = bookings.book(customer_for("+6281234500111"), spa["prenatal"], at(13), now=NOW, shop=SHOP)
    with pytest.raises(BookingError, match="does not do"):
        bookings.assign(prenatal, spa["dewi"], by=None, now=NOW)


def test_a_therapist_who_takes_two_at_once(spa):
    staff.set_up(spa["dewi"], 2, [spa["baby"].id], by=None, now=NOW)
    for n in range(3):
        bookings.book(customer_for(f"+62812345002{n:02d}"), spa["baby"], at(10), now=NOW, shop=SHOP)
    assert sorted(b.staff_id for b in Booking.select()) == sorted([spa["dewi"].id] * 2 + [spa["rina"].id])
    assert at(10) not in bookings.free_slots(spa["baby"], TOMORROW, NOW, shop=SHOP)


@pytest.mark.parametrize("capacity, services, words", [
    (0, "baby", "a number from 1 to 20"),
    (21, "baby", "a number from 1 to 20"),
    (1, "gone", "does not exist"),
])
def test_staff_set_up_with_bad_input_is_refused(spa, capacity, services, words):
    ids = [spa["baby"].id] if services == "baby" else [spa["baby"].id, 99999]
    with pytest.raises(staff.StaffError, match=words):
        staff.set_up(spa["dewi"], capacity, ids, by=None, now=NOW)
    assert staff.services_of(StaffMember.get(StaffMember.user == spa["dewi"])) == {spa["baby"].id}


def test_no_services_means_no_bookings_and_old_bookings_stay(spa):
    booking = bookings.book(customer_for("+6281234500112"), spa["baby"], at(10), now=NOW, shop=SHOP,
                            staff=spa["dewi"])
    staff.set_up(spa["dewi"], 1, [], by=None, now=NOW)
    assert [m.user_id for m in staff.everyone()] == [spa["rina"].id]
    assert Booking.get_by_id(booking.id).staff_id == spa["dewi"].id


# -- the journey through the real `loket run --demo spa`, `loket sim text` and HTTP ------------------

def test_the_spa_plans_two_therapists(shop_of):  # noqa: F811
    spa = shop_of("spa")
    tz = spa.settings.tz
    tomorrow = clock.utcnow().astimezone(tz).date() + dt.timedelta(days=1)
    rina, dewi = User.get(User.username == "rina"), User.get(User.username == "dewi")
    replies = [say(spa, phone, "PESAN pijat bayi besok jam 11") for phone in ("+6281234500021", "+6281234500022")]
    assert all("11:00" in r and "sudah kami catat" in r for r in replies), replies
    assert "Bidan Rina" in " ".join(replies) and "Kak Dewi" in " ".join(replies)
    booked = list(Booking.select().join(Customer).where(Customer.phone.in_(["+6281234500021", "+6281234500022"])))
    assert sorted(b.staff_id for b in booked) == sorted([rina.id, dewi.id])
    third = say(spa, "+6281234500023", "PESAN pijat bayi besok jam 11")
    assert "penuh" in third and "1)" in third and not re.search(r"\d\) 11:00", third), third

    # The desk, on the web: one therapist's day, and what a wrong pick says (in Indonesian).
    browser = spa.browser()
    assert browser.login(spa.user, spa.password) == 200
    status, _, page = browser.get(f"/bookings?day={tomorrow}&staff={rina.id}")
    assert status == 200 and 'aria-current="page">Bidan Rina' in page
    rinas = next(b for b in booked if b.staff_id == rina.id)
    assert f"/customers/{rinas.customer_id}" in page
    assert f"/customers/{next(b for b in booked if b.staff_id == dewi.id).customer_id}" not in page
    baby = Service.get(Service.name == "Pijat bayi")
    prenatal = Service.get(Service.name == "Pijat ibu hamil")
    baby_spa = Service.get(Service.name == "Baby spa")  # a room free at 11:00, but Dewi is not
    token = browser.csrf("/bookings")
    form = {"csrf": token, "phone": "0812-3450-0024", "date": str(tomorrow), "time": "11:00"}
    for service, person, words in ((baby, "99999", "pilih staf dari daftar"),
                                   (baby_spa, str(dewi.id), "Kak Dewi sudah punya 1 booking"),
                                   (prenatal, str(dewi.id), "Kak Dewi tidak mengerjakan Pijat ibu hamil")):
        status, _, page = browser.post("/bookings", {**form, "service": str(service.id), "staff": person})
        error = re.search(r'<p class="error" role="alert">(.*?)</p>', page)
        assert status == 400 and error and words in error.group(1) and "Traceback" not in page, (status, words, error)
        assert f"/customers/{rinas.customer_id}" in page, "the refusal shows the day asked, not today"
    # The refused form shows what was typed: another therapist is one choice away, not four.
    new = page[page.index('<form method="post" action="/bookings">'):]
    new = new[:new.index("</form>")]
    assert f'<option value="{prenatal.id}" selected>' in new and f'<option value="{dewi.id}" selected>' in new
    assert f'name="date" value="{tomorrow}"' in new and 'name="time" value="11:00"' in new
    # Moving Ibu's booking from Rina to Dewi: refused while Dewi is busy then, done once she is free.
    status, _, page = browser.post(f"/bookings/{rinas.id}", {"csrf": token, "action": "staff", "staff": str(dewi.id)})
    assert status == 409 and "Kak Dewi sudah punya 1 booking" in page
    assert f"/customers/{rinas.customer_id}" in page  # on the booking's day
    dewis = next(b for b in booked if b.staff_id == dewi.id)
    browser.post(f"/bookings/{dewis.id}", {"csrf": token, "action": "cancel"})
    status, _, page = browser.post(f"/bookings/{rinas.id}", {"csrf": token, "action": "staff", "staff": str(dewi.id)})
    assert status == 200 and Booking.get_by_id(rinas.id).staff_id == dewi.id
    # Now the midwife is free at 11:00 again and the third mother gets her.
    assert "Bidan Rina" in say(spa, "+6281234500023", "PESAN pijat bayi besok jam 11")
