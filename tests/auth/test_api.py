"""Auth API: tokens, /me, users; CSRF rules of the API (JSON vs form-encoded, cookie vs Bearer)."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import ApiToken, User
from app.core.db import utcnow
from tests.factories import PASSWORD, audit_actions, bearer, count_rows, csrf_token, login, make_org, make_user, token_for


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_token_issue_returns_token_and_user(client, session):
    org = make_org(session, name="Org A")
    user = make_user(session, role="member", organization=org, email="delegata@example.test", name="Delegata")
    response = client.post("/api/v1/auth/token", json={"email": "Delegata@Example.test", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"] == {"id": user.id, "email": "delegata@example.test", "name": "Delegata", "role": "member",
                            "organization_id": org.id}
    stored = session.scalar(sa.select(ApiToken.token_hash).where(ApiToken.user_id == user.id))
    assert stored and body["token"] not in stored  # only a hash is kept
    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200 and me.get_json()["id"] == user.id


@pytest.mark.parametrize("payload", [
    {"email": "known", "password": "password-sbagliata"},
    {"email": "nessuno@example.test", "password": PASSWORD},
])
def test_token_refused_with_wrong_credentials(client, session, payload):
    user = make_user(session, role="observer")
    if payload["email"] == "known":
        payload = payload | {"email": user.email}
    tokens = count_rows(session, ApiToken)
    error = assert_error(client.post("/api/v1/auth/token", json=payload), 401, "invalid_credentials")
    assert error["message"] == "E-mail o password non corretti."
    assert count_rows(session, ApiToken) == tokens


@pytest.mark.parametrize("payload, field", [
    ({"password": PASSWORD}, "email"),
    ({"email": "a@example.test"}, "password"),
    ({"email": "a@example.test", "password": PASSWORD, "remember": True}, "remember"),
])
def test_token_request_validated(client, payload, field):
    error = assert_error(client.post("/api/v1/auth/token", json=payload), 422, "invalid_input")
    assert field in error["fields"]


def test_token_revoke(client, session):
    user = make_user(session, role="observer")
    token = token_for(client, user)
    assert client.delete("/api/v1/auth/token", headers=bearer(token)).status_code == 204
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, "unauthorized")
    other = token_for(client, user)  # revoking one token leaves the others working
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200


def test_expired_token_refused(client, session):
    user = make_user(session, role="observer")
    token = token_for(client, user)
    session.execute(sa.update(ApiToken).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    session.commit()
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, "unauthorized")


def test_token_of_deactivated_user_refused(client, session):
    user = make_user(session, role="observer")
    token = token_for(client, user)
    session.execute(sa.update(User).where(User.id == user.id).values(active=False))
    session.commit()
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401)


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ", "Basic dXNlcjpwYXNz", "bearer"])
def test_bad_authorization_headers_are_anonymous(client, header):
    assert_error(client.get("/api/v1/me", headers={"Authorization": header}), 401, "unauthorized")


def test_me_anonymous_is_401_json(client):
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")


def test_me_with_session_cookie(client, session):
    user = make_user(session, role="chair")
    login(client, user)
    assert client.get("/api/v1/me").get_json()["role"] == "chair"


@pytest.mark.parametrize("role, status", [("admin", 200), ("chair", 200), ("member", 403), ("observer", 403)])
def test_list_users_by_role(client, session, role, status):
    user = make_user(session, role=role)
    response = client.get("/api/v1/users", headers=bearer(token_for(client, user)))
    if status == 200:
        emails = [u["email"] for u in response.get_json()]
        assert user.email in emails
        assert {"id", "email", "name", "role", "organization_id", "member_kind"} <= set(response.get_json()[0])
    else:
        assert_error(response, 403, "forbidden")


def test_list_users_anonymous_401(client):
    assert_error(client.get("/api/v1/users"), 401, "unauthorized")


def _admin_token(client, session) -> str:
    return token_for(client, make_user(session, role="admin"))


def test_create_user_by_admin(client, session):
    org = make_org(session, name="Org B")
    headers = bearer(_admin_token(client, session))
    payload = {"email": "Nuova@Example.test", "name": "Nuova Delegata", "role": "member",
               "organization_id": org.id, "password": "una-password-lunga"}
    response = client.post("/api/v1/users", json=payload, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["email"] == "nuova@example.test" and body["member_kind"] == "delegate"
    assert body["organization_id"] == org.id
    assert client.post("/api/v1/auth/token", json={"email": "nuova@example.test", "password": "una-password-lunga"}).status_code == 200
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "auth.user.created",
                                                       AuditEntry.object == f"user:{body['id']}"))
    assert entry is not None
    assert "nuova@example.test" not in str(entry.data) and "una-password-lunga" not in str(entry.data)


@pytest.mark.parametrize("role", ["chair", "member", "observer"])
def test_create_user_only_admin(client, session, role):
    token = token_for(client, make_user(session, role=role))
    users = count_rows(session, User)
    response = client.post("/api/v1/users", json={"email": "x@example.test", "name": "X", "role": "observer"},
                           headers=bearer(token))
    assert_error(response, 403, "forbidden")
    assert count_rows(session, User) == users


def test_create_user_anonymous_401(client):
    assert_error(client.post("/api/v1/users", json={"email": "x@example.test", "name": "X", "role": "observer"}), 401)


def test_create_user_duplicate_email_409(client, session):
    existing = make_user(session, role="observer", email="doppio@example.test")
    headers = bearer(_admin_token(client, session))
    users, entries = count_rows(session, User), count_rows(session, AuditEntry)
    response = client.post("/api/v1/users", json={"email": "DOPPIO@example.test", "name": "Altro", "role": "observer"},
                           headers=headers)
    assert_error(response, 409, "email_taken")
    assert count_rows(session, User) == users and count_rows(session, AuditEntry) == entries
    assert session.get(User, existing.id).name == existing.name


@pytest.mark.parametrize("payload, field", [
    ({"role": "superuser"}, "role"),
    ({"role": "participant"}, "role"),
    ({"role": "member"}, "organization_id"),
    ({"role": "member", "organization_id": 999999}, "organization_id"),
    ({"role": "member", "organization_id": "ORG", "member_kind": "delegate"}, "organization_id"),
    ({"role": "observer", "email": "non-una-email"}, "email"),
    ({"role": "observer", "password": "corta"}, "password"),
    ({"role": "observer", "member_kind": "capo"}, "member_kind"),
    ({"role": "observer", "is_admin": True}, "is_admin"),
])
def test_create_user_invalid_422(client, session, payload, field):
    headers = bearer(_admin_token(client, session))
    users = count_rows(session, User)
    body = {"email": "valida@example.test", "name": "Valida"} | payload
    error = assert_error(client.post("/api/v1/users", json=body, headers=headers), 422, "invalid_input")
    assert field in error["fields"]
    assert count_rows(session, User) == users


def test_json_api_with_session_cookie_needs_no_csrf(client, session):
    admin = make_user(session, role="admin")
    login(client, admin)
    response = client.post("/api/v1/users", json={"email": "c@example.test", "name": "C", "role": "observer"})
    assert response.status_code == 201


def test_form_encoded_api_post_with_cookie_needs_csrf(client, session):
    admin = make_user(session, role="admin")
    login(client, admin)
    users = count_rows(session, User)
    response = client.post("/api/v1/users", data={"email": "f@example.test", "name": "F", "role": "observer"})
    assert_error(response, 400, "csrf_failed")
    for content_type in ("text/plain", "multipart/form-data"):
        response = client.post("/api/v1/users", data='{"email": "f@example.test", "name": "F", "role": "observer"}',
                               content_type=content_type)
        assert_error(response, 400, "csrf_failed")
    assert count_rows(session, User) == users


def test_form_encoded_api_post_with_cookie_and_csrf_header_passes_csrf(client, session):
    admin = make_user(session, role="admin")
    login(client, admin)
    token = csrf_token(client, "/")
    response = client.post("/api/v1/users", data={"email": "f@example.test"}, headers={"X-CSRFToken": token})
    assert response.status_code != 400 or response.get_json()["error"]["code"] != "csrf_failed"


def test_bearer_call_needs_no_csrf(client, session):
    headers = bearer(_admin_token(client, session))
    response = client.post("/api/v1/users", json={"email": "b@example.test", "name": "B", "role": "observer"}, headers=headers)
    assert response.status_code == 201


def test_token_endpoint_in_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/auth/token", "/api/v1/me", "/api/v1/users", "/api/v1/invitations"):
        assert path in spec["paths"], path
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_user_created_audit_action(client, session):
    headers = bearer(_admin_token(client, session))
    before = audit_actions(session)
    client.post("/api/v1/users", json={"email": "d@example.test", "name": "D", "role": "chair"}, headers=headers)
    assert audit_actions(session) == before + ["auth.user.created"]
