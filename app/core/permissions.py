"""Helpers shared by every domain's permission predicates (`can_<verb>_<noun>(user, obj)`)."""
from __future__ import annotations

from typing import Any

from app.core.errors import Forbidden, Unauthorized


def is_authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def require(allowed: bool, user: Any, message: str | None = None) -> None:
    """Raise 401 for anonymous users and 403 for logged-in users who lack the right."""
    if allowed:
        return
    from flask_babel import gettext as _

    if not is_authenticated(user):
        raise Unauthorized(message or _("Accedi per continuare."))
    raise Forbidden(message or _("Non hai i permessi per questa operazione."))
