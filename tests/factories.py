"""Test factories and helpers, as plain functions (import them from tests.factories)."""
from __future__ import annotations

import os
import re

from app.extensions import socketio

PASSWORD = "password-di-prova"



def make_org(session, name: str = "Associazione di prova", category: str = "terzo_settore", adhered: bool = True, **kw):
    from app.organizations.services import adhere, create_organization

    org = create_organization(session, None, name=name, category=category, system=True, **kw)
    if adhered:
        adhere(session, None, org, "Aderiamo.", system=True)
    session.commit()
    return org


def make_user(session, role: str = "member", organization=None, email: str | None = None, name: str | None = None, **kw):
    from app.auth.services import create_user

    if role == "member" and organization is None:
        organization = make_org(session, name=f"Org di {email or role} {os.urandom(3).hex()}")
    email = email or f"{role}-{os.urandom(4).hex()}@example.test"
    user = create_user(
        session, None, email=email, name=name or email.split("@")[0], role=role, password=PASSWORD,
        organization_id=organization.id if organization else None, system=True, **kw,
    )
    session.commit()
    return user


def login(client, user, password: str = PASSWORD):
    """Log in through the real form (with its CSRF token)."""
    token = csrf_token(client, "/auth/login")
    response = client.post("/auth/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def csrf_token(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'data-csrf="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def token_for(client, user, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def socket_client(app, client=None, token: str | None = None):
    """A Socket.IO test client on /live, authenticated by token or by the Flask client's session."""
    from tests.isolation import IsolatedSocketClient

    return IsolatedSocketClient(
        app, socketio, namespace="/live", flask_test_client=client, auth={"token": token} if token else None,
    )


def count_rows(session, model, *where) -> int:
    """Rows in the database now (not the session's cache), e.g. to show that a refusal changed nothing."""
    import sqlalchemy as sa

    session.expire_all()
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def audit_actions(session) -> list[str]:
    import sqlalchemy as sa

    from app.audit.models import AuditEntry

    session.expire_all()
    return list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)))
