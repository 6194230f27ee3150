"""Human names of roles, shown in pages (translated)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "admin": _l("Segreteria (amministrazione)"),
    "chair": _l("Presidenza"),
    "member": _l("Componente del tavolo"),
    "observer": _l("Osservatore"),
    "participant": _l("Partecipante"),
}
MEMBER_KIND_LABELS = {"delegate": _l("Delegato"), "substitute": _l("Sostituto")}
