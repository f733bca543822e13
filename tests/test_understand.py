"""Reading customers' own words (understand.py), tested on the texts customers
really send: the shared corpus and the project's own larger set, each against
the catalogue of the demo shop it was written to."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import texts

from appliance import understand

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=JAKARTA)  # a Wednesday morning
ALL = texts.all_texts()


@pytest.fixture(scope="module")
def lexicons(tmp_path_factory):
    """Each demo shop's catalogue, as the reader sees it."""
    return texts.demo_lexicons(tmp_path_factory.mktemp("shops"))


def test_the_corpus_is_all_here():
    assert len([t for t in ALL if t.source == "customer-texts.tsv"]) == 56
    assert len([t for t in ALL if t.source == "free-texts.tsv"]) >= 80
    assert {t.intent for t in ALL} >= set(understand.INTENTS) - {"help", "info"}


@pytest.mark.parametrize("text", ALL, ids=str)
def test_every_text_is_understood_as_meant(text, lexicons):
    read = understand.understand(text.text, lexicons[text.kind], NOW)
    assert read.intent == text.intent, read.label()
    assert (read.language or "id") == text.language
    got = [(item.name, item.quantity) for item in read.items]
    for name, quantity in texts.expected_items(text):
        match = [g for g in got if texts.item_matches(name, g[0])]
        assert match, f"{name} not among {got}"
        if quantity is not None:
            assert match[0][1] == quantity, f"{name}: {match[0][1]} instead of {quantity}"
    if "day" in text.names:
        assert read.day == texts.expected_day(text, NOW), read.label()
    if "time" in text.names:
        assert read.time == dt.time.fromisoformat(text.names["time"]), read.label()
    if "amount" in text.names:
        assert read.amount == int(text.names["amount"])
    if "order" in text.names:
        assert read.order == int(text.names["order"].removeprefix("O-"))
    if "ticket" in text.names:
        assert read.ticket == int(text.names["ticket"].removeprefix("T-"))
    if "name" in text.names:
        assert read.name == text.names["name"]


@pytest.mark.parametrize("text, quantity, size", [
    ("mau boots ukuran 40", None, 40),
    ("pesan boots uk 40 1 pasang", 1, 40),
    ("boots size 39 x2 please", 2, 39),
    ("sandal x2", 2, None),
    ("ada sandal no 42?", None, 42),
    ("sandal 3 pasang", 3, None),
    ("boots ukuran", None, None),  # the word, and no number: nothing read
])
def test_a_number_after_ukuran_is_the_size_not_how_many(text, quantity, size, lexicons):
    [item] = understand.understand(text, lexicons["shop"], NOW).products
    assert (item.quantity, item.size) == (quantity, size)


@pytest.mark.parametrize("written, spelt", [
    ("kak bsk jm 10 bisa pijat bayi?", "besok jam 10 bisa pijat bayi"),
    ("gan brp harga busi? sy mau 2", "berapa harga busi saya mau 2"),
    ("udh tf 120rb utk O-1001", "sudah transfer 120rb untuk o 1001"),
    ("inet mati trus, gk bs buka apa2", "internet mati terus tidak bisa buka apa"),
    ("Sepatunya kekecilan kak!!", "sepatu kekecilan"),
])
def test_the_abbreviations_of_sms_are_spelt_out(written, spelt):
    assert " ".join(understand.words(written)) == spelt


@pytest.mark.parametrize("text, language", [
    ("Booking pijat bayi besok jam 10", "id"),  # 'booking' is a loanword: the rest is Indonesian
    ("info", None), ("ok", None), ("promo", None), ("cancel", None), ("menu", None),
    ("Hi, can I book a baby massage tomorrow at 10am?", "en"),
    ("SELECT * FROM customer;", None), ("12345", None), ("", None),
    ("jangan kirim sms promo lagi ya", "id"), ("Please stop sending me messages", "en"),
])
def test_the_language_of_a_text_is_judged_on_its_own(text, language):
    assert understand.language(text) == language


@pytest.mark.parametrize("text", ["", " ", "😀😀", "\x00\x01", "x" * 5000, "1" * 400, "?" * 100,
                                  "ＰＥＳＡＮ　pijat", "<script>alert(1)</script>", "Rp 1e308", "O-99999999999"])
def test_odd_texts_are_read_without_failing(text, lexicons):
    read = understand.understand(text, lexicons["spa"], NOW)
    assert read.intent in understand.INTENTS
    assert read.amount is None or 0 < read.amount <= 2_000_000_000
    understand.from_json(read.as_json())  # stored and read back


def test_thanks_and_greetings_never_become_a_booking_or_a_ticket(lexicons):
    for text in ("ok", "oke kak", "siap", "makasih ya kak", "terima kasih", "Thanks!", "P", "halo", "assalamualaikum",
                 "selamat pagi", "sip", "mantap kak"):
        assert understand.understand(text, lexicons["spa"], NOW).intent in ("thanks", "greeting"), text


def test_a_taught_phrase_wins_and_a_staff_made_answer_is_found(lexicons):
    lexicon = understand.Lexicon(lexicons["spa"].entries, taught={understand.phrase_key("ada diskon ga"): "price"},
                                 infos={"REKENING": ("nomor rekening",)})
    assert understand.understand("Ada diskon gak kak?", lexicon, NOW).intent == "price"
    assert understand.understand("ada diskon ga", lexicon, NOW).how == "taught"
    read = understand.understand("kak nomor rekeningnya berapa?", lexicon, NOW)
    assert (read.intent, read.info) == ("info", "REKENING")
    assert understand.understand("REKENING", lexicon, NOW).info == "REKENING"
