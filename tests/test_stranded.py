"""A customer's message is never left unanswered: one stored but not
answered (the worker died between the two, or assembling failed part-way) is
answered by the next sweep, by exactly one worker; one too old to answer
sensibly waits for staff. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from appliance.modem.base import InboundPart as Part
from appliance.modem.owner import ModemThread
from appliance.modem.simulated import SimulatedModem
from appliance.queue.tasks import Tasks, make_huey
from appliance.queue.worker import Worker
from support import text_in

from appliance import inbox, policy
from appliance.conversation import Shop
from appliance.models import InboundPart, Message
from appliance.phone import sender_key
from appliance.responder import Responder

NOW = dt.datetime(2026, 11, 30, 5, 0, tzinfo=dt.timezone.utc)  # noon in Jakarta


@pytest.fixture
def worker(shop, settings, tmp_path):
    modem = ModemThread("sim", SimulatedModem(settings.sim_path), poll_seconds=60).start()
    yield Worker(tasks=Tasks(make_huey(f"sqlite:///{tmp_path / 'q.db'}")), modems=[modem],
                 responder=Responder(Shop(name="Spa")), region_key=sender_key, status_dir=tmp_path / "status",
                 rules=policy.Rules(tz=zoneinfo.ZoneInfo("Asia/Jakarta")), clock_trusted=lambda: True, clock=lambda: NOW)
    modem.stop()


def stored_but_not_answered(phone: str, text: str, minutes_ago: float) -> Message:
    """What a worker killed right after assembling leaves behind."""
    then = NOW - dt.timedelta(minutes=minutes_ago)
    message = text_in(phone, text, then)
    assert message.state == "received"
    return message


def replies_to(phone: str) -> list[Message]:
    return list(Message.select().where(Message.direction == "out", Message.phone == phone))


def test_the_sweep_answers_a_message_an_interrupted_run_left(worker):
    message = stored_but_not_answered("+6281200000001", "HELP", minutes_ago=10)
    worker.sweep()
    assert Message.get_by_id(message.id).state == "handled"
    assert replies_to("+6281200000001"), "the customer got the answer after all"


def test_a_message_just_stored_is_left_to_the_live_path(worker):
    message = stored_but_not_answered("+6281200000002", "HELP", minutes_ago=0.5)
    assert inbox.stranded(NOW, dt.timedelta(minutes=2)) == []
    worker.sweep()
    assert Message.get_by_id(message.id).state == "received" and not replies_to("+6281200000002")


def test_a_message_too_old_to_answer_waits_for_staff(worker):
    message = stored_but_not_answered("+6281200000003", "BOOK besok jam 3", minutes_ago=3 * 24 * 60)
    worker.sweep()
    row = Message.get_by_id(message.id)
    assert row.state == "handled" and row.needs_staff
    assert not replies_to("+6281200000003"), "no answer days late to a question about 'tomorrow'"


def test_only_one_worker_claims_a_stranded_message(shop):
    message = stored_but_not_answered("+6281200000004", "HELP", minutes_ago=10)
    first, second = inbox.stranded(NOW, dt.timedelta(minutes=2)), inbox.stranded(NOW, dt.timedelta(minutes=2))
    assert [m.id for m in first] == [m.id for m in second] == [message.id]
    assert inbox.claim(first[0], NOW) is True
    assert inbox.claim(second[0], NOW) is False, "the other worker read it before the claim: it loses"


def test_one_sender_s_bad_parts_do_not_hold_up_the_others(shop):
    """Assembling fails for one sender (here its number cannot be read into
    a customer key); everyone else's message is made, and its parts stay
    loose to be tried again."""
    for phone in ("+6281200000005", "BROKEN", "+6281200000006"):
        inbox.store_parts([Part(location="1", sender=phone, text="HELP", smsc_time=NOW)], "sim", NOW)

    def region_key(sender):
        if sender == "BROKEN":
            raise ValueError("not a number")
        return sender_key(sender)

    made = inbox.assemble(NOW, dt.timedelta(minutes=10), region_key)
    assert sorted(m.phone for m in made) == ["+6281200000005", "+6281200000006"]
    loose = InboundPart.select().where(InboundPart.message.is_null())
    assert [p.sender for p in loose] == ["BROKEN"]
