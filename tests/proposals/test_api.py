"""The proposals API and the generic comment/amendment endpoints: shapes and status codes."""
from __future__ import annotations

import pytest

from app.deliberation.models import Amendment, Comment, Revision
from app.proposals.models import Proposal
from tests.deliberation.factories import count, forget_user, quick_token, quick_user
from tests.factories import bearer
from tests.proposals.factories import make_axis


@pytest.fixture
def api(session, client):
    """Three callers with tokens: the author, another delegate, the chair (and the axis)."""
    author = quick_user(session, name="Autrice")
    other = quick_user(session, name="Altro")
    chair = quick_user(session, role="chair", name="Presidenza")

    def call(who, method, url, **kw):
        forget_user()
        headers = bearer(tokens[who]) if who else {}
        return client.open(url, method=method, headers=headers, **kw)

    tokens = {"author": quick_token(session, author), "other": quick_token(session, other),
              "chair": quick_token(session, chair)}
    call.axis = make_axis(session)
    call.users = {"author": author, "other": other, "chair": chair}
    return call


def create(api, **overrides):
    body = {"title": "Sportello unico", "body": "Un solo sportello.", "axis_id": api.axis.id, "publish": True}
    body.update(overrides)
    response = api("author", "POST", "/api/v1/proposals", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_get_list(api):
    created = create(api)
    assert created["status"] == "discussion" and created["revision"] == 1 and created["supports"] == 0
    assert created["axis"]["id"] == api.axis.id and created["author"]["name"] == "Autrice"
    assert created["organization"]["id"] == api.users["author"].organization_id
    got = api(None, "GET", f"/api/v1/proposals/{created['id']}").get_json()
    assert got["body_html"] == "<p>Un solo sportello.</p>\n"
    listed = api(None, "GET", f"/api/v1/proposals?axis={api.axis.id}&status=discussion&q=SPORTELLO").get_json()
    assert [p["id"] for p in listed] == [created["id"]]
    assert api(None, "GET", "/api/v1/proposals?q=nulla").get_json() == []
    assert api(None, "GET", "/api/v1/proposals?status=boh").status_code == 422


@pytest.mark.parametrize("overrides", [
    {"title": ""}, {"title": "x" * 201}, {"body": " "}, {"body": "x" * 20_001}, {"axis_id": 999},
    {"colore": "rosso"}, {"title": None},
])
def test_create_bad_input_is_422_and_changes_nothing(api, session, overrides):
    body = {"title": "Titolo", "body": "Testo", "axis_id": api.axis.id} | overrides
    response = api("author", "POST", "/api/v1/proposals", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] in {"invalid_input", "empty_text", "text_too_long", "axis_unknown"}
    assert count(session, Proposal) == 0 and count(session, Revision) == 0


def test_create_needs_an_account(api):
    response = api(None, "POST", "/api/v1/proposals", json={"title": "T", "body": "B", "axis_id": api.axis.id})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_patch_revisions_and_diff(api, session):
    pid = create(api)["id"]
    assert api("other", "PATCH", f"/api/v1/proposals/{pid}", json={"body": "Mio", "reason": "Io"}).status_code == 403
    assert api("author", "PATCH", f"/api/v1/proposals/{pid}", json={"body": "Nuovo"}).status_code == 422
    same = api("author", "PATCH", f"/api/v1/proposals/{pid}", json={"body": "Un solo sportello.", "reason": "R"})
    assert same.status_code == 422 and same.get_json()["error"]["code"] == "no_change"
    response = api("author", "PATCH", f"/api/v1/proposals/{pid}",
                   json={"body": "Un solo sportello digitale.", "reason": "Anche online"})
    assert response.status_code == 200 and response.get_json()["revision"] == 2
    revisions = api(None, "GET", f"/api/v1/proposals/{pid}/revisions").get_json()
    assert [(r["number"], r["reason"]) for r in revisions] == [(1, "Prima versione"), (2, "Anche online")]
    assert revisions[1]["author"]["name"] == "Autrice" and revisions[1]["created_at"].endswith("Z")
    diff = api(None, "GET", f"/api/v1/proposals/{pid}/diff?from=1&to=2").get_json()
    assert diff["from"] == 1 and diff["to"] == 2
    assert diff["body"] == [{"op": "equal", "text": "Un solo sportello"}, {"op": "insert", "text": " digitale"},
                            {"op": "equal", "text": "."}]
    assert api(None, "GET", f"/api/v1/proposals/{pid}/diff?from=1&to=9").status_code == 404
    assert api(None, "GET", f"/api/v1/proposals/{pid}/diff?from=1").status_code == 422
    assert api(None, "GET", f"/api/v1/proposals/{pid}/diff?from=x&to=2").status_code == 422


def test_unknown_ids_are_404(api):
    for url in ("/api/v1/proposals/999", "/api/v1/proposals/999/revisions", "/api/v1/proposals/999/comments",
                "/api/v1/proposals/999/amendments", "/api/v1/amendments/999", "/api/v1/comments/999"):
        assert api("author", "GET", url).status_code == 404, url
    assert api("chair", "POST", "/api/v1/amendments/999/accept", json={}).status_code == 404
    assert api("chair", "POST", "/api/v1/comments/999/hide", json={"reason": "R"}).status_code == 404
    assert api("other", "POST", "/api/v1/proposals/999/comments", json={"body": "Ciao"}).status_code == 404


def test_drafts_of_others_do_not_exist(api):
    pid = create(api, publish=False)["id"]
    assert api("other", "GET", f"/api/v1/proposals/{pid}").status_code == 404
    assert api(None, "GET", f"/api/v1/proposals/{pid}/revisions").status_code == 404
    assert api("author", "GET", f"/api/v1/proposals/{pid}").status_code == 200
    assert api("other", "GET", "/api/v1/proposals").get_json() == []


def test_comments_api(api, session):
    pid = create(api)["id"]
    url = f"/api/v1/proposals/{pid}/comments"
    first = api("other", "POST", url, json={"body": "Sono **a favore**.", "alignment": "for"})
    assert first.status_code == 201
    comment = first.get_json()
    assert comment["alignment"] == "for" and comment["depth"] == 0 and "<strong>a favore</strong>" in comment["body_html"]
    reply = api("author", "POST", url, json={"body": "Grazie", "parent_id": comment["id"]}).get_json()
    assert reply["parent_id"] == comment["id"] and reply["depth"] == 1
    for bad in ({"body": ""}, {"body": "x" * 5001}, {"body": "B", "alignment": "forse"}, {"text": "B"},
                {"body": "B", "parent_id": 999}):
        assert api("other", "POST", url, json=bad).status_code == 422, bad
    assert api(None, "POST", url, json={"body": "Anonimo"}).status_code == 401

    assert api("author", "PATCH", f"/api/v1/comments/{comment['id']}", json={"body": "Altro"}).status_code == 403
    edited = api("other", "PATCH", f"/api/v1/comments/{comment['id']}", json={"body": "Sono molto a favore."})
    assert edited.status_code == 200 and edited.get_json()["edited_at"]
    edits = api(None, "GET", f"/api/v1/comments/{comment['id']}/edits").get_json()
    assert [e["previous_body"] for e in edits] == ["Sono **a favore**."]

    assert api("author", "POST", f"/api/v1/comments/{comment['id']}/flags", json={"reason": "No"}).status_code == 201
    assert api("author", "POST", f"/api/v1/comments/{comment['id']}/flags", json={}).status_code == 409
    assert api("other", "POST", f"/api/v1/comments/{comment['id']}/hide", json={"reason": "No"}).status_code == 403
    assert api("chair", "POST", f"/api/v1/comments/{comment['id']}/hide", json={}).status_code == 422
    hidden = api("chair", "POST", f"/api/v1/comments/{comment['id']}/hide", json={"reason": "Fuori tema"})
    assert hidden.status_code == 200
    assert hidden.get_json()["hidden"] is True and hidden.get_json()["body"] is None
    thread_closed = api("other", "POST", url, json={"body": "Ancora", "parent_id": reply["id"]})
    assert thread_closed.status_code == 409 and thread_closed.get_json()["error"]["code"] == "thread_hidden"
    listed = api(None, "GET", url).get_json()
    assert [(c["id"], c["hidden"], c["hidden_reason"]) for c in listed] == [
        (comment["id"], True, "Fuori tema"), (reply["id"], False, None)]
    assert count(session, Comment) == 2


def test_amendments_api(api, session):
    pid = create(api)["id"]
    url = f"/api/v1/proposals/{pid}/amendments"
    assert api("other", "POST", url, json={"body": "Nuovo"}).status_code == 422  # the reason is required
    assert api("other", "POST", url, json={"body": "Un solo sportello.", "reason": "R"}).status_code == 422
    created = api("other", "POST", url, json={"body": "Due sportelli.", "reason": "Uno non basta"})
    assert created.status_code == 201
    amendment = created.get_json()
    assert amendment["state"] == "submitted" and amendment["base_revision"] == 1
    assert amendment["author"]["name"] == "Altro"
    aid = amendment["id"]
    assert api("other", "POST", f"/api/v1/amendments/{aid}/accept", json={}).status_code == 403
    assert api("author", "POST", f"/api/v1/amendments/{aid}/accept", json={}).status_code == 403
    assert api("chair", "POST", f"/api/v1/amendments/{aid}/reject", json={}).status_code == 422
    assert api("author", "POST", f"/api/v1/amendments/{aid}/withdraw", json={}).status_code == 403
    accepted = api("chair", "POST", f"/api/v1/amendments/{aid}/accept", json={"reason": "Votato"})
    assert accepted.status_code == 200
    assert accepted.get_json()["state"] == "accepted" and accepted.get_json()["result_revision"] == 2
    assert api(None, "GET", f"/api/v1/proposals/{pid}").get_json()["body"] == "Due sportelli."
    assert api("chair", "POST", f"/api/v1/amendments/{aid}/reject", json={"reason": "R"}).status_code == 409

    second = api("other", "POST", url, json={"body": "Tre sportelli.", "reason": "R", "draft": True}).get_json()
    assert second["state"] == "draft"
    assert api("chair", "GET", f"/api/v1/amendments/{second['id']}").status_code == 404
    assert [a["id"] for a in api("chair", "GET", url).get_json()] == [aid]
    submitted = api("other", "POST", f"/api/v1/amendments/{second['id']}/submit")
    assert submitted.status_code == 200 and submitted.get_json()["state"] == "submitted"
    rejected = api("chair", "POST", f"/api/v1/amendments/{second['id']}/reject", json={"reason": "Non sostenibile"})
    assert rejected.get_json()["state"] == "rejected" and rejected.get_json()["decision_reason"] == "Non sostenibile"
    listed = api(None, "GET", url).get_json()
    assert [(a["id"], a["state"]) for a in listed] == [(aid, "accepted"), (second["id"], "rejected")]


def test_no_amendments_to_a_withdrawn_proposal(api, session):
    pid = create(api)["id"]
    response = api("author", "POST", f"/api/v1/proposals/{pid}/status", json={"status": "withdrawn", "reason": "R"})
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    refused = api("other", "POST", f"/api/v1/proposals/{pid}/amendments", json={"body": "Altro", "reason": "R"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "amendments_closed"
    assert count(session, Amendment) == 0
    assert api("author", "PATCH", f"/api/v1/proposals/{pid}", json={"body": "B", "reason": "R"}).status_code == 409


def test_status_and_support(api):
    pid = create(api)["id"]
    assert api("author", "POST", f"/api/v1/proposals/{pid}/status", json={"status": "voting"}).status_code == 403
    assert api("other", "POST", f"/api/v1/proposals/{pid}/status", json={"status": "voting"}).status_code == 403
    assert api("chair", "POST", f"/api/v1/proposals/{pid}/status", json={"status": "nuovo"}).status_code == 422
    assert api("chair", "POST", f"/api/v1/proposals/{pid}/status", json={"status": "accepted"}).status_code == 409
    supported = api("other", "PUT", f"/api/v1/proposals/{pid}/support")
    assert supported.status_code == 200 and supported.get_json()["supports"] == 1
    assert supported.get_json()["supporters"][0]["id"] == api.users["other"].organization_id
    assert api("other", "PUT", f"/api/v1/proposals/{pid}/support").status_code == 409
    assert api("chair", "PUT", f"/api/v1/proposals/{pid}/support").status_code == 403
    moved = api("chair", "POST", f"/api/v1/proposals/{pid}/status", json={"status": "voting", "reason": "Si vota"})
    assert moved.status_code == 200 and moved.get_json()["status"] == "voting"
    withdrawn = api("other", "DELETE", f"/api/v1/proposals/{pid}/support")
    assert withdrawn.status_code == 200 and withdrawn.get_json()["supports"] == 0
    assert api("other", "DELETE", f"/api/v1/proposals/{pid}/support").status_code == 409


def test_openapi_documents_the_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/proposals", "/api/v1/proposals/{proposal_id}", "/api/v1/proposals/{subject_id}/diff",
                 "/api/v1/proposals/{subject_id}/comments", "/api/v1/amendments/{amendment_id}/accept",
                 "/api/v1/comments/{comment_id}/hide"):
        assert path in paths, path
