"""What a yes/no vote does to the text it decides on (registered with app.votes.hooks).

A proposal in vote is accepted or rejected; a submitted amendment is accepted (its text becomes the
next revision of the proposal or clause) or rejected, the vote being the table's decision the chair
used to record by hand. A refusal of the subject's own rules (not in vote any more, text changed
since the amendment was written) rolls back just the consequence; the vote engine audits it as
`votes.poll.consequence_failed`.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.core.errors import NotFound


def decide_proposal(session: Session, actor: Any, proposal_id: int, passed: bool) -> None:
    from app.proposals.services import apply_poll_outcome, load_proposal

    proposal = load_proposal(session, proposal_id)
    if proposal is None:
        raise NotFound(_("Proposta non trovata."))
    apply_poll_outcome(session, actor, proposal, passed)


def decide_amendment(session: Session, actor: Any, amendment_id: int, passed: bool) -> None:
    from app.deliberation.services import accept_amendment, get_amendment, reject_amendment

    amendment = get_amendment(session, amendment_id)
    if passed:
        accept_amendment(session, actor, amendment, _("Approvato dal Tavolo con votazione."))
    else:
        reject_amendment(session, actor, amendment, _("Respinto dal Tavolo con votazione."))


def register_consequences() -> None:
    from app.deliberation.models import Amendment
    from app.proposals.models import Proposal
    from app.votes.hooks import register_subject_handler

    register_subject_handler("proposal", decide_proposal, Proposal)
    register_subject_handler("amendment", decide_amendment, Amendment)
