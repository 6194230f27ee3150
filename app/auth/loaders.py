"""How a request or a socket finds its user: session cookie or `Authorization: Bearer <token>`."""
from __future__ import annotations

from typing import Any

from flask import Flask, g, request
from flask_login import AnonymousUserMixin

from app.extensions import csrf, db, login_manager

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class Anonymous(AnonymousUserMixin):
    role = None
    organization_id = None
    is_admin = False
    is_chair = False
    id = None

    def has_role(self, *roles: Any) -> bool:
        return False


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def init_login(app: Flask) -> None:
    from app.auth.models import User
    from app.auth.services import user_for_token

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.anonymous_user = Anonymous
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user and user.active else None

    @login_manager.request_loader
    def load_user_from_request(req: Any) -> User | None:
        token = bearer_token()
        if token is None:
            return None
        user = user_for_token(db.session, token)
        g.token_auth = user is not None
        return user

    @login_manager.unauthorized_handler
    def unauthorized() -> Any:
        from flask import redirect, url_for
        from flask_babel import gettext as _

        from app.core.errors import Unauthorized, wants_json

        if wants_json() or bearer_token():
            raise Unauthorized(_("Accesso richiesto."))
        return redirect(url_for("auth.login", next=request.full_path))

    @app.before_request
    def csrf_unless_token_or_json() -> None:
        """CSRF for cookie-authenticated writes.

        Bearer-token calls carry no ambient credential. JSON API calls cannot be forged by another
        site: a cross-origin `application/json` request needs a CORS preflight we never grant.
        Everything else (forms, body-less actions) must carry the CSRF token (field or X-CSRFToken).
        """
        if request.method not in UNSAFE_METHODS or not app.config.get("WTF_CSRF_ENABLED", True):
            return
        if bearer_token() is not None:
            return
        if request.path.startswith("/api/") and request.mimetype == "application/json":
            return
        csrf.protect()
