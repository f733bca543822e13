"""The wizard's steps after the owner and the shop, and the dashboard's
"is the shop ready?" checklist.

The steps a shop's kind needs: address and opening hours, a starter list of
services or goods to edit, where customers pay (for kinds that take
payments), the modem and a test SMS. Each can be skipped ("Later") and
opened again from the list of steps or the checklist; the wizard remembers
the last step shown. The checklist reads the data, not the wizard's steps,
so what was done on the Shop or Modem page counts as well.
"""

from __future__ import annotations

import datetime as dt
import re

import bottle
from peewee import fn

from appliance import audit, catalogue, outbox, shopdata, shopkind, starter, tickets
from appliance.models import Message, OpeningHours, Product, Ticket, User
from appliance.tickets_sla import MAX_SLA_MINUTES
from appliance.phone import PhoneError, normalise
from appliance.settings import SettingsError

from .i18n import N_, reason_in
from .modems import modem_health
from .web import Web, int_or_zero

STEP_TITLES = {
    "hours": N_("Address and opening hours"),
    "offers": N_("Services or goods"),
    "payment": N_("Where customers pay"),
    "modem": N_("Modem and a test SMS"),
}
DAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
OFFER_TITLES = {"services": N_("Services"), "goods": N_("Goods"), "categories": N_("Ticket categories")}
MAX_ROWS = 50  # rows saved at once; more go in on the Shop page
READ_ROWS = 300  # rows read from a form that sent more, to show them again
TEST_STATES = {"queued": N_("waiting to be sent"), "sending": N_("being sent"), "sent": N_("sent"),
               "delivered": N_("delivered"), "failed": N_("not sent"), "unknown": N_("not known")}
_TIME = re.compile(r"^\s*([01]?[0-9]|2[0-3])[:.]([0-5][0-9])\s*$")


def steps_for(kind: str) -> list[str]:
    return (["hours"] + (["offers"] if starter.offers(kind) else [])
            + (["payment"] if starter.takes_payments(kind) else []) + ["modem"])


def resume() -> str:
    """The step the owner last saw (or the first): where the wizard goes on."""
    steps = steps_for(shopkind.kind())
    last = shopdata.get("setup_step")
    return f"/setup/{last if last in steps else steps[0]}"


def step_page(web: Web, step: str, error: str = "", typed: dict | None = None):
    kind = shopkind.kind()
    steps = steps_for(kind)
    if step not in steps:
        web.refuse(404, "No such step.")
    if shopdata.get("setup_step") != step:
        shopdata.put("setup_step", step)
    at = steps.index(step)
    titles = {**STEP_TITLES, "offers": OFFER_TITLES.get(starter.offers(kind), N_("Goods"))}
    values = dict(step=step, steps=steps, at=at, titles=titles, error=error, typed=typed or {},
                  next_url=f"/setup/{steps[at + 1]}" if at + 1 < len(steps) else "/dashboard")
    if step == "hours":
        values.update(week=_week(kind, typed), address=web.settings.shop_address)
    elif step == "offers":
        values.update(what=starter.offers(kind), rows=(typed or {}).get("rows") or starter.starter_rows(kind),
                      max_rows=MAX_ROWS)
    elif step == "payment":
        values.update(payment=web.settings.payment_instructions)
    else:
        test_id = int_or_zero(web.query("test"))
        test = (Message.get_or_none(Message.id == test_id) if test_id else
                max(_test_sms(), key=lambda m: m.id, default=None))
        values.update(modems=modem_health(web), test=test, states=TEST_STATES,
                      phone=web.user.phone or (test.phone if test else ""))  # again to the same phone
    return web.render("wizard", title=titles[step], **values)


def _week(kind: str, typed: dict | None) -> list[tuple]:
    """(day, name, opens, closes, open?) for each day: as typed, as saved, or the kind's usual hours."""
    saved = starter.hours() or starter.default_hours(kind)
    usual = next(iter(starter.default_hours(kind).values()))
    week = []
    for day, name in enumerate(DAYS):
        if typed and day in typed:
            week.append((day, name, *typed[day]))
        else:
            opens, closes = saved.get(day, usual)
            week.append((day, name, opens.strftime("%H:%M"), closes.strftime("%H:%M"), day in saved))
    return week


def step_save(web: Web, step: str):
    kind = shopkind.kind()
    steps = steps_for(kind)
    if step not in steps:
        web.refuse(404, "No such step.")
    at = steps.index(step)
    next_url = f"/setup/{steps[at + 1]}" if at + 1 < len(steps) else "/dashboard"
    saver = {"hours": _save_hours, "offers": _save_offers, "payment": _save_payment, "modem": _send_test}[step]
    problem = saver(web, kind)
    if isinstance(problem, tuple):  # refused (what was typed is shown again), or a row added to the list
        error, typed = problem
        bottle.response.status = 400 if error else 200
        return step_page(web, step, error, typed)
    if isinstance(problem, str):  # the test SMS: its page shows how it goes
        bottle.redirect(problem)
    audit.audit("setup.step", user=web.user, detail=step)
    web.redirect(next_url, N_("Saved."))


def _time(text: str):
    found = _TIME.match(text or "")
    return dt.time(int(found.group(1)), int(found.group(2))) if found else None


def _save_hours(web: Web, kind: str):
    typed = {"address": web.form("shop_address", limit=300)}
    days, problems = {}, []
    for day in range(7):
        opens, closes = web.form(f"opens{day}", limit=10), web.form(f"closes{day}", limit=10)
        is_open = web.form(f"open{day}") == "on"
        typed[day] = (opens, closes, is_open)
        if not is_open:
            continue
        start, end = _time(opens), _time(closes)
        name = web.t(DAYS[day])
        if start is None or end is None:
            problems.append(web.t("{day}: write the times like 08:00 and 17:00.").format(day=name))
        elif end <= start:
            problems.append(web.t("{day}: the shop closes after it opens.").format(day=name))
        else:
            days[day] = (start, end)
    if not problems and not days:
        problems.append(web.t("Tick at least one day the shop is open."))
    try:
        if not problems:
            shopdata.save_ui_settings({"shop_address": typed["address"]})
    except SettingsError as exc:
        problems.append(f"{web.t('Address')}: {reason_in(exc.reason, web.language)}.")
    if problems:
        return " ".join(problems), typed
    starter.save_hours(days)
    return None


def _offer_rows(web: Web, what: str) -> list[dict]:
    count = min(int_or_zero(web.form("rows", limit=8)), READ_ROWS)
    rows = []
    for i in range(count):
        row = {"id": int_or_zero(web.form(f"id{i}", limit=20)) or None, "name": web.form(f"name{i}", limit=300),
               "price": web.form(f"price{i}", limit=60), "remove": web.form(f"remove{i}") == "on"}
        if what == "services":
            row["duration"] = web.form(f"duration{i}", limit=20)
        elif what == "categories":
            row.update(words=web.form(f"words{i}", limit=1000), response=web.form(f"response{i}", limit=20),
                       resolution=web.form(f"resolution{i}", limit=20))
        else:
            row.update(code=web.form(f"code{i}", limit=80), stock=web.form(f"stock{i}", limit=20))
        rows.append(row)
    return rows


def _save_offers(web: Web, kind: str):
    what = starter.offers(kind)
    rows = _offer_rows(web, what)
    if web.form("do", limit=10) == "add":
        if len(rows) >= MAX_ROWS:
            return web.t("At most {n} rows at once: save these first.").format(n=MAX_ROWS), {"rows": rows}
        blank = {"id": None, "name": "", "price": "", "duration": "60", "code": "", "stock": "0", "words": "",
                 "response": "", "resolution": ""}
        return "", {"rows": rows + [blank]}  # shown at once, nothing saved
    if len(rows) > MAX_ROWS:
        return web.t("At most {n} rows at once: save these first.").format(n=MAX_ROWS), {"rows": rows}
    checked = _checked_categories if what == "categories" else _checked_rows
    clean, removed, problems = checked(web, what, rows)
    if not problems and not clean and not starter.has_offers(kind):
        problems.append((0, web.t("Keep at least one row, or choose Later.")))
    if problems:  # each row's own words in the row; the top says where to look
        for n, row in enumerate(rows, 1):
            row["problems"] = [text for at, text in problems if at == n]
        general = [text for at, text in problems if at == 0]
        return " ".join(general or [web.t("Some rows need a fix: see the rows marked in red.")]), {"rows": rows}
    try:
        starter.save_rows(what, clean, removed, web.user)
    except (catalogue.CatalogueError, tickets.TicketError) as exc:  # taken meanwhile by someone else
        return web.problem(exc), {"rows": rows}
    return None


def _checked_categories(web: Web, what: str, rows: list[dict]):
    """Ticket categories as typed: a name, the customers' words, hours to answer and to fix."""
    clean, removed, problems, names = [], [], [], set()
    for n, row in enumerate(rows, 1):
        say = lambda text, **kw: problems.append(  # noqa: E731
            (n, web.t("Row {n}:").format(n=n) + " " + web.t(text).format(**kw)))
        if row["remove"]:
            if row["id"] and Ticket.select().where(Ticket.category == row["id"]).exists():
                say(N_("{name} already has tickets: change it instead of removing it."), name=row["name"])
            elif row["id"]:
                removed.append(row["id"])
            continue
        name = " ".join(row["name"].split())
        if not row["id"] and not name and not row["response"].strip():
            continue  # a blank row left over
        if not name or len(name) > 64:
            say(N_("write a name.") if not name else N_("the name is too long."))
        elif name.casefold() in names:
            say(N_("{name} is in the list twice."), name=name)
        names.add(name.casefold())
        response, resolution = _minutes(row["response"]), _minutes(row["resolution"])
        if response is None or resolution is None:
            say(N_("write the hours as a number, such as 4 or 1,5 (at most {max})."), max=MAX_SLA_MINUTES // 60)
        elif resolution < response:
            say(N_("the time to fix cannot be shorter than the time to answer."))
        clean.append(dict(id=row["id"], name=name, words=row["words"], response_minutes=response,
                          resolution_minutes=resolution))
    return clean, removed, problems


def _minutes(hours: str) -> int | None:
    """'4', '1,5' or '0.5' hours as minutes; None when it is not a time an SLA can have."""
    try:
        minutes = round(float((hours or "").strip().replace(",", ".")) * 60)
    except ValueError:
        return None
    return minutes if 1 <= minutes <= MAX_SLA_MINUTES else None


def _checked_rows(web: Web, what: str, rows: list[dict]):
    clean, removed, problems, names, codes = [], [], [], {}, {}
    for n, row in enumerate(rows, 1):
        say = lambda text, **kw: problems.append(  # noqa: E731
            (n, web.t("Row {n}:").format(n=n) + " " + web.t(text).format(**kw)))
        if row["remove"]:
            if row["id"]:
                removed.append(row["id"])
            continue
        if not row["id"] and not row["name"].strip() and not row["price"].strip():
            continue  # a blank row left over
        try:
            name = catalogue.text_field(row["name"], N_("name"), maximum=100 if what == "services" else 200)
        except catalogue.CatalogueError:
            name = ""
            say(N_("write a name.") if not row["name"].strip() else N_("the name is too long."))
        try:
            price = catalogue.parse_price(row["price"])
        except catalogue.PriceError as exc:
            price = None
            if "too large" in str(exc):
                say(N_("the price is too large: at most {max}."), max=catalogue.rupiah(catalogue.MAX_AMOUNT))
            else:
                say(N_("{price} is not a price in Rupiah: write it like 85.000."), price=row["price"][:30] or "—")
        key = name.casefold()
        if name and key in names:
            say(N_("{name} is in the list twice."), name=name)
        names.setdefault(key, n)
        entry = {"id": row["id"], "name": name, "price": price}
        if what == "services":
            try:
                entry["duration"] = catalogue.whole_number(row["duration"], N_("duration"), minimum=5,
                                                           maximum=catalogue.MAX_DURATION_MINUTES)
            except catalogue.CatalogueError:
                say(N_("the duration is minutes, from 5 to {max}."), max=catalogue.MAX_DURATION_MINUTES)
        else:
            code = row["code"].strip().upper()
            if code and not re.fullmatch(r"[A-Z0-9][A-Z0-9._/-]{0,63}", code):
                say(N_("a code has only letters, digits and '-', such as KR-01."))
            elif code and code in codes:
                say(N_("the code {code} is in the list twice."), code=code)
            elif code:
                codes[code] = n
                owner = Product.get_or_none(Product.sku == code)
                mine = row["id"] or (Product.select(Product.id).where(fn.LOWER(Product.name) == name.lower())
                                     .scalar() if name else None)
                if owner is not None and owner.id != mine:
                    say(N_("the code {code} is already used by {other}."), code=code, other=owner.name)
            entry["code"] = code
            try:
                entry["stock"] = catalogue.whole_number(row["stock"] or "0", N_("stock"), minimum=0,
                                                        maximum=catalogue.MAX_STOCK)
            except catalogue.CatalogueError:
                say(N_("the stock is a whole number, 0 or more."))
        clean.append(entry)
    return clean, removed, problems


def _save_payment(web: Web, kind: str):
    text = web.form("payment_instructions", limit=300)
    try:
        shopdata.save_ui_settings({"payment_instructions": text})
    except SettingsError as exc:
        return f"{web.t('Where customers pay')}: {reason_in(exc.reason, web.language)}.", {"payment": text}
    return None


def _send_test(web: Web, kind: str):
    typed = web.form("phone", limit=40)
    try:
        phone = normalise(typed, web.settings.default_region)
    except PhoneError:
        return web.t("Write a phone number such as 0812-3456-7890."), {"phone": typed}
    row, _ = outbox.queue_outbound(phone, f"{web.settings.shop_name}: test SMS dari Loket / test SMS from Loket.",
                                   category="transactional", author=web.user, template="test")
    web.tasks.kick_outbox()
    audit.audit("modem.test", user=web.user, target=phone)
    return f"/setup/modem?test={row.id}"


# -- the dashboard's checklist --------------------------------------------------------------

def checklist(web: Web, modems: list[dict]) -> list[dict] | None:
    """What the shop still lacks, for its owner; None once all is done or hidden."""
    if web.user is None or web.user.role != "owner" or shopdata.get("checklist_hidden") or shopdata.get("demo"):
        return None  # staff see no list they cannot act on; a demo shop is for looking around
    kind, live = shopkind.kind(), web.settings
    offers = starter.offers(kind)
    items = [
        ("owner", N_("Owner made"), True, "/settings/users"),
        ("shop", N_("Shop name and address"), bool(live.shop_name and live.shop_address), "/setup/hours"),
        ("hours", N_("Opening hours"), OpeningHours.select().exists(), "/setup/hours"),
        ("offers", OFFER_TITLES.get(offers, N_("Ticket categories")), starter.has_offers(kind),
         "/setup/offers" if offers else "/settings/shop"),
    ]
    if starter.takes_payments(kind):
        items.append(("payment", N_("Where customers pay"), bool(live.payment_instructions), "/setup/payment"))
    items += [
        ("modem", N_("Modem found"), any(m.get("ok") and not m["stale"] for m in modems), "/setup/modem"),
        ("test", N_("Test SMS sent"), any(m.state in ("sent", "delivered") for m in _test_sms()), "/setup/modem"),
    ]
    if all(done for _, _, done, _ in items):
        return None
    return [dict(key=k, label=label, done=done, href=href) for k, label, done, href in items]


def _test_sms():
    """The test SMS staff sent (a few). Looked up through the author index
    alone: given the state too, SQLite walks every sent message of a big shop
    (a 270 ms dashboard on a million), so the state is checked here."""
    return (Message.select().where(Message.author.in_(User.select(User.id)) & (Message.template == "test"))
            .limit(500))


def hide_checklist(web: Web):
    shopdata.put("checklist_hidden", True)
    audit.audit("setup.checklist_hidden", user=web.user)
    web.redirect("/dashboard", N_("The checklist is hidden."))
