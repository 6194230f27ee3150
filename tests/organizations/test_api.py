"""Organizations API: list, create, adhesion, withdrawal, re-adhesion and their history."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.organizations.models import Adhesion, Organization
from tests.auth.test_api import assert_error
from tests.factories import audit_actions, bearer, count_rows, make_org, make_user, token_for

NEW_ORG = {"name": "Confesercenti Imola", "category": "associazione_categoria", "place": "Imola"}


def _headers(client, session, role: str = "admin", organization=None) -> dict:
    return bearer(token_for(client, make_user(session, role=role, organization=organization)))


def test_list_is_public_with_adhesion_state(client, session):
    make_org(session, name="Aderente", category="cultura")
    make_org(session, name="Non aderente", category="ricerca", adhered=False)
    response = client.get("/api/v1/organizations")
    assert response.status_code == 200
    rows = {o["name"]: o for o in response.get_json()}
    assert rows["Aderente"]["adhered"] is True and rows["Aderente"]["adhered_since"].endswith("Z")
    assert rows["Non aderente"]["adhered"] is False and rows["Non aderente"]["adhered_since"] is None
    assert set(rows["Aderente"]) == {"id", "name", "short_name", "category", "place", "website", "description",
                                     "weight", "adhered", "adhered_since"}


def test_get_one_and_unknown(client, session):
    org = make_org(session, name="Una")
    assert client.get(f"/api/v1/organizations/{org.id}").get_json()["name"] == "Una"
    assert_error(client.get("/api/v1/organizations/999999"), 404, "not_found")


def test_create_by_admin(client, session):
    response = client.post("/api/v1/organizations", json=NEW_ORG | {"website": "https://example.org"},
                           headers=_headers(client, session))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == NEW_ORG["name"] and body["adhered"] is False and body["weight"] == 1
    assert session.get(Organization, body["id"]).category == "associazione_categoria"
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.object == f"organization:{body['id']}"))
    assert entry.action == "organizations.organization.created"
    assert entry.data == {"name": NEW_ORG["name"], "category": "associazione_categoria"}


@pytest.mark.parametrize("role", ["chair", "member", "observer"])
def test_create_only_admin(client, session, role):
    headers = _headers(client, session, role)
    before = count_rows(session, Organization)
    assert_error(client.post("/api/v1/organizations", json=NEW_ORG, headers=headers), 403, "forbidden")
    assert count_rows(session, Organization) == before


def test_create_anonymous_401(client):
    assert_error(client.post("/api/v1/organizations", json=NEW_ORG), 401, "unauthorized")


def test_create_duplicate_name_409(client, session):
    make_org(session, name="Confesercenti Imola")
    headers = _headers(client, session)
    before, entries = count_rows(session, Organization), count_rows(session, AuditEntry)
    response = client.post("/api/v1/organizations", json=NEW_ORG | {"name": "  CONFESERCENTI imola "}, headers=headers)
    assert_error(response, 409, "organization_exists")
    assert count_rows(session, Organization) == before and count_rows(session, AuditEntry) == entries


@pytest.mark.parametrize("payload, field", [
    ({"category": "partito"}, "category"),
    ({"category": None}, "category"),
    ({"name": ""}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"weight": 0}, "weight"),
    ({"website": "non un url"}, "website"),
    ({"colour": "rosso"}, "colour"),
])
def test_create_invalid_422(client, session, payload, field):
    headers = _headers(client, session)
    error = assert_error(client.post("/api/v1/organizations", json=NEW_ORG | payload, headers=headers), 422, "invalid_input")
    assert field in error["fields"]
    assert count_rows(session, Organization) == 0


def test_create_blank_name_refused_by_service(client, session):
    headers = _headers(client, session)
    error = assert_error(client.post("/api/v1/organizations", json=NEW_ORG | {"name": "   "}, headers=headers), 422)
    assert "name" in error["fields"]


def test_adhesion_by_representative(client, session):
    org = make_org(session, name="Da aderire", adhered=False)
    delegate = make_user(session, role="member", organization=org, name="Rappresentante")
    response = client.post(f"/api/v1/organizations/{org.id}/adhesion", json={"statement": "  Aderiamo con convinzione. "},
                           headers=bearer(token_for(client, delegate)))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["organization_id"] == org.id and body["statement"] == "Aderiamo con convinzione."
    assert body["representative_name"] == "Rappresentante" and body["active"] is True
    assert body["withdrawn_at"] is None and body["adhered_at"].endswith("Z")
    assert client.get(f"/api/v1/organizations/{org.id}").get_json()["adhered"] is True
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "organizations.adhesion.created"))
    assert entry.actor_id == delegate.id and entry.object == f"adhesion:{body['id']}"
    assert entry.data == {"organization_id": org.id, "statement": "Aderiamo con convinzione."}


def test_adhesion_by_admin_without_body(client, session):
    org = make_org(session, name="Da aderire", adhered=False)
    response = client.post(f"/api/v1/organizations/{org.id}/adhesion", json={}, headers=_headers(client, session))
    assert response.status_code == 201
    assert response.get_json()["statement"] == ""


@pytest.mark.parametrize("who", ["other_member", "chair", "observer"])
def test_adhesion_refused_to_others(client, session, who):
    org = make_org(session, name="Da aderire", adhered=False)
    headers = _headers(client, session, "member" if who == "other_member" else who)
    response = client.post(f"/api/v1/organizations/{org.id}/adhesion", json={"statement": "No"}, headers=headers)
    assert_error(response, 403, "forbidden")
    assert count_rows(session, Adhesion, Adhesion.organization_id == org.id) == 0


def test_adhesion_anonymous_401(client, session):
    org = make_org(session, name="Da aderire", adhered=False)
    assert_error(client.post(f"/api/v1/organizations/{org.id}/adhesion", json={}), 401, "unauthorized")
    assert count_rows(session, Adhesion) == 0


def test_adhesion_unknown_organization_404(client, session):
    assert_error(client.post("/api/v1/organizations/999999/adhesion", json={}, headers=_headers(client, session)), 404)


def test_duplicate_adhesion_409_changes_nothing(client, session):
    org = make_org(session, name="Già aderente")
    headers = _headers(client, session)
    adhesions, entries = count_rows(session, Adhesion), count_rows(session, AuditEntry)
    response = client.post(f"/api/v1/organizations/{org.id}/adhesion", json={"statement": "Di nuovo"}, headers=headers)
    assert_error(response, 409, "already_adhered")
    assert count_rows(session, Adhesion) == adhesions and count_rows(session, AuditEntry) == entries


@pytest.mark.parametrize("payload, field", [({"statement": "x" * 5001}, "statement"), ({"statment": "typo"}, "statment")])
def test_adhesion_invalid_422(client, session, payload, field):
    org = make_org(session, name="Da aderire", adhered=False)
    response = client.post(f"/api/v1/organizations/{org.id}/adhesion", json=payload, headers=_headers(client, session))
    assert field in assert_error(response, 422, "invalid_input")["fields"]
    assert count_rows(session, Adhesion) == 0


def test_withdraw_and_readhere_keeps_history(client, session):
    org = make_org(session, name="Storia")
    delegate = make_user(session, role="member", organization=org)
    headers = bearer(token_for(client, delegate))
    response = client.delete(f"/api/v1/organizations/{org.id}/adhesion", json={"reason": "Cambio di linea"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    withdrawn = response.get_json()
    assert withdrawn["active"] is False and withdrawn["withdrawn_at"].endswith("Z")
    assert withdrawn["withdrawal_reason"] == "Cambio di linea"
    assert client.get(f"/api/v1/organizations/{org.id}").get_json()["adhered"] is False

    response = client.post(f"/api/v1/organizations/{org.id}/adhesion", json={"statement": "Torniamo"}, headers=headers)
    assert response.status_code == 201
    history = client.get(f"/api/v1/organizations/{org.id}/adhesions").get_json()
    assert [h["active"] for h in history] == [False, True]
    assert [h["statement"] for h in history] == ["Aderiamo.", "Torniamo"]
    assert history[0]["withdrawal_reason"] == "Cambio di linea"
    assert history[0]["adhered_at"] <= history[0]["withdrawn_at"] <= history[1]["adhered_at"]
    assert audit_actions(session)[-2:] == ["organizations.adhesion.withdrawn", "organizations.adhesion.created"]
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "organizations.adhesion.withdrawn"))
    assert entry.data == {"organization_id": org.id, "reason": "Cambio di linea"} and entry.actor_id == delegate.id


@pytest.mark.parametrize("content_type", [None, "application/json"])
def test_withdraw_without_body_by_admin(client, session, content_type):
    """tavolo.js sends DELETE with Content-Type: application/json and no body."""
    org = make_org(session, name="Ritiro")
    headers = _headers(client, session) | ({"Content-Type": content_type} if content_type else {})
    response = client.delete(f"/api/v1/organizations/{org.id}/adhesion", headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["withdrawal_reason"] == ""


def test_withdraw_when_not_adhered_409(client, session):
    org = make_org(session, name="Mai aderito", adhered=False)
    headers = _headers(client, session)
    entries = count_rows(session, AuditEntry)
    assert_error(client.delete(f"/api/v1/organizations/{org.id}/adhesion", headers=headers), 409, "not_adhered")
    assert count_rows(session, AuditEntry) == entries


def test_withdraw_refused_to_other_members_and_anonymous(client, session):
    org = make_org(session, name="Altrui")
    headers = _headers(client, session, "member")
    assert_error(client.delete(f"/api/v1/organizations/{org.id}/adhesion", headers=headers), 403)
    assert_error(client.delete(f"/api/v1/organizations/{org.id}/adhesion", json={}), 401)
    assert count_rows(session, Adhesion, Adhesion.withdrawn_at.is_not(None)) == 0


def test_withdraw_with_malformed_body_changes_nothing(client, session):
    org = make_org(session, name="Corpo rotto")
    headers = _headers(client, session) | {"Content-Type": "application/json"}
    response = client.delete(f"/api/v1/organizations/{org.id}/adhesion", data="{not json", headers=headers)
    assert_error(response, 400, "invalid_json")
    response = client.delete(f"/api/v1/organizations/{org.id}/adhesion", json={"motivo": "x"}, headers=headers)
    assert "motivo" in assert_error(response, 422, "invalid_input")["fields"]
    assert count_rows(session, Adhesion, Adhesion.withdrawn_at.is_not(None)) == 0


def test_history_of_unknown_organization_404(client):
    assert_error(client.get("/api/v1/organizations/999999/adhesions"), 404)


def test_organizations_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post", "delete"} <= set(paths["/api/v1/organizations/{organization_id}/adhesion"])
    assert "get" in paths["/api/v1/organizations/{organization_id}/adhesions"]
