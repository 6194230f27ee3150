from __future__ import annotations

from typing import Any

from app.core.permissions import is_authenticated


def can_create_user(user: Any) -> bool:
    return is_authenticated(user) and user.is_admin


def can_list_users(user: Any) -> bool:
    return is_authenticated(user) and user.is_chair
