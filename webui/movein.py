"""Moving in from the UI: upload a Gammu SMSD SQLite file (Kalkun's or
playSMS's too), see the dry run's counts and refusals, then import.

The upload streams to a file in the data dir (spooled_upload) and waits
there, under a random name, for the confirmation: an hour at most, a few
files at most (customers.py's sweep), and taken on the first confirm so a
second click imports nothing twice (nor would a re-run: see smsd_import)."""

from __future__ import annotations

import re
import secrets
import shutil

import bottle

from appliance import shopdata, smsd_import

from .customers import _imports_dir, _sweep_previews
from .web import Web, spooled_upload

UPLOAD_LIMIT = 512 * 1024 * 1024  # years of a busy shop's texts
TITLE = "Move in from Gammu SMSD"


def _page(web: Web, report=None, token: str = "", error: str = "", done: bool = False):
    refusals = [(r.number, web.problem(r.error) if r.error else r.reason, r.messages)
                for r in (report.refusals[:200] if report else [])]
    return web.render("smsd_import", title=TITLE, report=report, token=token, error=error, done=done,
                      refusals=refusals)


def _run(web: Web, path, dry_run: bool):
    shop = shopdata.live(web.settings)
    return smsd_import.run(str(path), region=shop.default_region, tz=shop.tz, dry_run=dry_run,
                           by=None if dry_run else web.user)


def form(web: Web):
    return _page(web)


def preview(web: Web):
    with spooled_upload(web) as (file, name):
        if file is None:
            bottle.response.status = 400
            return _page(web, error=web.t("Choose the SMSD database file (.db, .sqlite)."))
        try:
            report = _run(web, file, dry_run=True)
        except smsd_import.SourceError as exc:
            bottle.response.status = 400  # (named as the browser named it, not the box's temporary file)
            return _page(web, error=web.problem(exc).replace(str(file), name or "?"))
        token = secrets.token_hex(16)
        folder = _imports_dir(web)
        shutil.copyfile(file, folder / f"{token}.sqlite")
    _sweep_previews(folder, pattern="*.sqlite")
    return _page(web, report, token)


def confirm(web: Web):
    token = web.form("token", limit=64)
    if not re.fullmatch(r"[0-9a-f]{32}", token):
        web.refuse(400, "The upload expired; choose the file again.")
    folder = _imports_dir(web)
    _sweep_previews(folder, pattern="*.sqlite")
    path = folder / f"{token}.sqlite"
    taken = path.with_suffix(".importing")
    try:
        path.rename(taken)  # taken: a second click finds nothing
    except FileNotFoundError:
        web.refuse(400, "The upload expired; choose the file again.")
    try:
        report = _run(web, taken, dry_run=False)
    except smsd_import.SourceError as exc:
        bottle.response.status = 400
        return _page(web, error=web.problem(exc))
    finally:
        taken.unlink(missing_ok=True)
    return _page(web, report, done=True)
