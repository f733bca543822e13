"""The shop's kind and catalogue shape the conversation: which keywords are
on, what PESAN means, what BANTUAN lists, and which examples a reply gives."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from support import text_in

from appliance import catalogue, shopdata
from appliance.conversation import Shop
from appliance.models import Order
from appliance.responder import Responder

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=JAKARTA)
SHOP = Shop(name="Toko Kita", tz=JAKARTA)
PHONE = "+6281234567890"


@pytest.fixture
def responder(shop):
    shopdata.invalidate()
    return Responder(SHOP)


def kind(name: str) -> None:
    shopdata.put("shop_type", name)  # what the wizard stores


def test_a_new_online_shop_without_a_catalogue_never_cites_a_spa(responder):
    kind("shop")
    _, replies = text_in(PHONE, "pesan sepatu pantofel hitam ukuran 42", NOW, responder)
    assert replies and all("pijat" not in r.text.lower() for r in replies)
    _, [help] = text_in("+6281234567891", "BANTUAN", NOW, responder)
    assert "BELI" in help.text and "PESAN" not in help.text and "ANTRI" not in help.text


def test_pesan_in_a_parts_shop_is_an_order(responder):
    kind("parts")
    catalogue.add_product("Busi NGK CPR9EA", price=28_000, stock=80, category="busi", sku="BS-01")
    _, [reply] = text_in(PHONE, "pesan busi NGK 4", NOW, responder)
    order = Order.get()
    assert order.total == 4 * 28_000 and "O-" in reply.text
    _, [help] = text_in("+6281234567891", "BANTUAN", NOW, responder)
    assert "BELI" in help.text and "ANTRI" not in help.text and "UBAH" not in help.text


def test_a_spa_that_sells_baby_clothes_books_services_and_sells_goods(responder):
    kind("spa")
    catalogue.add_service("Pijat bayi", duration_minutes=60, price=85_000)
    catalogue.add_product("Baju bayi katun", price=45_000, stock=20)
    _, [booking] = text_in(PHONE, "PESAN pijat bayi besok", NOW, responder)
    assert "1)" in booking.text  # the free times
    _, [order] = text_in("+6281234567891", "PESAN baju bayi katun 2", NOW, responder)
    assert "O-" in order.text and Order.get().total == 90_000
    _, [help] = text_in("+6281234567892", "BANTUAN", NOW, responder)
    assert "PESAN" in help.text and "BELI" in help.text and "ANTRI" in help.text


def test_examples_in_replies_come_from_the_shops_own_goods(responder):
    kind("parts")
    catalogue.add_product("Rantai set Supra X", price=210_000, stock=12, sku="RS-07")
    _, [reply] = text_in(PHONE, "BELI", NOW, responder)
    assert "RS-07" in reply.text and "KR-01" not in reply.text
