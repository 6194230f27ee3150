"""Word-level differences between two versions of a text (revisions of proposals and clauses).

Texts are compared line by line first, then word by word inside the lines that changed: the result
reads like an editor's markup (a changed word, not a changed paragraph) and long texts stay fast.
Tokens keep their whitespace, so joining the ops of one side gives back that side exactly.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Literal, TypedDict

from markupsafe import Markup, escape

Op = Literal["equal", "insert", "delete"]


class DiffOp(TypedDict):
    op: Op
    text: str


#: a word, a run of whitespace, or a single other character (punctuation)
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _append(ops: list[DiffOp], op: Op, text: str) -> None:
    """Add an op, merging it with the previous one of the same kind."""
    if not text:
        return
    if ops and ops[-1]["op"] == op:
        ops[-1]["text"] += text
    else:
        ops.append({"op": op, "text": text})


def _blank(token: str) -> bool:
    return not token.strip()


def _diff_sequences(old: list[str], new: list[str], ops: list[DiffOp], refine) -> None:
    # blanks (spaces, empty lines) never anchor a match: two texts "agree" on a space everywhere
    matcher = SequenceMatcher(_blank, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(ops, "equal", "".join(old[i1:i2]))
        elif tag == "replace" and refine is not None:
            refine("".join(old[i1:i2]), "".join(new[j1:j2]), ops)
        else:
            # a replacement reads as "this went, that came": deletion first
            _append(ops, "delete", "".join(old[i1:i2]))
            _append(ops, "insert", "".join(new[j1:j2]))


def _diff_words(old: str, new: str, ops: list[DiffOp]) -> None:
    _diff_sequences(tokenize(old), tokenize(new), ops, None)


def diff_texts(old: str | None, new: str | None) -> list[DiffOp]:
    """The ops turning `old` into `new`: equal / delete / insert runs, in reading order."""
    old, new = old or "", new or ""
    ops: list[DiffOp] = []
    _diff_sequences(old.splitlines(keepends=True), new.splitlines(keepends=True), ops, _diff_words)
    return ops


def side(ops: list[DiffOp], which: Literal["old", "new"]) -> str:
    """One side of a diff, rebuilt from its ops (old = equal + delete, new = equal + insert)."""
    keep = "delete" if which == "old" else "insert"
    return "".join(op["text"] for op in ops if op["op"] in ("equal", keep))


def diff_html(ops: list[DiffOp]) -> Markup:
    """Escaped HTML with <ins>/<del>, readable without colour and by screen readers.

    The visually hidden markers tell a screen reader where an insertion or a deletion starts and
    ends (most do not announce <ins>/<del>); the stylesheet underlines and strikes them through.
    """
    from flask_babel import gettext as _

    labels = {
        "insert": (_("inizio inserimento"), _("fine inserimento")),
        "delete": (_("inizio eliminazione"), _("fine eliminazione")),
    }
    parts: list[str] = []
    for op in ops:
        text = escape(op["text"])
        if op["op"] == "equal":
            parts.append(str(text))
            continue
        tag = "ins" if op["op"] == "insert" else "del"
        start, end = labels[op["op"]]
        parts.append(
            f'<{tag}><span class="visually-hidden">[{escape(start)}] </span>{text}'
            f'<span class="visually-hidden"> [{escape(end)}]</span></{tag}>'
        )
    return Markup("".join(parts))


def has_changes(ops: list[DiffOp]) -> bool:
    return any(op["op"] != "equal" for op in ops)
