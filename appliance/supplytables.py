"""The suppliers' tables: who the shop buys its goods from, which goods each
supplies, and the restock orders that bring stock in (appliance/suppliers.py).

They point to the goods and the users, which live in models.py; models.py
makes them with `define(Product, User)` and adds them to MODELS, so this
module imports nothing of models.py (no import cycle). Import the tables
from models.py.
"""

from __future__ import annotations

import peewee as pw

from .clock import utcnow
from .modelbase import BaseModel, UTCDateTimeField

RESTOCK_STATES = ("draft", "ordered", "received", "cancelled")


def define(Product: type[BaseModel], User: type[BaseModel]) -> tuple[type[BaseModel], ...]:
    """(Supplier, SupplierProduct, Restock, RestockLine), pointing to these goods and users."""

    class Supplier(BaseModel):
        name = pw.CharField(max_length=200)
        phone = pw.CharField(null=True, max_length=32)  # E.164, shown as 0812-…; the restock SMS goes here
        note = pw.TextField(default="")  # terms, bank account, the contact person
        active = pw.BooleanField(default=True)  # a supplier with history is switched off, never deleted
        created_at = UTCDateTimeField(default=utcnow)

    class SupplierProduct(BaseModel):
        """The goods a supplier supplies: offered first on its restock orders."""

        supplier = pw.ForeignKeyField(Supplier, backref="goods", on_delete="CASCADE")
        product = pw.ForeignKeyField(Product, backref="suppliers", on_delete="CASCADE")

        class Meta:
            indexes = ((("supplier", "product"), True),)

    class Restock(BaseModel):
        """An order of goods from a supplier, shown as R-0001:
        draft -> ordered -> received, or cancelled before anything came."""

        supplier = pw.ForeignKeyField(Supplier, backref="restocks", on_delete="RESTRICT")
        status = pw.CharField(default="draft", max_length=10, index=True)
        note = pw.TextField(default="")
        # Each receipt bumps it in one conditional UPDATE: a second submit of the same
        # form (same receipts count) changes nothing, so stock is added exactly once.
        receipts = pw.IntegerField(default=0)
        created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = UTCDateTimeField(default=utcnow)
        ordered_at = UTCDateTimeField(null=True)
        received_at = UTCDateTimeField(null=True)  # the last receipt
        cancelled_at = UTCDateTimeField(null=True)
        texted_at = UTCDateTimeField(null=True)  # the order last sent to the supplier by SMS
        updated_at = UTCDateTimeField(default=utcnow)

    class RestockLine(BaseModel):
        restock = pw.ForeignKeyField(Restock, backref="lines", on_delete="CASCADE")
        product = pw.ForeignKeyField(Product, null=True, on_delete="SET NULL")
        name = pw.CharField(max_length=200)  # as the goods were named when ordered
        quantity = pw.IntegerField()
        received = pw.IntegerField(default=0)
        cost = pw.IntegerField(null=True)  # the supplier's price per unit, when staff know it

    return Supplier, SupplierProduct, Restock, RestockLine
