from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user

from app.auth.loaders import bearer_token
from app.auth.permissions import can_list_users
from app.auth.schemas import (
    InvitationCreateSchema, InvitationSchema, TokenRequestSchema, TokenResponseSchema, UserCreateSchema, UserSchema,
)
from app.auth.services import authenticate, create_invitation, create_user, issue_token, list_users, revoke_token
from app.core.api import api_blueprint
from app.core.db import isoformat
from app.core.permissions import require
from app.core.ratelimit import login_limit
from app.extensions import db

blp = api_blueprint("auth_api", __name__, "Authentication and accounts")


@blp.route("/auth/token")
class Token(MethodView):
    decorators = [login_limit]

    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenResponseSchema)
    @blp.alt_response(401, description="Wrong e-mail or password")
    def post(self, data):
        """Exchange e-mail and password for a Bearer token."""
        user = authenticate(db.session, data["email"], data["password"])
        token = issue_token(db.session, user)
        db.session.commit()
        return {"token": token, "user": user.public_dict()}

    @blp.response(204)
    def delete(self):
        """Revoke the Bearer token used for this call."""
        from app.auth.sockets import disconnect_user

        token = bearer_token()
        if token:
            user_id = revoke_token(db.session, token)
            db.session.commit()
            if user_id is not None:
                disconnect_user(user_id)  # a live connection opened with the token ends with it
        return None


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self):
        """The authenticated user."""
        require(current_user.is_authenticated, current_user)
        return current_user.public_dict()


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserSchema(many=True))
    def get(self):
        """Accounts with e-mail (admin and chair)."""
        require(can_list_users(current_user), current_user)
        return [u.public_dict() | {"member_kind": u.member_kind} for u in list_users(db.session)]

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create an account (admin)."""
        user = create_user(db.session, current_user, **data)
        db.session.commit()
        return user.public_dict() | {"member_kind": user.member_kind}


@blp.route("/invitations")
class Invitations(MethodView):
    @blp.arguments(InvitationCreateSchema)
    @blp.response(201, InvitationSchema)
    def post(self, data):
        """Create a one-time invitation link (admin); the link is returned only here."""
        raw, invitation = create_invitation(db.session, current_user, **data)
        db.session.commit()
        return {
            "id": invitation.id, "email": invitation.email, "role": invitation.role,
            "organization_id": invitation.organization_id, "expires_at": isoformat(invitation.expires_at),
            "link": url_for("auth.invitation", token=raw, _external=True),
        }
