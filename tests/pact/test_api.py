"""The pact through the JSON API and the live channel: issue 4's "Done when" flow and its refusals."""
from __future__ import annotations

import hashlib

import pytest

from app.pact.models import Endorsement, Signature
from tests.factories import audit_actions, bearer, count_rows, make_org, socket_client
from tests.meetings.factories import api_token, make_chair, person
from tests.pact.test_services import DRAFT

NS = "/live"


@pytest.fixture
def api(client, session):
    chair = make_chair(session)
    orgs = [make_org(session, name=n) for n in ("CNA Imola", "CGIL Imola", "Legacoop Imola")]
    delegates = [person(session, "member", organization=o) for o in orgs]
    observer = person(session, "observer")
    tokens = {"chair": api_token(session, chair), "observer": api_token(session, observer),
              **{f"d{i}": api_token(session, d) for i, d in enumerate(delegates)}}
    response = client.post("/api/v1/pacts", headers=bearer(tokens["chair"]),
                           json={"title": "Patto per lo sviluppo", "markdown": DRAFT})
    assert response.status_code == 201, response.get_json()
    pact = response.get_json()
    return {"client": client, "tokens": tokens, "orgs": orgs, "pact": pact,
            "clauses": [c["id"] for s in pact["sections"] for c in s["clauses"]]}


def call(api, method, path, who=None, **kw):
    headers = bearer(api["tokens"][who]) if who else {}
    return getattr(api["client"], method)(path, headers=headers, **kw)


def test_done_when_endorse_object_matrix_live_revise_freeze_sign_withdraw(app, session, api):
    pact_id, (first, second, third) = api["pact"]["id"], api["clauses"]
    watcher = socket_client(app, token=api["tokens"]["observer"])
    assert watcher.emit("subscribe", {"topic": f"pact:{pact_id}"}, namespace=NS, callback=True)["ok"]
    watcher.get_received(NS)

    assert call(api, "put", f"/api/v1/clauses/{first}/endorsement", "d0", json={"position": "endorse"}).status_code == 200
    assert call(api, "put", f"/api/v1/clauses/{first}/endorsement", "d1",
                json={"position": "oppose", "note": "Manca il lavoro di qualità"}).status_code == 200
    assert call(api, "put", f"/api/v1/clauses/{second}/endorsement", "d2",
                json={"position": "reservation", "note": "Solo con le scuole professionali"}).status_code == 200
    pushed = [e["args"][0] for e in watcher.get_received(NS) if e["name"] == "endorsement_changed"]
    assert [(e["clause_id"], e["position"]) for e in pushed] == [(first, "endorse"), (first, "oppose"), (second, "reservation")]
    assert pushed[1]["counts"] == {"endorse": 1, "reservation": 0, "oppose": 1} and all("seq" in e for e in pushed)

    matrix = call(api, "get", f"/api/v1/pacts/{pact_id}/endorsements").get_json()
    conflicts = {row["clause_id"]: row["conflict"] for row in matrix["clauses"]}
    assert conflicts == {first: True, second: False, third: False}
    assert len(matrix["cells"]) == 3

    revised = call(api, "patch", f"/api/v1/clauses/{third}", "chair",
                   json={"body": "Ciclabili e bus a chiamata tra i dieci comuni.", "reason": "Accordo con i Comuni"})
    assert revised.status_code == 200 and revised.get_json()["revision"] == 2
    assert any(e["name"] == "clause_changed" for e in watcher.get_received(NS))
    assert call(api, "get", f"/api/v1/clauses/{third}/revisions").get_json()[-1]["reason"] == "Accordo con i Comuni"

    version = call(api, "post", f"/api/v1/pacts/{pact_id}/versions", "chair")
    assert version.status_code == 201
    v1 = version.get_json()
    assert v1["number"] == 1 and v1["sha256"] == hashlib.sha256(v1["canonical_text"].encode()).hexdigest()
    assert "bus a chiamata" in v1["canonical_text"]

    for who in ("d0", "d1", "d2"):
        assert call(api, "post", f"/api/v1/pacts/{pact_id}/signatures", who, json={"version": 1}).status_code == 201
    withdrawn = call(api, "delete", f"/api/v1/pacts/{pact_id}/signatures", "d1", json={"reason": "Non ratificato"})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["withdrawn_at"]

    signatories = call(api, "get", f"/api/v1/pacts/{pact_id}/signatures").get_json()
    assert [(s["organization"]["name"], s["founding"], bool(s["withdrawn_at"])) for s in signatories] == [
        ("CNA Imola", True, False), ("CGIL Imola", True, True), ("Legacoop Imola", True, False)]
    assert {s["sha256"] for s in signatories} == {v1["sha256"]}
    watcher.disconnect(namespace=NS)
    assert audit_actions(session).count("pact.signature.added") == 3


@pytest.mark.parametrize("who, method, path, body, status, code", [
    ("d0", "post", "/signatures", {"version": 7}, 404, "version_not_found"),
    ("d0", "post", "/signatures", {"version": "1"}, 422, None),
    ("observer", "post", "/signatures", {"version": 1}, 403, "no_organization"),
    ("d0", "post", "/signatures", {"version": 1, "organization_id": "other"}, 403, "not_own_organization"),
    ("d0", "post", "/signatures", {"version": 1, "unknown": True}, 422, None),
    (None, "post", "/signatures", {"version": 1}, 401, None),
    ("d0", "delete", "/signatures", {}, 409, "not_signed"),
    ("d0", "post", "/versions", None, 403, None),
])
def test_signature_and_version_refusals_change_nothing(session, api, who, method, path, body, status, code):
    pact_id = api["pact"]["id"]
    assert call(api, "post", f"/api/v1/pacts/{pact_id}/versions", "chair").status_code == 201
    if body and body.get("organization_id") == "other":
        body = {**body, "organization_id": api["orgs"][1].id}
    before = (count_rows(session, Signature), audit_actions(session))
    response = call(api, method, f"/api/v1/pacts/{pact_id}{path}", who, **({"json": body} if body is not None else {}))
    assert response.status_code == status, response.get_json()
    if code:
        assert response.get_json()["error"]["code"] == code
    assert (count_rows(session, Signature), audit_actions(session)) == before


def test_signing_twice_is_a_conflict(session, api):
    pact_id = api["pact"]["id"]
    call(api, "post", f"/api/v1/pacts/{pact_id}/versions", "chair")
    assert call(api, "post", f"/api/v1/pacts/{pact_id}/signatures", "d0", json={"version": 1}).status_code == 201
    again = call(api, "post", f"/api/v1/pacts/{pact_id}/signatures", "d0", json={"version": 1})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_signed"
    assert count_rows(session, Signature) == 1


@pytest.mark.parametrize("who, body, status, code", [
    ("d0", {"position": "reservation"}, 422, "reservation_text_required"),
    ("d0", {"position": "oppose", "note": ""}, 422, "oppose_reason_required"),
    ("d0", {"position": "maybe"}, 422, None),
    ("observer", {"position": "endorse"}, 403, "no_organization"),
    ("chair", {"position": "endorse"}, 403, "no_organization"),
    (None, {"position": "endorse"}, 401, None),
])
def test_endorsement_refusals_change_nothing(session, api, who, body, status, code):
    before = (count_rows(session, Endorsement), audit_actions(session))
    response = call(api, "put", f"/api/v1/clauses/{api['clauses'][0]}/endorsement", who, json=body)
    assert response.status_code == status, response.get_json()
    if code:
        assert response.get_json()["error"]["code"] == code
    assert (count_rows(session, Endorsement), audit_actions(session)) == before


def test_unknown_pacts_and_clauses_are_404_and_only_the_chair_revises(session, api):
    assert call(api, "get", "/api/v1/pacts/999").status_code == 404
    assert call(api, "get", "/api/v1/clauses/999").status_code == 404
    assert call(api, "put", "/api/v1/clauses/999/endorsement", "d0", json={"position": "endorse"}).status_code == 404
    before = audit_actions(session)
    refused = call(api, "patch", f"/api/v1/clauses/{api['clauses'][0]}", "d0", json={"body": "Altro", "reason": "Mio"})
    assert refused.status_code == 403 and audit_actions(session) == before
    no_reason = call(api, "patch", f"/api/v1/clauses/{api['clauses'][0]}", "chair", json={"body": "Altro", "reason": ""})
    assert no_reason.status_code == 422 and audit_actions(session) == before


def test_markdown_export_round_trips_and_versions_diff(api):
    pact_id = api["pact"]["id"]
    exported = call(api, "get", f"/api/v1/pacts/{pact_id}/markdown")
    assert exported.status_code == 200 and exported.mimetype == "text/markdown"
    again = call(api, "post", "/api/v1/pacts", "chair", json={"title": "Copia", "markdown": exported.get_data(as_text=True)})
    assert [c["title"] for s in again.get_json()["sections"] for c in s["clauses"]] == [
        c["title"] for s in api["pact"]["sections"] for c in s["clauses"]]
    call(api, "post", f"/api/v1/pacts/{pact_id}/versions", "chair")
    call(api, "patch", f"/api/v1/clauses/{api['clauses'][1]}", "chair", json={"body": "Percorsi con gli istituti tecnici.", "reason": "Precisione"})
    call(api, "post", f"/api/v1/pacts/{pact_id}/versions", "chair")
    diff = call(api, "get", f"/api/v1/pacts/{pact_id}/versions/diff?from=1&to=2").get_json()
    assert diff["from"] == 1 and diff["to"] == 2
    assert call(api, "get", f"/api/v1/pacts/{pact_id}/versions/diff?from=1&to=9").status_code == 404


def test_clause_comments_use_the_shared_machinery(app, session, api):
    clause = api["clauses"][0]
    posted = call(api, "post", f"/api/v1/clauses/{clause}/comments", "d0", json={"body": "Serve un cronoprogramma"})
    assert posted.status_code == 201, posted.get_json()
    assert [c["body"] for c in call(api, "get", f"/api/v1/clauses/{clause}/comments").get_json()] == ["Serve un cronoprogramma"]
    amendment = call(api, "post", f"/api/v1/clauses/{clause}/amendments", "d1",
                     json={"body": "Il tavolo sostiene le filiere con un cronoprogramma.", "reason": "Tempi certi"})
    assert amendment.status_code == 201, amendment.get_json()


def _vote(api, subject: dict, choices: list[str]) -> dict:
    """A yes/no poll of the organizations on `subject`, opened, voted by the delegates, closed."""
    created = call(api, "post", "/api/v1/polls", "chair",
                   json={"title": "Approvazione", "kind": "yesno", "electorate": "organizations", "subject": subject})
    assert created.status_code == 201, created.get_json()
    poll_id = created.get_json()["id"]
    assert call(api, "post", f"/api/v1/polls/{poll_id}/open", "chair").status_code == 200
    for i, choice in enumerate(choices):
        assert call(api, "post", f"/api/v1/polls/{poll_id}/ballots", f"d{i}", json={"choice": choice}).status_code == 201
    closed = call(api, "post", f"/api/v1/polls/{poll_id}/close", "chair")
    assert closed.status_code == 200
    return closed.get_json()


def test_a_vote_on_a_clause_or_a_version_is_the_tables_decision_on_it(app, session, api):
    from app.pact.models import Clause, PactVersion

    pact_id, first = api["pact"]["id"], api["clauses"][0]
    watcher = socket_client(app, token=api["tokens"]["observer"])
    watcher.emit("subscribe", {"topic": f"pact:{pact_id}"}, namespace=NS, callback=True)
    watcher.get_received(NS)
    result = _vote(api, {"type": "clause", "id": first}, ["yes", "yes", "no"])
    assert result["result"]["passed"] is True
    clause = session.get(Clause, first)
    session.refresh(clause)
    assert (clause.decision, clause.decided_revision) == ("approved", clause.revision)
    events = [e for e in watcher.get_received(NS) if e["name"] == "clause_changed"]
    assert [e["args"][0]["decision"] for e in events] == ["approved"]
    assert "pact.clause.decided" in audit_actions(session)
    page = api["client"].get(f"/pacts/{pact_id}/clauses/{first}").get_data(as_text=True)
    assert "Approvato dal Tavolo" in page

    assert call(api, "post", f"/api/v1/pacts/{pact_id}/versions", "chair").status_code == 201
    version = session.query(PactVersion).filter_by(pact_id=pact_id, number=1).one()
    assert version.approved is None
    assert _vote(api, {"type": "pact_version", "id": version.id}, ["no", "no", "yes"])["result"]["passed"] is False
    session.refresh(version)
    assert version.approved is False
    assert "Respinta dal Tavolo" in api["client"].get(f"/pacts/{pact_id}").get_data(as_text=True)
