"""The Documento di proposta partecipata (DocPP): the process's final document. It is assembled from
what Tavolo recorded (what was asked, the path and its meetings, the table, the accepted proposals
with the votes that accepted them, the priorities ranked, the critical points), edited by the chair
as revisions, validated by a yes/no vote of the table and then frozen, its SHA-256 in the audit chain.
LR 15/2018 then hands it to the Tecnico di garanzia and to the deciding body."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import format_date, gettext as _
from sqlalchemy.orm import Session

from app.audit.services import record
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, NotFound
from app.core.permissions import is_authenticated, require
from app.deliberation.models import Comment, Revision
from app.deliberation.services import create_revision, revise
from app.deliberation.subjects import Subject, subject_for
from app.meetings.models import Attendance, Meeting
from app.meetings.presence import adhered_organization_ids
from app.organizations.models import Organization
from app.process.models import Axis, Process
from app.process.services import current_process
from app.proposals.models import Proposal, ProposalStatus
from app.records.models import ParticipatoryDocument
from app.records.outcomes import counts_text, outcome_text
from app.records.services import decide_record, is_chair
from app.votes.models import Poll

SUBJECT_TYPE = "document"
DRAFT_REASON = "Bozza composta dal registro del percorso"
#: who reads the draft before the vote: the table that validates it and the auditors, not the public
TABLE_ROLES = ("member", "chair", "admin", "observer")


# --- permissions and reading -----------------------------------------------------------------------

def can_view_document(user: Any, document: ParticipatoryDocument) -> bool:
    """The validated DocPP is public; the draft is read by the table that will vote on it."""
    return document.frozen or (is_authenticated(user) and user.role in TABLE_ROLES)


def load_document(session: Session, document_id: int) -> ParticipatoryDocument | None:
    return session.get(ParticipatoryDocument, document_id)


def as_subject(document: ParticipatoryDocument) -> Subject:
    return subject_for(document, SUBJECT_TYPE)


def the_process(session: Session) -> Process:
    process = current_process(session)
    if process is None:
        raise NotFound(_("Nessun percorso partecipativo configurato."), code="process_not_found")
    return process


def document_of(session: Session, process: Process) -> ParticipatoryDocument | None:
    return session.scalar(sa.select(ParticipatoryDocument).where(ParticipatoryDocument.process_id == process.id))


def visible_document(session: Session, viewer: Any) -> ParticipatoryDocument:
    """The DocPP the viewer may read, or a clear refusal: not drafted yet, or a draft for the table only."""
    document = document_of(session, the_process(session))
    if document is None:
        raise NotFound(_("Il documento di proposta partecipata non è ancora stato composto."),
                       code="document_not_found")
    if not can_view_document(viewer, document):
        raise Forbidden(_("Il documento è in bozza: lo legge il Tavolo finché non lo convalida con un voto."),
                        code="document_draft")
    return document


# --- the draft, from the record of the path -----------------------------------------------------------

def _date(value: Any) -> str:
    return format_date(value, "d MMMM y") if value else "…"


def _path_lines(session: Session, process: Process) -> list[str]:
    """The phases, the table and its meetings: the short account of the path LR 15/2018 asks for."""
    lines = [f"- **{p.name}** ({_date(p.starts_on)} – {_date(p.ends_on)}): {p.description}".rstrip(": ")
             for p in process.phases]
    adhered = sorted(session.scalars(sa.select(Organization.name).where(
        Organization.id.in_(adhered_organization_ids(session) or {0}))), key=str.casefold)
    lines += ["", _("Il Tavolo di Negoziazione riunisce %(n)d organizzazioni: %(names)s.",
                    n=len(adhered), names=", ".join(adhered) or "–")]
    meetings = session.execute(
        sa.select(Meeting.title, Meeting.opened_at, Meeting.starts_at,
                  sa.func.count(sa.distinct(Attendance.user_id)))
        .outerjoin(Attendance, Attendance.meeting_id == Meeting.id)
        .where(Meeting.status == "closed").group_by(Meeting.id).order_by(Meeting.opened_at, Meeting.id)).all()
    if meetings:
        lines += ["", _("Incontri svolti:")]
        lines += [f"- {_date(opened or starts)}: {title} " + _("(%(n)d presenti)", n=present)
                  for title, opened, starts, present in meetings]
    proposals = session.scalar(sa.select(sa.func.count()).select_from(Proposal).where(
        Proposal.status != ProposalStatus.DRAFT.value)) or 0
    comments = session.scalar(sa.select(sa.func.count()).select_from(Comment).where(
        Comment.subject_type == "proposal")) or 0
    lines += ["", _("Sono state discusse %(p)d proposte, con %(c)d commenti.", p=proposals, c=comments)]
    return lines


def _deciding_polls(session: Session, proposal_ids: list[int]) -> dict[int, Poll]:
    """The last closed vote on each proposal: the one that decided it."""
    polls: dict[int, Poll] = {}
    for poll in session.scalars(sa.select(Poll).where(
            Poll.subject_type == "proposal", Poll.subject_id.in_(proposal_ids or [0]), Poll.state == "closed")
            .order_by(Poll.closed_at, Poll.id)):
        polls[poll.subject_id] = poll
    return polls


def _quoted(text: str) -> list[str]:
    """A proposal's own Markdown, quoted, so its headings never break the document's outline."""
    return ["> " + line if line.strip() else ">" for line in text.strip().split("\n")]


def _proposal_lines(session: Session, proposals: list[Proposal]) -> list[str]:
    polls = _deciding_polls(session, [p.id for p in proposals])
    lines: list[str] = []
    axis = None
    for proposal in proposals:
        if proposal.axis_id != axis:
            axis = proposal.axis_id
            lines += ["", f"## {proposal.axis.name}"]
        by = proposal.organization.name if proposal.organization else _("la presidenza")
        lines += ["", f"### {proposal.title}", "",
                  _("Proposta da %(by)s, sostenuta da %(n)d organizzazioni (revisione %(r)d).",
                    by=by, n=len(proposal.active_supports), r=proposal.revision)]
        poll = polls.get(proposal.id)
        if poll is not None:
            lines.append(_("Accolta con la votazione «%(title)s»: %(counts)s.", title=poll.title,
                           counts=counts_text(poll)))
        lines += [""] + _quoted(proposal.body)
    return lines or ["", _("Nessuna proposta accolta finora.")]


def _priority_lines(session: Session) -> list[str]:
    """The rankings the table voted, with their Schulze order (ties said as ties)."""
    polls = session.scalars(sa.select(Poll).where(Poll.kind == "ranking", Poll.state == "closed")
                            .order_by(Poll.closed_at, Poll.id)).all()
    return [f"- **{poll.title}**: {outcome_text(poll)}" for poll in polls]


def _critical_lines(session: Session) -> list[str]:
    """What the record shows as unresolved: rejected proposals and pact clauses in conflict."""
    from app.pact.models import Clause
    from app.pact.services import endorsement_counts, is_conflict

    lines = ["- " + _("Proposta non accolta: «%(title)s».", title=title) for title in session.scalars(
        sa.select(Proposal.title).where(Proposal.status == ProposalStatus.REJECTED.value).order_by(Proposal.id))]
    for clause in session.scalars(sa.select(Clause).order_by(Clause.id)):
        counts = endorsement_counts(session, clause)
        if is_conflict(counts):
            lines.append("- " + _("Art. %(n)d «%(title)s»: %(e)d organizzazioni aderiscono, %(o)d sono contrarie.",
                                  n=clause.number, title=clause.title, e=counts["endorse"], o=counts["oppose"]))
    return lines + ["- " + _("(Da completare a cura della presidenza con i punti critici emersi nel percorso.)")]


def draft_text(session: Session, process: Process) -> str:
    """The DocPP as Markdown, from what the path recorded: nobody retypes proposals or results."""
    accepted = list(session.scalars(sa.select(Proposal).join(Proposal.axis)
                                    .where(Proposal.status == ProposalStatus.ACCEPTED.value)
                                    .order_by(Axis.position, Proposal.id)))
    lines = [
        _("Promotore: %(p)s.", p=process.promoter or "–"), "",
        "# " + _("Oggetto del percorso"), "", process.summary.strip() or "–", "",
        "# " + _("Il percorso"), "", *_path_lines(session, process), "",
        "# " + _("Le proposte accolte dal Tavolo"), *_proposal_lines(session, accepted), "",
    ]
    priorities = _priority_lines(session)
    if priorities:
        lines += ["# " + _("Le priorità"), "", *priorities, ""]
    lines += ["# " + _("Punti critici"), "", *_critical_lines(session)]
    return "\n".join(lines).strip() + "\n"


# --- writes ----------------------------------------------------------------------------------------

def draft_document(session: Session, actor: Any) -> ParticipatoryDocument:
    """The chair composes the DocPP: revision 1 is the text built from the record of the path."""
    require(is_chair(actor), actor)
    process = the_process(session)
    if document_of(session, process) is not None:
        raise Conflict(_("Il documento di proposta partecipata esiste già."), code="document_exists")
    title = _("Documento di proposta partecipata – %(name)s", name=process.name)
    document = ParticipatoryDocument(process_id=process.id, title=title[:300], body="", status="draft",
                                     created_at=utcnow())
    session.add(document)
    session.flush()
    record(session, actor, "records.document.drafted", document, {"process_id": process.id})
    create_revision(session, actor, as_subject(document), title=document.title,
                    body=draft_text(session, process), reason=DRAFT_REASON)
    return document


def revise_document(session: Session, actor: Any, document: ParticipatoryDocument, *, body: Any,
                    reason: Any) -> Revision:
    """An edit of the draft by the chair; once validated the text is never edited again."""
    if document.frozen:
        raise Conflict(_("Il documento è convalidato e non si modifica più."), code="document_frozen")
    return revise(session, actor, as_subject(document), reason=reason, body=body)


def decide_document(session: Session, actor: Any, document_id: int, passed: bool) -> None:
    """The table's vote on the DocPP: validated, it is frozen with its hash in the chain."""
    document = session.get(ParticipatoryDocument, document_id)
    if document is None:
        raise NotFound(_("Documento non trovato."), code="document_not_found")
    if document.frozen:
        raise Conflict(_("Il documento è già convalidato."), code="document_frozen")
    decide_record(session, actor, document, passed, "records.document", {"process_id": document.process_id})
