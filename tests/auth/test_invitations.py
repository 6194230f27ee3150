"""Invitations: made by an admin (API and /auth/users), accepted once through the link."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import Invitation, User
from app.core.db import utcnow
from tests.auth.test_api import assert_error
from tests.factories import audit_actions, bearer, count_rows, csrf_token, login, make_org, make_user, token_for


def _invite(client, session, **payload) -> dict:
    admin = make_user(session, role="admin")
    body = {"email": "invitata@example.test", "name": "Invitata", "role": "observer"} | payload
    response = client.post("/api/v1/invitations", json=body, headers=bearer(token_for(client, admin)))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def _accept(client, path: str, password: str = "password-nuova-1", confirm: str | None = None):
    token = csrf_token(client, path)
    return client.post(path, data={"password": password, "confirm": confirm or password, "csrf_token": token})


def test_create_invitation_api(client, session):
    org = make_org(session, name="Org Inviti")
    body = _invite(client, session, role="member", organization_id=org.id, member_kind="substitute")
    assert body["email"] == "invitata@example.test" and body["role"] == "member"
    assert body["organization_id"] == org.id
    assert re.search(r"/auth/invite/[A-Za-z0-9_-]{20,}$", body["link"])
    raw = body["link"].rsplit("/", 1)[1]
    stored = session.scalar(sa.select(Invitation.token_hash))
    assert stored != raw  # only a hash is kept
    expires = dt.datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert dt.timedelta(hours=71) < expires - utcnow() <= dt.timedelta(hours=72)
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "auth.invitation.created"))
    assert "invitata@example.test" not in str(entry.data) and raw not in str(entry.data)


@pytest.mark.parametrize("role", ["chair", "member", "observer"])
def test_only_admin_invites(client, session, role):
    token = token_for(client, make_user(session, role=role))
    response = client.post("/api/v1/invitations", json={"email": "x@example.test", "name": "X", "role": "observer"},
                           headers=bearer(token))
    assert_error(response, 403, "forbidden")
    assert count_rows(session, Invitation) == 0


def test_invite_anonymous_401(client):
    assert_error(client.post("/api/v1/invitations", json={"email": "x@example.test", "name": "X", "role": "observer"}), 401)


@pytest.mark.parametrize("payload, status, code", [
    ({"email": "esistente@example.test"}, 409, "email_taken"),
    ({"role": "member"}, 422, "invalid_input"),
    ({"role": "admin", "extra": 1}, 422, "invalid_input"),
])
def test_invite_refusals(client, session, payload, status, code):
    make_user(session, role="observer", email="esistente@example.test")
    admin = make_user(session, role="admin")
    body = {"email": "nuova@example.test", "name": "Nuova", "role": "observer"} | payload
    response = client.post("/api/v1/invitations", json=body, headers=bearer(token_for(client, admin)))
    assert_error(response, status, code)
    assert count_rows(session, Invitation) == 0


def test_accept_invitation_with_password(client, session):
    org = make_org(session, name="Org Accetta")
    link = _invite(client, session, role="member", organization_id=org.id)["link"]
    page = client.get(_path(link))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Attiva il tuo account" in html and "invitata@example.test" in html
    response = _accept(client, _path(link))
    assert response.status_code == 302
    me = client.get("/api/v1/me").get_json()
    assert me["email"] == "invitata@example.test" and me["role"] == "member" and me["organization_id"] == org.id
    user = session.scalar(sa.select(User).where(User.email == "invitata@example.test"))
    assert user.member_kind == "delegate" or user.member_kind is None
    invitation = session.scalar(sa.select(Invitation))
    assert invitation.accepted_at is not None and invitation.user_id == user.id
    assert audit_actions(session)[-1] == "auth.invitation.accepted"
    fresh = client.application.test_client()
    assert fresh.post("/api/v1/auth/token", json={"email": "invitata@example.test", "password": "password-nuova-1"}).status_code == 200


@pytest.mark.parametrize("password, confirm", [("password-nuova-1", "password-diversa"), ("corta", "corta"), ("", "")])
def test_accept_with_bad_password_changes_nothing(client, session, password, confirm):
    link = _invite(client, session)["link"]
    response = _accept(client, _path(link), password, confirm)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert count_rows(session, User, User.email == "invitata@example.test") == 0
    assert client.get("/api/v1/me").status_code == 401


def test_accept_without_csrf_changes_nothing(client, session):
    link = _invite(client, session)["link"]
    response = client.post(_path(link), data={"password": "password-nuova-1", "confirm": "password-nuova-1"})
    assert response.status_code == 400
    assert count_rows(session, User, User.email == "invitata@example.test") == 0


def test_invitation_used_twice(client, session):
    link = _invite(client, session)["link"]
    assert _accept(client, _path(link)).status_code == 302
    other = client.application.test_client()
    response = other.get(_path(link))
    assert response.status_code == 409
    assert "Questo invito è già stato usato." in response.get_data(as_text=True)
    users = count_rows(session, User)
    token = csrf_token(other, "/auth/login")
    response = other.post(_path(link), data={"password": "altra-password-1", "confirm": "altra-password-1", "csrf_token": token})
    assert response.status_code == 409
    assert count_rows(session, User) == users


def test_expired_invitation_shows_clear_error(client, session):
    link = _invite(client, session)["link"]
    session.execute(sa.update(Invitation).values(expires_at=utcnow() - dt.timedelta(minutes=1)))
    session.commit()
    response = client.get(_path(link))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Questo invito è scaduto" in html and '<html lang="it">' in html
    token = csrf_token(client, "/auth/login")
    response = client.post(_path(link), data={"password": "password-nuova-1", "confirm": "password-nuova-1", "csrf_token": token})
    assert response.status_code == 409
    assert count_rows(session, User, User.email == "invitata@example.test") == 0


def test_unknown_invitation_is_404_page(client):
    response = client.get("/auth/invite/non-esiste")
    assert response.status_code == 404
    assert "Invito inesistente." in response.get_data(as_text=True)


def test_users_page_admin_creates_invitation(client, session):
    org = make_org(session, name="Org Pagina")
    admin = make_user(session, role="admin")
    login(client, admin)
    page = client.get("/auth/users")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Invita una persona" in html and admin.email in html
    token = csrf_token(client, "/auth/users")
    response = client.post("/auth/users", data={
        "name": "Ospite", "email": "ospite@example.org", "role": "member", "organization_id": str(org.id),
        "member_kind": "substitute", "csrf_token": token})
    assert response.status_code == 200
    link = re.search(r'data-testid="invitation-link">([^<]+)<', response.get_data(as_text=True)).group(1)
    invitation = session.scalar(sa.select(Invitation))
    assert invitation.email == "ospite@example.org" and invitation.member_kind == "substitute"
    assert invitation.organization_id == org.id
    other = client.application.test_client()
    assert _accept(other, _path(link)).status_code == 302


def test_users_page_refusals_show_errors_and_change_nothing(client, session):
    admin = make_user(session, role="admin", email="segreteria@example.org")
    login(client, admin)
    token = csrf_token(client, "/auth/users")
    response = client.post("/auth/users", data={
        "name": "Senza org", "email": "senza@example.org", "role": "member", "organization_id": "0",
        "member_kind": "delegate", "csrf_token": token})
    assert response.status_code == 422
    assert "rappresenta un&#39;organizzazione" in response.get_data(as_text=True)
    response = client.post("/auth/users", data={
        "name": "Doppio", "email": admin.email, "role": "observer", "organization_id": "0",
        "member_kind": "delegate", "csrf_token": token})
    assert response.status_code == 409
    response = client.post("/auth/users", data={
        "name": "Senza CSRF", "email": "csrf@example.org", "role": "observer", "organization_id": "0", "member_kind": "delegate"})
    assert response.status_code == 400
    assert count_rows(session, Invitation) == 0


def test_users_page_chair_reads_without_form(client, session):
    chair = make_user(session, role="chair")
    login(client, chair)
    html = client.get("/auth/users").get_data(as_text=True)
    assert chair.email in html and "Invita una persona" not in html
    token = csrf_token(client, "/auth/users")
    response = client.post("/auth/users", data={
        "name": "X", "email": "x@example.org", "role": "observer", "organization_id": "0", "member_kind": "delegate",
        "csrf_token": token})
    assert response.status_code == 403
    assert count_rows(session, Invitation) == 0


def test_users_page_members_and_anonymous_kept_out(client, session):
    assert client.get("/auth/users").status_code == 302
    member = make_user(session, role="member")
    login(client, member)
    response = client.get("/auth/users")
    assert response.status_code == 403
    assert "Non hai i permessi" in response.get_data(as_text=True)
