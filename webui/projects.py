"""A customer's projects (contracts with dates and their own SLA), kept from
the customer's page by the owner and the admins: the times a contract
promises are the shop's word to the customer."""

from __future__ import annotations

import bottle

from appliance import projects
from appliance.models import Customer, Project

from .customers import detail
from .web import Web, by_id


def _fields(web: Web) -> dict:
    return dict(name=web.form("name", limit=200), starts_on=web.form("starts", limit=20),
                ends_on=web.form("ends", limit=20), response_hours=web.form("response", limit=10),
                resolution_hours=web.form("resolution", limit=10), note=web.form("note", limit=3000))


def create(web: Web, customer_id: str):
    customer = by_id(Customer, customer_id, "customer")
    fields = _fields(web)
    try:
        project = projects.save(customer, **fields, by=web.user)
    except projects.ProjectError as exc:
        bottle.response.status = 400
        return detail(web, customer_id, web.problem(exc), typed={**fields, "project": ""})
    web.redirect(f"/customers/{customer.id}", web.t("{project} saved.").format(project=project.name))


def update(web: Web, project_id: str):
    project = by_id(Project, project_id, "project")
    fields = _fields(web)
    try:
        projects.save(project.customer, **fields, project=project, by=web.user)
    except projects.ProjectError as exc:
        bottle.response.status = 400
        return detail(web, str(project.customer_id), web.problem(exc), typed={**fields, "project": str(project.id)})
    web.redirect(f"/customers/{project.customer_id}", web.t("{project} saved.").format(project=project.name))
