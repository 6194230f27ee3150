"""Who may comment, amend, revise and moderate a subject. The subject's kind has the last word."""
from __future__ import annotations

from typing import Any

from app.core.permissions import is_authenticated

#: accounts that take part in the table's deliberation (observers and town-meeting participants read)
PARTICIPATING_ROLES = {"member", "chair", "admin"}


def can_participate(user: Any) -> bool:
    return is_authenticated(user) and user.role in PARTICIPATING_ROLES


def can_view_subject(user: Any, subject: Any) -> bool:
    return bool(subject.kind.can_view(user, subject.obj))


def can_add_comment(user: Any, subject: Any) -> bool:
    return can_participate(user) and can_view_subject(user, subject)


def can_edit_comment(user: Any, comment: Any) -> bool:
    """Only the author rewrites a comment (every version is kept)."""
    return is_authenticated(user) and comment.author_id == user.id


def can_flag_comment(user: Any, comment: Any) -> bool:
    return can_participate(user) and comment.author_id != user.id


def can_hide_comment(user: Any, subject: Any) -> bool:
    return bool(is_authenticated(user) and subject.kind.can_moderate(user, subject.obj))


def can_create_amendment(user: Any, subject: Any) -> bool:
    return can_participate(user) and can_view_subject(user, subject)


def can_manage_amendment(user: Any, amendment: Any) -> bool:
    """Submitting a draft or withdrawing an amendment is its author's choice."""
    return is_authenticated(user) and amendment.author_id == user.id


def can_decide_amendment(user: Any, subject: Any) -> bool:
    return bool(is_authenticated(user) and subject.kind.can_moderate(user, subject.obj))


def can_create_revision(user: Any, subject: Any) -> bool:
    return bool(is_authenticated(user) and subject.kind.can_revise(user, subject.obj))
