"""Comment moderation from the chair's console: the texts and API paths static/js/meeting_comments.js needs."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _


def moderation_messages(meeting: Any) -> dict[str, Any]:
    from app.deliberation.api import SUBJECT_API_PATHS

    return {
        "apiPaths": dict(SUBJECT_API_PATHS),
        "heading": _("Commenti sul punto in discussione"),
        "noSubject": _("Il punto in discussione non è collegato a un testo con commenti."),
        "empty": _("Ancora nessun commento."),
        "hide": _("Nascondi"),
        "reason": _("Motivo (pubblico)"),
        "needReason": _("Scrivi il motivo per cui nascondi il commento."),
        "hidden": _("Nascosto dalla moderazione: %(reason)s"),
        "hiddenDone": _("Commento nascosto."),
        "added": _("Nuovo commento di %(name)s"),
        "alignment": {"for": _("a favore"), "against": _("contrario"), "neutral": _("neutrale")},
    }
