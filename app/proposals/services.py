"""Proposals: creation, edits (as revisions), status, supports. Texts live in app.deliberation."""
from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from app.audit.services import record
from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.permissions import is_authenticated, require
from app.deliberation.models import Revision
from app.deliberation.services import (
    BODY_MAX, REASON_MAX, TITLE_MAX, clean_text, count_comments, create_revision, revise,
)
from app.deliberation.subjects import Action, Subject, subject_for
from app.proposals.labels import STATUS_LABELS
from app.proposals.models import Proposal, ProposalStatus, Support
from app.proposals.permissions import (
    can_change_proposal_status, can_create_proposal, can_edit_proposal, can_publish_proposal,
    can_support_proposal, can_view_proposal, can_withdraw_proposal,
)

SUBJECT_TYPE = "proposal"
#: reason of every proposal's first revision (stored text, in the table's language)
INITIAL_REASON = "Prima versione"
SEARCH_MAX = 100

S = ProposalStatus
#: allowed moves: from → {to: who may make it}
TRANSITIONS: dict[str, dict[str, Callable[[Any, Any], bool]]] = {
    S.DRAFT.value: {S.DISCUSSION.value: can_publish_proposal, S.WITHDRAWN.value: can_withdraw_proposal},
    S.DISCUSSION.value: {S.VOTING.value: can_change_proposal_status, S.WITHDRAWN.value: can_withdraw_proposal},
    S.VOTING.value: {
        S.DISCUSSION.value: can_change_proposal_status,
        S.ACCEPTED.value: can_change_proposal_status,
        S.REJECTED.value: can_change_proposal_status,
    },
}
#: what each status leaves open (see deliberation.subjects.Action)
OPEN_TO: dict[str, set[str]] = {
    S.DRAFT.value: {"comment", "revise"},
    S.DISCUSSION.value: {"comment", "amend", "revise"},
    S.VOTING.value: {"comment"},
}


def proposal_accepts(proposal: Proposal, action: Action) -> bool:
    return action in OPEN_TO.get(proposal.status, set())


def apply_revision(session: Session, proposal: Proposal, revision: Revision) -> None:
    """Deliberation's hook: the new revision becomes the proposal's current text."""
    proposal.title = revision.title
    proposal.body = revision.body
    proposal.revision = revision.number
    proposal.updated_at = revision.created_at


def as_subject(proposal: Proposal) -> Subject:
    return subject_for(proposal, SUBJECT_TYPE)


def load_proposal(session: Session, proposal_id: int) -> Proposal | None:
    return session.get(Proposal, proposal_id)


def get_proposal(session: Session, proposal_id: Any, viewer: Any = None) -> Proposal:
    """A proposal the viewer may read; someone else's draft does not exist for them."""
    proposal = (
        session.get(Proposal, proposal_id) if isinstance(proposal_id, int) and not isinstance(proposal_id, bool) else None
    )
    if proposal is None or not can_view_proposal(viewer, proposal):
        raise NotFound(_("Proposta non trovata."), code="proposal_not_found")
    return proposal


def _visible_to(viewer: Any):
    """SQL condition: the proposals the viewer may read (as can_view_proposal)."""
    condition = Proposal.status != S.DRAFT.value
    if not is_authenticated(viewer):
        return condition
    if viewer.is_chair:
        return sa.true()
    own = Proposal.author_id == viewer.id
    if viewer.organization_id is not None:
        own = sa.or_(own, Proposal.organization_id == viewer.organization_id)
    return sa.or_(condition, own)


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_proposals(
    session: Session, viewer: Any = None, *, axis_id: int | None = None, status: str | None = None,
    organization_id: int | None = None, q: str | None = None,
) -> list[Proposal]:
    """Proposals the viewer may read, newest change first, filtered and searched (title and text)."""
    query = sa.select(Proposal).options(selectinload(Proposal.supports), selectinload(Proposal.axis),
                                        selectinload(Proposal.organization), selectinload(Proposal.author))
    query = query.where(_visible_to(viewer))
    if axis_id is not None:
        query = query.where(Proposal.axis_id == axis_id)
    if status:
        query = query.where(Proposal.status == status)
    if organization_id is not None:
        query = query.where(Proposal.organization_id == organization_id)
    text = (q or "").strip()[:SEARCH_MAX]
    if text:
        pattern = _like_pattern(text)
        query = query.where(sa.or_(
            sa.func.lower(Proposal.title).like(pattern, escape="\\"),
            sa.func.lower(Proposal.body).like(pattern, escape="\\"),
        ))
    return list(session.scalars(query.order_by(Proposal.updated_at.desc(), Proposal.id.desc())))


def comment_counts(session: Session, proposal_ids: list[int]) -> dict[int, int]:
    return count_comments(session, SUBJECT_TYPE, proposal_ids)


def _check_axis(session: Session, axis_id: Any) -> int:
    from app.process.models import Axis

    if not isinstance(axis_id, int) or isinstance(axis_id, bool) or session.get(Axis, axis_id) is None:
        raise InvalidInput(_("Asse prioritario inesistente."), code="axis_unknown", fields={"axis_id": ["not_found"]})
    return axis_id


def create_proposal(
    session: Session, actor: Any, *, title: Any, body: Any, axis_id: Any, publish: bool = False,
) -> Proposal:
    """A new proposal (a draft, or straight into discussion) with its first revision."""
    require(can_create_proposal(actor), actor)
    title = clean_text(title, "title", TITLE_MAX)
    body = clean_text(body, "body", BODY_MAX)
    axis_id = _check_axis(session, axis_id)
    now = utcnow()
    status = S.DISCUSSION.value if publish else S.DRAFT.value
    proposal = Proposal(
        title=title, body=body, axis_id=axis_id, author_id=actor.id, organization_id=actor.organization_id,
        status=status, created_at=now, updated_at=now, status_changed_at=now,
    )
    session.add(proposal)
    session.flush()
    create_revision(session, actor, as_subject(proposal), title=title, body=body, reason=INITIAL_REASON)
    record(session, actor, "proposals.proposal.created", proposal, {
        "title": title, "axis_id": axis_id, "organization_id": proposal.organization_id, "status": status,
    })
    return proposal


def edit_proposal(
    session: Session, actor: Any, proposal: Proposal, *, reason: Any, title: Any = None, body: Any = None,
) -> Revision:
    """A new revision of the proposal's title and/or text, with a reason (author or chair)."""
    return revise(session, actor, as_subject(proposal), reason=reason, title=title, body=body)


def change_proposal_status(session: Session, actor: Any, proposal: Proposal, status: Any, reason: Any = "") -> Proposal:
    """Move the proposal along draft → discussion → voting → accepted | rejected, or withdraw it."""
    require(can_change_proposal_status(actor, proposal) or can_edit_proposal(actor, proposal), actor)
    if status not in {s.value for s in S}:
        raise InvalidInput(_("Stato sconosciuto."), code="invalid_status", fields={"status": ["unknown"]})
    allowed = TRANSITIONS.get(proposal.status, {}).get(status)
    if allowed is None:
        raise Conflict(
            _("Una proposta nello stato «%(current)s» non può passare a «%(target)s».",
              current=STATUS_LABELS[proposal.status], target=STATUS_LABELS[status]),
            code="invalid_transition",
        )
    require(allowed(actor, proposal), actor)
    reason = clean_text(reason, "reason", REASON_MAX, required=False)
    previous = proposal.status
    proposal.status = status
    proposal.status_changed_at = utcnow()
    session.flush()
    action = "proposals.proposal.withdrawn" if status == S.WITHDRAWN.value else "proposals.proposal.status_changed"
    record(session, actor, action, proposal, {"from": previous, "to": status, "reason": reason})
    return proposal


def withdraw_proposal(session: Session, actor: Any, proposal: Proposal, reason: Any = "") -> Proposal:
    return change_proposal_status(session, actor, proposal, S.WITHDRAWN.value, reason)


def apply_poll_outcome(
    session: Session, actor: Any, proposal: Proposal, passed: bool, *, poll_id: int | None = None,
) -> Proposal:
    """The vote engine's verdict on a proposal in vote: accepted if the motion passed, else rejected."""
    if actor is not None:
        require(can_change_proposal_status(actor, proposal), actor)
    if proposal.status != S.VOTING.value:
        raise Conflict(_("La proposta non è in votazione."), code="not_in_vote")
    status = S.ACCEPTED.value if passed else S.REJECTED.value
    proposal.status = status
    proposal.status_changed_at = utcnow()
    session.flush()
    record(session, actor, f"proposals.proposal.{status}", proposal,
           {"from": S.VOTING.value, "to": status, "poll_id": poll_id})
    return proposal


def _open_support(proposal: Proposal, organization_id: int) -> Support | None:
    return next((s for s in proposal.active_supports if s.organization_id == organization_id), None)


def support_proposal(session: Session, actor: Any, proposal: Proposal) -> Support:
    """The actor's organization supports the proposal (once; again after a withdrawal)."""
    require(can_support_proposal(actor, proposal), actor)
    if proposal.status not in (S.DISCUSSION.value, S.VOTING.value):
        raise Conflict(_("Si può sostenere una proposta solo mentre è in discussione o in votazione."),
                       code="support_closed")
    if _open_support(proposal, actor.organization_id) is not None:
        raise Conflict(_("La tua organizzazione sostiene già questa proposta."), code="already_supported")
    support = Support(proposal_id=proposal.id, organization_id=actor.organization_id, user_id=actor.id,
                      created_at=utcnow())
    session.add(support)
    proposal.supports.append(support)
    session.flush()
    record(session, actor, "proposals.support.added", support,
           {"proposal_id": proposal.id, "organization_id": actor.organization_id})
    return support


def withdraw_support(session: Session, actor: Any, proposal: Proposal) -> Support:
    require(can_support_proposal(actor, proposal), actor)
    support = _open_support(proposal, actor.organization_id)
    if support is None:
        raise Conflict(_("La tua organizzazione non sostiene questa proposta."), code="not_supported")
    if proposal.is_final:
        raise Conflict(_("La proposta è già decisa: il sostegno resta agli atti."), code="support_closed")
    support.withdrawn_at = utcnow()
    support.withdrawn_by_id = actor.id
    session.flush()
    record(session, actor, "proposals.support.withdrawn", support,
           {"proposal_id": proposal.id, "organization_id": actor.organization_id})
    return support
