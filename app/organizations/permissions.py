from __future__ import annotations

from typing import Any

from app.core.permissions import is_authenticated


def can_create_organization(user: Any) -> bool:
    return is_authenticated(user) and user.is_admin


def can_manage_adhesion(user: Any, organization: Any) -> bool:
    """An organization joins or leaves the table through its own representative, or the secretariat."""
    if not is_authenticated(user):
        return False
    return user.is_admin or (user.role == "member" and user.organization_id == organization.id)


def is_table_member(organization: Any) -> bool:
    return organization.active_adhesion is not None
