"""Every process sees every service: keywords, handlers, reply templates and
periodic jobs are registered by one explicit `services.load()` that the web
app, the worker and the CLI wiring call, never by whatever a process
happened to import first."""

from __future__ import annotations

import subprocess
import sys

from support import Browserless, start_web

from appliance import auth, db, migrations, replies
from appliance import settings as settings_module
from appliance.conversation import KEYWORD_HANDLERS, REPLY_HANDLERS, STAFF_HANDLERS, STATUS_HANDLERS
from appliance.jobs import JOBS

PASSWORD = "correct horse battery"

# What a fresh interpreter registers after load(), printed for the parent to compare.
FRESH = """
from appliance import replies, services
from appliance.conversation import KEYWORD_HANDLERS, REPLY_HANDLERS, STAFF_HANDLERS, STATUS_HANDLERS
from appliance.jobs import JOBS
before = len(replies.DEFAULT_TEMPLATES), len(KEYWORD_HANDLERS), len(JOBS)
services.load()
services.load()  # twice is harmless
print(before)
print(sorted(replies.DEFAULT_TEMPLATES))
print(sorted(KEYWORD_HANDLERS), sorted(REPLY_HANDLERS), sorted(STATUS_HANDLERS), sorted(STAFF_HANDLERS))
print(sorted(JOBS))
"""


def test_load_registers_everything_and_importing_the_seam_registers_nothing():
    out = subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True, check=True).stdout.splitlines()
    templates_before, keywords_before, jobs_before = eval(out[0])  # noqa: S307  our own output
    assert keywords_before == 0 and jobs_before == 0, "importing the seam alone registers no service"
    assert eval(out[1]) == sorted(replies.DEFAULT_TEMPLATES)  # noqa: S307
    assert out[2] == str(sorted(KEYWORD_HANDLERS)) + " " + str(sorted(REPLY_HANDLERS)) + " " + \
        str(sorted(STATUS_HANDLERS)) + " " + str(sorted(STAFF_HANDLERS))
    assert eval(out[3]) == sorted(JOBS)  # noqa: S307
    for keyword in ("HELP", "STOP", "START", "STATUS", "BOOK", "CANCEL", "MOVE", "QUEUE", "POINTS", "COMPLAIN",
                    "PAY", "ORDER", "REG"):
        assert keyword in KEYWORD_HANDLERS, keyword
    assert {"reminders", "tickets.sla", "orders.unpaid", "campaigns"} <= set(JOBS)


def test_loket_web_alone_shows_and_saves_every_reply_template(tmp_path):
    """`loket web` on its own (no worker, nothing else imported first) lists
    every reply template on the Settings page and accepts a change to any of
    them: the reminders' and STATUS's templates included."""
    data = tmp_path / "data"
    settings = settings_module.load(env={}, overrides={"data_dir": str(data)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    auth.create_user("owner", PASSWORD, "owner")
    database.close()
    with start_web(data) as url:
        browser = Browserless(url)
        assert browser.login("owner", PASSWORD) == 200
        status, _, page = browser.get("/settings")
        assert status == 200
        missing = [key for key in replies.DEFAULT_TEMPLATES if f'name="reply.{key}.id"' not in page]
        assert not missing, f"the Settings page lacks {missing}"
        token = browser.csrf("/settings")
        for key in ("reminder_booking", "reminder_comeback", "status_list", "status_none"):
            status, _, _ = browser.post("/settings", {"csrf": token, f"reply.{key}.id": f"{key} ok"})
            assert status == 200, key
        _, _, page = browser.get("/settings")
        assert "status_none ok" in page
