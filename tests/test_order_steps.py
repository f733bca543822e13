"""The steps a shop may switch on between paid and shipped ("diproses", "dikemas"), over real
HTTP on a real `loket web` and SQLite file: one tap moves a paid order on, a double tap does
not skip a step, a step back is refused in the staff's words, a packed order still changes and
ships; the customer's STATUS reply names the step; the online-shop demo uses them."""

import datetime as dt
import html
import json
import re

import pytest
from support import REPO, Browserless, owner_sets, start_web, text_in
from test_orders import SHOP, T0, budi_orders, sms_to, texts

from appliance import auth, db, demo, events, migrations, orders, shopdata, webhooks
from appliance import settings as settings_module
from appliance.models import AuditEntry, Customer, HookDelivery, Message, Order, User
from appliance.responder import Responder

PASSWORD = "correct horse battery"
SHOTS = REPO / "test-output" / "order-steps"


def _site(tmp_path_factory, kind):
    data_dir = tmp_path_factory.mktemp(f"steps-{kind}")
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    demo.seed(data_dir, kind)
    shopdata.invalidate()
    auth.create_user("frontdesk", PASSWORD, "frontdesk", language="id")
    owner = User.get(User.username == "owner")
    owner.password_hash, owner.language = auth.hash_password(PASSWORD), "id"
    owner.save()
    return data_dir, database


@pytest.fixture(scope="module")
def parts_site(tmp_path_factory):
    """The parts dealer's demo, steps off as every shop starts: O-1001 awaits payment."""
    data_dir, database = _site(tmp_path_factory, "parts")
    with start_web(data_dir) as url:
        yield url
    database.close()


@pytest.fixture(scope="module")
def shoe_site(tmp_path_factory):
    """The online shoe shop's demo: steps on, O-1003 in production, O-1004 packed."""
    data_dir, database = _site(tmp_path_factory, "shop")
    with start_web(data_dir) as url:
        yield url
    database.close()


def login(url, user):
    browser = Browserless(url)
    assert browser.login(user, PASSWORD) == 200
    return browser


def text_of(page):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def move(browser, number, status, **fields):
    return browser.post(f"/orders/{number}", {"csrf": browser.csrf(f"/orders/{number}"), "action": "status",
                                               "status": status, **fields})


def test_with_the_steps_off_a_paid_order_ships_as_before(parts_site):
    desk = login(parts_site, "frontdesk")
    assert move(desk, 1001, "paid")[0] == 200
    _, _, page = desk.get("/orders/1001")
    assert "step-form" not in page and "Tandai dikemas" not in page
    assert '<option value="packed">' not in page and '<option value="in_production">' not in page
    status, _, page = move(desk, 1001, "packed")
    assert status == 409
    assert ("O-1001 berstatus sudah bayar; tidak bisa menjadi dikemas. Dari sini bisa menjadi: dikirim, selesai, "
            "dibatalkan") in text_of(page)
    _, _, listed = desk.get("/orders")
    assert 'value="packed"' not in listed, "the list offers no filter for a step the shop does not use"
    assert Order.get(Order.number == 1001).status == "paid"


def test_switched_on_a_paid_order_is_made_packed_changed_and_shipped(parts_site):
    owner, desk = login(parts_site, "owner"), login(parts_site, "frontdesk")
    _, _, settings_page = owner.get("/settings/shop?open=orders")
    assert "Tahap antara dibayar dan dikirim" in text_of(settings_page)
    saved = owner.post("/settings/shop", {"csrf": owner.csrf("/settings/shop"), "section": "orders",
                                          "order_steps": "production", "order_packed_sms": "true"})
    assert saved[0] == 200
    number = 1001
    if Order.get(Order.number == number).status != "paid":  # run alone: the test above pays it
        assert move(desk, number, "paid")[0] == 200
    _, _, page = desk.get(f"/orders/{number}")
    assert "Tandai diproses" in page and 'name="status" value="in_production"' in page
    # A double tap sends the same step twice: it is made once and skips nothing.
    for _ in range(2):
        status, _, page = move(desk, number, "in_production")
        assert status == 200, text_of(page)
    order = Order.get(Order.number == number)
    assert order.status == "in_production"
    assert "diproses" in text_of(page) and "Tandai dikemas" in page
    steps = [a.detail for a in AuditEntry.select().where((AuditEntry.action == "order.status")
                                                         & (AuditEntry.target == "O-1001")).order_by(AuditEntry.id)]
    assert steps[-1] == "paid -> in production" and steps.count("paid -> in production") == 1
    # No step back, and nothing that is not a status at all.
    for back, says in (("paid", "tidak bisa menjadi sudah bayar"),
                       ("awaiting_payment", "berstatus diproses; tidak bisa menjadi menunggu bayar. "
                                            "Dari sini bisa menjadi: dikemas, dikirim")):
        status, _, page = move(desk, number, back)
        assert status == 409 and says in text_of(page), re.search(r'class="error"[^<]*', page).group(0)
    # Still changed while it is being made: the total may go down.
    _, _, page = desk.get(f"/orders/{number}")
    line = re.findall(r'name="(qty\d+)"', page)[-1]  # the oil: taken off
    version = re.search(r'name="seen" value="([^"]+)"', page).group(1)
    changed = desk.post(f"/orders/{number}", {"csrf": desk.csrf(f"/orders/{number}"), "action": "edit",
                                              "seen": version, line: "0"})
    assert changed[0] == 200 and Order.get(Order.number == number).total < order.total
    for _ in range(2):
        assert move(desk, number, "packed")[0] == 200
    assert Order.get(Order.number == number).status == "packed"
    phone = Customer.get_by_id(order.customer_id).phone
    packed = [m.text for m in Message.select().where((Message.phone == phone) & (Message.template == "order_packed"))]
    assert len(packed) == 1 and "pesanan O-1001 sudah dikemas dan siap dikirim" in packed[0], packed
    status, _, page = move(desk, number, "in_production")
    assert status == 409 and ("O-1001 berstatus dikemas; tidak bisa menjadi diproses. Dari sini bisa menjadi: "
                              "dikirim, selesai, dibatalkan") in text_of(page)
    status, _, page = move(desk, number, "shipped", courier="JNE", tracking="CGK0123456789")
    assert status == 200
    order = Order.get(Order.number == number)
    assert (order.status, order.courier, order.tracking) == ("shipped", "JNE", "CGK0123456789")
    _, _, listed = desk.get("/orders")
    assert 'value="packed"' in listed and 'value="in_production"' in listed


def test_the_online_shop_demo_has_orders_in_production_and_packed(shoe_site, browser):
    desk = login(shoe_site, "frontdesk")
    assert shopdata.setting("order_steps") == "production" and shopdata.setting("order_packed_sms") is True
    _, _, made = desk.get("/orders/1003")
    assert "O-1003 · diproses" in text_of(made) and "Tandai dikemas" in made
    _, _, packed = desk.get("/orders/1004")
    assert "O-1004 · dikemas" in text_of(packed) and "step-form" not in packed and "ship-form" in packed
    _, _, receipt = desk.get("/orders/1004")
    assert "/orders/1004/receipt" in receipt, "a packed order is paid: its receipt prints"
    # One tap on a phone: the button is whole, wide and tall enough for a thumb.
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(shoe_site + "/login")
    page.fill("input[name=username]", "frontdesk")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard"))
    page.goto(shoe_site + "/orders/1003")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    button = page.locator(".step-form button")
    box = button.bounding_box()
    assert box["width"] >= 300 and box["height"] >= 44 and box["y"] + box["height"] <= 844, box
    page.screenshot(path=str(SHOTS / "order-1003-390-id.png"), full_page=True)
    button.click()
    page.wait_for_url(re.compile(r".*/orders/1003"))
    assert "dikemas" in page.locator("h1").inner_text()
    page.screenshot(path=str(SHOTS / "order-1003-packed-390-id.png"), full_page=True)
    context.close()


# -- the customer asks, the owner's webhook hears (in process) ---------------------------------------

@pytest.fixture
def responder(shop):
    shopdata.invalidate()
    return Responder(SHOP)


@pytest.fixture
def staff(shop):
    return User.create(username="admin", password_hash="x", role="admin")


@pytest.fixture
def parts(shop):
    from appliance import catalogue
    return {"kampas": catalogue.add_product("Kampas Rem Vario", price=75_000, stock=10, category="Rem", sku="KR-01"),
            "oli": catalogue.add_product("Oli Mesin 1L", price=100_000, stock=3, category="Oli")}


def test_status_names_the_step_in_the_customers_language(responder, staff, parts):
    owner_sets(order_steps="production")
    events.use(None)  # no stamp file: the new hook is seen at once
    hook = webhooks.create("http://127.0.0.1:9/hook", ["order.changed"])
    order = orders.set_status(budi_orders(parts, staff), "paid", by=staff, now=T0, shop=SHOP)
    orders.set_status(order, "in_production", by=staff, now=T0 + dt.timedelta(hours=1), shop=SHOP)
    _, replies = text_in("+6281234500002", "STATUS O-1001", T0 + dt.timedelta(hours=2), responder)
    assert texts(replies) == ["Motor Jaya: pesanan O-1001 (3 barang, total Rp 250.000): sedang diproses (dibuat)."]
    _, replies = text_in("+6281234500002", "pesanan saya gimana?", T0 + dt.timedelta(hours=3), responder)
    assert texts(replies)[0].endswith("sedang diproses (dibuat).")
    orders.set_status(order, "packed", by=staff, now=T0 + dt.timedelta(hours=4), shop=SHOP)
    Customer.update(language="en").where(Customer.phone == "+6281234500002").execute()
    _, replies = text_in("+6281234500002", "STATUS O-1001", T0 + dt.timedelta(hours=5), responder)
    assert texts(replies) == ["Motor Jaya: order O-1001 (3 items, total Rp 250.000): packed, waiting to be shipped."]
    # The packed SMS is the owner's choice: off here, so the customer got none for either step.
    assert not Message.select().where(Message.template == "order_packed").exists()
    changes = [json.loads(d.body)["data"]["change"] for d in
               HookDelivery.select().where((HookDelivery.hook == hook.id) & (HookDelivery.event == "order.changed"))
               .order_by(HookDelivery.id)]
    assert changes == ["in_production", "packed"]


def test_packed_texts_once_when_the_owner_wants_it_and_steps_are_optional(staff, parts):
    owner_sets(order_steps="packed", order_packed_sms=True)
    order = orders.set_status(budi_orders(parts, staff), "paid", by=staff, now=T0, shop=SHOP)
    assert orders.onward("paid") == ("packed", "shipped", "done", "cancelled")
    with pytest.raises(orders.OrderError, match="it cannot become in production"):
        orders.set_status(order, "in_production", by=staff, now=T0, shop=SHOP)
    for minutes in (1, 2):
        orders.set_status(order, "packed", by=staff, now=T0 + dt.timedelta(minutes=minutes), shop=SHOP)
    assert [t for t in sms_to("+6281234500002") if "dikemas" in t] == [
        "Motor Jaya: pesanan O-1001 sudah dikemas dan siap dikirim. Nomor resi kami kirim lewat SMS."]
    # Switched off later: the packed order still ships, and nothing new enters a step.
    owner_sets(order_steps="off")
    assert orders.onward("paid") == ("shipped", "done", "cancelled")
    assert orders.set_status(order, "shipped", by=staff, now=T0 + dt.timedelta(hours=1), shop=SHOP,
                             courier="JNE", tracking="CGK0123456789").status == "shipped"
