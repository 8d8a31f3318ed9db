"""Message catalogs: what the code asks to translate, and what the zh_CN catalogs already say.

Each feature keeps its own catalog in translations/<feature>/<locale>/LC_MESSAGES/messages.po and
Flask-Babel merges them (config.BABEL_TRANSLATION_DIRECTORIES), so no single .po lists every message.
This module extracts every msgid from the code (the method map of babel.cfg) and checks it against
all zh_CN catalogs together.

    python -m crm.core.catalogs missing [--check]  msgids no zh_CN catalog translates, with locations
                                                   (--check: exit 1 if there are any)
    python -m crm.core.catalogs update core        add the foundation's new msgids to its catalog
    python -m crm.core.catalogs update <feature>   the same for crm/<feature> and templates/<feature>
    python -m crm.core.catalogs compile            build every .mo next to its .po
"""

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
LOCALE = "zh_CN"

# Used when babel.cfg is absent; keep it in step with babel.cfg.
METHOD_MAP = [("crm/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS_MAP = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
}
SOURCE_DIRS = ("crm", "templates")

# The files the foundation owns; other features own crm/<feature> and templates/<feature>.
FOUNDATION = (
    "crm/core/", "crm/auth/", "crm/leads/", "crm/public/", "crm/admin/", "crm/api/",
    "crm/notifications/", "crm/cli.py", "crm/demo/", "crm/__init__.py", "crm/extensions.py",
    "crm/models.py", "templates/base.html", "templates/_macros/", "templates/leads/",
    "templates/auth/", "templates/errors/", "templates/public/", "templates/admin/",
    "templates/notifications/",
)


@dataclass
class Extracted:
    """One msgid the code uses, and every place that uses it."""

    msgid: str | tuple[str, ...]
    context: str | None = None
    locations: list[tuple[str, int]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str | None]:
        return (_singular(self.msgid), self.context)


def _singular(msgid) -> str:
    return msgid[0] if isinstance(msgid, (tuple, list)) else msgid


def _method_map() -> tuple[list, dict]:
    cfg = ROOT / "babel.cfg"
    if cfg.exists():
        with cfg.open(encoding="utf-8") as fileobj:
            return parse_mapping_cfg(fileobj, str(cfg))
    return METHOD_MAP, OPTIONS_MAP


def _walk_filter(dirpath: str) -> bool:
    """Recurse into crm/ and templates/ only, skipping caches, but keeping templates/_macros.

    Babel's default filter skips every folder starting with "_", which would lose the form macros.
    """
    rel = os.path.relpath(dirpath, ROOT).replace(os.sep, "/")
    name = os.path.basename(dirpath)
    if name.startswith(".") or name == "__pycache__":
        return False
    return rel.split("/")[0] in SOURCE_DIRS


def extract() -> dict[tuple[str, str | None], Extracted]:
    """Every message the code marks for translation, keyed by (msgid, context)."""
    method_map, options_map = _method_map()
    found: dict[tuple[str, str | None], Extracted] = {}
    results = extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS,
                               directory_filter=_walk_filter)
    for filename, lineno, message, _comments, context in results:
        ids = tuple(message) if isinstance(message, (tuple, list)) else message
        if not _singular(ids):
            continue  # _("") is a mistake, not a message
        if isinstance(ids, tuple):
            # ngettext with a non-literal plural yields None for that part; keep what is there.
            ids = tuple(part for part in ids if part)
            ids = ids if len(ids) > 1 else ids[0]
        entry = found.setdefault((_singular(ids), context), Extracted(ids, context))
        if isinstance(ids, tuple) and not isinstance(entry.msgid, tuple):
            entry.msgid = ids
        entry.locations.append((filename.replace(os.sep, "/"), lineno))
    return found


def catalog_paths(locale: str = LOCALE) -> list[Path]:
    """Every feature's catalog for `locale`, in the order Flask-Babel merges them."""
    return sorted(TRANSLATIONS.glob(f"*/{locale}/LC_MESSAGES/messages.po"))


def load(path: Path, locale: str = LOCALE) -> Catalog:
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=locale)


def is_translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return bool(strings) and all(s and s.strip() for s in strings)


def translated(locale: str = LOCALE) -> dict[tuple[str, str | None], Path]:
    """(msgid, context) → the catalog that translates it, over every feature's catalog."""
    known: dict[tuple[str, str | None], Path] = {}
    for path in catalog_paths(locale):
        for message in load(path, locale):
            if message.id and is_translated(message):
                known[(_singular(message.id), message.context)] = path
    return known


def missing(locale: str = LOCALE) -> list[Extracted]:
    """Messages in the code that no catalog for `locale` translates."""
    known = translated(locale)
    return [entry for key, entry in extract().items() if key not in known]


def describe(entries: Iterable[Extracted]) -> str:
    """One block per message: the msgid, then where the code uses it."""
    lines = []
    for entry in entries:
        lines.append(f"msgid {_singular(entry.msgid)!r}" + (f" (context {entry.context!r})" if entry.context else ""))
        lines.extend(f"    {path}:{line}" for path, line in sorted(set(entry.locations)))
    return "\n".join(lines)


def feature_prefixes(feature: str) -> tuple[str, ...]:
    """The source files whose messages belong in translations/<feature>/."""
    if feature == "core":
        return FOUNDATION
    return (f"crm/{feature}/", f"crm/{feature}.py", f"templates/{feature}/")


def _owned(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in prefixes)


def update(feature: str, locale: str = LOCALE) -> tuple[Path, int, int]:
    """Add the feature's untranslated msgids to its catalog with an empty msgstr.

    Messages already there keep their translation and get fresh source locations; messages the
    feature's code no longer uses become obsolete (#~), so a translation is not lost if they return.
    The foundation's catalog holds every foundation msgid; another feature's catalog adds only those
    that no other catalog already translates. Returns (path, added, made obsolete).
    """
    prefixes = feature_prefixes(feature)
    path = TRANSLATIONS / feature / locale / "LC_MESSAGES" / "messages.po"
    catalog = load(path, locale) if path.exists() else new_catalog(locale)
    others = {key: p for key, p in translated(locale).items() if p != path}
    added = 0
    wanted = set()
    for key, entry in extract().items():
        locations = sorted({(p, n) for p, n in entry.locations if _owned(p, prefixes)})
        if not locations:
            continue
        existing = catalog.get(key[0], key[1])
        if existing is None and feature != "core" and key in others:
            continue
        wanted.add(key)
        if existing is not None:
            existing.locations = locations
            if isinstance(entry.msgid, tuple) and not isinstance(existing.id, tuple):
                existing.id = entry.msgid
            continue
        revived = catalog.obsolete.pop(key[0] if key[1] is None else key, None)
        string = revived.string if revived is not None else ("", "") if isinstance(entry.msgid, tuple) else ""
        catalog.add(entry.msgid, string, locations=locations, context=entry.context)
        added += 1
    stale = [m for m in catalog if m.id and (_singular(m.id), m.context) not in wanted]
    for message in stale:
        catalog.delete(message.id, message.context)
        key = _singular(message.id)
        catalog.obsolete[key if message.context is None else (key, message.context)] = message
    if added or stale:
        catalog.revision_date = datetime.now(UTC)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fileobj:
        write_po(fileobj, catalog, width=100, sort_output=False, sort_by_file=True, include_previous=False)
    return path, added, len(stale)


HEADER = """\
# {locale} messages for ParkLeads, one catalog per feature folder under translations/.
# Add new msgids with `python -m crm.core.catalogs update <feature>`; never edit msgids by hand.
#"""


def new_catalog(locale: str) -> Catalog:
    return Catalog(locale=locale, domain="messages", project="ParkLeads", version="1.0",
                   header_comment=HEADER.format(locale=locale), copyright_holder="ParkLeads",
                   msgid_bugs_address="", last_translator="ParkLeads team",
                   language_team=f"ParkLeads {locale}", fuzzy=False)


def compile_all(force: bool = False) -> list[Path]:
    """Write a .mo beside every .po that is missing one or is older than its .po. Returns those written."""
    written = []
    for po in sorted(TRANSLATIONS.glob("*/*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        locale = po.parent.parent.name
        catalog = load(po, locale)
        with mo.open("wb") as fileobj:
            write_mo(fileobj, catalog, use_fuzzy=True)
        written.append(mo)
    return written


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "missing"
    if command == "missing":
        entries = missing()
        if not entries:
            print(f"Every message has a {LOCALE} translation.")
            return 0
        print(describe(entries))
        print(f"\n{len(entries)} message(s) have no {LOCALE} translation in translations/*/{LOCALE}/.")
        return 1 if "--check" in argv else 0
    if command == "update" and len(argv) == 2:
        path, added, stale = update(argv[1])
        print(f"{path.relative_to(ROOT)}: {added} new msgid(s) to translate, {stale} made obsolete.")
        return 0
    if command == "compile":
        for mo in compile_all(force="--force" in argv):
            print(mo.relative_to(ROOT))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
