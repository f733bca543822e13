"""The CRM's tables. Times are stored as UTC; see clock.py.

A fresh database is created straight from these models and stamped with the
newest schema version; an older database is brought forward by the steps in
migrations.py, which must end in the same schema.
"""

from __future__ import annotations

import peewee as pw

from .clock import utcnow
from .desktables import DESK_MODELS, PointEngineer, Project, ServicePoint  # noqa: F401  (their tables, used below)
from .modelbase import BaseModel, UTCDateTimeField  # noqa: F401  (imported from here too)

ROLES = ("owner", "admin", "frontdesk", "technician", "viewer")
CATEGORIES = ("transactional", "reminder", "marketing")
# Lower sends first: replies and alerts, then reminders, then promotions.
PRIORITY = {"transactional": 0, "reminder": 1, "marketing": 2}

OUT_STATES = ("queued", "sending", "sent", "delivered", "failed", "unknown", "cancelled")
IN_STATES = ("received", "handled")


class SchemaVersion(BaseModel):
    version = pw.IntegerField()
    applied_at = UTCDateTimeField(default=utcnow)
    note = pw.TextField(default="")


class Customer(BaseModel):
    phone = pw.CharField(unique=True, max_length=32)  # E.164
    name = pw.CharField(default="", max_length=200)
    address = pw.TextField(default="")
    email = pw.CharField(default="", max_length=254)
    language = pw.CharField(null=True, max_length=2)  # 'id' / 'en'; None until known
    # Transactional messages (replies, confirmations, alerts) need no consent:
    # the customer asked for them. Reminders and promotions do.
    consent_reminder = pw.BooleanField(default=True)
    consent_marketing = pw.BooleanField(default=False)
    consent_changed_at = UTCDateTimeField(null=True)
    notes = pw.TextField(default="")
    # Why staff should look at this customer (an auto-responder loop, ...); "" when fine.
    flag = pw.CharField(default="", max_length=200)
    points = pw.IntegerField(default=0)  # the sum of PointsEntry.delta, kept for speed
    created_at = UTCDateTimeField(default=utcnow, index=True)  # new customers per day, in the reports
    last_contact_at = UTCDateTimeField(null=True, index=True)
    last_visit_at = UTCDateTimeField(null=True, index=True)
    # A business customer's contact person, and the staff member who sells to it (the service desk).
    contact_name = pw.CharField(default="", max_length=100)
    contact_phone = pw.CharField(default="", max_length=32)  # E.164, or ""
    salesperson = pw.DeferredForeignKey("User", null=True, on_delete="SET NULL")  # (User comes below)

    def allows(self, category: str) -> bool:
        if category == "reminder":
            return self.consent_reminder
        if category == "marketing":
            return self.consent_marketing
        return True

    @property
    def display_name(self) -> str:
        return self.name or self.phone


class User(BaseModel):
    username = pw.CharField(unique=True, max_length=64)
    password_hash = pw.CharField(max_length=255)
    role = pw.CharField(max_length=16)
    full_name = pw.CharField(default="", max_length=200)
    phone = pw.CharField(null=True, unique=True, max_length=32)  # E.164: technicians get and answer SMS
    language = pw.CharField(default="id", max_length=2)
    active = pw.BooleanField(default=True)
    failed_logins = pw.IntegerField(default=0)
    locked_until = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField(default=utcnow)


class Session(BaseModel):
    token_hash = pw.CharField(primary_key=True, max_length=64)
    user = pw.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    csrf_token = pw.CharField(max_length=64)
    created_at = UTCDateTimeField(default=utcnow)
    expires_at = UTCDateTimeField(index=True)


# -- campaigns and announcements ----------------------------------------------

class Campaign(BaseModel):
    name = pw.CharField(max_length=200)
    kind = pw.CharField(default="promotion", max_length=16)  # promotion, announcement
    text = pw.TextField()
    segment = pw.TextField(default="{}")  # JSON: tags, last_visit_days, min_points, service, ...
    status = pw.CharField(default="draft", max_length=10)  # draft, scheduled, sending, done, cancelled
    send_at = UTCDateTimeField(null=True)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)
    queued_at = UTCDateTimeField(null=True)
    recipients = pw.IntegerField(default=0)


class Message(BaseModel):
    """One logical SMS, in or out. Outbound rows are the send queue."""

    direction = pw.CharField(max_length=3)  # 'in' / 'out'
    customer = pw.ForeignKeyField(Customer, null=True, backref="messages", on_delete="SET NULL")
    phone = pw.CharField(max_length=32, index=True)
    text = pw.TextField()
    category = pw.CharField(default="transactional", max_length=16)
    state = pw.CharField(max_length=12)
    priority = pw.IntegerField(default=0)
    # A retried form post or a re-run job reuses its key and finds the row.
    idempotency_key = pw.CharField(null=True, unique=True, max_length=128)
    reply_to = pw.ForeignKeyField("self", null=True, backref="replies", on_delete="SET NULL")
    author = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")  # staff who wrote it
    needs_staff = pw.BooleanField(default=False, index=True)
    template = pw.CharField(default="", max_length=32)  # the reply template that wrote it
    campaign = pw.ForeignKeyField(Campaign, null=True, backref="messages", on_delete="SET NULL")
    incomplete = pw.BooleanField(default=False)  # inbound with a part missing
    parts = pw.IntegerField(default=1)
    encoding = pw.CharField(default="gsm7", max_length=8)
    modem = pw.CharField(default="", max_length=64)
    # What one part cost the shop when it went (rupiah; simcredit.part_price): reports sum the real spend.
    part_price = pw.IntegerField(default=0, constraints=[pw.SQL("DEFAULT 0")])  # (a raw INSERT gets 0 too)
    # The send lease: which worker holds it, and how many times it was tried.
    lease_owner = pw.CharField(default="", max_length=64)
    attempts = pw.IntegerField(default=0)
    # Set when a crash left the row `unknown` and policy sent it again: the
    # customer may have it twice, and staff can see why.
    resent_after_crash = pw.BooleanField(default=False)
    superseded_by = pw.IntegerField(null=True)  # staff sent it again as this message
    send_at = UTCDateTimeField(null=True)
    next_attempt_at = UTCDateTimeField(null=True)
    error = pw.TextField(default="")
    created_at = UTCDateTimeField(default=utcnow, index=True)
    sent_at = UTCDateTimeField(null=True)
    updated_at = UTCDateTimeField(default=utcnow)
    # Inbound: how Loket understood the text (JSON: intent, names, language,
    # how), for the staff's conversation view and for teaching.
    understood = pw.TextField(default="")
    # Inbound from a robot (an operator's name, a short code): kept apart
    # from the customers' inbox, never answered automatically.
    folder = pw.CharField(default="", max_length=12)

    class Meta:
        indexes = ((("direction", "state", "priority", "id"), False), (("state", "id"), False))


class OutboundPart(BaseModel):
    """The network's reference for each sent part, matched by status reports."""

    message = pw.ForeignKeyField(Message, backref="sent_parts", on_delete="CASCADE")
    part_no = pw.IntegerField()
    reference = pw.IntegerField()
    modem = pw.CharField(default="", max_length=64)
    status = pw.CharField(default="sent", max_length=12)
    sent_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("modem", "reference"), False), (("modem", "sent_at"), False))


class InboundPart(BaseModel):
    """A raw part as read from the modem, committed before the modem forgets it.

    The unique key makes re-reading the same part after a crash harmless.
    The network's timestamp has whole seconds, so two different texts from
    one phone in the same second are told apart by a digest of their content.
    Single-part messages use concat_ref -1 and part 1 of 1 (not NULL: SQLite
    treats NULLs as distinct in unique indexes).
    """

    modem = pw.CharField(default="", max_length=64)
    sender = pw.CharField(max_length=32)
    smsc_time = UTCDateTimeField()
    concat_ref = pw.IntegerField(default=-1)
    part_no = pw.IntegerField(default=1)
    part_count = pw.IntegerField(default=1)
    text = pw.TextField(default="")
    coding = pw.CharField(default="gsm7", max_length=8)
    raw = pw.TextField(default="")
    digest = pw.CharField(default="", max_length=16)  # of text and raw data
    received_at = UTCDateTimeField(default=utcnow)
    message = pw.ForeignKeyField(Message, null=True, backref="raw_parts", on_delete="SET NULL")

    class Meta:
        indexes = ((("sender", "smsc_time", "concat_ref", "part_no", "digest"), True),)


class AuditEntry(BaseModel):
    at = UTCDateTimeField(default=utcnow, index=True)
    user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    action = pw.CharField(max_length=64)
    target = pw.CharField(default="", max_length=128)
    detail = pw.TextField(default="")


# -- the shop: customers' tags, catalogue, keywords and templates as data --------

class Tag(BaseModel):
    name = pw.CharField(unique=True, max_length=64)


class CustomerTag(BaseModel):
    customer = pw.ForeignKeyField(Customer, backref="tag_links", on_delete="CASCADE")
    tag = pw.ForeignKeyField(Tag, backref="customer_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("customer", "tag"), True),)


class Service(BaseModel):
    """A treatment or job the shop books: duration, capacity per slot, come-back interval."""

    name = pw.CharField(unique=True, max_length=100)
    aliases = pw.TextField(default="")  # comma separated words customers use: "pijat bayi, baby massage"
    duration_minutes = pw.IntegerField(default=60)
    price = pw.IntegerField(default=0)  # in the shop's currency's smallest common unit (rupiah)
    capacity = pw.IntegerField(default=1)  # bookings that may share one slot
    comeback_days = pw.IntegerField(null=True)  # remind the customer to come back after this
    active = pw.BooleanField(default=True)


class Product(BaseModel):
    """Goods for sale."""

    name = pw.CharField(max_length=200)
    sku = pw.CharField(null=True, unique=True, max_length=64)  # the code customers text: BELI KR-01 2
    category = pw.CharField(default="", max_length=100, index=True)
    description = pw.TextField(default="")
    unit = pw.CharField(default="", max_length=20)  # pcs, liter, kg, meter...: free text
    price = pw.IntegerField(default=0)
    stock = pw.IntegerField(default=0)
    active = pw.BooleanField(default=True)


class OpeningHours(BaseModel):
    weekday = pw.IntegerField()  # 0 = Monday
    opens = pw.TimeField()
    closes = pw.TimeField()


class KeywordAlias(BaseModel):
    """Keywords customers text, as data staff may edit."""

    keyword = pw.CharField(max_length=16)
    language = pw.CharField(max_length=2)
    alias = pw.CharField(max_length=32)

    class Meta:
        indexes = ((("keyword", "language", "alias"), True),)


class ReplyTemplate(BaseModel):
    """A staff-edited reply; the defaults in code apply where there is none."""

    key = pw.CharField(max_length=48)
    language = pw.CharField(max_length=2)
    text = pw.TextField()
    updated_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("key", "language"), True),)


class ShopSetting(BaseModel):
    """JSON values: the owner's settings from the settings table (one row,
    "settings"; see shopdata.py) and Loket's own bookkeeping (the demo it seeded)."""

    name = pw.CharField(primary_key=True, max_length=64)
    value = pw.TextField()  # JSON
    updated_at = UTCDateTimeField(default=utcnow)


class Pending(BaseModel):
    """A conversation that spans several SMS: "reply with the number"."""

    phone = pw.CharField(max_length=32, index=True)
    kind = pw.CharField(max_length=32)
    data = pw.TextField(default="{}")  # JSON
    created_at = UTCDateTimeField(default=utcnow)
    expires_at = UTCDateTimeField(index=True)


class TaughtPhrase(BaseModel):
    """A customer's phrase staff taught Loket: the next text that reads the
    same (normalised) is understood as this intent."""

    phrase = pw.CharField(max_length=200, unique=True)
    intent = pw.CharField(max_length=24)
    language = pw.CharField(max_length=2, null=True)
    taught_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)


class InfoAnswer(BaseModel):
    """A staff-made answer: a keyword (HARGA, JAM, REKENING …) or phrases a
    customer may write, and the reply in both languages."""

    keyword = pw.CharField(max_length=24, unique=True)
    phrases = pw.TextField(default="")  # comma separated, as staff wrote them
    reply_id = pw.TextField(default="")
    reply_en = pw.TextField(default="")
    active = pw.BooleanField(default=True)
    updated_at = UTCDateTimeField(default=utcnow)


class QuickReply(BaseModel):
    """A reply staff saved to send again with one tap: the shop's own words,
    in whatever language the shop writes them."""

    text = pw.TextField()
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)


# -- bookings and the waiting queue (the spa) ---------------------------------

class Booking(BaseModel):
    customer = pw.ForeignKeyField(Customer, backref="bookings", on_delete="CASCADE")
    service = pw.ForeignKeyField(Service, backref="bookings", on_delete="RESTRICT")
    starts_at = UTCDateTimeField(index=True)
    ends_at = UTCDateTimeField()
    status = pw.CharField(default="booked", max_length=12)  # booked, cancelled, done, no_show
    source = pw.CharField(default="sms", max_length=8)  # sms, staff
    note = pw.TextField(default="")
    created_at = UTCDateTimeField(default=utcnow)
    updated_at = UTCDateTimeField(default=utcnow)
    staff = pw.ForeignKeyField(User, null=True, backref="staff_bookings", on_delete="SET NULL")  # the therapist


class StaffMember(BaseModel):
    """A user who takes bookings (a spa's therapist); without a row, nobody is planned (staff.py)."""

    user = pw.ForeignKeyField(User, unique=True, backref="staff_member", on_delete="CASCADE")
    capacity = pw.IntegerField(default=1)  # bookings this person takes at the same time


class StaffService(BaseModel):
    """Which services a staff member does."""

    staff = pw.ForeignKeyField(StaffMember, backref="services", on_delete="CASCADE")
    service = pw.ForeignKeyField(Service, backref="staff", on_delete="CASCADE")

    class Meta:
        indexes = ((("staff", "service"), True),)


class QueueTicket(BaseModel):
    """A number in today's waiting queue, for a walk-in or an arrival."""

    day = pw.DateField(index=True)  # the shop's local date
    number = pw.IntegerField()
    customer = pw.ForeignKeyField(Customer, null=True, backref="queue_tickets", on_delete="SET NULL")
    service = pw.ForeignKeyField(Service, null=True, on_delete="SET NULL")
    booking = pw.ForeignKeyField(Booking, null=True, on_delete="SET NULL")
    status = pw.CharField(default="waiting", max_length=10)  # waiting, called, done, skipped, left
    soon_notified = pw.BooleanField(default=False)  # "your turn in about N minutes" went out
    created_at = UTCDateTimeField(default=utcnow)
    called_at = UTCDateTimeField(null=True)
    done_at = UTCDateTimeField(null=True)

    class Meta:
        indexes = ((("day", "number"), True),)


# -- loyalty and prize draws --------------------------------------------------

class PointsEntry(BaseModel):
    customer = pw.ForeignKeyField(Customer, backref="points_entries", on_delete="CASCADE")
    delta = pw.IntegerField()
    reason = pw.CharField(max_length=200)
    source = pw.CharField(max_length=12)  # visit, purchase, adjust, redeem
    reference = pw.CharField(default="", max_length=64)  # "booking:12", "order:7": one award per event
    by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("customer", "source", "reference"), False),)


class Draw(BaseModel):
    """A prize draw whose seed is committed (SHA-256) before it is drawn."""

    name = pw.CharField(max_length=200)
    period_start = UTCDateTimeField()
    period_end = UTCDateTimeField()
    min_points = pw.IntegerField(default=0)
    weighting = pw.CharField(default="one", max_length=8)  # one entry per customer, or "points"
    prizes = pw.TextField(default="[]")  # JSON list of prize names, first prize first
    status = pw.CharField(default="draft", max_length=10)  # draft, committed, drawn
    commitment = pw.CharField(default="", max_length=64)  # sha256(seed) hex, published before the draw
    seed = pw.CharField(default="", max_length=64)  # revealed after the draw
    created_at = UTCDateTimeField(default=utcnow)
    committed_at = UTCDateTimeField(null=True)
    drawn_at = UTCDateTimeField(null=True)


class DrawEntry(BaseModel):
    draw = pw.ForeignKeyField(Draw, backref="entries", on_delete="CASCADE")
    customer = pw.ForeignKeyField(Customer, on_delete="CASCADE")
    weight = pw.IntegerField(default=1)


class DrawWinner(BaseModel):
    draw = pw.ForeignKeyField(Draw, backref="winners", on_delete="CASCADE")
    customer = pw.ForeignKeyField(Customer, on_delete="CASCADE")
    prize = pw.CharField(max_length=200)
    rank = pw.IntegerField()


# -- complaints and service tickets (the ISP, the IT service desk) ------------

class TicketCategory(BaseModel):
    """A kind of ticket, the words that suggest it, and its SLA."""

    name = pw.CharField(unique=True, max_length=64)
    words = pw.TextField(default="")  # comma separated: "mati, putus, lambat"
    response_minutes = pw.IntegerField(default=60)
    resolution_minutes = pw.IntegerField(default=24 * 60)
    warn_percent = pw.IntegerField(default=80)  # warn staff when this share of the time is used


class Ticket(BaseModel):
    number = pw.IntegerField(unique=True)  # shown as T-0042
    customer = pw.ForeignKeyField(Customer, backref="tickets", on_delete="CASCADE")
    category = pw.ForeignKeyField(TicketCategory, null=True, on_delete="SET NULL")
    summary = pw.CharField(max_length=200)
    detail = pw.TextField(default="")
    status = pw.CharField(default="new", max_length=10)  # new, assigned, pending, resolved, closed
    pending_reason = pw.CharField(default="", max_length=200)
    assignee = pw.ForeignKeyField(User, null=True, backref="tickets", on_delete="SET NULL")
    resolution = pw.TextField(default="")
    created_at = UTCDateTimeField(default=utcnow, index=True)
    response_due = UTCDateTimeField(null=True)
    resolution_due = UTCDateTimeField(null=True)
    first_response_at = UTCDateTimeField(null=True)
    resolved_at = UTCDateTimeField(null=True)
    closed_at = UTCDateTimeField(null=True)
    warned_at = UTCDateTimeField(null=True)
    breached_at = UTCDateTimeField(null=True)
    updated_at = UTCDateTimeField(default=utcnow)
    visit_at = UTCDateTimeField(null=True, index=True)  # when the technician goes to the customer
    # The branch it belongs to, and the contract whose SLA it took when opened (desktables.py).
    service_point = pw.ForeignKeyField(ServicePoint, null=True, backref="tickets", on_delete="SET NULL")
    project = pw.ForeignKeyField(Project, null=True, backref="tickets", on_delete="SET NULL")


class TicketEvent(BaseModel):
    """The ticket's history: every change, by whom, with a note."""

    ticket = pw.ForeignKeyField(Ticket, backref="events", on_delete="CASCADE")
    at = UTCDateTimeField(default=utcnow)
    user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = pw.CharField(max_length=24)  # opened, assigned, on_the_way, pending, resolved, closed, note, sla_warning, sla_breach
    note = pw.TextField(default="")


# -- orders and payments (the parts dealer, the online shop) ------------------

class Order(BaseModel):
    number = pw.IntegerField(unique=True)  # shown as O-1001
    customer = pw.ForeignKeyField(Customer, backref="orders", on_delete="CASCADE")
    status = pw.CharField(default="new", max_length=16)  # as orders.STATUSES
    total = pw.IntegerField(default=0)
    note = pw.TextField(default="")
    created_at = UTCDateTimeField(default=utcnow, index=True)
    payment_due = UTCDateTimeField(null=True, index=True)
    paid_at = UTCDateTimeField(null=True, index=True)  # the sales report: what sold in a period
    shipped_at = UTCDateTimeField(null=True)
    updated_at = UTCDateTimeField(default=utcnow)
    courier = pw.CharField(default="", max_length=30)  # set when shipped: JNE, J&T, the shop's own rider
    tracking = pw.CharField(default="", max_length=30)  # the courier's receipt number (no. resi)
    shipping = pw.IntegerField(default=0)  # the shipping cost (ongkir) staff enter; part of the total


class OrderItem(BaseModel):
    order = pw.ForeignKeyField(Order, backref="items", on_delete="CASCADE")
    product = pw.ForeignKeyField(Product, null=True, on_delete="SET NULL")
    name = pw.CharField(max_length=200)
    quantity = pw.IntegerField(default=1)
    price = pw.IntegerField(default=0)
    # The goods' code and unit when ordered, as the name: a reprinted invoice stays the same.
    code = pw.CharField(default="", max_length=64)
    unit = pw.CharField(default="", max_length=20)


class PaymentClaim(BaseModel):
    """"BAYAR O-1001 250000": a customer says they paid; staff verify."""

    order = pw.ForeignKeyField(Order, backref="payment_claims", on_delete="CASCADE")
    amount = pw.IntegerField()
    text = pw.TextField(default="")
    status = pw.CharField(default="claimed", max_length=10)  # claimed, verified, rejected
    reason = pw.CharField(default="", max_length=200)  # why staff rejected it
    claimed_at = UTCDateTimeField(default=utcnow, index=True)  # claims and decisions per day, in the reports
    decided_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    decided_at = UTCDateTimeField(null=True, index=True)


# -- the reports' numbers, kept per day ----------------------------------------

class DailyCount(BaseModel):
    """One shop-local day's numbers for the reports, kept once the day has
    settled, so a year's report reads 365 rows, not a million messages
    (daily.py fills it)."""

    zone = pw.CharField(max_length=64)  # the time zone whose day this is
    day = pw.DateField()
    received = pw.IntegerField(default=0)
    sent = pw.IntegerField(default=0)  # out, sent or delivered
    failed = pw.IntegerField(default=0)
    transactional = pw.IntegerField(default=0)  # out, by category
    reminder = pw.IntegerField(default=0)
    marketing = pw.IntegerField(default=0)
    new_customers = pw.IntegerField(default=0)
    booked = pw.IntegerField(default=0)  # bookings for the day, not cancelled
    done = pw.IntegerField(default=0)
    no_show = pw.IntegerField(default=0)
    cancelled = pw.IntegerField(default=0)
    orders = pw.IntegerField(default=0)  # orders placed that day
    paid_orders = pw.IntegerField(default=0)  # orders paid that day, and their rupiah
    revenue = pw.BigIntegerField(default=0)
    claims = pw.IntegerField(default=0)  # payment claims that came that day
    claims_verified = pw.IntegerField(default=0)  # claims staff verified that day
    claims_rejected = pw.IntegerField(default=0)
    unpaid = pw.IntegerField(default=0)  # orders placed that day, not paid yet
    auto_cancelled = pw.IntegerField(default=0)  # orders placed that day, cancelled as not paid in time
    # SMS parts sent that day and what they cost (rupiah, each message's part_price), per kind
    parts_reply = pw.IntegerField(default=0)
    parts_reminder = pw.IntegerField(default=0)
    parts_campaign = pw.IntegerField(default=0)
    spend_reply = pw.BigIntegerField(default=0)
    spend_reminder = pw.BigIntegerField(default=0)
    spend_campaign = pw.BigIntegerField(default=0)
    computed_at = UTCDateTimeField(default=utcnow)

    class Meta:
        indexes = ((("zone", "day"), True),)


class Rating(BaseModel):
    """A customer's 1-5 answer to "how did we do?" after a ticket or a visit
    (appliance/satisfaction.py); score None while unanswered."""

    customer = pw.ForeignKeyField(Customer, on_delete="CASCADE")
    ticket = pw.ForeignKeyField(Ticket, null=True, unique=True, on_delete="CASCADE")
    booking = pw.ForeignKeyField(Booking, null=True, unique=True, on_delete="CASCADE")
    staff = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")  # the technician who did the work
    category = pw.CharField(default="", max_length=100)  # the ticket's category or the booking's service
    asked_at = UTCDateTimeField(default=utcnow)
    score = pw.IntegerField(null=True)
    answered_at = UTCDateTimeField(null=True, index=True)
    message = pw.IntegerField(null=True)  # the customer's answer (Message id)

    def about(self) -> str:
        return f"T-{self.ticket.number:04d}" if self.ticket_id else f"booking {self.booking_id}"


# -- tokens for the shop's other programs (the JSON API, webui/api.py) -------------

class ApiToken(BaseModel):
    """A program's key to /api/v1. Only the SHA-256 of the secret is kept (it
    is 32 random bytes, so a plain hash is enough: nothing to guess); `prefix`
    is its first characters, shown so the owner can tell tokens apart."""

    prefix = pw.CharField(max_length=16, unique=True)
    secret_hash = pw.CharField(max_length=64, unique=True)
    note = pw.CharField(default="", max_length=200)
    scopes = pw.CharField(default="", max_length=200)  # comma separated: send,messages,customers,...
    per_minute = pw.IntegerField(default=600)  # the rate limit
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = UTCDateTimeField(default=utcnow)
    expires_at = UTCDateTimeField(null=True)
    revoked_at = UTCDateTimeField(null=True)
    last_used_at = UTCDateTimeField(null=True)  # to the minute: written at most once a minute


MODELS = (SchemaVersion, Customer, User, Session, Message, OutboundPart, InboundPart, AuditEntry,
          Tag, CustomerTag, Service, Product, OpeningHours, KeywordAlias, ReplyTemplate, ShopSetting, Pending,
          Booking, QueueTicket, PointsEntry, Draw, DrawEntry, DrawWinner, TicketCategory, Ticket, TicketEvent,
          Order, OrderItem, PaymentClaim, Campaign, TaughtPhrase, InfoAnswer, DailyCount, QuickReply,
          Rating, ApiToken, StaffMember, StaffService)

# Tables that live in modules of their own; import them from here (desktables.py is imported above).
from .hooktables import HOOK_MODELS, HookDelivery, Webhook  # noqa: E402,F401
from .newstable import NEWS_MODELS, NewsItem  # noqa: E402,F401
from .supplytables import define as _define_supply  # noqa: E402  (they point to the goods and users above)

SUPPLY_MODELS = Supplier, SupplierProduct, Restock, RestockLine = _define_supply(Product, User)
MODELS += HOOK_MODELS + SUPPLY_MODELS + DESK_MODELS + NEWS_MODELS
