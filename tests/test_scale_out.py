"""The scale-out path: the same Loket on PostgreSQL and Redis, chosen by URL.

Real servers, started by the test session (see servers.py): `loket run`
keeps its customers in PostgreSQL and its job queue in Redis, and the first
round trip works exactly as on the embedded SQLite default.
"""

from appliance import db
from appliance.models import MODELS, Message
from conftest import launch_loket


def test_the_round_trip_on_postgresql_and_redis(tmp_path, postgres_url, redis_url):
    database = db.connect(postgres_url)
    database.drop_tables(MODELS, cascade=True)  # a fresh shop
    env = {"LOKET_DATABASE_URL": postgres_url, "LOKET_QUEUE_URL": redis_url}
    with launch_loket(tmp_path / "var", env) as loket:
        result = loket.text("+6281234567890", "BANTUAN")
        assert result.returncode == 0, result.stderr + "".join(loket.output)
        assert "Anda bisa ketik" in result.stdout

        browser = loket.browser()
        assert browser.login(loket.user, loket.password) == 200
        status, _, thread = browser.get("/inbox/%2B6281234567890")
        assert status == 200 and ">BANTUAN<" in thread

    # The rows are in PostgreSQL, not in a file in the data dir.
    assert not (tmp_path / "var" / "loket.db").exists()
    assert Message.select().where((Message.direction == "out") & (Message.phone == "+6281234567890")
                                  & Message.state.in_(["sent", "delivered"])).count() == 1
    database.close()
