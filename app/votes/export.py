"""CSV export of a closed poll: the result, and the named ballots (never for secret polls).

UTF-8 with a byte-order mark and `;` as separator, so that Excel with Italian settings opens it
with accents and columns right; decimals use a comma for the same reason. Cells that a spreadsheet
would run as a formula (= + - @) are prefixed with an apostrophe.
"""
from __future__ import annotations

import csv
import io
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, aliased

from app.auth.models import User
from app.organizations.models import Organization
from app.votes.ballots import decode_ids
from app.votes.models import Ballot, Poll, VoteRecord



def yesno_labels() -> dict[str, str]:
    return {"yes": _("Sì"), "no": _("No"), "abstain": _("Astensione")}


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return value


def _content_text(poll: Poll, content: str, labels: dict[int, str]) -> str:
    if poll.kind == "yesno":
        return yesno_labels().get(content, content)
    separator = " > " if poll.kind == "ranking" else " | "
    return separator.join(labels.get(i, str(i)) for i in decode_ids(content))


def ballot_text(poll: Poll, ballot: dict[str, Any]) -> str:
    """A decoded ballot (`{"choice"}`, `{"choices"}`, `{"ranking"}`) in words."""
    labels = {o.id: o.label for o in poll.options}
    if poll.kind == "yesno":
        return _content_text(poll, ballot["choice"], labels)
    ids = ballot.get("choices") or ballot.get("ranking") or []
    return _content_text(poll, ",".join(str(i) for i in ids), labels)


def named_ballots(session: Session, poll: Poll) -> list[tuple[str, str, str]]:
    """(voter, cast by, content) of a named poll, ordered by voter name; one query."""
    if poll.secret:
        return []
    cast_by = aliased(User)
    voter_user = aliased(User)
    rows = session.execute(
        sa.select(Organization.name, voter_user.name, cast_by.name, Ballot.content)
        .select_from(VoteRecord)
        .join(Ballot, Ballot.id == VoteRecord.ballot_id)
        .join(cast_by, cast_by.id == VoteRecord.cast_by_id)
        .outerjoin(Organization, Organization.id == VoteRecord.organization_id)
        .outerjoin(voter_user, voter_user.id == VoteRecord.user_id)
        .where(VoteRecord.poll_id == poll.id)
    ).all()
    labels = {o.id: o.label for o in poll.options}
    ballots = [(org or person or "", caster, _content_text(poll, content, labels)) for org, person, caster, content in rows]
    return sorted(ballots, key=lambda row: (row[0].casefold(), row[1].casefold()))


def results_csv(session: Session, poll: Poll) -> str:
    result = poll.result or {}
    labels = {o.id: o.label for o in poll.options}
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

    def row(*cells: Any) -> None:
        writer.writerow([_cell(c) for c in cells])

    row(_("Votazione"), poll.title)
    row(_("Tipo"), poll.kind)
    row(_("Voto"), _("segreto") if poll.secret else _("palese"))
    row(_("Schede espresse"), result.get("voted"))
    row(_("Aventi diritto"), result.get("entitled"))
    row(_("Quorum"), poll.quorum if poll.quorum is not None else "")
    row(_("Quorum raggiunto"), _("sì") if result.get("quorum_reached") else _("no"))
    if poll.kind == "yesno":
        row(_("Maggioranza"), poll.majority)
        row(_("Approvata"), _("sì") if result.get("passed") else _("no"))
    row()
    counts, shares = result.get("counts", {}), result.get("percentages", {})
    header = _("Prime preferenze") if poll.kind == "ranking" else _("Voti")
    if poll.kind == "ranking":
        row(_("Opzione"), header, _("Percentuale sulle schede espresse"), _("Punteggio Borda"), _("Posizione Schulze"))
        position = {option: i for i, tier in enumerate(result.get("schulze_tiers", []), start=1) for option in tier}
        for option in poll.options:
            key = str(option.id)
            row(option.label, counts.get(key, 0), float(shares.get(key, 0.0)), result.get("borda", {}).get(key, 0),
                position.get(option.id, ""))
    else:
        row(_("Opzione"), header, _("Percentuale sulle schede espresse"))
        keys = list(yesno_labels().items()) if poll.kind == "yesno" else [(str(o.id), o.label) for o in poll.options]
        for key, label in keys:
            row(label, counts.get(key, 0), float(shares.get(key, 0.0)))
    ballots = named_ballots(session, poll)
    if ballots:
        row()
        row(_("Votante"), _("Espresso da"), _("Voto"))
        for voter, caster, content in ballots:
            row(voter, caster, content)
    return out.getvalue()
