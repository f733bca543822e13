"""Campaigns to segments: preview before sending, consent always, progress after."""

import datetime as dt

import pytest
from support import owner_sets

from appliance import campaigns, customers
from appliance.models import Booking, Campaign, Message, Service

NOW = dt.datetime(2026, 11, 22, 5, 0, tzinfo=dt.timezone.utc)


def person(phone, name="", *, marketing=True, reminder=True, tags=(), points=0, visited_days_ago=None):
    c = customers.customer_for(phone)
    c.name, c.consent_marketing, c.consent_reminder, c.points = name, marketing, reminder, points
    if visited_days_ago is not None:
        c.last_visit_at = NOW - dt.timedelta(days=visited_days_ago)
    c.save()
    if tags:
        customers.set_tags(c, tags)
    return c


@pytest.fixture
def people(shop):
    return {
        "sari": person("+6281200000001", "Sari", tags=["vip", "ibu hamil"], points=120, visited_days_ago=3),
        "budi": person("+6281200000002", "Budi", tags=["vip"], points=10, visited_days_ago=60),
        "ani": person("+6281200000003", "Ani", marketing=False, tags=["vip"], visited_days_ago=1),
        "tono": person("+6281200000004", "Tono", reminder=False, marketing=False),
        "dewi": person("+6281200000005", "Dewi", points=500),
    }


def names(segment, kind="promotion"):
    return sorted(c.name for c in campaigns.recipients(campaigns.clean_segment(segment), kind, NOW))


def test_segments(people):
    assert names({}) == ["Budi", "Dewi", "Sari"]  # Ani and Tono did not agree to promotions
    assert names({}, "announcement") == ["Ani", "Budi", "Dewi", "Sari"]  # Tono texted STOP
    assert names({"tags": "VIP"}) == ["Budi", "Sari"]
    assert names({"tags": ["vip", "ibu hamil"], "tags_mode": "all"}) == ["Sari"]
    assert names({"visited_within_days": 30}) == ["Sari"]
    assert names({"not_visited_for_days": 30}) == ["Budi"]  # lapsed customers
    assert names({"min_points": 100}) == ["Dewi", "Sari"]


def test_segment_by_service_used(people):
    service = Service.create(name="Pijat bayi", duration_minutes=60)
    Booking.create(customer=people["budi"], service=service, starts_at=NOW, ends_at=NOW, status="done")
    Booking.create(customer=people["dewi"], service=service, starts_at=NOW, ends_at=NOW, status="no_show")
    assert names({"service": service.id}) == ["Budi"]


@pytest.mark.parametrize("segment, message", [
    ({"colour": "red"}, "unknown segment rule"),
    ({"min_points": "lots"}, "whole number"),
    ({"min_points": -5}, "out of range"),
    ({"tags": "vip", "tags_mode": "some"}, "any or all"),
    ({"language": "fr"}, "id or en"),
])
def test_bad_segments_are_refused(shop, segment, message):
    with pytest.raises(campaigns.CampaignError, match=message):
        campaigns.clean_segment(segment)


def test_preview_shows_recipients_encoding_parts_and_cost(people):
    owner_sets(sms_price=200)
    plain = campaigns.preview("Halo {name}, diskon 20% pijat bayi minggu ini!", {"tags": "vip"})
    assert plain["recipients"] == 2 and plain["encoding"] == "gsm7" and plain["parts_each"] == 1
    assert plain["cost"] == 400 and plain["sample"] == ["Sari", "Budi"]
    emoji = campaigns.preview("Halo {name} 🎉 diskon!", {"tags": "vip"})
    assert emoji["encoding"] == "ucs2" and emoji["offending"] == "🎉"
    long = campaigns.preview("x" * 400, {})
    assert long["parts_each"] == 3 and long["parts_total"] == 9


@pytest.mark.parametrize("text, message", [("", "write the message"), ("  ", "write the message"),
                                           ("x" * 1001, "at most 1000")])
def test_bad_texts_are_refused(shop, text, message):
    with pytest.raises(campaigns.CampaignError, match=message):
        campaigns.preview(text, {})


def test_starting_twice_queues_each_recipient_once_with_their_name(people):
    campaign = campaigns.create("Promo Desember", "Halo {name}, diskon 20%!", {"tags": "vip"}, now=NOW)
    assert campaigns.start(campaign, now=NOW) == 2
    assert campaigns.start(campaign, now=NOW) == 0  # a re-run after a crash
    texts = sorted(m.text for m in Message.select().where(Message.campaign == campaign))
    assert texts == ["Halo Budi, diskon 20%!", "Halo Sari, diskon 20%!"]
    assert {m.category for m in Message.select()} == {"marketing"}
    progress = campaigns.progress(campaign)
    assert progress["total"] == 2 and progress["waiting"] == 2 and progress["done_percent"] == 0


def test_announcements_go_as_service_news(people):
    campaign = campaigns.create("Gangguan", "Info: jaringan perbaikan Minggu 01.00-03.00.", {},
                                kind="announcement", now=NOW)
    campaigns.start(campaign, now=NOW)
    assert {m.category for m in Message.select()} == {"reminder"}
    assert Message.select().count() == 4


def test_a_scheduled_campaign_starts_on_time_and_closes_when_done(people):
    campaign = campaigns.create("Promo", "Diskon!", {}, now=NOW)
    with pytest.raises(campaigns.CampaignError, match="future"):
        campaigns.schedule(campaign, NOW - dt.timedelta(minutes=1), now=NOW)
    campaigns.schedule(campaign, NOW + dt.timedelta(hours=1), now=NOW)
    assert campaigns.run_campaigns(None, NOW)["started"] == 0
    assert campaigns.run_campaigns(None, NOW + dt.timedelta(hours=1))["started"] == 1
    Message.update(state="sent").execute()
    campaigns.run_campaigns(None, NOW + dt.timedelta(hours=2))
    assert Campaign.get_by_id(campaign.id).status == "done"


def test_cancel_stops_what_has_not_gone(people):
    campaign = campaigns.create("Promo", "Diskon!", {}, now=NOW)
    campaigns.start(campaign, now=NOW)
    Message.update(state="sent").where(Message.phone == "+6281200000001").execute()
    assert campaigns.cancel(campaign, now=NOW) == 2
    assert campaigns.progress(campaign)["by_state"] == {"sent": 1, "cancelled": 2}
