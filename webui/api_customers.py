"""/api/v1/customers: read, search, find by phone (any format), create, and
change consent, tags and the profile, through appliance/customers.py's rules."""

from __future__ import annotations

from appliance import customers
from appliance.customers import CustomerError
from appliance.models import Customer

from .api import describe, Field, Problem, answer, body, caller_user, limit_param, page, query_text
from .api_messages import phone_of
from .i18n import N_
from .web import Web, int_or_zero

PROFILE = {"name": Field(str, limit=200), "email": Field(str, limit=254), "address": Field(str, limit=500),
           "language": Field(str, limit=4), "notes": Field(str, limit=5000)}
CHANGES = {**PROFILE, "consent_reminder": Field(bool), "consent_marketing": Field(bool),
           "tags": Field(list, limit=50)}
NEW = {"phone": Field(str, required=True, limit=40), **CHANGES}


def show(customer: Customer) -> dict:
    return {"id": customer.id, "phone": customer.phone, "name": customer.name, "email": customer.email,
            "address": customer.address, "language": customer.language, "notes": customer.notes,
            "consent": {"reminder": customer.consent_reminder, "marketing": customer.consent_marketing},
            "tags": customers.tags_of(customer), "points": customer.points, "created_at": customer.created_at,
            "last_contact_at": customer.last_contact_at}


@describe(N_("Customers, newest first, or found by ?q="))
def listing(web: Web):
    """Newest first; ?q= searches names and numbers as the Customers page does
    (its best `limit` matches, no next page: refine the words instead)."""
    words = query_text("q")
    if words:
        found = customers.search(words, region=web.settings.default_region, limit=limit_param())
        return {"items": [show(c) for c in found], "next": None}
    return page(Customer.select(), Customer.id, show)


def _customer(customer_id: str) -> Customer:
    customer = Customer.get_or_none(Customer.id == int_or_zero(customer_id))
    if customer is None:
        raise Problem(404, "No such customer.")
    return customer


@describe(N_("A customer"))
def detail(web: Web, customer_id: str):
    return show(_customer(customer_id))


@describe(N_("A customer by phone number, in any format"))
def by_phone(web: Web, phone: str):
    customer = Customer.get_or_none(Customer.phone == phone_of(web, phone))
    if customer is None:
        raise Problem(404, "No customer has this number.")
    return show(customer)


def _apply(customer: Customer, data: dict) -> None:
    by = caller_user()
    profile = {name: data[name] for name in PROFILE if data.get(name) is not None}
    if profile:
        customers.update_profile(customer, by=by, **profile)
    if data.get("tags") is not None:
        customers.set_tags(customer, data["tags"], by=by)
    if data.get("consent_reminder") is not None or data.get("consent_marketing") is not None:
        customers.set_consent(customer, reminder=data.get("consent_reminder"),
                              marketing=data.get("consent_marketing"), by=by, via="api")


@describe(N_("Add a customer"), NEW)
def create(web: Web):
    data = body(NEW)
    try:
        with Customer._meta.database.atomic():  # a refused tag leaves no half-made customer
            customer = customers.add_customer(data["phone"], region=web.settings.default_region, by=caller_user())
            _apply(customer, data)
    except CustomerError as exc:
        status = 409 if "already a customer" in str(exc) else 422
        raise Problem(status, str(exc), kind="customer") from None
    return answer(show(customer), 201, {"Location": f"/api/v1/customers/{customer.id}"})


@describe(N_("Change a customer's consent, tags or profile"), CHANGES)
def change(web: Web, customer_id: str):
    customer = _customer(customer_id)
    data = body(CHANGES)
    try:
        with Customer._meta.database.atomic():
            _apply(customer, data)
    except CustomerError as exc:
        raise Problem(422, str(exc), kind="customer") from None
    return show(Customer.get_by_id(customer.id))
