"""The demo shop seeded on the first `loket run`: a login and a few customers.

The demo login's password is generated per data dir and kept in
`demo-login.txt` there (mode 0600) so `loket run` can print it every time;
a real appliance has no such file (its owner is made in the wizard).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from . import auth, messaging
from .clock import utcnow
from .models import Customer, User

DEMO_USER = "owner"
LOGIN_FILE = "demo-login.txt"

DEMO_CUSTOMERS = (
    ("+6281234500001", "Ibu Sari", "id", "Pesan pijat bayi besok jam 10 ya"),
    ("+6281234500002", "Pak Budi", "id", "Terima kasih, anak saya senang sekali"),
    ("+6281234500003", "Maria Tan", "en", "Do you have a slot on Saturday?"),
)


def seed(data_dir: Path, now: dt.datetime | None = None) -> tuple[str, str] | None:
    """Seed an empty shop; return the demo login (user, password) when there is one."""
    now = now or utcnow()
    login_file = data_dir / LOGIN_FILE
    if not User.select().exists():
        password = auth.generate_password()
        auth.create_user(DEMO_USER, password, "owner", language="en")
        fd = os.open(login_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"{DEMO_USER}\n{password}\n")
        _seed_customers(now)
    try:
        user, password = login_file.read_text().split()[:2]
        return user, password
    except (FileNotFoundError, ValueError):
        return None


def _seed_customers(now: dt.datetime) -> None:
    for n, (phone, name, language, text) in enumerate(DEMO_CUSTOMERS):
        at = now - dt.timedelta(hours=3 * (len(DEMO_CUSTOMERS) - n))
        customer = Customer.create(phone=phone, name=name, language=language, created_at=at,
                                   last_contact_at=at, consent_marketing=n % 2 == 0)
        messaging.Message.create(direction="in", phone=phone, text=text, customer=customer,
                                 state="handled", needs_staff=True, created_at=at, updated_at=at)
