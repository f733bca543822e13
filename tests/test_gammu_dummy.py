"""The inbound -> reply flow through libgammu, with Gammu's dummy phone.

The dummy driver keeps the phone's SMS folders as files in Gammu's backup
format; a message placed in its inbox folder is what a modem would hold.
A real `loket worker` reads it through python-gammu, stores it, deletes it
from the "SIM", answers, and sends the reply back through libgammu.
"""

import os
import subprocess

import gammu
import pytest

from appliance import db, migrations, settings as settings_module
from appliance.models import InboundPart, Message
from support import LOKET, wait_until


def place_inbound(folder, location, number, text, udh=None):
    sms = {"Number": number, "Text": text, "SMSC": {"Location": 0, "Number": "+62816124"},
           "Type": "Deliver", "State": "UnRead", "Folder": 1, "Coding": "Default", "Class": -1}
    if udh:
        sms["UDH"] = udh
        sms["Coding"] = udh.pop("_coding", "Default")
    # Written beside, then renamed in: the worker polls the folder and must
    # never read a half-written file (a real SIM never holds one).
    tmp = folder / f"incoming-{location}.tmp"
    gammu.SaveSMSBackup(str(tmp), [sms])
    os.replace(tmp, folder / "sms" / "1" / str(location))


@pytest.fixture
def worker_with_dummy_phone(tmp_path):
    phone = tmp_path / "phone"
    (phone / "sms" / "1").mkdir(parents=True)
    data = tmp_path / "data"
    env = {"LOKET_DATA_DIR": str(data), "LOKET_MODEMS": f"gammu-dummy:{phone}", "LOKET_MODEM_POLL_SECONDS": "0.1"}
    settings = settings_module.load(env=env)
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    import os
    process = subprocess.Popen(LOKET + ["worker"], env={**os.environ, **env}, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    yield phone, process
    process.terminate()
    out, _ = process.communicate(timeout=40)
    assert "Traceback" not in out, out
    database.close()


def test_a_text_in_the_dummy_phones_inbox_is_answered_through_libgammu(worker_with_dummy_phone):
    phone, process = worker_with_dummy_phone
    place_inbound(phone, 1, "+6281234567890", "BANTUAN")

    def replied():
        return Message.select().where((Message.direction == "out") & (Message.state == "sent")).exists()

    assert wait_until(replied), "no reply was sent"
    reply = Message.get(Message.direction == "out")
    assert reply.phone == "+6281234567890"
    assert "Anda bisa ketik" in reply.text
    assert reply.modem.startswith("gammu-dummy")
    # Stored first, then deleted from the phone's storage.
    assert InboundPart.select().count() == 1
    assert wait_until(lambda: not (phone / "sms" / "1" / "1").exists())


def test_a_multipart_text_is_joined_before_it_is_read(worker_with_dummy_phone):
    phone, _ = worker_with_dummy_phone
    long_text = "Halo kak, saya mau tanya " + "apakah besok ada jadwal pijat bayi? " * 6
    parts = gammu.EncodeSMS({"Class": -1, "Unicode": False,
                             "Entries": [{"ID": "ConcatenatedTextLong", "Buffer": long_text}]})
    assert len(parts) == 2
    for location, part in enumerate(parts, 1):
        place_inbound(phone, location, "+6281234567891", part["Text"], udh=dict(part["UDH"]))

    assert wait_until(lambda: Message.select().where(
        (Message.direction == "in") & (Message.phone == "+6281234567891") & (Message.state == "handled")).exists())
    message = Message.get((Message.direction == "in") & (Message.phone == "+6281234567891"))
    assert message.text == long_text
    assert message.parts == 2 and not message.incomplete
    # Read whole: a question about a booking, understood as one.
    assert '"intent": "book"' in message.understood
