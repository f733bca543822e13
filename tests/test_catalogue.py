"""The catalogue: services and goods staff enter, stock, and amounts as people write them."""

import datetime as dt

import pytest

from appliance import catalogue
from appliance.catalogue import CatalogueError, PriceError, parse_price, rupiah
from appliance.models import AuditEntry, Product, Service, User

T0 = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)


# -- amounts, as Indonesian staff and customers write them -------------------------------

@pytest.mark.parametrize("text, amount", [
    # easy
    ("250000", 250_000), ("0", 0), ("5000", 5_000),
    # typical
    ("250.000", 250_000), ("Rp 250.000", 250_000), ("Rp250.000", 250_000), ("rp250rb", 250_000),
    ("250rb", 250_000), ("250 ribu", 250_000), ("250 rebu", 250_000), ("1,5jt", 1_500_000),
    ("1.5 juta", 1_500_000), ("2jt", 2_000_000), ("500k", 500_000), ("Rp. 250.000,-", 250_000),
    ("Rp 250.000,00", 250_000), ("IDR 250000", 250_000), ("250.000 rupiah", 250_000), ("250,000", 250_000),
    ("1.250.000", 1_250_000), ("1,250,000.00", 1_250_000), ("250 000", 250_000), ("RP 1,25 JT", 1_250_000),
    ("  Rp  75.000  ", 75_000), ("1.500rb", 1_500_000),
    # extreme
    ("2.000.000.000", 2_000_000_000), ("２５０．０００", 250_000), ("007500", 7_500), ("Rp 1", 1),
])
def test_amounts_people_write(text, amount):
    assert parse_price(text) == amount


@pytest.mark.parametrize("text, says", [
    ("", "no amount"), ("   ", "no amount"), ("abc", "not an amount"), ("Rp", "not an amount"),
    ("rb", "not an amount"), ("-5000", "negative"), ("Rp -250.000", "negative"), ("minus 5rb", "negative"),
    ("1,5", "did you mean 1,5jt"), ("250.50", "whole number"), ("5 kg", "not a unit of money"),
    ("2,5m", "not a unit of money"), ("1.25.000", "not an amount"), ("250.000.00", "not an amount"),
    ("1,250.000", "not an amount"), ("1e6", "not an amount"), ("0x10", "not an amount"),
    ("12 34", "not an amount"), ("2.000.000.001", "too large"), ("1" + "0" * 15, "too large"),
    ("9" * 41, "too long"), ("😀", "not an amount"), ("250rb😀", "not an amount"),
])
def test_nonsense_is_refused_with_a_reason(text, says):
    with pytest.raises(PriceError, match=says):
        parse_price(text)


def test_numbers_from_code_and_what_callers_refuse():
    assert parse_price(250_000) == 250_000
    for bad in (True, None, 2.5, [1]):
        with pytest.raises(PriceError):
            parse_price(bad)
    with pytest.raises(PriceError, match="more than Rp 0"):
        parse_price("0", allow_zero=False)
    with pytest.raises(PriceError, match="at most Rp 100.000"):
        parse_price("150rb", maximum=100_000)


def test_rupiah_is_written_the_indonesian_way():
    assert rupiah(250_000) == "Rp 250.000"
    assert rupiah(0) == "Rp 0"
    assert rupiah(2_000_000_000) == "Rp 2.000.000.000"


def test_amounts_inside_a_longer_text():
    assert catalogue.amounts_in("sudah transfer Rp 250.000 via BCA") == ["Rp 250.000"]
    assert catalogue.amounts_in("250rb ya kak") == ["250rb"]
    assert catalogue.amounts_in("tgl 12/11 1,5jt") == ["12", "11", "1,5jt"]
    assert catalogue.amounts_in("banyak") == []
    # A number glued to letters is no amount, nor is any piece of it.
    assert catalogue.amounts_in("1e308 2.5E+5 0x3D090 250000abc") == []
    assert catalogue.amounts_in("250rb, 300k.") == ["250rb", "300k"]


# -- services ---------------------------------------------------------------------------------

@pytest.fixture
def staff(shop):
    return User.create(username="admin", password_hash="x", role="admin")


def test_a_service_with_everything_staff_type(staff):
    service = catalogue.add_service("  Pijat   Bayi ", duration_minutes="60", price="Rp 150.000", capacity=2,
                                    comeback_days="30", aliases="pijat bayi, Baby Massage, ,pijat bayi",
                                    by=staff, now=T0)
    service = Service.get_by_id(service.id)
    assert (service.name, service.duration_minutes, service.price, service.capacity, service.comeback_days) == \
        ("Pijat Bayi", 60, 150_000, 2, 30)
    assert service.aliases == "pijat bayi, baby massage"
    entry = AuditEntry.get(AuditEntry.action == "service.add")
    assert entry.user_id == staff.id and "Pijat Bayi" in entry.detail


def test_a_free_service_without_come_back_is_fine(shop):
    service = catalogue.add_service("Konsultasi", duration_minutes=15, price=0, comeback_days="")
    assert service.price == 0 and service.comeback_days is None


@pytest.mark.parametrize("field, value, says", [
    ("name", "", "name is required"), ("name", "x" * 101, "too long"), ("name", None, "name is required"),
    ("name", "\x00\x01", "name is required"),
    ("duration_minutes", 0, "at least 5"), ("duration_minutes", 24 * 60 + 1, "at most"),
    ("duration_minutes", "satu jam", "whole number"), ("duration_minutes", 30.5, "whole number"),
    ("duration_minutes", True, "whole number"),
    ("price", "gratis", "price"), ("price", -1, "negative"), ("price", 10**15, "too large"),
    ("price", "", "required"),
    ("capacity", 0, "at least 1"), ("capacity", 10**6, "at most"),
    ("comeback_days", 0, "at least 1"), ("comeback_days", 99999, "at most"), ("comeback_days", "-3", "at least 1"),
    ("aliases", "a" * 51, "too long"), ("aliases", 5, "must be text"),
])
def test_a_service_with_a_wrong_field_is_refused(shop, field, value, says):
    fields = dict(name="Spa Ibu Hamil", duration_minutes=90, price=200_000)
    fields[field] = value
    name = fields.pop("name")
    with pytest.raises(CatalogueError, match=says):
        catalogue.add_service(name, **fields)
    assert Service.select().count() == 0


def test_service_names_are_unique_whatever_the_case(shop):
    catalogue.add_service("Pijat Bayi", duration_minutes=60, price=150_000)
    with pytest.raises(CatalogueError, match="already exists"):
        catalogue.add_service("PIJAT BAYI", duration_minutes=30, price=1)


def test_updating_a_service(staff):
    service = catalogue.add_service("Pijat Bayi", duration_minutes=60, price=150_000)
    other = catalogue.add_service("Baby Spa", duration_minutes=60, price=150_000)
    catalogue.update_service(service, price="175rb", active=False, by=staff, now=T0)
    service = Service.get_by_id(service.id)
    assert service.price == 175_000 and not service.active
    assert "price=175000" in AuditEntry.get(AuditEntry.action == "service.update").detail
    with pytest.raises(CatalogueError, match="already exists"):
        catalogue.update_service(other, name="pijat bayi")
    with pytest.raises(CatalogueError, match="unknown field: colour"):
        catalogue.update_service(other, colour="red")
    with pytest.raises(CatalogueError, match="yes or no"):
        catalogue.update_service(other, active="maybe")
    catalogue.update_service(other, price=150_000)  # no change, nothing audited
    assert AuditEntry.select().where(AuditEntry.action == "service.update").count() == 1
    assert [s.name for s in catalogue.services()] == ["Baby Spa"]
    assert [s.name for s in catalogue.services(active=None)] == ["Baby Spa", "Pijat Bayi"]


# -- goods and stock ---------------------------------------------------------------------------

def test_a_product_as_the_parts_dealer_enters_it(staff):
    product = catalogue.add_product("Kampas Rem Depan Vario", price="Rp 75.000", stock="12", category="Rem",
                                    sku="kr-vario-01", by=staff, now=T0)
    product = Product.get_by_id(product.id)
    assert (product.price, product.stock, product.category, product.sku) == (75_000, 12, "Rem", "KR-VARIO-01")
    assert AuditEntry.get(AuditEntry.action == "product.add").user_id == staff.id


@pytest.mark.parametrize("field, value, says", [
    ("name", "  ", "required"), ("name", "x" * 201, "too long"),
    ("price", "murah", "price"), ("price", "1,5", "did you mean"), ("price", None, "required"),
    ("stock", -1, "at least 0"), ("stock", 10**7, "at most"), ("stock", "banyak", "whole number"),
    ("category", "k" * 101, "too long"), ("sku", "KR 01!", "letters, digits, .* only, with no spaces"), ("sku", "x" * 65, "too long"),
])
def test_a_product_with_a_wrong_field_is_refused(shop, field, value, says):
    fields = dict(name="Oli Mesin 1L", price=55_000, stock=10, category="Oli", sku=None)
    fields[field] = value
    name = fields.pop("name")
    with pytest.raises(CatalogueError, match=says):
        catalogue.add_product(name, **fields)
    assert Product.select().count() == 0


def test_skus_are_unique_and_optional(shop):
    catalogue.add_product("Busi", price=20_000, sku="BS-1")
    catalogue.add_product("Busi Iridium", price=90_000, sku="")
    catalogue.add_product("Busi Racing", price=60_000)
    with pytest.raises(CatalogueError, match="already used"):
        catalogue.add_product("Busi Lain", price=20_000, sku="bs-1")
    other = catalogue.add_product("Aki", price=250_000, sku="AK-1")
    with pytest.raises(CatalogueError, match="already used"):
        catalogue.update_product(other, sku="BS-1")


def test_stock_is_changed_only_with_a_reason(staff):
    product = catalogue.add_product("Ban Luar 80/90", price=180_000, stock=5, category="Ban")
    with pytest.raises(CatalogueError, match="stock adjustment"):
        catalogue.update_product(product, stock=50)
    assert catalogue.adjust_stock(product, 10, reason="kiriman dari distributor", by=staff, now=T0) == 15
    assert catalogue.adjust_stock(product, "-3", reason="rusak", by=staff, now=T0) == 12
    assert product.stock == 12 and Product.get_by_id(product.id).stock == 12
    entries = [e.detail for e in AuditEntry.select().where(AuditEntry.action == "product.stock")
               .order_by(AuditEntry.id)]
    assert entries == ["+10 -> 15: kiriman dari distributor", "-3 -> 12: rusak"]


@pytest.mark.parametrize("delta, reason, says", [
    (-13, "hilang", "only 12"), (0, "hitung ulang", "not be 0"), (5, "", "reason is required"),
    ("lima", "x", "whole number"), (10**7, "x", "at most"), (999_990, "x", "more than"),
])
def test_stock_never_goes_below_zero_or_changes_without_reason(staff, delta, reason, says):
    product = catalogue.add_product("Rantai", price=120_000, stock=12)
    with pytest.raises(CatalogueError, match=says):
        catalogue.adjust_stock(product, delta, reason=reason, by=staff, now=T0)
    assert Product.get_by_id(product.id).stock == 12
    assert not AuditEntry.select().where(AuditEntry.action == "product.stock").exists()


def test_listing_goods_by_category(shop):
    catalogue.add_product("Oli 1L", price=55_000, category="Oli")
    catalogue.add_product("Kampas Rem", price=75_000, category="Rem")
    old = catalogue.add_product("Oli Lama", price=40_000, category="Oli")
    catalogue.update_product(old, active=False)
    assert [p.name for p in catalogue.products()] == ["Oli 1L", "Kampas Rem"]
    assert [p.name for p in catalogue.products(category=" oli ")] == ["Oli 1L"]
    assert [p.name for p in catalogue.products(category="Oli", active=None)] == ["Oli 1L", "Oli Lama"]
    assert [p.name for p in catalogue.products(active=False)] == ["Oli Lama"]
