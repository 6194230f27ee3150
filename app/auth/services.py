"""Account services. Each takes the acting user explicitly, audits, and leaves the commit to the face."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.audit.services import record
from app.auth.models import ApiToken, Invitation, MemberKind, Role, User
from app.auth.permissions import can_create_user
from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotFound, Unauthorized
from app.core.permissions import require
from app.core.tokens import new_secret, secret_hash

MIN_PASSWORD_LENGTH = 10
_hashers: dict[tuple, PasswordHasher] = {}
#: per hasher, verified against when the e-mail is unknown, so timing does not reveal which accounts exist
_dummy_hashes: dict[tuple, str] = {}


def _hasher() -> tuple[tuple, PasswordHasher]:
    """argon2id with the configured cost (ARGON2_PARAMS; empty = argon2-cffi's RFC 9106 defaults).

    Tests use a cheap cost: a default hash takes about 0.4 s on a small machine and the suite
    creates hundreds of accounts. Hashes carry their own parameters, so any of them verifies.
    """
    params = current_app.config.get("ARGON2_PARAMS") if has_app_context() else None
    key = tuple(sorted((params or {}).items()))
    if key not in _hashers:
        _hashers[key] = PasswordHasher(**dict(key))
    return key, _hashers[key]


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("La password deve avere almeno %(n)d caratteri.", n=MIN_PASSWORD_LENGTH), fields={"password": ["too_short"]}
        )
    return _hasher()[1].hash(password)


def check_password(user: User | None, password: str) -> bool:
    key, hasher = _hasher()
    if user is None or not user.password_hash:
        if key not in _dummy_hashes:
            _dummy_hashes[key] = hasher.hash("not-a-real-password")
        stored = _dummy_hashes[key]
    else:
        stored = user.password_hash
    try:
        return hasher.verify(stored, password or "") and user is not None and bool(user.password_hash)
    except (VerificationError, InvalidHashError):
        return False


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("Utente non trovato."))
    return user


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def _validate_role(role: str, organization_id: int | None, member_kind: str | None) -> None:
    if role not in {r.value for r in Role}:
        raise InvalidInput(_("Ruolo sconosciuto."), fields={"role": ["unknown"]})
    if role == Role.MEMBER.value and organization_id is None:
        raise InvalidInput(_("Un componente del tavolo rappresenta un'organizzazione."), fields={"organization_id": ["required"]})
    if member_kind is not None and member_kind not in {k.value for k in MemberKind}:
        raise InvalidInput(_("Tipo di rappresentanza sconosciuto."), fields={"member_kind": ["unknown"]})


def _check_organization(session: Session, organization_id: int | None) -> None:
    if organization_id is None:
        return
    from app.organizations.models import Organization  # organizations build on auth's users

    if session.get(Organization, organization_id) is None:
        raise InvalidInput(_("Organizzazione inesistente."), fields={"organization_id": ["not_found"]})


def create_user(
    session: Session,
    actor: Any,
    *,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    organization_id: int | None = None,
    member_kind: str | None = None,
    system: bool = False,
) -> User:
    """Create an account (admins only, or the system when loading demo data)."""
    if not system:
        require(can_create_user(actor), actor)
    email = normalize_email(email)
    if not email or not name.strip():
        raise InvalidInput(_("E-mail e nome sono obbligatori."))
    _validate_role(role, organization_id, member_kind)
    _check_organization(session, organization_id)
    if find_user_by_email(session, email):
        raise Conflict(_("Esiste già un account con questa e-mail."), code="email_taken")
    if role == Role.MEMBER.value and member_kind is None:
        member_kind = MemberKind.DELEGATE.value
    user = User(
        email=email, name=name.strip(), role=role, organization_id=organization_id, member_kind=member_kind,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    record(session, actor, "auth.user.created", user, {"role": role, "organization_id": organization_id})
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    """The user for these credentials, or Unauthorized (same message whatever was wrong)."""
    user = find_user_by_email(session, email)
    if not check_password(user, password) or user is None or not user.active:
        raise Unauthorized(_("E-mail o password non corretti."), code="invalid_credentials")
    return user


def issue_token(session: Session, user: User) -> str:
    """A new API token for the user; returned once, stored hashed."""
    raw = new_secret()
    ttl = dt.timedelta(hours=current_app.config["API_TOKEN_TTL_HOURS"])
    session.add(ApiToken(user_id=user.id, token_hash=secret_hash(raw), expires_at=utcnow() + ttl))
    session.flush()
    return raw


def user_for_token(session: Session, raw: str) -> User | None:
    if not raw:
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == secret_hash(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    user = session.get(User, token.user_id)
    return user if user and user.active else None


def revoke_token(session: Session, raw: str) -> int | None:
    """Revoke a token; returns its user's id (None for an unknown token), whose connections end too."""
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == secret_hash(raw)))
    if token is None:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token.user_id


def create_invitation(
    session: Session, actor: Any, *, email: str, name: str, role: str,
    organization_id: int | None = None, member_kind: str | None = None,
) -> tuple[str, Invitation]:
    """A one-time invitation link token (admins). Returns the raw token to show once."""
    require(can_create_user(actor), actor)
    email = normalize_email(email)
    if not email or not (name or "").strip():
        raise InvalidInput(_("E-mail e nome sono obbligatori."))
    _validate_role(role, organization_id, member_kind)
    _check_organization(session, organization_id)
    if find_user_by_email(session, email):
        raise Conflict(_("Esiste già un account con questa e-mail."), code="email_taken")
    raw = new_secret()
    ttl = dt.timedelta(hours=current_app.config["INVITATION_TTL_HOURS"])
    invitation = Invitation(
        token_hash=secret_hash(raw), email=email, name=name.strip(), role=role, organization_id=organization_id,
        member_kind=member_kind, created_by_id=actor.id, expires_at=utcnow() + ttl,
    )
    session.add(invitation)
    session.flush()
    record(session, actor, "auth.invitation.created", invitation, {"role": role, "organization_id": organization_id})
    return raw, invitation


def find_invitation(session: Session, raw: str) -> Invitation:
    """The pending invitation for this token, or a clear refusal (unknown, used, expired)."""
    invitation = session.scalar(sa.select(Invitation).where(Invitation.token_hash == secret_hash(raw or "")))
    if invitation is None:
        raise NotFound(_("Invito inesistente."), code="invitation_unknown")
    if invitation.accepted_at is not None:
        raise Conflict(_("Questo invito è già stato usato."), code="invitation_used")
    if invitation.expires_at <= utcnow():
        raise Conflict(_("Questo invito è scaduto: chiedine uno nuovo alla segreteria."), code="invitation_expired")
    return invitation


def accept_invitation(session: Session, raw: str, password: str) -> User:
    invitation = find_invitation(session, raw)
    if find_user_by_email(session, invitation.email):
        raise Conflict(_("Esiste già un account con questa e-mail."), code="email_taken")
    user = User(
        email=invitation.email, name=invitation.name, role=invitation.role,
        organization_id=invitation.organization_id, member_kind=invitation.member_kind,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    invitation.accepted_at = utcnow()
    invitation.user_id = user.id
    record(session, user, "auth.invitation.accepted", invitation, {"user_id": user.id})
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(sa.select(User).where(User.email.is_not(None)).order_by(User.name)))
