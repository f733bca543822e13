"""Customers' texts as test data: the shared corpus (as customers really
write) and the project's own set beside it, with what each one means."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

from support import REPO

SHARED = REPO.parent / "shared" / "corpus" / "customer-texts.tsv"
OURS = REPO / "tests" / "data" / "free-texts.tsv"


@dataclasses.dataclass(frozen=True)
class Text:
    kind: str  # the demo shop: spa, parts, isp, shop, service
    text: str
    intent: str
    names: dict  # service, goods, day, time, amount, order, ticket, name, ...
    language: str
    source: str

    def __str__(self):
        return f"{self.kind}: {self.text!r}"


def _names(field: str) -> dict:
    names = {}
    for part in field.split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            names[key.strip()] = value.strip()
    return names


def read(path: Path) -> list[Text]:
    rows = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("kind\t"):
            continue
        cells = (line.split("\t") + [""] * 5)[:5]
        rows.append(Text(cells[0], cells[1], cells[2], _names(cells[3]), cells[4] or "id", path.name))
    return rows


def all_texts() -> list[Text]:
    shared = read(SHARED) if SHARED.exists() else []
    return shared + read(OURS)


def expected_items(text: Text) -> list[tuple[str, int | None]]:
    """('Busi NGK CPR9EA', 2) for 'goods=Busi NGK CPR9EA x2'; services without a quantity."""
    items = []
    for key in ("service", "goods"):
        for name in filter(None, (n.strip() for n in text.names.get(key, "").split(","))):
            found = re.fullmatch(r"(.+?) x(\d+)", name)
            items.append((found.group(1), int(found.group(2))) if found else (name, None))
    return items


def item_matches(expected: str, got: str) -> bool:
    """A named item matches the catalogue's: 'size 42' is a shoe of size 42."""
    if expected.startswith("size "):
        return expected.split()[1] in got
    return expected.lower() == got.lower() or expected.lower() in got.lower()


def expected_day(text: Text, now_local: dt.datetime) -> dt.date | None:
    from appliance.when import parse_when
    word = text.names.get("day")
    if not word:
        return None
    word = f"tgl {word}" if word.isdigit() else word
    return parse_when(word, now_local, text.language).date


def demo_lexicons(folder: Path) -> dict:
    """Each demo shop's catalogue as the reader sees it (a database per shop under `folder`)."""
    from appliance import db, demo, migrations, understand
    from appliance import settings as settings_module
    from appliance.models import Product, Service
    found = {}
    for kind in demo.KINDS:
        data = Path(folder) / kind
        settings = settings_module.load(env={}, overrides={"data_dir": str(data)})
        database = db.connect(settings.db_url)
        migrations.migrate(database)
        demo.seed(data, kind)
        entries = [understand.entry_for_service(s) for s in Service.select()]
        entries += [understand.entry_for_product(p) for p in Product.select()]
        found[kind] = understand.Lexicon(entries)
        database.close()
    return found
