"""The shop's services. Importing this module registers every service's
keywords, replies and periodic jobs (see responder.py and jobs.py)."""

from . import responder  # noqa: F401  the basic keywords: HELP, STOP, START, STATUS
from . import customers  # noqa: F401,E402  REG / DAFTAR
from . import loyalty  # noqa: F401,E402  POIN
from . import campaigns  # noqa: F401,E402  scheduled campaigns (periodic)
from . import tickets  # noqa: F401,E402  KELUHAN, STATUS T-..., technicians by SMS, the SLA job
from . import orders  # noqa: F401,E402  BAYAR, STATUS O-..., the unpaid-orders job
from . import bookings, reminders, waiting  # noqa: F401,E402  PESAN/BATAL, ANTRI, the reminders job
from . import status  # noqa: F401,E402  STATUS without a number
