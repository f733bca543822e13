"""A customer's projects: contracts with a start and an end date and their
own SLA (seed 004's delivery, install, warranty or support contract).

A ticket the customer opens on a day within a project's dates (the shop's
days, both ends included) takes the project's response and resolution
times, over its service point's and its category's (tickets_sla.effective).
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from .words import N_, say
from .audit import audit
from .clock import as_utc, utcnow
from .models import Customer, Project, User

MAX_NAME = 100
MAX_HOURS = 365 * 24  # the SLA tables' limit (tickets_sla.MAX_SLA_MINUTES), in hours
MAX_NOTE = 2000


class ProjectError(ValueError):
    """A project that cannot be saved; the message is for people."""


def hours(value, what: str) -> int:
    """A whole number of hours from a form, as minutes."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ProjectError(say(N_("{what} is a whole number of hours, such as 4"), what=what)) from None
    if not 1 <= number <= MAX_HOURS:
        raise ProjectError(say(N_("{what} is between 1 and {most} hours"), what=what, most=MAX_HOURS))
    return number * 60


def day(value, what: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ProjectError(say(N_("{what} is a date such as 2026-12-31"), what=what)) from None


def save(customer: Customer, name: str, starts_on, ends_on, response_hours, resolution_hours, *,
         note: str = "", project: Project | None = None, by: User | None = None,
         now: dt.datetime | None = None) -> Project:
    """Add a project to a customer, or change one; ProjectError says what is wrong.
    A change counts for tickets opened from now on: one opened before keeps its times."""
    name = " ".join((name or "").split())
    if not name:
        raise ProjectError(N_("a project needs a name"))
    if len(name) > MAX_NAME:
        raise ProjectError(say(N_("a project name has at most {n} characters"), n=MAX_NAME))
    starts_on, ends_on = day(starts_on, N_("the start")), day(ends_on, N_("the end"))
    if ends_on < starts_on:
        raise ProjectError(say(N_("the end ({end}) is before the start ({start})"), end=ends_on, start=starts_on))
    response = hours(response_hours, N_("the response time"))
    resolution = hours(resolution_hours, N_("the resolution time"))
    if resolution < response:
        raise ProjectError(N_("the resolution time cannot be shorter than the response time"))
    note = (note or "").strip()[:MAX_NOTE]
    clash = Project.select().where((Project.customer == customer) & (pw.fn.LOWER(Project.name) == name.lower()))
    if project is not None:
        clash = clash.where(Project.id != project.id)
    if clash.exists():
        raise ProjectError(say(N_("this customer already has a project called {name}"), name=repr(name)))
    fields = dict(name=name, starts_on=starts_on, ends_on=ends_on, response_minutes=response,
                  resolution_minutes=resolution, note=note)
    if project is None:
        project = Project.create(customer=customer, created_at=now or utcnow(), **fields)
        action = "project.add"
    else:
        for field, value in fields.items():
            setattr(project, field, value)
        project.save()
        action = "project.update"
    audit(action, user=by, target=customer.phone, now=now,
          detail=f"{name}: {starts_on} to {ends_on}, response {response // 60} h, resolution {resolution // 60} h")
    return project


def of(customer: Customer) -> list[Project]:
    """The customer's projects, the newest start first."""
    return list(Project.select().where(Project.customer == customer)
                .order_by(Project.starts_on.desc(), Project.id.desc()))


def running(customer: Customer | None, at: dt.datetime, tz: dt.tzinfo) -> Project | None:
    """The project whose dates hold the shop's day of `at`; of several, the
    one that started last (the newer contract is the one in force)."""
    if customer is None:
        return None
    today = as_utc(at).astimezone(tz).date()
    return (Project.select().where((Project.customer == customer) & (Project.starts_on <= today)
                                   & (Project.ends_on >= today))
            .order_by(Project.starts_on.desc(), Project.id.desc()).first())


def state(project: Project, today: dt.date) -> str:
    """'coming', 'running' or 'ended', for the pages."""
    if today < project.starts_on:
        return "coming"
    return "ended" if today > project.ends_on else "running"
