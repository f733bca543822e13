"""Staff who take bookings (a spa's therapists): who does which service and
how many bookings each takes at the same time.

A service some active staff member does is planned by person: a time is free
when the service has a place left (`Service.capacity`, its rooms or beds) and
one of its staff has fewer overlapping bookings than their capacity, whatever
the service of those bookings (a therapist busy with a prenatal massage
cannot give a baby massage meanwhile). A service nobody does is booked by its
own capacity alone, as before staff could be planned; so are old bookings
without a staff member.

bookings.py asks here; the owner sets staff up on /bookings/staff.
"""

from __future__ import annotations

import datetime as dt

from .audit import audit
from .keywords import fold
from .models import Booking, Service, StaffMember, StaffService, User
from .words import N_, say

MAX_CAPACITY = 20
ACTIVE = ("booked", "done", "no_show")  # the statuses that occupy a person (bookings.ACTIVE is this)


class StaffError(ValueError):
    """A staff set-up that cannot be saved; the message is for people."""


def name(user: User | None) -> str:
    return (user.full_name or user.username) if user is not None else ""


def everyone() -> list[StaffMember]:
    """Every active staff member, by name, with their user: the day view's filter and the forms."""
    return list(StaffMember.select(StaffMember, User).join(User).where(User.active == True)  # noqa: E712
                .order_by(User.full_name, User.username))


def of_service(service: Service) -> list[StaffMember]:
    """The active staff who do this service, by name; [] when nobody is planned for it."""
    return list(StaffMember.select(StaffMember, User).join(User).switch(StaffMember).join(StaffService)
                .where((StaffService.service == service) & (User.active == True))  # noqa: E712
                .order_by(User.full_name, User.username))


# Words before a name that say what she is, not who: "Bidan Rina", "sama kak dewi", "terapis Sari".
_TITLES = frozenset({"bidan", "terapis", "therapist", "kak", "kakak", "mbak", "mba", "bu", "ibu", "mas", "pak",
                     "bapak", "sus", "suster", "dr", "dokter", "teh", "ci", "cici"})


# ... and the words that ask for her: "saya Dewi, mau pijat bayi" names the mother, not the therapist.
_WITH = frozenset({"sama", "sm", "ama", "dengan", "dgn", "dg", "bareng", "oleh", "with", "by"})


def named_in(text: str) -> User | None:
    """The one staff member a customer's text asks for ('sama bidan rina', 'sm kak dewi'); None when it
    asks for nobody, or for more than one."""
    said = fold(text or "").split()
    named = []
    for member in everyone():
        words = {w for w in fold(name(member.user)).split() if w not in _TITLES}  # "sama pak eko": Eko Prasetyo
        if any(w in words and _WITH & set(said[max(0, i - 3):i]) for i, w in enumerate(said)):
            named.append(member.user)
    return named[0] if len(named) == 1 else None


def services_of(member: StaffMember) -> set[int]:
    return {row.service_id for row in StaffService.select().where(StaffService.staff == member)}


def _busy(members: list[StaffMember], start: dt.datetime, end: dt.datetime,
          leave_out: int | None = None) -> list[Booking]:
    """The members' bookings (any service) that overlap start-end."""
    query = Booking.select().where(Booking.staff.in_([m.user_id for m in members]) & Booking.status.in_(ACTIVE)
                                   & (Booking.starts_at < end) & (Booking.ends_at > start))
    if leave_out is not None:
        query = query.where(Booking.id != leave_out)
    return list(query)


def _load(member: StaffMember, busy: list[Booking], start: dt.datetime, end: dt.datetime) -> int:
    return sum(1 for b in busy if b.staff_id == member.user_id and b.starts_at < end and b.ends_at > start)


def free(members: list[StaffMember], start: dt.datetime, end: dt.datetime, *,
         busy: list[Booking] | None = None) -> list[StaffMember]:
    """Those of `members` with a place left at start-end, the least busy first."""
    busy = _busy(members, start, end) if busy is None else busy
    loads = {m.id: _load(m, busy, start, end) for m in members}
    return sorted((m for m in members if loads[m.id] < max(1, m.capacity)), key=lambda m: loads[m.id])


def starts_with_someone_free(service: Service, starts: list[dt.datetime], length: dt.timedelta) -> list[dt.datetime]:
    """Of these slot starts, those where one of the service's staff is free (all, when nobody does the service)."""
    members = of_service(service)
    if not members or not starts:
        return starts
    busy = _busy(members, starts[0], starts[-1] + length)
    return [s for s in starts if free(members, s, s + length, busy=busy)]


def _member_for(user: User, service: Service) -> StaffMember | None:
    """The person's staff row when they take bookings of this service."""
    member = StaffMember.get_or_none(StaffMember.user == user)
    if member is None or not user.active or service.id not in services_of(member):
        return None
    return member


def does(user: User, service: Service) -> bool:
    return _member_for(user, service) is not None


def starts_with(user: User, service: Service, starts: list[dt.datetime], length: dt.timedelta) -> list[dt.datetime]:
    """Of these slot starts, those this person can take the service at ([] when they do not do it)."""
    member = _member_for(user, service)
    if member is None or not starts:
        return []
    busy = _busy([member], starts[0], starts[-1] + length)
    return [s for s in starts if free([member], s, s + length, busy=busy)]


def hold(members: list[StaffMember]) -> None:
    """Touch the members' rows, in one order, inside the booking's transaction: two bookings that
    could take the same person (of different services too) are made one after the other."""
    for member in sorted(members, key=lambda m: m.id):
        StaffMember.update(capacity=StaffMember.capacity).where(StaffMember.id == member.id).execute()


def refusal(user: User, service: Service, start: dt.datetime, end: dt.datetime, *,
            leave_out: int | None = None) -> tuple[str, str] | None:
    """Why this person cannot take this booking, as (message, reason), or None when they can."""
    member = StaffMember.get_or_none(StaffMember.user == user)
    if member is None or not user.active:
        return say(N_("{name} does not take bookings (set it up on the staff page)"), name=name(user)), "staff"
    if service.id not in services_of(member):
        return say(N_("{name} does not do {service}"), name=name(user), service=service.name), "staff_service"
    if not free([member], start, end, busy=_busy([member], start, end, leave_out)):
        return say(N_("{name} already has {count} booking(s) at that time, as many as they take"),
                   name=name(user), count=max(1, member.capacity)), "staff_full"
    return None


def set_up(user: User, capacity: int, service_ids: list[int], *, by: User | None, now: dt.datetime) -> None:
    """Save who does which service and how many at once; no services: the person takes no bookings.
    Their bookings already made stay as they are."""
    if not 1 <= capacity <= MAX_CAPACITY:
        raise StaffError(say(N_("bookings at the same time must be a number from 1 to {most}"), most=MAX_CAPACITY))
    services = list(Service.select().where(Service.id.in_(service_ids))) if service_ids else []
    if len(services) != len(set(service_ids)):
        raise StaffError(N_("one of the services chosen does not exist (any more): reload the page"))
    with StaffMember._meta.database.atomic():
        member = StaffMember.get_or_none(StaffMember.user == user)
        if not services:
            if member is not None:
                member.delete_instance(recursive=True)
            detail = "takes no bookings"
        else:
            if member is None:
                member = StaffMember.create(user=user, capacity=capacity)
            else:
                member.capacity = capacity
                member.save()
            StaffService.delete().where(StaffService.staff == member).execute()
            StaffService.insert_many([{"staff": member.id, "service": s.id} for s in services]).execute()
            detail = f"{capacity} at once: {', '.join(sorted(s.name for s in services))}"
    audit("staff.bookings", user=by, target=user.username, detail=detail, now=now)
