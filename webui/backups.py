"""Backups from the UI: make one, download one, restore one (checked first)."""

from __future__ import annotations

from pathlib import Path

import bottle

from appliance import audit
from appliance.box import backup

from .i18n import N_
from .web import Web, spooled_upload

UPLOAD_LIMIT = 512 * 1024 * 1024


def _paths(web: Web) -> tuple[Path, Path]:
    url = web.settings.db_url
    if not url.startswith("sqlite:///"):
        web.refuse(409, "This box keeps its data in PostgreSQL: back it up with pg_dump.")
    return Path(url.split("sqlite:///", 1)[1]), web.settings.data_path / "backups"


def page(web: Web, error: str = "", problems: list[str] | None = None):
    _, folder = _paths(web)
    files = backup.list_backups(folder) if folder.is_dir() else []
    return web.render("backups", title="Backup", files=files, error=error, problems=problems or [],
                      staged=(web.settings.data_path / backup.PENDING).exists())


def make(web: Web):
    db_path, folder = _paths(web)
    try:
        made = backup.backup(db_path, folder)
    except backup.BackupError as exc:
        bottle.response.status = 500
        return page(web, web.t(str(exc)))
    copied = backup.copy_to_usb(made)
    audit.audit("backup", user=web.user, detail=made.name + (" + USB" if copied else ""))
    web.redirect("/settings/backup", web.t("Backup made: {name}").format(name=made.name)
                 + (" " + web.t("(also on the USB stick)") if copied else ""))


def download(web: Web, name: str):
    _, folder = _paths(web)
    if not backup.NAME_RE.match(name):
        web.refuse(404, "No such backup.")
    audit.audit("backup.download", user=web.user, detail=name)
    return bottle.static_file(name, root=str(folder), download=name, mimetype="application/vnd.sqlite3")


def restore(web: Web):
    db_path, _ = _paths(web)
    with spooled_upload(web) as (file, name):
        if file is None:
            bottle.response.status = 400
            return page(web, web.t("Choose a backup file."))
        problems = backup.stage_restore(file, db_path)
    if problems:
        bottle.response.status = 400
        return page(web, web.t("Nothing was replaced: this file cannot be restored."), [web.t(p) for p in problems])
    audit.audit("backup.restore_staged", user=web.user, detail=name)
    web.redirect("/settings/backup", N_("Checked and staged. The box restarts its services to restore it "
                                        "(with `loket run`, restart it)."))
