"""Loyalty points, and prize draws anyone can verify."""

import datetime as dt
import hashlib
import zoneinfo

import pytest
from support import owner_sets, text_in

from appliance import auth, draws, loyalty
from appliance.conversation import Shop
from appliance.customers import customer_for
from appliance.models import AuditEntry, Customer, Message
from appliance.responder import Responder

T0 = dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def owner(shop):
    return auth.create_user("owner", "correct horse battery", "owner")


def test_a_visit_earns_points_once(shop):
    sari = customer_for("+6281200000001")
    assert loyalty.award_visit(sari, "booking:1", T0).delta == 10
    assert loyalty.award_visit(sari, "booking:1", T0) is None  # the same visit again
    loyalty.award_visit(sari, "booking:2", T0)
    assert Customer.get_by_id(sari.id).points == 20


def test_purchases_earn_by_amount_with_rules_from_the_shop(shop):
    budi = customer_for("+6281200000002")
    assert loyalty.award_purchase(budi, 255_000, "order:1", T0).delta == 25
    owner_sets(points_per_rupiah=1000)
    assert loyalty.award_purchase(budi, 5_500, "order:2", T0).delta == 5
    assert loyalty.award_purchase(budi, 999, "order:3", T0) is None
    assert Customer.get_by_id(budi.id).points == 30


def test_staff_adjust_with_a_reason_and_never_below_zero(owner):
    sari = customer_for("+6281200000001")
    loyalty.adjust(sari, 50, reason="welcome gift", by=owner, now=T0)
    with pytest.raises(loyalty.LoyaltyError, match="reason"):
        loyalty.adjust(sari, 5, reason="  ", by=owner)
    with pytest.raises(loyalty.LoyaltyError, match="below zero"):
        loyalty.adjust(sari, -51, reason="oops", by=owner)
    for bad in (0, 10**7, 1.5, True):
        with pytest.raises(loyalty.LoyaltyError):
            loyalty.adjust(sari, bad, reason="x", by=owner)
    loyalty.redeem(sari, 20, reason="free massage", by=owner, now=T0)
    assert Customer.get_by_id(sari.id).points == 30
    assert AuditEntry.select().where(AuditEntry.action == "points").count() == 2


def test_poin_answers_the_balance(shop):
    responder = Responder(Shop(name="Spa Bunda", tz=zoneinfo.ZoneInfo("Asia/Jakarta")))
    sari = customer_for("+6281200000001")
    loyalty.award_visit(sari, "booking:1", T0)
    _, [reply] = text_in("+6281200000001", "Poin?", T0, responder)
    assert "10" in reply.text


def test_pick_winners_is_a_pure_reproducible_function():
    entries = [draws.Entry(i, w) for i, w in [(1, 1), (2, 5), (3, 1), (4, 1)]]
    first = draws.pick_winners("seed-a", entries, 2)
    assert first == draws.pick_winners("seed-a", list(reversed(entries)), 2)  # order of input does not matter
    assert len(set(first)) == 2  # nobody wins twice
    assert draws.pick_winners("seed-a", entries, 10) and len(draws.pick_winners("seed-a", entries, 10)) == 4
    assert draws.pick_winners("seed-a", [], 3) == []


def test_weights_matter_over_many_seeds():
    entries = [draws.Entry(1, 1), draws.Entry(2, 9)]
    wins = sum(draws.pick_winners(f"s{n}", entries, 1) == [2] for n in range(2000))
    assert 1700 < wins < 1900  # about 90 %


def test_a_draw_from_commitment_to_verification(owner):
    people = [customer_for(f"+62812000000{n:02d}") for n in range(12)]
    for n, customer in enumerate(people):
        loyalty.award_purchase(customer, 10_000 * (n + 1), f"order:{n}", T0 + dt.timedelta(days=1))
    late = customer_for("+6281299999999")
    loyalty.award_visit(late, "booking:late", T0 + dt.timedelta(days=40))  # outside the period
    draw = draws.create_draw("Undian November", period_start=T0, period_end=T0 + dt.timedelta(days=30),
                               prizes=["Voucher pijat", "Handuk bayi"], min_points=3, weighting="points", by=owner)
    with pytest.raises(loyalty.LoyaltyError, match="commitment"):
        draws.run(draw, now=T0 + dt.timedelta(days=31))
    commitment = draws.commit(draw, by=owner, now=T0)
    assert draws.public_view(draw).get("seed") is None  # the seed stays secret until the draw
    with pytest.raises(loyalty.LoyaltyError, match="not ended"):
        draws.run(draw, now=T0 + dt.timedelta(days=2))
    winners = draws.run(draw, by=owner, now=T0 + dt.timedelta(days=31))
    assert [w.rank for w in winners] == [1, 2]

    view = draws.public_view(draw)
    assert hashlib.sha256(view["seed"].encode()).hexdigest() == commitment
    assert view["seed_matches"] and view["winners_match"]
    assert len(view["entries"]) == 10  # 12 customers, 2 below the minimum; the late one is out
    assert all("…" in e["who"] for e in view["entries"])

    assert draws.notify_winners(draw, shop="Spa Bunda") == 2
    assert draws.notify_winners(draw, shop="Spa Bunda") == 0  # once
    texts = [m.text for m in Message.select().where(Message.template == "draw_winner")]
    assert all("Voucher pijat" in t or "Handuk bayi" in t for t in texts)
    actions = [a.action for a in AuditEntry.select().where(AuditEntry.action.startswith("draw"))]
    assert actions == ["draw.create", "draw.commit", "draw.run", "draw.notify"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(name=""), "name"),
    (dict(prizes=[]), "prize"),
    (dict(period_end=T0 - dt.timedelta(days=1)), "period"),
    (dict(weighting="loudest"), "weighted"),
    (dict(min_points=-1), "negative"),
])
def test_bad_draws_are_refused(shop, kwargs, message):
    args = dict(name="Undian", period_start=T0, period_end=T0 + dt.timedelta(days=30), prizes=["Voucher"])
    args.update(kwargs)
    with pytest.raises(loyalty.LoyaltyError, match=message):
        draws.create_draw(**args)


def test_a_draw_to_the_end_of_december_ends_on_the_31st_in_the_shops_zone(shop):
    # The end is stored as the midnight after the last day, and in UTC (17:00 on the 31st in Jakarta).
    jakarta = zoneinfo.ZoneInfo("Asia/Jakarta")
    draw = draws.create_draw("Undian Desember", period_start=dt.datetime(2026, 12, 1, tzinfo=jakarta),
                             period_end=dt.datetime(2027, 1, 1, tzinfo=jakarta), prizes=["Voucher"])
    assert draws.period_days(draw, jakarta) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    ends_midday = draws.create_draw("Kilat", period_start=T0, period_end=T0 + dt.timedelta(hours=5),
                                    prizes=["Voucher"])  # one that ends during a day ends on that day
    assert draws.period_days(ends_midday, jakarta) == (dt.date(2026, 11, 1), dt.date(2026, 11, 1))
