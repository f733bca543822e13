"""A product's photo on the goods list: taken from the goods card (already
made small by webui/static/photo.js), shown to logged-in staff, removed
with a button. The checks and the files are appliance/photos.py."""

from __future__ import annotations

import bottle

from appliance import audit, photos
from appliance.models import Product

from .i18n import N_
from .shop import shop_page
from .web import Web, by_id


def _product(product_id) -> Product:
    return by_id(Product, product_id, "product")


def photo(web: Web, product_id: str):
    """The photo itself, cached a little by the browser: its URL carries
    the file's time (?v=), so a new photo is a new URL."""
    product = _product(product_id)
    path = photos.find(web.settings.data_path, product.id)
    if path is None:
        web.refuse(404, "This product has no photo.")
    response = bottle.static_file(path.name, root=str(path.parent),
                                  mimetype=photos.KINDS[path.suffix.lstrip(".")])
    response.set_header("Cache-Control", "private, max-age=86400")
    return response


def upload(web: Web, product_id: str):
    product = _product(product_id)
    sent = bottle.request.files.get("photo")
    if sent is None:
        return _refused(web, product, web.t("Choose a photo."))
    data = sent.file.read(photos.MAX_BYTES + 1)
    try:
        photos.store(web.settings.data_path, product.id, data)
    except photos.PhotoError as exc:
        return _refused(web, product, web.problem(exc))
    audit.audit("product.photo", user=web.user, target=f"product:{product.id}", detail=f"{len(data)} bytes")
    web.redirect("/settings/shop?open=product", N_("Photo saved."))


def remove(web: Web, product_id: str):
    product = _product(product_id)
    if photos.remove(web.settings.data_path, product.id):
        audit.audit("product.photo_removed", user=web.user, target=f"product:{product.id}")
    web.redirect("/settings/shop?open=product", N_("Photo removed."))


def _refused(web: Web, product: Product, message: str):
    bottle.response.status = 400
    return shop_page(web, message, opened="product")
