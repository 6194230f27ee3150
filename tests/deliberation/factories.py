"""Factories shared by the deliberation tests and the domains built on it (plain functions)."""
from __future__ import annotations

import os

import sqlalchemy as sa


def audit_actions(session) -> list[str]:
    from app.audit.models import AuditEntry

    return list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)))


def count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def quick_user(session, role: str = "member", organization=None, name: str | None = None):
    """A user without a password (no argon2 hashing): for service tests that never log in."""
    from app.auth.services import create_user
    from tests.factories import make_org

    if role == "member" and organization is None:
        organization = make_org(session, name=f"Organizzazione {os.urandom(3).hex()}")
    user = create_user(
        session, None, email=f"{role}-{os.urandom(4).hex()}@example.test", name=name or role, role=role,
        organization_id=organization.id if organization else None, system=True,
    )
    session.commit()
    return user
