"""What the live meeting pages need from the vote engine besides the snapshot: the texts of
static/js/meeting_votes.js (translated here, so the script holds no language)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.extensions import db
from app.votes.hooks import subject_types

BALLOT_KEYS = ("yes", "no", "abstain")


def _ballot_names() -> dict[str, str]:
    return {"yes": _("Sì"), "no": _("No"), "abstain": _("Astensione")}


def has_access_codes(session: Session, meeting_id: int) -> bool:
    """A meeting that hands out access codes is a town meeting: its votes are per person."""
    from app.meetings.models import AccessCode

    count = session.scalar(sa.select(sa.func.count()).select_from(AccessCode).where(AccessCode.meeting_id == meeting_id))
    return bool(count)


def vote_messages(meeting: Any) -> dict[str, Any]:
    names = _ballot_names()
    # The accessible names "Sì", "No", "Astensione" are part of the public interface: in another
    # language the buttons say both.
    with force_locale("it"):
        italian = _ballot_names()
    return {
        "ballot": names,
        "ballotItalian": italian,
        "states": {"draft": _("In preparazione"), "open": _("Votazione aperta"), "closed": _("Votazione chiusa")},
        "kinds": {"yesno": _("Sì / No / Astensione"), "choice": _("Scelta tra opzioni"), "ranking": _("Classifica delle priorità")},
        "electorates": {"organizations": _("Una scheda per organizzazione"), "people": _("Una scheda per persona")},
        "defaultElectorate": "people" if has_access_codes(db.session, meeting.id) else "organizations",
        "voted": _("%(voted)s di %(entitled)s hanno votato"),
        "receipt": _("Voto registrato. Ricevuta: %(receipt)s"),
        "already": _("Hai già votato."),
        "notEntitled": _("Non hai diritto di voto in questa votazione."),
        "passed": _("Approvata"),
        "rejected": _("Respinta"),
        "noQuorum": _("Quorum non raggiunto"),
        "tie": _("Parità"),
        "winner": _("Più votata: %(label)s"),
        "rankingResult": _("Classifica (metodo Schulze)"),
        "hidden": _("Conteggio nascosto fino alla chiusura."),
        "announceOpen": _("Votazione aperta: %(title)s"),
        "announceClosed": _("Votazione chiusa: %(title)s. %(outcome)s"),
        "newTitle": _("Oggetto della votazione"),
        "kind": _("Tipo di votazione"),
        "electorate": _("Chi vota"),
        "options": _("Opzioni, una per riga"),
        "optionsHelp": _("Almeno due opzioni. Per la classifica i partecipanti le mettono in ordine."),
        "create": _("Crea e apri la votazione"),
        # a yes/no vote on an agenda item about a proposal or a clause decides on it (app.votes.hooks)
        "subjectTypes": subject_types(),
        "decidesOn": _("Un sì/no su questo punto decide su %(ref)s: l'esito si applica alla chiusura."),
        "close": _("Chiudi la votazione"),
        "needTitle": _("Scrivi l'oggetto della votazione."),
        "needOptions": _("Scrivi almeno due opzioni, una per riga."),
        "chooseOne": _("Scegli un'opzione"),
        "chooseUpTo": _("Scegli fino a %(n)s opzioni"),
        "sendChoice": _("Invia il voto"),
        "needChoice": _("Scegli almeno un'opzione."),
        "rankHelp": _("Metti le opzioni in ordine di priorità, dalla più importante: usa i pulsanti Su e Giù, poi invia."),
        "moveUp": _("Su"),
        "moveDown": _("Giù"),
        "moved": _("%(label)s ora è in posizione %(n)s."),
        "sendRanking": _("Invia la classifica"),
        "position": _("posizione %(n)s"),
    }
