"""Customers: search by name or any phone format, profile, consent, tags,
points, the timeline; CSV import with a preview and a per-row report; export."""

from __future__ import annotations

import re
import secrets
import time

import bottle

from appliance import clock, customers, customers_csv, loyalty, projects
from appliance.models import Customer

from . import scope
from .i18n import N_
from .web import PER_PAGE, Web, by_id, int_or_zero

UPLOAD_LIMIT = customers_csv.MAX_IMPORT_BYTES


def listing(web: Web):
    page = web.page_number()
    query = web.query("q", limit=100)
    if scope.limited(web.user):  # his tickets' customers: a handful, searched here
        mine = Customer.select().where(Customer.id.in_(list(scope.customer_ids(web.user)))).order_by(Customer.id)
        words, digits = query.lower().strip(), re.sub(r"\D", "", query).lstrip("0")
        rows = [c for c in mine if not words or words in (c.name or "").lower() or (digits and digits in c.phone)]
        rows = rows[(page - 1) * PER_PAGE:page * PER_PAGE + 1]
    else:
        rows = customers.search(query, region=web.settings.default_region, limit=PER_PAGE + 1,
                                offset=(page - 1) * PER_PAGE)
    return web.render("customers", title="Customers", rows=rows[:PER_PAGE], q=query, page=page,
                      more=len(rows) > PER_PAGE, total=customers.count())


def _customer(customer_id: str) -> Customer:
    return by_id(Customer, customer_id, "customer")


def detail(web: Web, customer_id: str, error: str = "", typed: dict | None = None):
    """`typed`: a refused form's fields, shown again: a project's (its "project": the id, "" for a new one),
    or the profile's (under "profile")."""
    customer = _customer(customer_id)
    if not scope.may_see_customer(web.user, customer):
        web.refuse(403, "This customer belongs to a ticket assigned to someone else.")
    today = clock.utcnow().astimezone(web.settings.tz).date()
    return web.render("customer", title=customer.display_name, c=customer, error=error,
                      tags=customers.tags_of(customer), timeline=customers.timeline(customer, 100),
                      points=loyalty.history(customer, 20), salespeople=customers.salespeople(),
                      projects=[(p, projects.state(p, today)) for p in projects.of(customer)], typed=typed or {})


def create(web: Web):
    try:
        customer = customers.add_customer(web.form("phone", limit=40), name=web.form("name", limit=200),
                                          region=web.settings.default_region, by=web.user,
                                          address=web.form("address", limit=600))
    except customers.CustomerError as exc:
        bottle.response.status = 400
        return web.render("customers", title="Customers", rows=[], q="", page=1, more=False,
                          total=customers.count(), error=web.problem(exc))
    web.redirect(f"/customers/{customer.id}", "Customer saved.")


def update(web: Web, customer_id: str):
    customer = _customer(customer_id)
    try:
        with Customer._meta.database.atomic():  # all of the form or none of it
            customers.update_profile(customer, by=web.user, name=web.form("name", limit=200),
                                     address=web.form("address", limit=600), email=web.form("email", limit=300),
                                     notes=web.form("notes", limit=6000), language=web.form("language", limit=5))
            customers.set_tags(customer, re.split(r"[,;]", web.form("tags", limit=1000)), by=web.user)
            seller_id = int_or_zero(web.form("salesperson", limit=20))
            seller = next((u for u in customers.salespeople() if u.id == seller_id), None)
            if seller_id and seller is None:
                raise customers.CustomerError(N_("a salesperson is an active member of staff"))
            customers.set_contact(customer, contact_name=web.form("contact_name", limit=200),
                                  contact_phone=web.form("contact_phone", limit=40), salesperson=seller,
                                  region=web.settings.default_region, by=web.user)
            reminder, marketing = web.form("reminder") == "on", web.form("marketing") == "on"
            if (reminder, marketing) != (customer.consent_reminder, customer.consent_marketing):
                customers.set_consent(customer, reminder=reminder, marketing=marketing, by=web.user, via="staff")
            if web.form("clear_flag") == "on":
                customer.flag = ""
                customer.save()
    except customers.CustomerError as exc:
        bottle.response.status = 400
        return detail(web, customer_id, web.problem(exc), typed={"profile": _typed_profile(web)})
    web.redirect(f"/customers/{customer.id}", "Customer saved.")


def _typed_profile(web: Web) -> dict:
    """The profile form as posted, to show again beside a refusal."""
    fields = ("name", "address", "email", "language", "contact_name", "contact_phone", "tags", "notes")
    typed = {name: web.form(name, limit=6000) for name in fields}
    return {**typed, "salesperson": int_or_zero(web.form("salesperson", limit=20)),
            "reminder": web.form("reminder") == "on", "marketing": web.form("marketing") == "on"}


def adjust_points(web: Web, customer_id: str):
    customer = _customer(customer_id)
    try:
        delta = int(web.form("delta", limit=12).strip().replace("+", ""))
    except ValueError:
        bottle.response.status = 400
        return detail(web, customer_id, web.t("Points are a whole number, such as 10 or -5."))
    try:
        loyalty.adjust(customer, delta, reason=web.form("reason", limit=200), by=web.user)
    except loyalty.LoyaltyError as exc:
        bottle.response.status = 400
        return detail(web, customer_id, web.problem(exc))
    web.redirect(f"/customers/{customer.id}", web.t("Points {delta}.").format(delta=f"{delta:+d}"))


# -- CSV --------------------------------------------------------------------------------

PREVIEW_TTL = 3600  # seconds a previewed file waits for its confirmation
MAX_PREVIEWS = 5  # files kept at most: each is customer data on the SD card


def _imports_dir(web: Web):
    folder = web.settings.data_path / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    _sweep_previews(folder)
    return folder


def _sweep_previews(folder, now: float | None = None, pattern: str = "*.csv") -> None:
    """Previews are customer data: gone once expired, and never more than a few."""
    now = time.time() if now is None else now
    files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for n, path in enumerate(files):
        try:
            if n >= MAX_PREVIEWS or now - path.stat().st_mtime > PREVIEW_TTL:
                path.unlink()
        except OSError:
            continue  # another request took it


def import_form(web: Web):
    return web.render("import", title="Import customers", report=None, token="", error="")


def import_preview(web: Web):
    """Upload: a dry run shows every row's verdict before anything changes."""
    upload = bottle.request.files.get("file")
    if upload is None:
        bottle.response.status = 400
        return web.render("import", title="Import customers", report=None, token="", error=web.t("Choose a CSV file."))
    data = upload.file.read(UPLOAD_LIMIT + 1)
    report = customers_csv.import_csv(data, region=web.settings.default_region, dry_run=True)
    if report.error:
        bottle.response.status = 400
        return web.render("import", title="Import customers", report=None, token="", error=web.t(report.error))
    token = secrets.token_hex(16)
    folder = _imports_dir(web)
    (folder / f"{token}.csv").write_bytes(data)
    _sweep_previews(folder)
    return web.render("import", title="Import customers", report=report, token=token, error="")


def import_confirm(web: Web):
    token = web.form("token", limit=64)
    if not re.fullmatch(r"[0-9a-f]{32}", token):
        web.refuse(400, "The upload expired; choose the file again.")
    path = _imports_dir(web) / f"{token}.csv"  # (an expired one is swept away here)
    try:
        data = path.read_bytes()
        path.unlink()  # taken: a second click cannot import it twice
    except FileNotFoundError:
        web.refuse(400, "The upload expired; choose the file again.")
    report = customers_csv.import_csv(data, region=web.settings.default_region, by=web.user)
    return web.render("import", title="Import customers", report=report, token="", error="", done=True)


def export(web: Web):
    # Streamed: 100,000 customers start downloading at once, in pieces of a few thousand.
    return web.csv("customers.csv", customers_csv.export_chunks())
