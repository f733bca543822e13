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

from appliance.models import Customer, Ticket, User


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
