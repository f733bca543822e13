"""Tickets by SMS: a customer's complaint and STATUS T-0042; a technician's
answers from their own phone; the SLA alerts texted to the supervisors.

    KELUHAN internet mati sejak pagi   -> a ticket T-0042 with a guessed category and its SLA
    OK T-0042 / JALAN T-0042           -> (technician) accepted / on the way
    TUNDA T-0042 tunggu modem          -> (technician) pending, the customer is told why
    SELESAI T-0042 ganti kabel         -> (technician) resolved, the customer is told what was done

A periodic job warns the supervisors (owner and admin with a phone) before a
response or resolution time runs out, and again when it has run out, once each.
"""

from __future__ import annotations

import datetime as dt

from . import alerts, replies, tickets_sla
from .clock import as_utc, short
from .conversation import Conversation, Shop, on_keyword, on_reply, on_staff_command, on_status, templates
from .jobs import periodic
from .models import Ticket, TicketEvent, User
from .phone import is_replyable
from .tickets import (DONE, DUPLICATE_WINDOW, MAX_SUMMARY, OPEN, SUPERVISOR_ROLES, accept, assign, clean_text, cut,
                      find, label, meaningful, on_the_way, open_ticket, open_tickets_of, parse_reference, record,
                      resolve, set_pending, staff_name)

templates({
    # to the customer
    "ticket_ask": {
        "id": "{shop}: mohon maaf atas kendalanya. Silakan balas SMS ini dengan penjelasan singkat masalah Anda.",
        "en": "{shop}: sorry for the trouble. Please reply to this SMS with a short description of the problem.",
    },
    "ticket_opened": {
        "id": "{shop}: keluhan Anda kami terima dengan nomor {number}. Kami segera menindaklanjuti. Cek: STATUS {number}",
        "en": "{shop}: we got your complaint, number {number}. We will follow up soon. Check: STATUS {number}",
    },
    "ticket_assigned": {
        "id": "{shop}: teknisi {technician} sudah ditugaskan untuk {number} dan akan segera menghubungi Anda.",
        "en": "{shop}: technician {technician} is assigned to {number} and will contact you soon.",
    },
    "ticket_accepted": {
        "id": "{shop}: teknisi {technician} sudah menerima {number} dan akan segera menangani masalah Anda.",
        "en": "{shop}: technician {technician} has accepted {number} and will handle your problem soon.",
    },
    "ticket_on_the_way": {
        "id": "{shop}: teknisi {technician} sedang dalam perjalanan ke lokasi Anda untuk {number}.",
        "en": "{shop}: technician {technician} is on the way to you for {number}.",
    },
    "ticket_pending": {
        "id": "{shop}: {number} ditunda: {reason}. Kami kabari lagi secepatnya.",
        "en": "{shop}: {number} is on hold: {reason}. We will update you as soon as we can.",
    },
    "ticket_resolved": {
        "id": "{shop}: {number} sudah selesai ({resolution}). Bila masih ada kendala, ketik KELUHAN. Terima kasih.",
        "en": "{shop}: {number} is resolved ({resolution}). If the problem is still there, text COMPLAIN. Thank you.",
    },
    "ticket_resolved_plain": {
        "id": "{shop}: {number} sudah selesai. Bila masih ada kendala, ketik KELUHAN. Terima kasih.",
        "en": "{shop}: {number} is resolved. If the problem is still there, text COMPLAIN. Thank you.",
    },
    "ticket_status_new": {
        "id": "{shop}: {number} ({summary}) sudah kami terima dan menunggu teknisi.",
        "en": "{shop}: {number} ({summary}) is received and waiting for a technician.",
    },
    "ticket_status_assigned": {
        "id": "{shop}: {number} ({summary}) sedang ditangani teknisi {technician}.",
        "en": "{shop}: {number} ({summary}) is being handled by technician {technician}.",
    },
    "ticket_status_pending": {
        "id": "{shop}: {number} ({summary}) ditunda: {reason}.",
        "en": "{shop}: {number} ({summary}) is on hold: {reason}.",
    },
    "ticket_status_resolved": {
        "id": "{shop}: {number} ({summary}) sudah selesai pada {when}.",
        "en": "{shop}: {number} ({summary}) was resolved on {when}.",
    },
    "ticket_status_closed": {
        "id": "{shop}: {number} ({summary}) sudah selesai dan ditutup.",
        "en": "{shop}: {number} ({summary}) is resolved and closed.",
    },
    "ticket_not_found": {
        "id": "{shop}: tiket {number} tidak ditemukan untuk nomor HP Anda. Mohon periksa lagi nomornya.",
        "en": "{shop}: ticket {number} was not found for your phone number. Please check the number.",
    },
}, purpose="tickets")
templates({  # to the technician
    "ticket_tech_assigned": {
        "id": "{shop}: tugas {number}: {summary}. {name} {phone}, {address}. Balas OK {number}",
        "en": "{shop}: job {number}: {summary}. {name} {phone}, {address}. Reply OK {number}",
    },
    "ticket_tech_accepted": {
        "id": "{shop}: {number} Anda terima. Ketik JALAN {number} saat berangkat.",
        "en": "{shop}: you accepted {number}. Text ONWAY {number} when you leave.",
    },
    "ticket_tech_on_the_way": {
        "id": "{shop}: {number} dicatat: dalam perjalanan. Setelah beres ketik SELESAI {number} dan tindakannya.",
        "en": "{shop}: {number} noted: on the way. When finished text DONE {number} and what was done.",
    },
    "ticket_tech_pending": {
        "id": "{shop}: {number} dicatat ditunda: {reason}.",
        "en": "{shop}: {number} noted on hold: {reason}.",
    },
    "ticket_tech_done": {
        "id": "{shop}: {number} dicatat selesai. Terima kasih.",
        "en": "{shop}: {number} noted as resolved. Thank you.",
    },
    "ticket_tech_no_number": {
        "id": "{shop}: sebutkan nomor tiket, contoh: {command} T-0042. Tiket Anda: {open}",
        "en": "{shop}: please give the ticket number, for example: {command} T-0042. Your tickets: {open}",
    },
    "ticket_tech_not_found": {
        "id": "{shop}: tiket {number} tidak ada. Tiket Anda: {open}",
        "en": "{shop}: there is no ticket {number}. Your tickets: {open}",
    },
    "ticket_tech_not_yours": {
        "id": "{shop}: maaf, {number} tidak ditugaskan kepada Anda. Hubungi admin bila perlu.",
        "en": "{shop}: sorry, {number} is not assigned to you. Please ask the admin if needed.",
    },
    "ticket_tech_closed": {
        "id": "{shop}: {number} sudah selesai atau ditutup; tidak ada yang diubah. Hubungi admin bila perlu dibuka lagi.",
        "en": "{shop}: {number} is already resolved or closed; nothing changed. Ask the admin to reopen it.",
    },
    "ticket_tech_need_reason": {
        "id": "{shop}: sebutkan alasannya, contoh: TUNDA {number} tunggu modem baru.",
        "en": "{shop}: please give the reason, for example: PENDING {number} waiting for a new modem.",
    },
    # to the supervisors
    "ticket_sla_warning_response": {
        "id": "{shop}: PERINGATAN {number} belum direspon, batas {due}. {summary}. Teknisi: {technician}",
        "en": "{shop}: WARNING {number} has no response yet, due {due}. {summary}. Technician: {technician}",
    },
    "ticket_sla_warning_resolution": {
        "id": "{shop}: PERINGATAN {number} belum selesai, batas {due}. {summary}. Teknisi: {technician}",
        "en": "{shop}: WARNING {number} is not resolved yet, due {due}. {summary}. Technician: {technician}",
    },
    "ticket_sla_breach_response": {
        "id": "{shop}: SLA TERLEWAT {number} belum direspon sejak {due}. {summary}. Teknisi: {technician}",
        "en": "{shop}: SLA MISSED {number} has no response since {due}. {summary}. Technician: {technician}",
    },
    "ticket_sla_breach_resolution": {
        "id": "{shop}: SLA TERLEWAT {number} belum selesai sejak {due}. {summary}. Teknisi: {technician}",
        "en": "{shop}: SLA MISSED {number} is not resolved since {due}. {summary}. Technician: {technician}",
    },
}, purpose="staff")


# -- the customer's SMS ------------------------------------------------------------------------

@on_keyword("COMPLAIN")
def _complain(c: Conversation):
    return complain_text(c, c.args)


def complain_text(c: Conversation, text: str) -> list:
    """A ticket for the complaint, or a question for what went wrong."""
    text = clean_text(text)
    if not meaningful(text):
        c.remember("complain.detail", {})
        return [c.reply("ticket_ask")]
    return [_complaint_reply(c, text)]


@on_reply("complain.detail")
def _complain_detail(c: Conversation):
    text = clean_text(c.text)
    if not meaningful(text) or c.match.kind == "typo":
        # An emoji is not the description (the inbox and staff take it); "STATSU T-1" is a keyword.
        return None
    c.forget()
    return [_complaint_reply(c, text)]


def _complaint_reply(c: Conversation, text: str):
    """A new ticket, or, while one of theirs is open and recent, the text
    added to it: one phone's flood of complaints is one ticket (see alerts)."""
    ticket = _open_from_sms(c, text)
    if ticket.created_at != c.now and ticket.summary != cut(text, MAX_SUMMARY):
        return c.reply("ticket_added", number=label(ticket))
    return c.reply("ticket_opened", number=label(ticket))


def _open_from_sms(c: Conversation, text: str) -> Ticket:
    same = (Ticket.select().where(
        (Ticket.customer == c.customer) & (Ticket.summary == cut(text, MAX_SUMMARY))
        & (Ticket.created_at >= c.now - DUPLICATE_WINDOW)).order_by(Ticket.id.desc()).first())
    if same is not None:
        return same  # the phone sent it twice
    joined = alerts.ticket_to_join(c.customer, c.now, text)
    if joined is not None:
        alerts.add_to_ticket(joined, text, c.now)
        return joined
    return open_ticket(c.customer, text, source="sms", now=c.now, shop=c.shop)


@on_status("T")
def _status(c: Conversation):
    number = c.pending["number"]
    ticket = find(number)
    # Someone else's ticket gets exactly the answer a missing one gets.
    if ticket is None or c.customer is None or ticket.customer_id != c.customer.id:
        return [c.reply("ticket_not_found", number=label(number))]
    return [status_reply(c, ticket)]


def status_reply(c: Conversation, ticket: Ticket):
    """The STATUS answer for one of the customer's own tickets."""
    values = dict(number=label(ticket), summary=cut(ticket.summary, 40))
    if ticket.status == "assigned":
        values["technician"] = staff_name(ticket.assignee)
    elif ticket.status == "pending":
        values["reason"] = cut(ticket.pending_reason, 50)
    elif ticket.status == "resolved":
        values["when"] = short(ticket.resolved_at, c.shop.tz, today=c.local(c.now).date())
    return c.reply(f"ticket_status_{ticket.status}", **values)


# -- the technician's SMS ---------------------------------------------------------------------

def _open_list(user: User) -> str:
    numbers = [label(t) for t in open_tickets_of(user)]
    if not numbers:
        return "-"
    return ", ".join(numbers[:5]) + (" ..." if len(numbers) > 5 else "")


def _may_act(user: User, ticket: Ticket) -> bool:
    # A technician acts on their own tickets; the owner and admins on any.
    return ticket.assignee_id == user.id or user.role in SUPERVISOR_ROLES


def _technician_command(c: Conversation, action, needs_text: bool = False):
    number, rest = parse_reference(c.args)
    command = (c.text or "").split()[0].upper() if (c.text or "").split() else ""
    if number is None:
        return [c.reply("ticket_tech_no_number", command=cut(command, 12), open=_open_list(c.staff))]
    ticket = find(number)
    if ticket is None:
        return [c.reply("ticket_tech_not_found", number=label(number), open=_open_list(c.staff))]
    if not _may_act(c.staff, ticket):
        return [c.reply("ticket_tech_not_yours", number=label(ticket))]
    if ticket.status in DONE:
        return [c.reply("ticket_tech_closed", number=label(ticket))]
    if needs_text and not meaningful(rest):
        return [c.reply("ticket_tech_need_reason", number=label(ticket))]
    return action(ticket, rest)


def _take_on(c: Conversation, step, template: str):
    """OK / JALAN: the technician's step; an admin answering an unassigned
    ticket takes it on first."""
    def act(ticket, _rest):
        if ticket.assignee_id is None:
            assign(ticket, c.staff, by=c.staff, now=c.now, shop=c.shop)
        step(ticket, c.staff, c.now, shop=c.shop)
        return [c.reply(template, number=label(ticket))]
    return _technician_command(c, act)


@on_staff_command("ACCEPT")
def _sms_accept(c: Conversation):
    return _take_on(c, accept, "ticket_tech_accepted")


@on_staff_command("ONTHEWAY")
def _sms_on_the_way(c: Conversation):
    return _take_on(c, on_the_way, "ticket_tech_on_the_way")


@on_staff_command("PENDING")
def _sms_pending(c: Conversation):
    def act(ticket, reason):
        ticket = set_pending(ticket, reason, c.staff, c.now, shop=c.shop)
        return [c.reply("ticket_tech_pending", number=label(ticket), reason=cut(ticket.pending_reason, 60))]
    return _technician_command(c, act, needs_text=True)


@on_staff_command("DONE")
def _sms_done(c: Conversation):
    def act(ticket, resolution):
        resolve(ticket, resolution, c.staff, c.now, shop=c.shop)
        return [c.reply("ticket_tech_done", number=label(ticket))]
    return _technician_command(c, act)


def supervisors() -> list[User]:
    """Who hears of SLA warnings and breaches: active owners and admins with a phone."""
    return list(User.select().where(User.role.in_(SUPERVISOR_ROLES) & (User.active == True)  # noqa: E712
                                    & User.phone.is_null(False)).order_by(User.id))


@periodic("tickets.sla")
def watch_sla(shop: Shop, now: dt.datetime) -> int:
    """Warn the supervisors when a ticket's response or resolution time is
    nearly used up, and again when it has run out; once each. Returns the
    alerts raised."""
    now = as_utc(now)
    tickets = list(Ticket.select().where(Ticket.status.in_(OPEN)
                                         & (Ticket.first_response_at.is_null() | Ticket.resolved_at.is_null())))
    if not tickets:
        return 0
    sent: dict[int, set[tuple[str, str]]] = {}
    for event in TicketEvent.select().where(TicketEvent.ticket.in_([t.id for t in tickets])
                                            & TicketEvent.kind.in_(["sla_warning", "sla_breach"])):
        sent.setdefault(event.ticket_id, set()).add((event.kind, event.note.split(" ")[0]))
    people = supervisors()
    raised = 0
    for ticket in tickets:
        for stage, clock in tickets_sla.alerts_due(ticket, now, sent.get(ticket.id, set())):
            _alert(ticket, stage, clock, people, shop, now)
            raised += 1
    alerts.send_digests(people, shop, now)  # for phones past their day's share of alerts
    return raised


def _alert(ticket: Ticket, stage: str, clock: str, people: list[User], shop: Shop, now: dt.datetime) -> None:
    due = ticket.response_due if clock == "response" else ticket.resolution_due
    due_text = short(due, shop.tz, today=now.astimezone(shop.tz).date())
    template = f"ticket_{stage}_{clock}"
    with Ticket._meta.database.atomic():
        fields = {"breached_at": ticket.breached_at or now} if stage == "sla_breach" else \
            {"warned_at": ticket.warned_at or now}
        told = held = 0
        for person in people:
            if not is_replyable(person.phone):
                continue
            text = replies.reply(template, person.language, shop=shop.name, number=label(ticket), due=due_text,
                                 summary=cut(ticket.summary, 40), technician=staff_name(ticket.assignee))
            if alerts.sla_alert(person.phone, text, key=f"ticket:{ticket.id}:{stage}:{clock}:{person.id}",
                                template=template, now=now, tz=shop.tz):
                told += 1
            else:
                held += 1
        held = f", {held} {alerts.HELD}" if held else ""
        record(ticket, stage, None, now, note=f"{clock} due {due_text}; told {told} supervisor(s){held}",
               **fields)
