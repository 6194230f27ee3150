"""A closed poll's result in words, for the verbale, the decision register and their PDFs."""
from __future__ import annotations

from flask_babel import gettext as _

from app.votes.export import yesno_labels
from app.votes.models import Poll

MAJORITY_NAMES = {"simple": "semplice", "absolute": "assoluta", "two_thirds": "dei due terzi"}


def outcome_text(poll: Poll) -> str:
    """"Approvata", "Respinta", "Quorum non raggiunto", the winner(s) or the Schulze order; ties said as ties."""
    result = poll.result or {}
    labels = {o.id: o.label for o in poll.options}
    if not result:
        return _("Nessun risultato")
    if not result.get("quorum_reached", True):
        return _("Quorum non raggiunto: nessuna decisione")
    if poll.kind == "yesno":
        return _("Approvata") if result.get("passed") else _("Respinta")
    if poll.kind == "choice":
        winners = [labels.get(i, str(i)) for i in result.get("winners", [])]
        if len(winners) > 1:
            return _("Parità tra: %(names)s", names=", ".join(winners))
        return _("Più votata: %(label)s", label=winners[0]) if winners else _("Nessun voto")
    tiers = result.get("schulze_tiers", [])
    return _("Classifica (metodo Schulze): %(order)s", order=" > ".join(
        " = ".join(labels.get(i, str(i)) for i in tier) for tier in tiers))


def counts_text(poll: Poll) -> str:
    """Counts per option ("Sì 5 · No 2 · Astensione 1"), first preferences for a ranking."""
    result = poll.result or {}
    counts = result.get("counts", {})
    if poll.kind == "yesno":
        keys = list(yesno_labels().items())
    else:
        keys = [(str(o.id), o.label) for o in poll.options]
    return " · ".join(f"{label} {counts.get(key, 0)}" for key, label in keys)


def rules_text(poll: Poll) -> str:
    """Electorate, secrecy, quorum and majority: what the outcome was measured against."""
    result = poll.result or {}
    parts = [
        _("una scheda per organizzazione") if poll.electorate == "organizations" else _("una scheda per persona"),
        _("voto segreto") if poll.secret else _("voto palese"),
        _("%(voted)s schede su %(entitled)s aventi diritto", voted=result.get("voted", 0), entitled=result.get("entitled", 0)),
        _("quorum %(n)s", n=poll.quorum) if poll.quorum is not None else _("senza quorum"),
    ]
    if poll.kind == "yesno":
        parts.append(_("maggioranza %(name)s", name=MAJORITY_NAMES.get(poll.majority, poll.majority)))
    return ", ".join(parts)
