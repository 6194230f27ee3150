"""Human names of alignments and amendment states, shown in pages (translated)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ALIGNMENT_LABELS = {"for": _l("A favore"), "against": _l("Contrario"), "neutral": _l("Neutrale")}
#: a shape beside the words, so the alignment never rests on colour alone
ALIGNMENT_SYMBOLS = {"for": "+", "against": "−", "neutral": "="}
AMENDMENT_STATE_LABELS = {
    "draft": _l("Bozza"),
    "submitted": _l("Presentato"),
    "accepted": _l("Accolto"),
    "rejected": _l("Respinto"),
    "withdrawn": _l("Ritirato"),
}
