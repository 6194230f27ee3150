"""Human names of proposal statuses and of the moves between them (translated)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "draft": _l("Bozza"),
    "discussion": _l("In discussione"),
    "voting": _l("In votazione"),
    "accepted": _l("Approvata"),
    "rejected": _l("Respinta"),
    "withdrawn": _l("Ritirata"),
}
#: the button or option that makes each move
MOVE_LABELS = {
    "discussion": _l("Porta in discussione"),
    "voting": _l("Porta al voto"),
    "accepted": _l("Registra come approvata"),
    "rejected": _l("Registra come respinta"),
    "withdrawn": _l("Ritira la proposta"),
}
