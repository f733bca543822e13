"""The API's description, built from the route table so it cannot drift: the
OpenAPI 3.1 document at /api/v1/openapi.json, and the owner's page listing
the endpoints (/settings/api/docs).

The document needs a token, any scope: it holds no shop data, but every
other URL on the box but the login needs a credential, and a program that
reads it has its token anyway (the owner reads the same on the page)."""

from __future__ import annotations

import re

import bottle

from appliance.apitokens import SCOPES

from .api import PREFIX, Field, describe
from .i18n import N_
from .web import Web

_JSON_TYPES = {str: "string", int: "integer", bool: "boolean", list: "array", dict: "object"}


def api_routes() -> list:
    """The /api/v1 routes of the app serving this request, in table order."""
    return [r for r in bottle.request.app.config["loket.routes"] if r.api_scope]


def _schema(fields: dict[str, Field]) -> dict:
    properties = {}
    for name, field in fields.items():
        kind = _JSON_TYPES[field.kind]
        prop = {"type": kind}
        if kind == "string":
            prop["maxLength"] = field.limit
        elif kind == "array":
            prop.update(items={"type": "string"}, maxItems=field.limit)
        properties[name] = prop
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": [name for name, field in fields.items() if field.required]}


def _operation(route) -> dict:
    handler = route.handler
    path_params = re.findall(r"<(\w+)>", route.path)
    operation = {
        "operationId": handler.__name__,
        "summary": getattr(handler, "api_summary", ""),
        "security": [{"bearer": [route.api_scope]}],
        "x-scopes": route.api_scope.split(),
        "parameters": [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                       for p in path_params],
        "responses": {"200" if route.method == "GET" else "201": {"description": "OK",
                                                                  "content": {"application/json": {}}},
                      "default": {"$ref": "#/components/responses/Problem"}},
    }
    if route.method == "GET" and not path_params and route.path.endswith(("messages", "customers", "bookings",
                                                                          "tickets", "orders", "payments")):
        operation["parameters"] += [{"name": "cursor", "in": "query", "schema": {"type": "string"}},
                                    {"name": "limit", "in": "query",
                                     "schema": {"type": "integer", "minimum": 1, "maximum": 100}}]
    fields = getattr(handler, "api_body", None)
    if fields:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": _schema(fields)}}}
    if handler.__name__ == "send":
        operation["parameters"].append({"name": "Idempotency-Key", "in": "header",
                                        "schema": {"type": "string", "maxLength": 64}})
    return operation


def document() -> dict:
    paths: dict[str, dict] = {}
    for route in api_routes():
        path = re.sub(r"<(\w+)>", r"{\1}", route.path)
        paths.setdefault(path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Loket API", "version": "1",
                 "description": "Send texts, read the inbox, customers, bookings, tickets, orders. "
                                "Authorization: Bearer <token> (Settings > API). Errors are RFC 9457 "
                                "problem details; lists page by cursor (follow `next`)."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "Scopes: " + ", ".join(SCOPES)}},
            "responses": {"Problem": {"description": "A problem (RFC 9457)", "content": {
                "application/problem+json": {"schema": {"type": "object", "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                    "detail": {"type": "string"}}}}}}},
        },
    }


@describe(N_("This description, as OpenAPI 3.1"))
def openapi(web: Web):
    return document()


def docs_page(web: Web):
    """The endpoints, for the owner who hands a token to the till's maker."""
    rows = [(r.method, r.path.replace("<", "{").replace(">", "}"), r.api_scope.split(),
             getattr(r.handler, "api_summary", "")) for r in api_routes()]
    return web.render("api_docs", title="API", rows=rows, prefix=PREFIX)
