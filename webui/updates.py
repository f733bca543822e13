"""Offline updates from the UI: upload a release bundle; the box checks it,
installs it beside the running release, and rolls back by itself if the new
one does not come up (appliance/box/update.py, loket-update.service)."""

from __future__ import annotations

from pathlib import Path

import bottle

from appliance import audit

from .web import Web, spooled_upload


def page(web: Web, error: str = ""):
    from appliance.box import bundle, update  # (tarfile, urllib: not on the web UI's start-up path)
    releases = update.Releases(Path(web.settings.release_dir))
    return web.render("update", title="Update", error=error, running=bundle.running_version(),
                      current=releases.current(), previous=releases.previous(),
                      last=update.read_status(web.settings.data_path),
                      staged=[p.name for p in update.pending(web.settings.data_path)],
                      has_key=Path(web.settings.release_key).is_file())


def upload(web: Web):
    from appliance.box import bundle, update
    if (bottle.request.content_length or 0) > bundle.MAX_BUNDLE:
        bottle.response.status = 413
        return page(web, web.t("That file is far too big to be a Loket update."))
    with spooled_upload(web) as (file, name):
        if file is None:
            bottle.response.status = 400
            return page(web, web.t("Choose the update file (loket-….bundle)."))
        try:
            manifest = update.stage(file, web.settings.data_path, Path(web.settings.release_key))
        except update.UpdateError as exc:
            bottle.response.status = 400
            return page(web, web.t("Nothing was installed: {reason}.").format(reason=web.t(str(exc))))
    audit.audit("update.staged", user=web.user, detail=f"{manifest.version} from {name}")
    web.redirect("/settings/update", web.t("Checked: Loket {version}, signature good. The box installs it now, "
                                           "checks that it comes up and goes back by itself if not; this page shows "
                                           "the outcome in a few minutes.").format(version=manifest.version))
