"""The English catalogue covers every interface string.

The msgids are the Italian texts, extracted from app/ and templates/ as `make i18n` does (babel.cfg,
keywords `_l` and `lazy_gettext`). A new `_("...")` without an English translation in
translations/en/LC_MESSAGES/messages.po fails here: run `make i18n`, then translate the empty msgstr.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
EN_PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
SOURCE_DIRS = {"app", "templates"}  # what babel.cfg maps; skipping the rest avoids walking .venv and node_modules


def extracted_catalog() -> Catalog:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}

    def wanted(path: str) -> bool:
        rel = Path(path).relative_to(ROOT).parts
        return not rel or (rel[0] in SOURCE_DIRS and not any(p.startswith((".", "_")) for p in rel))

    catalog = Catalog()
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords, directory_filter=wanted,
    ):
        catalog.add(message, None, [(filename, lineno)], context=context)
    return catalog


def english_catalog() -> Catalog:
    with EN_PO.open("rb") as po:
        return read_po(po, locale="en")


def test_extraction_finds_the_interface_strings() -> None:
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extracted_catalog() if m.id}
    # one string from Python code, one from a template: the extraction itself works
    assert "E-mail o password non corretti." in ids
    assert "Vai al contenuto principale" in ids


def test_every_msgid_has_an_english_translation() -> None:
    english = english_catalog()
    missing = []
    for message in extracted_catalog():
        if not message.id:
            continue
        translated = english.get(message.id, context=message.context)
        strings = () if translated is None else (
            translated.string if isinstance(translated.string, (list, tuple)) else (translated.string,))
        if translated is None or translated.fuzzy or not strings or not all(strings):
            where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
            missing.append(f"{message.id!r} ({where})")
    if missing:
        pytest.fail(f"{len(missing)} msgids without an English translation in {EN_PO.relative_to(ROOT)} "
                    "(run `make i18n`, then fill in the msgstr):\n  " + "\n  ".join(missing), pytrace=False)


def test_translations_keep_the_placeholders() -> None:
    problems = [f"{message.id!r}: {', '.join(map(str, errors))}" for message, errors in english_catalog().check()]
    if problems:
        pytest.fail("translations whose placeholders differ from the msgid:\n  " + "\n  ".join(problems), pytrace=False)
