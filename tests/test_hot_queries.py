"""The worker's hot statements, compiled once, behave as peewee's own.

`hotsql.Hot` lets peewee write the SQL of the lease and of the `sent`
record once per database, then only binds each message's values. These
tests hold it to peewee: the same SQL and parameters for any values, the
same rows afterwards, and the lease still taken by exactly one worker, on
SQLite and on PostgreSQL.
"""

import datetime as dt
import threading

import pytest

from appliance import customers, hotsql, outbox
from appliance.models import Message, OutboundPart

T0 = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)
WIB = dt.timezone(dt.timedelta(hours=7))

VALUES = {
    "lease": [dict(id=1, owner="w:1", now=T0),
              dict(id=2**31 + 5, owner="kasir'; DROP TABLE message; --", now=dt.datetime(2030, 1, 2, 9, 3, 4, 5, WIB)),
              dict(id=7, owner="tökö-😀:\x01", now=dt.datetime(1999, 12, 31, 23, 59, 59, 999_999, dt.timezone.utc))],
    "sent": [dict(id=1, owner="w:1", now=T0, modem="sim", parts=1, price=150),
             dict(id=99, owner="box:7", now=dt.datetime(2030, 1, 2, 9, 3, tzinfo=WIB), modem="", parts=255, price=0)],
    "sent_encoding": [dict(id=3, owner="w:1", now=T0, modem="usb-1", parts=2, encoding="ucs2", price=99),
                      dict(id=4, owner="w:2", now=T0, modem="sim", parts=1, encoding="gsm7", price=100_000)],
    "part": [dict(message=1, part_no=1, reference=0, modem="sim", now=T0),
             dict(message=12, part_no=3, reference=255, modem="modem 'b'", now=dt.datetime(2030, 1, 2, tzinfo=WIB))],
    "queued": [dict(direction="out", phone="+6281200000001", text="Halo 'Sari'; 🎉", category="marketing",
                    customer=None, state="queued", priority=9, idempotency_key="c:1:+6281200000001", send_at=None,
                    created_at=T0, updated_at=T0, template="", campaign=None),
               dict(direction="out", phone="+6281200000002", text="", category="reminder", customer=2**31 + 1,
                    state="queued", priority=5, idempotency_key=None, send_at=dt.datetime(2030, 1, 2, tzinfo=WIB),
                    created_at=T0, updated_at=T0, template="reminder", campaign=3)],
}
HOT = {"lease": outbox._LEASE, "sent": outbox._SENT, "sent_encoding": outbox._SENT_ENCODING,
       "part": outbox._PART, "queued": outbox._QUEUED}


@pytest.mark.parametrize("name", sorted(HOT))
def test_the_sql_and_parameters_are_peewees_own(shop, name):
    hot = HOT[name]
    for values in VALUES[name]:
        peewee_made = shop.get_sql_context().sql(hot.build(**values)).query()
        assert hot.render(shop, **values) == peewee_made
        # Through the proxy the models are bound to, as the worker calls it.
        assert hot.render(Message._meta.database, **values) == peewee_made


def test_each_database_gets_its_own_sql(shop):
    sql, _ = outbox._LEASE.render(shop, id=1, owner="w:1", now=T0)
    postgres = "%s" in sql
    assert postgres == (shop.param == "%s")
    assert ("?" in sql) == (not postgres)


def test_a_value_missing_from_the_parameters_is_refused(shop):
    # A slot the statement does not use (or that peewee inlined) would bind
    # nothing, or the wrong thing: refuse it when compiling.
    sloppy = hotsql.Hot(lambda id, owner: Message.update(state="x").where(Message.id == id),
                            id=Message.id, owner=Message.lease_owner)
    with pytest.raises(RuntimeError, match="owner"):
        sloppy.render(shop, id=1, owner="w:1")


def _snapshot(message_id):
    row = Message.get_by_id(message_id)
    fields = ("state", "lease_owner", "attempts", "updated_at", "sent_at", "modem", "parts", "encoding", "part_price", "error")
    parts = [(p.part_no, p.reference, p.modem, p.status, p.sent_at, p.updated_at)
             for p in OutboundPart.select().where(OutboundPart.message == message_id).order_by(OutboundPart.part_no)]
    return {f: getattr(row, f) for f in fields}, parts


def test_the_rows_change_as_with_peewees_queries(shop):
    hot_row, _ = outbox.queue_outbound("+6281200000001", "Hi", now=T0)
    peewee_row, _ = outbox.queue_outbound("+6281200000002", "Hi", now=T0)
    later = dt.datetime(2026, 11, 22, 10, 1, 2, 345_678, WIB)

    assert outbox._LEASE.execute(id=hot_row.id, owner="w:1", now=later) == 1
    assert outbox._lease_query(peewee_row.id, "w:1", later).execute() == 1
    assert outbox._LEASE.execute(id=hot_row.id, owner="w:2", now=later) == 0  # taken already
    assert outbox._lease_query(peewee_row.id, "w:2", later).execute() == 0

    sent = dict(owner="w:1", now=later, modem="usb-1", parts=2, encoding="ucs2", price=150)
    assert outbox._SENT_ENCODING.execute(id=hot_row.id, **sent) == 1
    assert outbox._sent_query(peewee_row.id, **sent).execute() == 1
    for n, ref in enumerate([200, 201], 1):
        assert outbox._PART.execute(message=hot_row.id, part_no=n, reference=ref, modem="usb-1", now=later) == 1
        outbox._part_query(peewee_row.id, n, ref, "usb-1", later).execute()

    assert _snapshot(hot_row.id) == _snapshot(peewee_row.id)
    fields, parts = _snapshot(hot_row.id)
    assert (fields["state"], fields["attempts"], fields["parts"], fields["encoding"]) == ("sent", 1, 2, "ucs2")
    assert fields["sent_at"] == later.astimezone(dt.timezone.utc)
    assert [p[:3] for p in parts] == [(1, 200, "usb-1"), (2, 201, "usb-1")]


def test_the_lease_still_checks_consent_inside_the_update(shop):
    opted_out = customers.customer_for("+6281234567890")
    customers.set_consent(opted_out, marketing=False, reminder=False)
    fan = customers.customer_for("+6281234567891")
    customers.set_consent(fan, marketing=True, reminder=True)
    cases = [  # (customer, category, leased?)
        (opted_out, "transactional", True),
        (opted_out, "reminder", False),
        (opted_out, "marketing", False),
        (fan, "reminder", True),
        (fan, "marketing", True),
        (None, "marketing", True),
    ]
    for customer, category, leased in cases:
        row, _ = outbox.queue_outbound(customer.phone if customer else "+6281200000009", "Hi",
                                       category=category, customer=customer, now=T0)
        assert outbox.lease(row, "w:1", T0) is leased, (category, customer)
        row = Message.get_by_id(row.id)
        assert row.state == ("sending" if leased else "cancelled"), (category, customer)
        assert row.attempts == (1 if leased else 0)


def test_mark_sent_only_for_the_holder_of_the_lease(shop):
    row, _ = outbox.queue_outbound("+6281234567890", "Hi", now=T0)
    assert outbox.lease(row, "w:1", T0)
    outbox.mark_sent(row, "w:2", [5], "sim", T0)  # not its lease: nothing changes
    assert Message.get_by_id(row.id).state == "sending"
    assert OutboundPart.select().count() == 0
    outbox.mark_sent(row, "w:1", [5, 6, 7], "sim", T0, encoding="ucs2")
    row = Message.get_by_id(row.id)
    assert (row.state, row.parts, row.encoding, row.modem) == ("sent", 3, "ucs2", "sim")
    assert [p.reference for p in OutboundPart.select().order_by(OutboundPart.part_no)] == [5, 6, 7]
    outbox.mark_sent(row, "w:1", [8], "sim", T0)  # recorded once: the lease is gone
    assert OutboundPart.select().count() == 3


def test_two_workers_racing_lease_each_row_once(shop):
    rows = [outbox.queue_outbound(f"+62812000{k:05d}", "Hi", now=T0)[0] for k in range(40)]
    won: dict[str, list[int]] = {"a:1": [], "b:1": []}
    start = threading.Barrier(2)
    failures = []

    def work(owner):
        try:
            start.wait()
            for row in rows:
                if outbox.lease(row, owner, T0):
                    won[owner].append(row.id)
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            shop.close()  # this thread's connection

    threads = [threading.Thread(target=work, args=(owner,)) for owner in won]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures
    assert sorted(won["a:1"] + won["b:1"]) == sorted(r.id for r in rows)
    owners = {m.id: (m.lease_owner, m.attempts) for m in Message.select()}
    for owner, ids in won.items():
        assert all(owners[i] == (owner, 1) for i in ids)


def test_a_row_looked_up_hot_is_peewees_own_row(shop):
    """HotGet (a token, a customer, a keyed message by one column) gives what peewee's get gives:
    the same values, converted, nothing marked changed, foreign keys resolvable."""
    made = customers.customer_for("+6281234567890", now=T0)  # first contact: the compiled INSERT
    assert made.created_at == T0 and made.consent_reminder is True and made.consent_marketing is False
    assert customers.customer_for("+6281234567890").id == made.id  # the second contact finds it
    row, _ = outbox.queue_outbound(made.phone, "Hi", customer=made, key="api:1:k", now=T0)
    for hot, model, where in ((customers._by_phone, type(made), made.phone), (outbox.by_key, Message, "api:1:k")):
        found, own = hot(where), model.get(model._meta.fields[hot._hot.slots["value"].name] == where)
        assert found.__data__ == own.__data__ and not found._dirty and not found.is_dirty()
    assert outbox.by_key("api:1:k").customer.phone == made.phone and outbox.by_key("api:1:none") is None
    assert outbox.queue_outbound(made.phone, "Hi", key="api:1:k", now=T0) == (row, False)  # the key's one row
