"""A product's photo over real HTTP: a small JPEG or PNG is kept under the
data dir and served to logged-in staff; anything not a picture, over 1 MB or
over 1600 px on a side is refused in words; a viewer or a logged-out visitor
can neither fetch nor change it; and in Chromium the goods form's script makes
a camera-sized picture small before it is sent."""

from __future__ import annotations

import datetime as dt
import re
import struct
import urllib.error
import urllib.request
import zlib

import pytest
from support import REPO, Browserless, start_web

from appliance import auth, db, migrations, photos
from appliance import settings as settings_module
from appliance.models import AuditEntry, OrderItem, Product

PASSWORD = "correct horse battery"
SHOTS = REPO / "test-output" / "browser"


def png(width: int, height: int, rgb=(200, 60, 40)) -> bytes:
    """A real PNG, one colour, built by hand (no image library on the box or here)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (photos.PNG_MAGIC + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg(width: int, height: int) -> bytes:
    """A JPEG's header as a camera writes it: SOI, an APP0 (JFIF), a DQT, then SOF0 with the size."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes(range(1, 65))
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + app0 + dqt + sof + b"\xff\xd9"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("goods-photos")
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    auth.create_user("owner", PASSWORD, "owner", language="id")
    auth.create_user("kasir", PASSWORD, "frontdesk", language="id")
    auth.create_user("tamu", PASSWORD, "viewer", language="en")
    product = Product.create(name="Kampas rem", price=45_000, stock=3, category="Rem", sku="KR-01")
    with start_web(data_dir) as url:
        yield url, data_dir, product
    database.close()


def _as(url, user) -> Browserless:
    browser = Browserless(url)
    assert browser.login(user, PASSWORD) == 200
    return browser


def _send(browser, product_id, content, filename="foto.jpg"):
    csrf = browser.csrf("/settings/shop")
    return browser.upload(f"/goods/{product_id}/photo", {"csrf": csrf}, "photo", filename, content)


def _fetch(browser, path):
    """The raw bytes and headers (Browserless decodes bodies as text)."""
    try:
        with browser.opener.open(urllib.request.Request(browser.base + path), timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _error(page: str) -> str:
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', page, re.S)
    assert found, "the page says what is wrong"
    return found.group(1)


def test_header_sizes_are_read_without_an_image_library():
    assert photos.kind_and_size(png(3, 2)) == ("png", 3, 2)
    assert photos.kind_and_size(jpeg(640, 480)) == ("jpg", 640, 480)
    for bad in (b"", b"hello", b"\xff\xd8\xff\xd9", photos.PNG_MAGIC + b"short"):
        with pytest.raises(photos.PhotoError):
            photos.kind_and_size(bad)


def test_a_small_jpeg_and_png_are_kept_served_and_shown(site):
    url, data_dir, product = site
    owner = _as(url, "owner")
    status, _, _ = _send(owner, product.id, jpeg(640, 480))
    assert status == 200
    assert (data_dir / "photos" / f"{product.id}.jpg").read_bytes() == jpeg(640, 480)
    status, headers, body = _fetch(owner, f"/goods/{product.id}/photo")
    assert status == 200 and headers["Content-Type"] == "image/jpeg" and body == jpeg(640, 480)
    assert "max-age" in headers["Cache-Control"] and "private" in headers["Cache-Control"]
    # A PNG replaces the JPEG: one photo a product.
    picture = png(40, 30)
    assert _send(owner, product.id, picture, "foto.png")[0] == 200
    assert not (data_dir / "photos" / f"{product.id}.jpg").exists()
    status, headers, body = _fetch(owner, f"/goods/{product.id}/photo")
    assert headers["Content-Type"] == "image/png" and body == picture
    page = owner.get("/settings/shop?open=product")[2]
    assert re.search(rf'<img class="thumb" src="/goods/{product.id}/photo\?v=\d+"', page)
    assert AuditEntry.select().where(AuditEntry.action == "product.photo",
                                     AuditEntry.target == f"product:{product.id}").count() == 2
    # The order page's line shows it to the front desk; the receipt does not.
    from appliance import orders
    from appliance.models import Customer
    customer = Customer.create(phone="+6281234500077", name="Sari")
    order = orders.create_order(customer, [("Kampas rem", 1, 45_000)], now=dt.datetime.now(dt.timezone.utc))
    OrderItem.update(product=product.id).where(OrderItem.order == order.id).execute()
    desk = _as(url, "kasir")
    assert f'src="/goods/{product.id}/photo?v=' in desk.get(f"/orders/{order.number}")[2]
    assert _fetch(desk, f"/goods/{product.id}/photo")[0] == 200
    orders.set_status(order, "paid", by=None, now=dt.datetime.now(dt.timezone.utc))
    status, _, receipt = owner.get(f"/orders/{order.number}/receipt")
    assert status == 200 and "Kampas rem" in receipt and "/photo" not in receipt


@pytest.mark.parametrize("content, filename, words", [
    (b"Ini bukan foto, hanya teks.\n" * 10, "catatan.jpg", "bukan foto"),
    (b"\xff\xd8" + b"\x00" * (2 * 1024 * 1024), "besar.jpg", "1 MB"),
    (png(3000, 10), "lebar.png", "1600"),
])
def test_what_is_not_a_small_picture_is_refused_in_words(site, content, filename, words):
    url, data_dir, product = site
    other = Product.create(name=f"Barang {filename}", price=1_000)
    owner = _as(url, "owner")
    status, _, page = _send(owner, other.id, content, filename)
    assert status == 400 and words in _error(page), _error(page)
    assert "Traceback" not in page
    assert photos.find(data_dir, other.id) is None
    assert not list(data_dir.glob("photos/*.part")), "a refused photo leaves no temp file"


def test_a_product_that_does_not_exist_has_no_photo(site):
    url, data_dir, _ = site
    owner = _as(url, "owner")
    assert _send(owner, 999999, png(4, 4), "foto.png")[0] == 404
    assert _fetch(owner, "/goods/999999/photo")[0] == 404
    assert _fetch(owner, "/goods/abc/photo")[0] == 404
    csrf = owner.csrf("/settings/shop")
    assert owner.post("/goods/999999/photo/remove", {"csrf": csrf})[0] == 404
    assert photos.find(data_dir, 999999) is None


def test_a_viewer_or_a_stranger_can_neither_fetch_nor_change_it(site):
    url, data_dir, product = site
    owner = _as(url, "owner")
    assert _send(owner, product.id, png(8, 8), "foto.png")[0] == 200
    viewer = _as(url, "tamu")
    assert _fetch(viewer, f"/goods/{product.id}/photo")[0] == 403
    csrf = viewer.csrf("/dashboard")
    assert viewer.upload(f"/goods/{product.id}/photo", {"csrf": csrf}, "photo", "x.png", png(2, 2))[0] == 403
    assert viewer.post(f"/goods/{product.id}/photo/remove", {"csrf": csrf})[0] == 403
    stranger = Browserless(url)
    status, _, body = stranger.request("GET", f"/goods/{product.id}/photo", follow=False)
    assert status in (302, 303, 401) and "PNG" not in body
    assert stranger.post(f"/goods/{product.id}/photo/remove", {"csrf": "x"}, follow=False)[0] in (302, 303, 401, 403)
    # Without the form's CSRF token, even the owner changes nothing.
    assert owner.post(f"/goods/{product.id}/photo/remove", {"csrf": "wrong"})[0] == 403
    assert photos.find(data_dir, product.id) is not None


def test_removing_the_photo(site):
    url, data_dir, product = site
    owner = _as(url, "owner")
    assert _send(owner, product.id, png(8, 8), "foto.png")[0] == 200
    status, _, page = owner.post(f"/goods/{product.id}/photo/remove", {"csrf": owner.csrf("/settings/shop")})
    assert status == 200 and "Foto dihapus" in page
    assert photos.find(data_dir, product.id) is None
    assert _fetch(owner, f"/goods/{product.id}/photo")[0] == 404
    assert f"/goods/{product.id}/photo?v=" not in page
    assert AuditEntry.select().where(AuditEntry.action == "product.photo_removed").count() == 1


def test_the_browser_makes_a_camera_photo_small_before_sending_it(site, browser, tmp_path):
    """A 2400×1800 picture (what the box refuses as it is) goes through the goods form's
    script: it arrives as a JPEG at most 800 px on its long side; then the goods list at 390 px."""
    url, data_dir, product = site
    photos.remove(data_dir, product.id)
    big = tmp_path / "kamera.png"
    big.write_bytes(png(2400, 1800, rgb=(30, 120, 200)))
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(url.rstrip("/") + "/login")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard"))
    page.goto(url.rstrip("/") + "/settings/shop?open=product")
    page.click(f"details.goods:has-text('Kampas rem') > summary")
    field = page.locator(f"form[action='/goods/{product.id}/photo'] input[type=file]")
    field.set_input_files(str(big))
    page.wait_for_function("(el) => el.files[0] && el.files[0].type === 'image/jpeg'", arg=field.element_handle())
    page.locator(f"form[action='/goods/{product.id}/photo'] button[type=submit]").click()
    page.wait_for_selector("text=Foto disimpan")
    kept = photos.find(data_dir, product.id)
    assert kept is not None and kept.suffix == ".jpg"
    kind, width, height = photos.kind_and_size(kept.read_bytes())
    assert (kind, width, height) == ("jpg", 800, 600) and kept.stat().st_size < 200_000
    thumb = page.locator("details.goods img.thumb").first
    assert thumb.evaluate("(img) => img.complete && img.naturalWidth") == 800
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "goods-photo-id-390.png"), full_page=True)
    page.close()
