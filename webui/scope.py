"""What a technician may see: the customers of his own tickets.

A technician works the tickets assigned to him. He sees those tickets (the
tickets pages check that), and the customers and conversations of the
tickets he holds that are not closed: their profiles, their messages, and he
may text them (a reply in their conversation, or sending again a text that
failed to them). Anyone else's customer or conversation answers 403, as
another technician's ticket does; the lists show only his. Every other role
sees every customer.
"""

from __future__ import annotations

import peewee as pw

from appliance.models import Customer, Message, Ticket, User


def limited(user: User | None) -> bool:
    return user is not None and user.role == "technician"


def customer_ids(user: User) -> set[int]:
    return {row[0] for row in Ticket.select(Ticket.customer).where(
        (Ticket.assignee == user) & (Ticket.status != "closed")).tuples()}


def phones(user: User) -> set[str]:
    ids = customer_ids(user)
    return {row[0] for row in Customer.select(Customer.phone).where(Customer.id.in_(list(ids))).tuples()} if ids else set()


def may_see_customer(user: User, customer: Customer) -> bool:
    return not limited(user) or customer.id in customer_ids(user)


def may_see_phone(user: User, phone: str) -> bool:
    return not limited(user) or phone in phones(user)


def conversations(user: User, *, limit: int, offset: int, waiting_only: bool) -> list[dict]:
    """inbox.conversations, for a technician's own customers only."""
    mine = list(phones(user))
    if not mine:
        return []
    query = Message.select(Message.phone, pw.fn.MAX(Message.id)).where(Message.phone.in_(mine))
    if waiting_only:
        query = query.where(Message.needs_staff == True)  # noqa: E712
    newest = sorted(query.group_by(Message.phone).tuples(), key=lambda row: -row[1])[offset:offset + limit]
    latest = dict(Message.select(Message.phone, pw.fn.MAX(Message.id)).where(
        Message.phone.in_([p for p, _ in newest])).group_by(Message.phone).tuples()) if newest else {}
    by_id = {m.id: m for m in Message.select().where(Message.id.in_(list(latest.values())))} if latest else {}
    waiting = {row[0] for row in Message.select(Message.phone).where(
        (Message.needs_staff == True) & Message.phone.in_(list(latest))).tuples()}  # noqa: E712
    newest_in = dict(Message.select(Message.phone, pw.fn.MAX(Message.id)).where(
        Message.phone.in_(list(latest)) & (Message.direction == "in")).group_by(Message.phone).tuples()) \
        if latest else {}
    said = {m.phone: m for m in Message.select().where(Message.id.in_(list(newest_in.values())))} \
        if newest_in else {}
    # The same rows as inbox.conversations: the customer's last text shown, not our reply.
    return [dict(last=by_id[latest[p]], last_in=said.get(p), phone=p, customer=by_id[latest[p]].customer,
                 needs_staff=p in waiting)
            for p, _ in newest if latest.get(p) in by_id]
