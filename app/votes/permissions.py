"""Who may do what with polls. Entitlement to vote is data (the frozen roll), checked by the service."""
from __future__ import annotations

from typing import Any

from app.core.permissions import is_authenticated


def can_create_poll(user: Any) -> bool:
    return is_authenticated(user) and user.is_chair


def can_manage_poll(user: Any, poll: Any) -> bool:
    """Edit a draft, open, close, publish corrections: the chair (admins too)."""
    return is_authenticated(user) and user.is_chair


def can_view_poll(user: Any, poll: Any) -> bool:
    """Open and closed polls are public documentation of the table; drafts are the chair's."""
    return poll.state != "draft" or can_manage_poll(user, poll)


def can_cast_ballot(user: Any, poll: Any) -> bool:
    """Whether to offer a ballot form; the service still checks the roll, proxies and double votes."""
    return is_authenticated(user) and poll.state == "open" and user.role in ("member", "participant")


def can_manage_proxies(user: Any, meeting: Any) -> bool:
    """The chair records an organization's written delegation for a meeting, and its revocation."""
    return is_authenticated(user) and user.is_chair
