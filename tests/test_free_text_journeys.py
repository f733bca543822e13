"""Customers who never write a keyword, one journey per demo shop.

Each test starts the real `loket run --demo KIND` and texts it through
`loket sim text` as people do: they book, ask the price, move, cancel and
complain in their own words, in Indonesian and in English. Whatever would
change something is asked back ("... Balas YA") and happens only after the
customer's YA; the answers come in the customer's language.
"""

import datetime as dt

import pytest
from test_journeys import received, say, shop_of  # noqa: F401,F811  (shop_of: a real `loket run --demo KIND`)

from appliance import clock, orders, shopdata
from appliance.models import Booking, Customer, Order, PaymentClaim, Ticket


def bookings_of(phone):
    return list(Booking.select().join(Customer).where(Customer.phone == phone).order_by(Booking.id))


def test_a_mother_books_asks_moves_cancels_and_complains_in_her_own_words(shop_of):
    spa = shop_of("spa")
    ibu = "+6281234560001"
    tz = spa.settings.tz
    tomorrow = clock.utcnow().astimezone(tz).date() + dt.timedelta(days=1)

    asked = say(spa, ibu, "kak mau pijat bayi besok jam 10 bisa?")
    assert "Balas YA" in asked and "10:00" in asked
    assert bookings_of(ibu) == [], "nothing is booked on a guess"
    booked = say(spa, ibu, "iya kak")
    [booking] = bookings_of(ibu)
    assert booking.status == "booked" and booking.service.name == "Pijat bayi"
    assert booking.starts_at.astimezone(tz).date() == tomorrow and "10:00" in booked

    assert "Rp 120.000" in say(spa, ibu, "baby spa brp ya kak?")

    asked = say(spa, ibu, "jadwal saya bisa dipindah ke lusa jam 11?")
    assert "Balas YA" in asked and "11:00" in asked
    say(spa, ibu, "ya")
    moved = [b for b in bookings_of(ibu) if b.status == "booked"]
    assert len(moved) == 1 and moved[0].starts_at.astimezone(tz).date() == tomorrow + dt.timedelta(days=1)

    asked = say(spa, ibu, "maaf kak saya gak jadi datang, anak lagi demam")
    assert "Balas YA" in asked
    say(spa, ibu, "ok")
    assert [b.status for b in bookings_of(ibu)] == ["cancelled", "cancelled"]

    opened = say(spa, ibu, "terapisnya kemarin kasar, bayi saya nangis terus. saya kecewa")
    ticket = Ticket.select().join(Customer).where(Customer.phone == ibu).get()
    assert f"T-{ticket.number:04d}" in opened

    # Money she says she sent, with no order to match it, reaches a person: never "no order".
    paid = say(spa, ibu, "kak sy udh transfer 120rb utk baby spa kemarin")
    assert "kami cek" in paid and "pesanan" not in paid
    from appliance.models import Message
    assert Message.select().where((Message.phone == ibu) & Message.text.startswith("kak sy udh transfer")
                                  & Message.needs_staff).exists()

    # "Thanks" costs no reply; a "no" changes nothing.
    assert spa.text(ibu, "makasih ya kak", wait=5).stdout == ""
    assert "Balas YA" in say(spa, ibu, "bsk jm 4 sore pijat bayi ada?")
    assert "tidak ada yang kami ubah" in say(spa, ibu, "tidak")
    assert [b.status for b in bookings_of(ibu)] == ["cancelled", "cancelled"]


def test_a_visitor_does_the_same_in_english(shop_of):
    spa = shop_of("spa")
    maria = "+6281234560002"
    asked = say(spa, maria, "Hi, can I book a baby spa tomorrow at 2pm?")
    assert "Reply YES" in asked and "14:00" in asked
    assert "booked" in say(spa, maria, "yes please")
    assert "Rp" in say(spa, maria, "How much is the prenatal massage?")
    asked = say(spa, maria, "Can I move my appointment to 4pm?")
    assert "Reply YES" in asked and "16:00" in asked
    say(spa, maria, "yes")
    asked = say(spa, maria, "Sorry, I have to cancel my booking")
    assert "cancel" in asked.lower() and "Reply YES" in asked
    say(spa, maria, "yes")
    assert all(b.status == "cancelled" for b in bookings_of(maria))
    assert "T-" in say(spa, maria, "I'm not happy, we waited 40 minutes past our booking")


def test_a_rider_prices_orders_and_pays_in_his_own_words(shop_of):
    parts = shop_of("parts")
    shopdata.use(parts.settings)
    shopdata.save_ui_settings({"payment_instructions": "BCA 1234567890 a.n. Jaya Motor"})
    gan = "+6281234560003"
    both = say(parts, gan, "buka jam brp gan? lokasi dmn")  # two questions, one SMS answering both
    assert "kami buka" in both and "Alamat kami Jl. Ahmad Yani" in both, both
    ready = say(parts, gan, "gan ready rantai set supra?")
    assert "Rantai set Supra X Rp 210.000" in ready
    again = say(parts, gan, "brp harganya gan")  # the goods just asked about, not the whole list
    assert "Rantai set Supra X Rp 210.000" in again and "Busi" not in again, again
    price = say(parts, gan, "oli mesin 1 liter harganya brp, stok ada?")
    assert "Rp 55.000" in price and "stok" in price
    asked = say(parts, gan, "saya ambil busi 2 sama oli 1 ya")
    assert "Busi NGK CPR9EA x2" in asked and "Oli mesin 1L x1" in asked and "Rp 111.000" in asked
    assert Order.select().join(Customer).where(Customer.phone == gan).count() == 0
    made = say(parts, gan, "ya gan")
    order = Order.select().join(Customer).where(Customer.phone == gan).get()
    assert orders.ref(order) in made and order.status == "new"

    # Staff check it and ask for payment: the SMS says where to pay.
    orders.set_status(order, "awaiting_payment", by=None, now=clock.utcnow(), shop=parts.shop)
    parts.kick()
    assert "BCA 1234567890" in received(parts, gan, "Bayar ke")

    asked = say(parts, gan, "udah tf 111rb ya gan")
    assert "Rp 111.000" in asked and orders.ref(order) in asked and "Balas YA" in asked
    say(parts, gan, "iya")
    assert PaymentClaim.select().where(PaymentClaim.order == order.id).get().amount == 111_000
    assert orders.ref(order) in say(parts, gan, "pesanan saya gimana gan udah dikirim?")


@pytest.mark.parametrize("kind, complaint, status_question", [
    ("isp", "inet mati total dari semalem, lampu LOS merah", "gimana perkembangan laporan saya?"),
    ("service", "printer di lantai 2 macet kertas terus", "tiket saya kok belum ditanggapi"),
])
def test_a_subscriber_complains_and_asks_after_it(shop_of, kind, complaint, status_question):
    shop = shop_of(kind)
    phone = "+6281234560004"
    opened = say(shop, phone, complaint)
    ticket = Ticket.select().join(Customer).where(Customer.phone == phone).get()
    assert f"T-{ticket.number:04d}" in opened
    assert f"T-{ticket.number:04d}" in say(shop, phone, status_question)
    english = say(shop, "+6281234560005", "My internet has been down since this morning, please check")
    assert "T-" in english and "Reply" not in english and ("ticket" in english.lower() or "complaint" in english.lower())


def test_an_online_shopper_asks_for_her_shoes_and_her_parcel(shop_of):
    shop = shop_of("shop")
    rina = "+6281234500031"  # the demo's customer with a paid order
    assert "Rp 450.000" in say(shop, rina, "sepatu pantofel hitam no 42 ada?")
    assert "O-1001" in say(shop, rina, "paket saya udah sampai mana ya")


def test_a_size_the_shop_does_not_have_is_said_and_never_swapped_for_another(shop_of):
    shop = shop_of("shop")  # its boots are a 41 only
    buyer = "+6281234560032"
    asked = say(shop, buyer, "kak mau boots ukuran 40 ada?")
    assert "ukuran 40 tidak ada" in asked and "Sepatu boots kulit coklat 41 Rp 650.000" in asked, asked
    ordered = say(shop, buyer, "mau pesan boots uk 40 1 pasang")
    assert "ukuran 40 tidak ada" in ordered and "Balas YA" not in ordered, ordered
    assert Order.select().join(Customer).where(Customer.phone == buyer).count() == 0
    # The size it has: ordered as ever (one pair: 41 is the size, not how many).
    asked = say(shop, buyer, "ok kak pesan boots ukuran 41 aja")
    assert "Sepatu boots kulit coklat 41 x1" in asked and "Balas YA" in asked, asked


def test_mau_1_after_asking_about_goods_orders_those_goods_once_she_says_ya(shop_of):
    shop = shop_of("shop")
    buyer = "+6281234560031"
    assert "Rp 650.000" in say(shop, buyer, "kak sepatu boots kulit coklat ada?")
    asked = say(shop, buyer, "mau 1 ya kak, kirim ke jl merdeka 5 bandung")
    assert "Sepatu boots kulit coklat 41 x1" in asked and "Balas YA" in asked, asked
    assert Order.select().join(Customer).where(Customer.phone == buyer).count() == 0, "nothing ordered on a guess"
    assert "O-" in say(shop, buyer, "ya")
    order = Order.select().join(Customer).where(Customer.phone == buyer).get()
    assert [(i.name, i.quantity) for i in order.items] == [("Sepatu boots kulit coklat 41", 1)]
