"""Who reads, writes, moves and supports proposals."""
from __future__ import annotations

from typing import Any

from app.core.permissions import is_authenticated
from app.deliberation.permissions import can_participate


def _is_author(user: Any, proposal: Any) -> bool:
    return is_authenticated(user) and proposal.author_id == user.id


def can_view_proposal(user: Any, proposal: Any) -> bool:
    """Everything the table discusses is public; a draft only for its author, their organization, the chair."""
    if proposal.status != "draft":
        return True
    if not is_authenticated(user):
        return False
    same_org = proposal.organization_id is not None and user.organization_id == proposal.organization_id
    return user.is_chair or _is_author(user, proposal) or same_org


def can_create_proposal(user: Any) -> bool:
    return can_participate(user)


def can_edit_proposal(user: Any, proposal: Any) -> bool:
    """A new revision of the text: its author, or the chair."""
    return is_authenticated(user) and (user.is_chair or _is_author(user, proposal))


def can_publish_proposal(user: Any, proposal: Any) -> bool:
    """Bringing a draft to the table's discussion: its author, or the chair."""
    return can_edit_proposal(user, proposal)


def can_withdraw_proposal(user: Any, proposal: Any) -> bool:
    return can_edit_proposal(user, proposal)


def can_change_proposal_status(user: Any, proposal: Any) -> bool:
    """Every other move (to the vote, back to discussion, the outcome) is the chair's."""
    return is_authenticated(user) and user.is_chair


def can_support_proposal(user: Any, proposal: Any) -> bool:
    """Support is given by an organization, through one of its members."""
    return (
        is_authenticated(user) and user.role == "member" and user.organization_id is not None
        and can_view_proposal(user, proposal)
    )
