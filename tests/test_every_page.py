"""Every page, as every role, on a phone: a walk through the route table in
a real browser (Debian's Chromium) against `loket run --demo <kind>`.

On each page at 390 px in Indonesian, as a shop assistant holds it:
nothing is wider than the screen, every visible control is a thumb's
44 px, the browser logs no error, and axe-core (vendored in tests/vendor/,
a test-only asset, loaded by the browser itself into every page; never
fetched) finds no serious
or critical problem. Every page is also shot at 390 and 1280 px in both
languages into test-output/pages/ (git-ignored) for a person to look at;
with LOKET_UPDATE_SCREENSHOTS=1 the README's two phone shots are redrawn.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from appliance.webui.app import ROUTES
from conftest import launch_loket
from support import REPO

playwright = pytest.importorskip("playwright.sync_api")
SHOTS = REPO / "test-output" / "pages"
README_SHOTS = REPO / "docs" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
ROLES = ("owner", "admin", "frontdesk", "technician", "viewer")
TODAY = dt.date.today()

# GET routes that are not pages a person reads: data for the pages' scripts, files, redirects.
NOT_PAGES = {"/static/<path:path>", "/inbox/<phone>/since", "/api/plan", "/customers/export.csv",
             "/campaigns/<campaign_id>/progress", "/display/board", "/settings/templates/preview",
             "/reports/<name>.csv", "/tickets/report.csv", "/settings/backup/<name>", "/",
             "/goods/<product_id>/photo"}


# The walk's shops, one per kind: each page is walked in the shop whose demo has its things
# (orders, campaigns and restocking at the parts dealer, tickets at the service desk, the rest at the spa);
# the dashboard in every one. `none` is a new box: the first-run wizard.
KINDS = ("spa", "parts", "service", "none")
THINGS = {"spa": {"<phone>": "%2B6281234500001", "<customer_id>": "1", "<draw_id>": "1", "<step>": "hours"},
          "parts": {"<number>": "1001", "<campaign_id>": "1", "<supplier_id>": "1", "<restock_id>": "2"},
          "service": {"<number>": "1", "<point_id>": "1"}}
# A receipt is printed only for a paid order: the parts dealer's counter sale (fill_shop).
THINGS_OF_ROUTE = {"/orders/<number>/receipt": {"<number>": "1002"}}


def home_of(path: str) -> tuple[str, ...]:
    if path == "/dashboard":
        return ("spa", "parts", "service")
    if path.startswith(("/orders", "/campaigns", "/reports/sales", "/suppliers", "/restock")):
        return ("parts",)
    return ("service",) if path.startswith(("/tickets", "/visits", "/points")) else ("spa",)


def pages_of(kind: str) -> list:
    """(route path, URL, roles) for every GET page walked in this shop."""
    out = []
    for route in ROUTES:
        if (route.method != "GET" or route.path in NOT_PAGES or route.public or route.api_scope
                or kind not in home_of(route.path)):
            continue
        url = route.path
        for holder, value in {**THINGS[kind], **THINGS_OF_ROUTE.get(route.path, {})}.items():
            url = url.replace(holder, value)
        assert "<" not in url, f"the walk knows no {url} in the {kind} shop"
        out.append((route.path, url, route.roles))
    return out


# -- the checks, in the page ---------------------------------------------------------------------
CHECKS = """() => {
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
      + ' "' + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().split('\\n')[0].slice(0, 30) + '"';
  const seen = (el) => { const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  let widest = null;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > innerWidth + 1 && (!widest || r.right >= widest.right)) widest = {right: r.right, el};
  }
  const small = [];
  for (let el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]')) {
    if (!seen(el)) continue;
    // A checkbox is tapped through its label: the label is the target.
    if (el.matches('input[type=checkbox], input[type=radio]') && el.closest('label')) el = el.closest('label');
    const r = el.getBoundingClientRect();
    if (r.height < 43.5 || r.width < 43.5) small.push(name(el) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
  }
  return {scroll: document.scrollingElement.scrollWidth, widest: widest && name(widest.el) + ' to ' + Math.round(widest.right) + ' px',
          small: [...new Set(small)]};
}"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


def check_page(page, errors: list) -> list:
    """What is wrong with the page in view: a list of sentences, empty when it is fine."""
    problems = []
    found = page.evaluate(CHECKS)
    if found["scroll"] > PHONE["width"]:
        problems.append(f"wider than the phone: {found['scroll']} px; widest: {found['widest']}")
    if found["small"]:
        problems.append("under 44 px: " + "; ".join(found["small"][:12]))
    problems += ["axe: " + v for v in page.evaluate(AXE_RUN)]
    problems += ["console: " + e for e in errors]
    errors.clear()
    return problems


# -- the shops and their people ------------------------------------------------------------------
@pytest.fixture(scope="module")
def shops(tmp_path_factory):
    """One running demo shop per kind, started side by side."""
    root = tmp_path_factory.mktemp("shops")
    contexts = {kind: launch_loket(root / kind, {"LOKET_QUIET_HOURS": ""}, args=("--demo", kind)) for kind in KINDS}
    with concurrent.futures.ThreadPoolExecutor(len(KINDS)) as pool:
        running = dict(zip(KINDS, pool.map(lambda c: c.__enter__(), contexts.values())))
    yield running
    for context in contexts.values():
        context.__exit__(None, None, None)


def log_in(context, url, username, password):
    page = context.new_page()
    page.goto(url + "login")
    assert page.locator("input[name=username]").count(), f"no login form at {page.url}: {page.content()[:1500]}"
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard"))
    return page


def fill_shop(page, loket, kind):
    """What the demo lacks for the walk to see every kind of row: numbers in the queue, a booking,
    a draw, a payment claim, a campaign, staff of every role."""
    url = loket.url
    if kind == "spa":
        page.goto(url + "queue")
        for phone in ("081234500001", "081234500002", ""):
            page.click("details.card summary")
            page.fill("form[action='/queue'] input[name=phone]", phone)
            page.click("form[action='/queue']:has(input[name=phone]) button[type=submit]")
        page.click("form.buttons button[value=next]")
        page.goto(url + "bookings")
        page.click("details.card summary")
        page.fill("input[name=phone]", "081234500002")
        page.fill("input[name=time]", "10:00")  # on the day in view: the shop's today
        page.click("form[action='/bookings'] button[type=submit]")
        page.goto(url + "draws")
        page.click("details.card summary")
        page.fill("input[name=name]", "Undian Desember")
        page.fill("input[name=start]", (TODAY - dt.timedelta(days=60)).isoformat())
        page.fill("input[name=end]", (TODAY - dt.timedelta(days=1)).isoformat())
        page.fill("textarea[name=prizes]", "Voucher pijat bayi\nMinyak telon")
        page.click("form[action='/draws'] button[type=submit]")
    if kind == "parts":
        loket.text("+6281234500011", "BAYAR O-1001 120000")
        page.goto(url + "orders")  # a counter sale, paid at once: O-1002, its receipt to print
        page.click("details#new summary")
        page.fill("form[method=post][action='/orders'] input[name=phone]", "081234500012")
        page.select_option("select[name=product1]", index=1)
        page.click("form[method=post][action='/orders'] button[type=submit]")
        page.wait_for_url(re.compile(r".*/orders/1002"))
        page.select_option("select[name=status]", "paid")
        page.click("form:has(select[name=status]) button[type=submit]")
        page.wait_for_selector(".flash")
        page.goto(url + "campaigns/new")
        page.fill("input[name=name]", "Oli baru")
        page.fill("#campaign-text", "Halo {name}, oli mesin baru diskon 10% minggu ini!")
        page.fill("input[name=date]", (TODAY + dt.timedelta(days=7)).isoformat())
        page.click("button[value=schedule]")
        page.wait_for_url(re.compile(r".*/campaigns/\d+"))
    people = {"owner": loket.password}
    for role in ROLES[1:]:
        page.goto(url + "settings/users")
        page.click("details.card summary")
        page.fill("input[name=username]", role)
        page.select_option("form[action='/settings/users'] select[name=role]", role)
        if role == "technician":
            page.fill("form[action='/settings/users'] input[name=phone]", "081234599099")
        page.click("form[action='/settings/users'] button[type=submit]")
        people[role] = page.text_content(".flash.warn code").split(":")[-1].strip()  # "name: password"
    if kind == "service":  # the technician's own ticket: what he sees of it, its customer, its job card
        page.goto(url + "tickets/1")
        page.select_option("select[name=technician]", label="technician")
        page.click("form:has(select[name=technician]) button[type=submit]")
        page.wait_for_selector(".flash")
    return people


# -- the walk ------------------------------------------------------------------------------------
def shot_name(kind, url):
    return kind + (url.replace("/", "-").replace("%2B", "") or "-home")


def test_every_page_fits_a_phone_for_every_role(browser, shops):
    started = time.monotonic()
    failures, walked = [], set()
    shutil.rmtree(SHOTS, ignore_errors=True)  # this walk's pages only
    SHOTS.mkdir(parents=True)

    def visit(page, errors, where, route_path, url, base, role=None):
        response = page.goto(base + url.lstrip("/"))
        walked.add(route_path)
        if response.status == 403 and role == "technician":
            errors.clear()  # the browser's note of the 403 itself
            return False  # another technician's customer: his view is scoped (webui/scope.py)
        problems = [] if response.ok else [f"answered {response.status}"]
        for problem in problems + check_page(page, errors):
            failures.append(f"{where} {url}: {problem}")
        return True

    def context_for(viewport=PHONE):
        context = browser.new_context(viewport=viewport)
        context.add_init_script(path=str(AXE))  # as the browser's own script: the pages' CSP stays on
        errors = []
        context.on("console", lambda m: m.type == "error" and errors.append(m.text))
        context.on("weberror", lambda e: errors.append(str(e.error)))
        return context, errors

    # Before anyone logs in: the login, the waiting-room display, the first-run wizard.
    context, errors = context_for()
    page = context.new_page()
    for kind, route_path in (("spa", "/login"), ("spa", "/display"), ("none", "/setup")):
        visit(page, errors, f"{kind} nobody", route_path, route_path, shops[kind].url)
        page.screenshot(path=str(SHOTS / f"{shot_name(kind, route_path)}-390-id.png"), full_page=True)
    context.close()

    for kind, loket in shops.items():
        if kind == "none":
            continue
        context = browser.new_context(viewport=PHONE)
        people = fill_shop(log_in(context, loket.url, loket.user, loket.password), loket, kind)
        context.close()
        for role in ROLES:
            context, errors = context_for()
            page = log_in(context, loket.url, role if role != "owner" else loket.user, people[role])
            assert page.get_attribute("html", "lang") == "id", "a new user starts in the shop's language"
            for route_path, url, roles in pages_of(kind):
                if role not in roles or not visit(page, errors, f"{kind} {role}", route_path, url, loket.url, role):
                    continue
                if role == "owner":
                    page.screenshot(path=str(SHOTS / f"{shot_name(kind, url)}-390-id.png"), full_page=True)
                    page.set_viewport_size(DESKTOP)
                    page.screenshot(path=str(SHOTS / f"{shot_name(kind, url)}-1280-id.png"), full_page=True)
                    page.set_viewport_size(PHONE)
                    if kind == "spa" and url in ("/inbox", "/queue"):
                        readme_shot(page, url.strip("/"))
            if role == "owner":  # the desktop and English pass, for a person to look at
                page.goto(loket.url + "dashboard")
                page.click("header button[name=language]")
                for route_path, url, roles in pages_of(kind):
                    page.goto(loket.url + url.lstrip("/"))
                    page.screenshot(path=str(SHOTS / f"{shot_name(kind, url)}-390-en.png"), full_page=True)
                    page.set_viewport_size(DESKTOP)
                    page.screenshot(path=str(SHOTS / f"{shot_name(kind, url)}-1280-en.png"), full_page=True)
                    page.set_viewport_size(PHONE)
            context.close()

    unwalked = {r.path for r in ROUTES if r.method == "GET" and not r.api_scope} - NOT_PAGES - walked
    assert not unwalked, f"pages the walk never saw: {sorted(unwalked)}"
    print(f"\nwalked in {time.monotonic() - started:.0f} s")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


def readme_shot(page, name):
    """The README's phone shots (docs/screenshots/), redrawn when LOKET_UPDATE_SCREENSHOTS=1."""
    if os.environ.get("LOKET_UPDATE_SCREENSHOTS") != "1":
        return
    README_SHOTS.mkdir(parents=True, exist_ok=True)
    height = min(1200, page.evaluate("document.scrollingElement.scrollHeight"))
    page.screenshot(path=str(README_SHOTS / f"{name}-390.png"), clip={"x": 0, "y": 0, "width": 390, "height": height},
                    full_page=True)
