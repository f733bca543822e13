"""What the catalogue refuses reaches staff in their language: every message
appliance/catalogue.py raises is marked for the catalogs (appliance/words.py)
and has its Indonesian, and the services and goods forms answer a wrong value
in Indonesian over real HTTP."""

from __future__ import annotations

import ast
import glob
import html
import os
import re

import pytest
from support import REPO, Browserless, start_web
from test_page_words import unmarked_words

from appliance import auth, catalogue, db, migrations
from appliance import settings as settings_module
from appliance.models import Product, Service
from appliance.webui import catalogs
from appliance.webui.formats import problem
from appliance.webui.i18n import known

PASSWORD = "correct horse battery"
SOURCE = os.path.join(REPO, "appliance", "catalogue.py")
ERRORS = {"CatalogueError", "PriceError"}


def _marked(node: ast.AST) -> str | None:
    """The msgid when `node` is N_("...") or say(N_("..."), ...), else None."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "N_" and isinstance(node.args[0], ast.Constant):
        return node.args[0].value
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "say" and node.args:
        return _marked(node.args[0])
    return None


def _passed_on(node: ast.AST) -> bool:
    """exc.args[0]: a refusal handed on as it is (it keeps its own pattern)."""
    return isinstance(node, ast.Subscript) and ast.unparse(node).endswith(".args[0]")


def test_every_message_the_catalogue_raises_is_marked_and_has_its_indonesian():
    """An extract check: each CatalogueError/PriceError built in catalogue.py
    says N_("...") or say(N_("..."), ...), and the catalogs hold that text in
    both languages (Indonesian translated)."""
    tree = ast.parse(open(SOURCE, encoding="utf-8").read())
    unmarked, messages = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ERRORS:
            message = _marked(node.args[0]) if node.args else None
            if message is None and not (node.args and _passed_on(node.args[0])):
                unmarked.append(f"line {node.lineno}: {ast.unparse(node)[:90]}")
            elif message:
                messages.append(message)
    assert not unmarked, "raised without N_()/say(N_()):\n" + "\n".join(unmarked)
    assert len(messages) >= 25, "the check found the catalogue's refusals"
    missing = [m for m in messages if not known(m, "id") or not known(m, "en")]
    assert not missing, "not in the catalogs (./dev i18n, then translate):\n" + "\n".join(missing)
    assert not set(messages) & set(catalogs.missing("id"))


def test_every_field_name_a_refusal_says_is_marked_where_it_is_written():
    """whole_number(v, "capacity", ...) would say "capacity" in English inside an
    Indonesian sentence: the field's name is N_() marked by every caller."""
    plain = []
    for path in glob.glob(os.path.join(REPO, "appliance", "*.py")) + glob.glob(os.path.join(REPO, "webui", "*.py")):
        for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", ""))
                    in ("whole_number", "text_field") and len(node.args) >= 2):
                what = node.args[1]
                if isinstance(what, ast.Constant) or (_marked(what) is None and not isinstance(what, ast.Name)):
                    plain.append(f"{os.path.relpath(path, REPO)}:{node.lineno}: {ast.unparse(what)}")
                elif _marked(what) and not known(_marked(what), "id"):
                    plain.append(f"{os.path.relpath(path, REPO)}:{node.lineno}: {_marked(what)} (no Indonesian)")
    assert not plain, "field names not through the catalogs:\n" + "\n".join(plain)


@pytest.mark.parametrize("refuse", [
    lambda: catalogue.parse_price("sembilan"), lambda: catalogue.parse_price("1,5"),
    lambda: catalogue.parse_price("12 kg"), lambda: catalogue.parse_price(10**12),
    lambda: catalogue.parse_price("0", allow_zero=False), lambda: catalogue.parse_price("-5"),
    lambda: catalogue.parse_price(""), lambda: catalogue.parse_price(None),
    lambda: catalogue.whole_number("x", catalogue.N_("capacity"), minimum=1, maximum=10),
    lambda: catalogue.whole_number(5000, catalogue.N_("capacity"), minimum=1, maximum=1000),
    lambda: catalogue.text_field("", catalogue.N_("name"), maximum=5),
    lambda: catalogue.text_field("x" * 9, catalogue.N_("name"), maximum=5),
    lambda: catalogue._price("dua"), lambda: catalogue._sku("A B"), lambda: catalogue._aliases("x" * 60),
    lambda: catalogue._checked(catalogue.SERVICE_FIELDS, {"colour": "red"}),
], ids=range(16))
def test_each_refusal_reads_in_indonesian_all_through(refuse):
    with pytest.raises(catalogue.CatalogueError) as refused:
        refuse()
    english, indonesian = problem(refused.value, "en"), problem(refused.value, "id")
    assert english == str(refused.value), "English is the message as written"
    assert indonesian != english
    # Every word of the Indonesian is Indonesian: none of the English sentence's own words is left.
    words = set(re.findall(r"[a-z]{4,}", indonesian)) & set(re.findall(r"[a-z]{4,}", english)) - {"rupiah"}
    assert all(word in ("sembilan", "colour", "juta", "ribu") or set(word) == {"x"} for word in words), words


# -- over HTTP, as staff meet it -----------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("catalogue-words")
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    auth.create_user("owner", PASSWORD, "owner", language="id")
    auth.create_user("boss", PASSWORD, "owner", language="en")
    Service.create(name="Pijat bayi", duration_minutes=60, price=85_000, capacity=1)
    Product.create(name="Kampas rem", price=45_000, stock=3, category="Rem", sku="KR-01")
    with start_web(data_dir, env={"LOKET_I18N_MARK": "1"}) as url:
        yield url
    database.close()


def _error(page: str) -> str:
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', page, re.S)
    assert found, "the page says what is wrong"
    return found.group(1)


def _plain(text: str) -> str:
    return html.unescape(re.sub("[\u2060\u2063]", "", text))


SERVICE = {"section": "service", "id": "", "name": "Lulur", "duration": "60", "price": "95.000", "capacity": "1",
           "aliases": "", "comeback": ""}
PRODUCT = {"section": "product", "id": "", "name": "Oli", "price": "50.000", "category": "Oli", "stock": "2"}


@pytest.mark.parametrize("form, indonesian", [
    ({**SERVICE, "price": "sembilan"}, "'sembilan' bukan jumlah uang"),
    ({**SERVICE, "capacity": "x"}, "kapasitas harus bilangan bulat"),
    ({**SERVICE, "duration": "2"}, "durasi (menit) paling sedikit 5"),
    ({**SERVICE, "name": ""}, "nama wajib diisi"),
    ({**SERVICE, "name": "pijat BAYI"}, "layanan bernama 'pijat BAYI' sudah ada"),
    ({**SERVICE, "comeback": "99999"}, "hari untuk datang lagi paling banyak 3.650"),
    ({**PRODUCT, "price": "1,5"}, "'1,5' bukan rupiah bulat: maksudnya 1,5jt?"),
    ({**PRODUCT, "price": "12 kg"}, "'kg' bukan satuan uang"),
    ({**PRODUCT, "stock": "-1"}, "stok paling sedikit 0"),
    ({**PRODUCT, "sku": "kr-01"}, "kode KR-01 sudah dipakai untuk Kampas rem"),
    ({**PRODUCT, "sku": "K" * 65}, "kode barang terlalu panjang: paling banyak 64 karakter"),
    ({**PRODUCT, "sku": "KR 02"}, "kode 'KR 02' tidak bisa dipakai: hanya huruf, angka"),
    ({**PRODUCT, "unit": "kilogram per karung besar"}, "satuan terlalu panjang: paling banyak 20 karakter"),
    ({**PRODUCT, "description": "Oli asli. " * 60}, "keterangan terlalu panjang: paling banyak 500 karakter"),
    ({**PRODUCT, "stock": "99999999999"}, "Stok: tulis angka bulat, misalnya 5."),
], ids=["price", "capacity", "duration", "name", "taken", "comeback", "decimal", "unit", "stock", "code-taken",
        "code-long", "code-space", "unit-long", "description-long", "stock-huge"])
def test_a_wrong_value_on_the_services_and_goods_page_is_answered_in_indonesian(site, form, indonesian):
    browser = Browserless(site)
    assert browser.login("owner", PASSWORD) == 200
    status, _, page = browser.post("/settings/shop", {"csrf": browser.csrf("/settings/shop"), **form})
    error = _error(page)
    assert status == 400 and indonesian in _plain(error), _plain(error)
    typed = [v for v in form.values() if v]
    assert not unmarked_words(error, sorted(typed, key=len, reverse=True)), "every word from the catalogs"


def test_the_same_refusal_reads_in_english_for_an_english_user(site):
    browser = Browserless(site)
    assert browser.login("boss", PASSWORD) == 200
    status, _, page = browser.post("/settings/shop", {"csrf": browser.csrf("/settings/shop"),
                                                      **SERVICE, "capacity": "x"})
    assert status == 400 and "capacity must be a whole number, not 'x'" in _plain(_error(page))



def test_goods_get_a_code_a_unit_and_a_description_and_show_them_in_their_line(site):
    """As the parts dealer enters a new part: the code customers text, the unit it is sold
    in, a description; the goods' line then reads code, name, price per unit and stock."""
    browser = Browserless(site)
    assert browser.login("owner", PASSWORD) == 200
    status, _, _ = browser.post("/settings/shop", {
        "csrf": browser.csrf("/settings/shop"), **PRODUCT, "name": "Busi NGK", "sku": " bs-09 ", "unit": "PCS",
        "description": "Busi NGK CPR9EA-9\nuntuk Vario, Beat", "price": "28.000", "stock": "40"})
    assert status == 200
    busi = Product.get(Product.name == "Busi NGK")
    assert (busi.sku, busi.unit, busi.stock) == ("BS-09", "pcs", 40)
    assert busi.description == "Busi NGK CPR9EA-9 untuk Vario, Beat", "one line, as an SMS carries it"
    page = _plain(browser.get("/settings/shop?open=product")[2])
    assert re.search(r'<span class="code">BS-09</span> <span class="name">Busi NGK</span> '
                     r'<span class="meta">Rp 28.000/pcs · stok 40 pcs</span>', page), "the goods' line"
    # Changing the code and unit keeps the stock; a code taken by other goods is refused and nothing changes.
    form = {"csrf": browser.csrf("/settings/shop"), "section": "product", "id": str(busi.id), "name": "Busi NGK",
            "price": "28.000", "category": "", "sku": "BS-10", "unit": "set", "description": "", "active": "on",
            "stock_delta": "0"}
    assert browser.post("/settings/shop", form)[0] == 200
    assert Product.get_by_id(busi.id).sku == "BS-10" and Product.get_by_id(busi.id).stock == 40
    status, _, page = browser.post("/settings/shop", {**form, "sku": "KR-01", "unit": "lusin"})
    assert status == 400 and "kode KR-01 sudah dipakai untuk Kampas rem" in _plain(_error(page))
    assert 'value="KR-01"' in page and 'value="lusin"' in page, "what was typed is shown again"
    assert (Product.get_by_id(busi.id).sku, Product.get_by_id(busi.id).unit) == ("BS-10", "set")
