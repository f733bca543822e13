"""The demo shops' suppliers and restock orders (the online shop's and the
parts dealer's): two suppliers with their goods, an order that came last
week and one still on its way, already sent to its supplier by SMS.

Written as rows, as the restock flow leaves them: the order that came is
already in the demo's stock counts, so nothing is added twice.
"""

from __future__ import annotations

import datetime as dt

from .models import Message, Product, Restock, RestockLine, Supplier, SupplierProduct
from .suppliers import ref

PART_PRICE = 150  # rupiah per SMS part, as in the demo's sales history

# kind -> two suppliers: (name, phone, note, the indexes of the demo's goods it supplies)
SUPPLIERS = {
    "shop": (("CV Kulit Garut Jaya", "+6281234570001", "Pak Asep. Transfer BCA, tempo 14 hari.", (0, 1)),
             ("UD Sandal Sukaregang", "+6281234570002", "Bu Euis. Kirim tiap Senin lewat JNE.", (2,))),
    "parts": (("PT Sumber Motor Parts", "+6281234570011", "Sales: Pak Hendra. Tempo 30 hari.", (0, 2, 3)),
              ("Toko Oli Makmur", "+6281234570012", "Ambil sendiri, bayar tunai.", (1,))),
}
# kind -> (goods index, quantity, cost per unit) of the order that came, then of the open one
ORDERS = {
    "shop": (((0, 10, 280_000), (1, 5, 420_000)), ((2, 20, 110_000),)),
    "parts": (((0, 24, 42_000), (2, 50, 17_500)), ((1, 48, 41_000),)),
}


def seed(now: dt.datetime, products: list[Product], kind: str, shop: str) -> None:
    made = []
    for name, phone, note, goods in SUPPLIERS[kind]:
        supplier = Supplier.create(name=name, phone=phone, note=note, created_at=now - dt.timedelta(days=60))
        SupplierProduct.insert_many([dict(supplier=supplier.id, product=products[i].id) for i in goods]).execute()
        made.append(supplier)
    came, coming = ORDERS[kind]
    ordered = now - dt.timedelta(days=9)
    _restock(shop, made[0], products, came, status="received", created=ordered - dt.timedelta(hours=2), ordered=ordered,
             received=ordered + dt.timedelta(days=3))
    _restock(shop, made[1], products, coming, status="ordered", created=now - dt.timedelta(days=1, hours=3),
             ordered=now - dt.timedelta(days=1), note="Kirim sebelum Jumat")


def _restock(shop: str, supplier: Supplier, products: list[Product], lines, *, status: str, created: dt.datetime,
             ordered: dt.datetime, received: dt.datetime | None = None, note: str = "") -> None:
    restock = Restock.create(supplier=supplier, status=status, note=note, created_at=created, ordered_at=ordered,
                             received_at=received, receipts=1 if received else 0, texted_at=ordered,
                             updated_at=received or ordered)
    RestockLine.insert_many([dict(restock=restock.id, product=products[i].id, name=products[i].name, quantity=qty,
                                  received=qty if received else 0, cost=cost) for i, qty, cost in lines]).execute()
    goods = "; ".join(f"{qty} x {products[i].name}" for i, qty, _ in lines)
    Message.create(direction="out", phone=supplier.phone, text=f"{shop}: pesanan barang {ref(restock)}: {goods}. "
                   "Mohon konfirmasi lewat SMS. Terima kasih.", category="transactional", state="delivered",
                   template="restock_order", parts=1, part_price=PART_PRICE, created_at=ordered, sent_at=ordered,
                   updated_at=ordered)
