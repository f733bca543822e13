"""The staff web UI: an explicit app factory and route table (bottle).

Every route names who may use it. `public` routes are the few that need no
login (the login form, static assets, the first-run wizard while the shop
has no owner, and the waiting-room display); everything else needs a
session, and every POST needs that session's CSRF token. A test walks the
route table to prove it.

The pages live in small modules named like the core they show (inbox.py,
bookings.py, ...); they import web.py (Route, the roles, the request
helper) and never this module, which imports them to fill one route table,
ROUTES, grouped by page.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from urllib.parse import quote

import bottle

from appliance import auth, shopdata

from . import (answers, api, api_customers, api_docs, api_messages, api_shop, api_tokens, audit, backups, bookings,
               campaigns, customers, dashboard, draws, inbox, login, me, modems, movein, news, orders, outbox,
               photos, points, printing, projects, report_tabs, reports, settings, setup, shop, staff, suppliers,
               tickets, updates, users, visits, waiting, webhooks, wizard)
from .i18n import N_
from .web import (ANY_ROLE, DESK, LOOKUP, MANAGERS, OFFICE, OWNER, REPORT_READERS, SESSION_COOKIE, STATIC, WRITERS,
                  Route, Web)

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    # No inline scripts or styles, nothing from anywhere but this box.
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


# The answers a browser may keep a while: the static files, and goods' photos (their URLs carry a version).
CACHED = re.compile(r"/static/|/goods/\d+/photo$")


def static(web: Web, path: str):
    response = bottle.static_file(path, root=STATIC)
    response.set_header("Cache-Control", "public, max-age=3600")
    return response


# -- the route table: every URL, who may use it, and the page module that answers --------------
ROUTES = [
    # logging in and out, the static files
    Route("GET", "/login", login.login_form, public=True),
    Route("POST", "/login", login.login_submit, public=True),
    Route("GET", "/static/<path:path>", static, public=True),
    Route("POST", "/logout", login.logout, roles=ANY_ROLE),
    Route("POST", "/me/language", login.language, roles=ANY_ROLE),
    Route("GET", "/me", me.me_page, roles=ANY_ROLE),
    Route("POST", "/me/password", me.change_password, roles=ANY_ROLE),
    Route("POST", "/me/phone", me.change_phone, roles=ANY_ROLE),
    # the first-run wizard (only while the shop has no owner, only with the setup code)
    Route("GET", "/setup", setup.wizard, public=True),
    Route("POST", "/setup", setup.wizard_submit, public=True),
    # ... then, for the owner, the steps the shop's kind needs (skippable, and open again any time)
    Route("GET", "/setup/<step>", wizard.step_page, roles=OWNER),
    Route("POST", "/setup/<step>", wizard.step_save, roles=OWNER),
    # modems
    Route("GET", "/settings/modem", modems.modem_page, roles=MANAGERS),
    Route("POST", "/settings/modem/test", modems.modem_test, roles=MANAGERS),
    Route("POST", "/settings/modem/pin", modems.modem_pin, roles=OWNER),
    # the shop's own settings
    Route("GET", "/settings/shop", shop.shop_page, roles=MANAGERS),
    Route("POST", "/settings/shop", shop.shop_save, roles=MANAGERS),
    # ... and the goods' photos: staff at work see them, the managers change them (not the viewers)
    Route("GET", "/goods/<product_id>/photo", photos.photo, roles=WRITERS),
    Route("POST", "/goods/<product_id>/photo", photos.upload, roles=MANAGERS),
    Route("POST", "/goods/<product_id>/photo/remove", photos.remove, roles=MANAGERS),
    # the dashboard
    Route("GET", "/", dashboard.home, roles=ANY_ROLE),
    Route("GET", "/dashboard", dashboard.dashboard, roles=ANY_ROLE),
    Route("POST", "/dashboard/checklist", wizard.hide_checklist, roles=OWNER),
    # ... and on it the staff news board: the owner and the admins post, everyone reads
    Route("POST", "/news", news.post, roles=MANAGERS),
    Route("POST", "/news/<news_id>/remove", news.remove, roles=MANAGERS),
    # the inbox
    Route("GET", "/inbox", inbox.inbox_page, roles=ANY_ROLE),
    Route("GET", "/inbox/<phone>", inbox.conversation, roles=ANY_ROLE),
    Route("GET", "/inbox/<phone>/since", inbox.since, roles=ANY_ROLE),
    Route("POST", "/inbox/<phone>/reply", inbox.reply, roles=WRITERS),
    Route("POST", "/inbox/<phone>/teach", inbox.teach, roles=DESK),
    Route("POST", "/inbox/<phone>/quick", inbox.keep_quick_reply, roles=DESK),
    Route("GET", "/api/plan", inbox.plan, roles=ANY_ROLE),
    # the outbox: messages that did not go out
    Route("GET", "/outbox", outbox.outbox_page, roles=ANY_ROLE),
    Route("POST", "/outbox/<message_id>/resend", outbox.resend, roles=WRITERS),
    # customers
    Route("GET", "/customers", customers.listing, roles=ANY_ROLE),
    Route("POST", "/customers", customers.create, roles=DESK),
    Route("GET", "/customers/import", customers.import_form, roles=MANAGERS),
    Route("POST", "/customers/import", customers.import_preview, roles=MANAGERS),
    Route("POST", "/customers/import/confirm", customers.import_confirm, roles=MANAGERS),
    Route("GET", "/customers/import/smsd", movein.form, roles=MANAGERS),
    Route("POST", "/customers/import/smsd", movein.preview, roles=MANAGERS),
    Route("POST", "/customers/import/smsd/confirm", movein.confirm, roles=MANAGERS),
    Route("GET", "/customers/export.csv", customers.export, roles=MANAGERS),
    Route("GET", "/customers/<customer_id>", customers.detail, roles=ANY_ROLE),
    Route("POST", "/customers/<customer_id>", customers.update, roles=DESK),
    Route("POST", "/customers/<customer_id>/points", customers.adjust_points, roles=MANAGERS),
    Route("POST", "/customers/<customer_id>/projects", projects.create, roles=MANAGERS),
    Route("POST", "/projects/<project_id>", projects.update, roles=MANAGERS),
    # bookings
    Route("GET", "/bookings", bookings.booking_days, roles=ANY_ROLE),
    Route("POST", "/bookings", bookings.booking_create, roles=DESK),
    Route("POST", "/bookings/<booking_id>", bookings.booking_act, roles=DESK),
    # the waiting queue, and its public display
    Route("GET", "/queue", waiting.queue_board, roles=ANY_ROLE),
    Route("POST", "/queue", waiting.queue_act, roles=DESK),
    Route("GET", "/display", waiting.display, public=True),
    Route("GET", "/display/board", waiting.display_board, public=True),
    # orders
    Route("GET", "/orders", orders.order_list, roles=ANY_ROLE),
    Route("POST", "/orders", orders.order_create, roles=DESK),
    Route("GET", "/orders/<number>", orders.order_detail, roles=ANY_ROLE),
    Route("POST", "/orders/<number>", orders.order_act, roles=DESK),
    # ... printed for the customer by the desk: the invoice, and the receipt once paid (A4 or ?paper=58)
    Route("GET", "/orders/<number>/invoice", printing.invoice, roles=DESK),
    Route("GET", "/orders/<number>/receipt", printing.receipt, roles=DESK),
    # suppliers, and restock orders that add stock when the goods come
    Route("GET", "/suppliers", suppliers.supplier_list, roles=MANAGERS),
    Route("POST", "/suppliers", suppliers.supplier_create, roles=MANAGERS),
    Route("GET", "/suppliers/<supplier_id>", suppliers.supplier_detail, roles=MANAGERS),
    Route("POST", "/suppliers/<supplier_id>", suppliers.supplier_update, roles=MANAGERS),
    Route("GET", "/restock", suppliers.restock_list, roles=MANAGERS),
    Route("POST", "/restock", suppliers.restock_create, roles=MANAGERS),
    Route("GET", "/restock/<restock_id>", suppliers.restock_detail, roles=MANAGERS),
    Route("POST", "/restock/<restock_id>", suppliers.restock_act, roles=MANAGERS),
    # tickets
    Route("GET", "/tickets", tickets.listing, roles=ANY_ROLE),
    Route("POST", "/tickets", tickets.create, roles=DESK),
    Route("GET", "/tickets/report", tickets.report, roles=OFFICE),
    Route("GET", "/tickets/report.csv", tickets.report_csv, roles=OFFICE),
    Route("GET", "/tickets/<number>", tickets.detail, roles=ANY_ROLE),
    Route("POST", "/tickets/<number>", tickets.act, roles=WRITERS),
    Route("GET", "/tickets/<number>/card", tickets.job_card, roles=ANY_ROLE),
    Route("GET", "/visits", visits.calendar, roles=ANY_ROLE),
    # the service desk's branches: their engineers, their SLA, their open tickets
    Route("GET", "/points", points.listing, roles=ANY_ROLE),
    Route("POST", "/points", points.create, roles=MANAGERS),
    Route("GET", "/points/<point_id>", points.detail, roles=ANY_ROLE),
    Route("POST", "/points/<point_id>", points.act, roles=MANAGERS),
    # campaigns
    Route("GET", "/campaigns", campaigns.campaign_list, roles=OFFICE),
    Route("GET", "/campaigns/new", campaigns.campaign_new, roles=DESK),
    Route("POST", "/campaigns", campaigns.campaign_create, roles=DESK),
    Route("GET", "/campaigns/<campaign_id>", campaigns.campaign_detail, roles=OFFICE),
    Route("GET", "/campaigns/<campaign_id>/progress", campaigns.campaign_progress, roles=OFFICE),
    Route("POST", "/campaigns/<campaign_id>/cancel", campaigns.campaign_cancel, roles=DESK),
    # prize draws
    Route("GET", "/draws", draws.draw_list, roles=OFFICE),
    Route("POST", "/draws", draws.draw_create, roles=MANAGERS),
    Route("GET", "/draws/<draw_id>", draws.draw_detail, roles=ANY_ROLE),
    Route("POST", "/draws/<draw_id>/<step>", draws.draw_step, roles=MANAGERS),
    # reports
    Route("GET", "/reports", reports.overview, roles=REPORT_READERS),
    Route("GET", "/reports/sales", report_tabs.sales, roles=REPORT_READERS),
    Route("GET", "/reports/sms", report_tabs.sms, roles=REPORT_READERS),
    Route("GET", "/reports/customers", report_tabs.customers, roles=REPORT_READERS),
    Route("GET", "/reports/<name>.csv", report_tabs.download, roles=REPORT_READERS),
    # settings: keywords and replies
    Route("GET", "/settings", settings.settings_page, roles=MANAGERS),
    Route("POST", "/settings", settings.settings_save, roles=MANAGERS),
    Route("GET", "/settings/templates/preview", settings.template_preview, roles=MANAGERS),
    # staff-made answers: keywords and phrases with a reply in both languages
    Route("GET", "/settings/answers", answers.answers_page, roles=MANAGERS),
    Route("POST", "/settings/answers", answers.answer_save, roles=MANAGERS),
    Route("POST", "/settings/answers/act", answers.answer_act, roles=MANAGERS),
    # users
    Route("GET", "/settings/users", users.users, roles=MANAGERS),
    Route("POST", "/settings/users", users.user_create, roles=MANAGERS),
    Route("POST", "/settings/users/<user_id>", users.user_update, roles=MANAGERS),
    Route("GET", "/settings/staff", staff.staff_page, roles=MANAGERS),
    Route("POST", "/settings/staff/<user_id>", staff.staff_save, roles=MANAGERS),
    # the audit log
    Route("GET", "/settings/audit", audit.audit_log, roles=MANAGERS),
    # backups
    Route("GET", "/settings/backup", backups.page, roles=OWNER),
    Route("POST", "/settings/backup", backups.make, roles=OWNER),
    Route("GET", "/settings/backup/<name>", backups.download, roles=OWNER),
    Route("POST", "/settings/backup/restore", backups.restore, roles=OWNER),
    # webhooks: other programs hear of the shop's events
    Route("GET", "/settings/webhooks", webhooks.page, roles=OWNER),
    Route("POST", "/settings/webhooks", webhooks.create, roles=OWNER),
    Route("POST", "/settings/webhooks/<hook_id>", webhooks.act, roles=OWNER),
    Route("POST", "/settings/webhooks/deliveries/<delivery_id>", webhooks.send_again, roles=OWNER),
    # offline updates
    Route("GET", "/settings/update", updates.page, roles=OWNER),
    Route("POST", "/settings/update", updates.upload, roles=OWNER),
    # tokens for the shop's other programs, and what the API offers
    Route("GET", "/settings/api", api_tokens.tokens_page, roles=OWNER),
    Route("POST", "/settings/api", api_tokens.token_create, roles=OWNER),
    Route("POST", "/settings/api/<token_id>/revoke", api_tokens.token_revoke, roles=OWNER),
    Route("GET", "/settings/api/docs", api_docs.docs_page, roles=OWNER),
    # the JSON API: a bearer token with the scope named, never a session (webui/api.py)
    Route("GET", "/api/v1/openapi.json", api_docs.openapi, api_scope="any"),
    Route("POST", "/api/v1/messages", api_messages.send, api_scope="send"),
    Route("GET", "/api/v1/messages", api_messages.messages, api_scope="messages"),
    Route("GET", "/api/v1/messages/<message_id>", api_messages.message_detail, api_scope="messages send"),
    Route("GET", "/api/v1/conversations/<phone>", api_messages.conversation, api_scope="messages"),
    Route("GET", "/api/v1/customers", api_customers.listing, api_scope="customers"),
    Route("POST", "/api/v1/customers", api_customers.create, api_scope="customers"),
    Route("GET", "/api/v1/customers/by-phone/<phone>", api_customers.by_phone, api_scope="customers"),
    Route("GET", "/api/v1/customers/<customer_id>", api_customers.detail, api_scope="customers"),
    Route("PATCH", "/api/v1/customers/<customer_id>", api_customers.change, api_scope="customers"),
    Route("GET", "/api/v1/services", api_shop.services, api_scope="bookings"),
    Route("GET", "/api/v1/bookings", api_shop.booking_list, api_scope="bookings"),
    Route("POST", "/api/v1/bookings", api_shop.booking_create, api_scope="bookings"),
    Route("GET", "/api/v1/slots", api_shop.free_slots, api_scope="bookings"),
    Route("GET", "/api/v1/staff", api_shop.staff_list, api_scope="bookings"),
    Route("GET", "/api/v1/tickets", api_shop.ticket_list, api_scope="tickets"),
    Route("POST", "/api/v1/tickets", api_shop.ticket_create, api_scope="tickets"),
    Route("GET", "/api/v1/tickets/<number>", api_shop.ticket_detail, api_scope="tickets"),
    Route("GET", "/api/v1/orders", api_shop.order_list, api_scope="orders"),
    Route("GET", "/api/v1/orders/<number>", api_shop.order_detail, api_scope="orders"),
    Route("GET", "/api/v1/payments", api_shop.payment_list, api_scope="orders"),
    Route("GET", "/api/v1/payments/<claim_id>", api_shop.payment_detail, api_scope="orders"),
    Route("GET", "/api/v1/modem", api_shop.modem, api_scope="admin"),
]


def _guard(route: Route, web: Web):
    """Wrap a handler with the login, role and CSRF checks its route declares."""
    handler = functools.partial(route.handler, web)
    if route.public:
        return handler

    def guarded(*args, **kwargs):
        request = bottle.request
        session = auth.session_for(request.get_cookie(SESSION_COOKIE), session_hours=web.settings.session_hours)
        if session is None:
            if request.method == "GET":
                bottle.redirect("/login?next=" + quote(request.fullpath, safe="/"))
            raise bottle.HTTPError(401, N_("Please log in."))
        request.environ["loket.session"] = session  # the refusals below speak the user's language
        if session.user.role not in route.roles:
            raise bottle.HTTPError(403, N_("Your role may not do this."))
        if request.method == "POST" and not auth.csrf_ok(session, request.forms.getunicode("csrf")):
            raise bottle.HTTPError(403, N_("The form expired; reload the page and try again."))
        return handler(*args, **kwargs)

    return guarded


_storage_errors = [0]  # how many storage errors the server's threads have met
_seen = threading.local()  # ... as this thread last saw that count


def _drop_connection_opened_before_a_storage_error() -> None:
    """The data dir took no writes (read-only, full) since this thread's last
    request: its database connection may have been opened read-only meanwhile
    and would stay so for good, failing its first write once the disk takes
    writes again. Closed here, the request opens a fresh one."""
    if getattr(_seen, "errors", 0) != _storage_errors[0]:
        _seen.errors = _storage_errors[0]
        from appliance import db
        try:
            db.proxy.close()
        except Exception:  # a broken or unopened connection: gone either way
            pass


def _count_storage_error(exc) -> None:
    """Every server thread drops its connection at its next request (above)."""
    from appliance.queue.storage import is_storage_error
    if is_storage_error(exc):
        _storage_errors[0] += 1


def create_app(settings, tasks) -> bottle.Bottle:
    """The WSGI app. `tasks` is the job queue's handle for nudging the worker."""
    app = bottle.Bottle()
    shopdata.use(settings)  # domain code reads the shop's preferences over these settings
    web = Web(settings, tasks)
    app.config["loket.routes"] = list(ROUTES)
    for route in app.config["loket.routes"]:
        if route.api_scope:  # a token's route: never a session's, never a role's
            if route.roles or route.public or not route.path.startswith(api.PREFIX + "/"):
                raise ValueError(f"API route {route.method} {route.path} must be under {api.PREFIX}, token only")
            app.route(route.path, route.method, api.guard(route, web))
            continue
        if route.path.startswith(api.PREFIX + "/"):
            raise ValueError(f"route {route.method} {route.path} is under {api.PREFIX} but names no API scope")
        if not route.public and not route.roles:
            raise ValueError(f"route {route.method} {route.path} names no role")
        app.route(route.path, route.method, _guard(route, web))

    app.add_hook("before_request", _drop_connection_opened_before_a_storage_error)

    @app.hook("after_request")
    def headers():
        for name, value in SECURITY_HEADERS.items():
            if name == "Cache-Control" and CACHED.match(bottle.request.path):  # they set their own
                continue
            bottle.response.set_header(name, value)

    def error_page(error):
        if bottle.request.path.startswith(api.PREFIX + "/"):  # no such API route, or not that method
            if error.status_code >= 500:
                log.error("API error on %s %s: %s", bottle.request.method, bottle.request.path, error.traceback)
            response = api.problem_response(error.status_code)
            bottle.response.content_type = response.content_type
            for name, value in SECURITY_HEADERS.items():
                bottle.response.set_header(name, value)
            return response.body
        # Plain and escaped; never a stack trace.
        bottle.response.content_type = "text/html; charset=utf-8"
        for name, value in SECURITY_HEADERS.items():
            bottle.response.set_header(name, value)
        if error.status_code >= 500:
            log.error("error on %s %s: %s", bottle.request.method, bottle.request.path, error.traceback or error.body)
            _count_storage_error(error.exception)
            message = N_("Something went wrong on the box. It has been logged; please try again.")
        elif error.status_code == 404 and str(error.body).startswith("Not found: "):
            message = N_("This page does not exist.")  # bottle's own words for a URL no route takes
        else:
            message = error.body if isinstance(error.body, str) else N_("That did not work.")
        return bottle.template("error", template_lookup=LOOKUP, status=error.status_code, message=web.t(message),
                               shop=_shop_name(), t=web.t, language=web.language)

    def _shop_name() -> str:
        try:
            return web.settings.shop_name  # the owner's name for the shop
        except Exception:  # the database may be why this page is shown: the box's own
            return settings.shop_name

    for code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500):
        app.error(code)(error_page)

    app.catchall = True
    bottle.BaseRequest.MEMFILE_MAX = 6 * 1024 * 1024  # form fields; uploads (CSV, backups) stream to disk
    return app
