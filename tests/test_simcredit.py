"""Reading the SIM's credit and active period from the operators' replies.

The samples below are WRITTEN SAMPLES, not captured from a live network:
they follow the shapes the Indonesian operators' balance replies (USSD and
SMS) are commonly seen in, as customers and shopkeepers quote them in
forums and the operators' own help pages describe them (Telkomsel *888#,
Indosat Ooredoo *555#, XL/Axis *808#, Tri *111#, Smartfren *999#). Wording
changes often; what must hold is that a reply read is read right, and one
not recognised is unknown, never a guess.
"""

from __future__ import annotations

import datetime as dt

import pytest

from appliance import simcredit
from appliance.simcredit import Balance, parse

D = dt.date

SAMPLES = {
    "telkomsel": [
        ("Sisa Pulsa Anda Rp12.500. Aktif s.d. 15-01-2027. Cek kuota & promo: *363#", 12_500, D(2027, 1, 15)),
        ("Pulsa Rp 3.250 s.d 20/02/2027. Nikmati Paket Combo Sakti 10GB Rp50.000, ketik *363*1#", 3_250,
         D(2027, 2, 20)),
        ("Sisa pulsa Rp150.000, masa aktif 31-12-2026. Poin Telkomsel: 120. Info 188", 150_000, D(2026, 12, 31)),
        ("Sisa Pulsa Anda Rp0. Masa tenggang s.d. 05-01-2027. Isi ulang sekarang!", 0, D(2027, 1, 5)),
    ],
    "indosat": [
        ("Pulsa Anda Rp7.300, aktif s/d 03/03/2027. Nikmati Freedom Internet 15GB hanya Rp45rb, tekan 1",
         7_300, D(2027, 3, 3)),
        ("Sisa pulsa: Rp 25.000 Masa aktif s.d 28-02-2027. IM3 Ooredoo", 25_000, D(2027, 2, 28)),
        ("Pulsa utama Rp1.250. Aktif sampai 10 Jan 2027. 1.Beli Paket 2.Cek Kuota", 1_250, D(2027, 1, 10)),
    ],
    "xl": [
        ("Pulsamu Rp10.150 aktif s/d 12-Feb-2027. Mau Xtra Combo 10GB Rp59rb? Ketik 1", 10_150, D(2027, 2, 12)),
        ("Pulsa Rp 2.500 Aktif s/d 05.03.2027. Info: *808*1#", 2_500, D(2027, 3, 5)),
        ("Sisa pulsa AXIS kamu Rp 45.600, berlaku sampai 2027-04-01. Beli BRONET 2GB Rp 10.000 ketik *123#",
         45_600, D(2027, 4, 1)),
    ],
    "tri": [
        ("Pulsa: Rp 25000, Aktif s/d 2027-01-31. Beli AlwaysOn 6GB Rp 30000", 25_000, D(2027, 1, 31)),
        ("Sisa pulsa Rp3.200. Masa aktif sampai 28/02/2027. Bonus Kuota 0MB", 3_200, D(2027, 2, 28)),
        ("Your balance is Rp 5.000, active until 14-03-2027. Dial *123# for packages", 5_000, D(2027, 3, 14)),
    ],
    "smartfren": [
        ("Saldo Rp 20.000 Masa Aktif 10-04-2027", 20_000, D(2027, 4, 10)),
        ("Pulsa Utama Rp15.000 berlaku hingga 10/04/2027. Unlimited Nonstop Rp 75.000 ketik 1", 15_000,
         D(2027, 4, 10)),
        ("Sisa saldo Anda Rp.8.750,00 aktif sd 01-05-27", 8_750, D(2027, 5, 1)),
    ],
}


@pytest.mark.parametrize("operator,text,credit,until",
                         [(o, *sample) for o, samples in SAMPLES.items() for sample in samples],
                         ids=lambda v: v if isinstance(v, str) and len(v) < 12 else "")
def test_each_operators_reply_gives_its_credit_and_active_until_date(operator, text, credit, until):
    assert parse(text) == Balance(credit, until)


UNREADABLE = [
    "Maaf, layanan sedang sibuk. Silakan coba beberapa saat lagi.",  # the network is busy
    "UNKNOWN APPLICATION",
    "1.Info Pulsa 2.Paket Internet 3.Promo 0.Keluar",  # a menu, not an answer
    "Beli paket 10GB hanya Rp25.000, aktif 30 hari! Ketik 1",  # a price, not the credit
    "",
    None,
]


@pytest.mark.parametrize("text", UNREADABLE)
def test_a_reply_that_says_no_credit_is_unknown_never_a_guess(text):
    assert parse(text) == Balance(None, None)
    assert not parse(text).known


def test_two_different_credits_in_one_text_are_unknown():
    balance = parse("Pulsa Rp5.000. Pulsa bonus Rp 2.000. Aktif s.d. 01-02-2027")
    assert balance.credit is None and balance.active_until == D(2027, 2, 1)


def test_an_impossible_date_is_unknown():
    assert parse("Sisa Pulsa Anda Rp1.000. Aktif s.d. 31-02-2027").active_until is None


@pytest.mark.parametrize("name,imsi,code", [
    ("TELKOMSEL", "", "*888#"), ("", "510101234567890", "*888#"), ("INDOSAT OOREDOO", "", "*555#"),
    ("IM3", "", "*555#"), ("XL Axiata", "", "*808#"), ("AXIS", "", "*808#"), ("3", "", "*111#"),
    ("", "510891234567890", "*111#"), ("Smartfren", "", "*999#"), ("SIMULATOR", "", ""),
])
def test_the_balance_code_comes_from_the_operator_or_its_sim(name, imsi, code):
    assert simcredit.balance_code(name, imsi) == code


def test_the_owners_code_wins_over_the_operators():
    assert simcredit.balance_code("TELKOMSEL", "", "*100#") == "*100#"


def test_a_credit_too_short_for_the_promotions_holds_promotions_only():
    from appliance.policy import may_send
    open_hours = dict(quiet=False, capped=False, clock_trusted=True, credit_short=True)
    assert not may_send("marketing", **open_hours)
    assert may_send("transactional", **open_hours) and may_send("reminder", **open_hours)
