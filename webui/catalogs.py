"""The catalogs' build tool: find every string the UI shows, keep the `.po`
files in step, compile them. `./dev i18n` runs `extract` then `compile`;
the tests run `missing()`.

Where strings come from: templates (`t('...')`, `t("...")`), page and
domain code (`t(...)`, `web.t(...)`, `N_(...)`), through Babel's own
Python extractor for `.py` files.
"""

from __future__ import annotations

import glob
import os
import re
import sys

from .i18n import LANGUAGES, LOCALE_DIR, N_, catalog_path, compile_all  # noqa: F401  (N_ for readers)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOTS = [HERE, os.path.join(HERE, "..", "appliance")]
# web.refuse(status, "...") shows its second argument; a flash is marked with N_().
KEYWORDS = {"t": None, "N_": None, "say": None, "refuse": (2,)}
_TEMPLATE_CALL = re.compile(r"""\bt\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*[,)]""")


def template_strings(text: str) -> list[str]:
    found = []
    for single, double in _TEMPLATE_CALL.findall(text):
        raw = single or double
        found.append(raw.encode().decode("unicode_escape") if "\\" in raw else raw)
    return found


def python_strings(path: str) -> list[str]:
    from babel.messages.extract import extract_python
    with open(path, "rb") as source:
        found = []
        for _line, func, message, _comments in extract_python(source, KEYWORDS, [], {}):
            if isinstance(message, tuple):  # several arguments: the one KEYWORDS names (refuse's second)
                at = (KEYWORDS.get(func) or (1,))[0] - 1
                message = message[at] if at < len(message) else None
            if isinstance(message, str) and message:
                found.append(message)
        return found


def used() -> dict[str, str]:
    """Every string the UI may show -> the first file that uses it."""
    strings: dict[str, str] = {}
    for path in sorted(glob.glob(os.path.join(HERE, "views", "*.tpl"))):
        with open(path, encoding="utf-8") as template:
            for text in template_strings(template.read()):
                strings.setdefault(text, os.path.relpath(path, HERE))
    for root in ROOTS:
        for path in sorted(glob.glob(os.path.join(root, "**", "*.py"), recursive=True)):
            for text in python_strings(path):
                strings.setdefault(text, os.path.relpath(path, HERE))
    return strings


def _read(language: str):
    from babel.messages.pofile import read_po
    with open(catalog_path(language), "rb") as source:
        return read_po(source)


def missing(language: str = "id") -> dict[str, str]:
    """Strings the code uses that the catalog lacks or leaves untranslated."""
    catalog = _read(language)
    return {text: where for text, where in used().items()
            if catalog.get(text) is None or not catalog.get(text).string}


def duplicates(language: str) -> list[str]:
    """msgids written twice (a union merge of two branches can do that)."""
    with open(catalog_path(language), encoding="utf-8") as po:
        ids = re.findall(r'^msgid "(.+)"$', po.read(), re.M)
    return sorted({i for i in ids if ids.count(i) > 1})


def dedupe(language: str) -> int:
    """Drops the second copy of an entry (two branches appended the same
    string; git's union merge keeps both). The translated copy wins."""
    with open(catalog_path(language), encoding="utf-8") as po:
        text = po.read()
    # A union merge can join two entries without the blank line between them.
    text = re.sub(r'(\n(?:msgstr|")[^\n]*)\n(?=#|msgid )', r"\1\n\n", text)
    blocks = text.split("\n\n")
    kept: dict[str, int] = {}
    out: list[str | None] = []
    for block in blocks:
        found = re.search(r'^msgid "(.+)"$', block, re.M)
        key = found.group(1) if found else None
        if key is None or key not in kept:
            if key is not None:
                kept[key] = len(out)
            out.append(block)
            continue
        if re.search(r'^msgstr ""$', out[kept[key]], re.M) and not re.search(r'^msgstr ""$', block, re.M):
            out[kept[key]] = block  # the first copy was untranslated
    with open(catalog_path(language), "w", encoding="utf-8") as po:
        po.write("\n\n".join(b for b in out if b is not None))
    return len(blocks) - len(out)


def extract() -> dict[str, int]:
    """Append what the code uses and the catalogs lack: English copies itself,
    Indonesian stays empty (and the tests fail) until someone translates it."""
    added = {}
    strings = used()
    for language in LANGUAGES:
        catalog = _read(language)
        new = [text for text in strings if catalog.get(text) is None]
        with open(catalog_path(language), "a", encoding="utf-8") as po:
            for text in new:
                po.write(f"\n#: {strings[text]}\nmsgid {_quote(text)}\nmsgstr {_quote(text if language == 'en' else '')}\n")
        added[language] = len(new)
    return added


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


CLDR_MODULE = os.path.join(HERE, "cldr.py")


def cldr_table() -> dict:
    """The few pieces of Babel's CLDR data the pages use (webui/formats.py):
    day and month abbreviations, number symbols, the clock's separator, and
    "5 minutes ago" per unit and plural form."""
    from babel import Locale
    table = {}
    for language in LANGUAGES:
        locale = Locale.parse(language)
        symbols = locale.number_symbols["latn"]
        fields = locale._data["date_fields"]
        table[language] = {
            "days": [locale.days["format"]["abbreviated"][day] for day in range(7)],  # Monday first
            "months": [locale.months["format"]["abbreviated"][month] for month in range(1, 13)],
            "decimal": symbols["decimal"], "group": symbols["group"],
            "time": locale.datetime_skeletons["Hm"].pattern,
            "ago": {unit: dict(sorted(fields[unit]["past"].items())) for unit in ("minute", "hour", "day")},
        }
    return table


def cldr_source() -> str:
    import pprint
    return ('"""Written by `./dev i18n` (webui/catalogs.py cldr_table) from Babel\'s CLDR data: the few\n'
            "pieces the pages' formats use (webui/formats.py). The web process reads this table instead of\n"
            'loading Babel\'s locale data, which costs it 5 MB to write a date."""\n\n'
            f"TABLE = {pprint.pformat(cldr_table(), width=116, sort_dicts=True)}\n")


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        for language, count in extract().items():
            print(f"{language}: {count} new string(s) in {os.path.relpath(catalog_path(language))}")
        command = "check"
    if command == "dedupe":
        for language in LANGUAGES:
            print(f"{language}: {dedupe(language)} duplicate(s) dropped")
        command = "check"
    if command == "compile":
        for path in compile_all():
            print(f"compiled {os.path.relpath(path)}")
        with open(CLDR_MODULE, "w", encoding="utf-8") as module:
            module.write(cldr_source())
        print(f"wrote {os.path.relpath(CLDR_MODULE)}")
        return 0
    gaps = missing("id")
    for text, where in sorted(gaps.items(), key=lambda item: item[1]):
        print(f"untranslated ({where}): {text}")
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
