"""The meetings API: status codes, error codes, response shapes, the snapshot registry."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.meetings.models import AgendaItem, Meeting, SpeakerRequest
from app.meetings.snapshot import register_snapshot_part, _parts
from tests.factories import bearer
from tests.meetings.factories import api_token, make_chair, make_meeting, person


@pytest.fixture
def chair_api(client, session):
    chair = make_chair(session)
    return chair, bearer(api_token(session, chair))


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


def test_create_and_list(client, session, chair_api):
    _chair, auth = chair_api
    response = client.post("/api/v1/meetings", headers=auth, json={
        "title": "Secondo incontro", "starts_at": "2030-02-01T15:30:00+01:00", "place": "Imola"})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["title"], body["status"], body["starts_at"]) == ("Secondo incontro", "planned", "2030-02-01T14:30:00Z")
    listed = client.get("/api/v1/meetings").get_json()
    assert [m["id"] for m in listed] == [body["id"]]


@pytest.mark.parametrize("body, field", [
    ({"starts_at": "2030-02-01T10:00:00Z"}, "title"),
    ({"title": "X"}, "starts_at"),
    ({"title": "X", "starts_at": "ieri"}, "starts_at"),
    ({"title": "X", "starts_at": "2030-02-01T10:00:00Z", "status": "open"}, "status"),
    ({"title": "X", "starts_at": "2030-02-01T10:00:00Z", "speaking_limit": "60"}, "speaking_limit"),
])
def test_create_validation(client, chair_api, body, field):
    response = client.post("/api/v1/meetings", headers=chair_api[1], json=body)
    assert response.status_code == 422 and error_code(response) == "invalid_input"
    assert field in response.get_json()["error"]["fields"]


def test_create_permissions(client, session):
    body = {"title": "X", "starts_at": "2030-02-01T10:00:00Z"}
    assert client.post("/api/v1/meetings", json=body).status_code == 401
    member = bearer(api_token(session, person(session, "member")))
    assert client.post("/api/v1/meetings", json=body, headers=member).status_code == 403
    assert session.scalar(sa.select(sa.func.count(Meeting.id))) == 0


def test_snapshot_shape(client, session, chair_api):
    chair, auth = chair_api
    meeting = make_meeting(session, chair, status="open")
    snapshot = client.get(f"/api/v1/meetings/{meeting.id}", headers=auth).get_json()
    assert {"id", "title", "starts_at", "place", "status", "agenda", "current_item_id", "polls", "presence", "quorum",
            "speakers", "speakers_open", "speaking_limit", "speaker_totals", "server_time", "me"} <= set(snapshot)
    assert set(snapshot["agenda"][0]) >= {"id", "title", "duration", "position", "ref"}
    assert snapshot["polls"] == [] and snapshot["speakers"] == [] and snapshot["speakers_open"] is True
    assert set(snapshot["presence"]) == {"users", "organizations", "counts"}
    assert snapshot["me"] == {"user_id": chair.id, "present": False, "can_run": True, "can_speak": True}
    assert snapshot["server_time"].endswith("Z")
    assert client.get(f"/api/v1/meetings/{meeting.id}").status_code == 401
    assert client.get("/api/v1/meetings/999").status_code == 404


def test_snapshot_parts_registered_by_other_domains(client, session, chair_api):
    chair, auth = chair_api
    meeting = make_meeting(session, chair)
    previous_polls = _parts.get("polls")  # the vote engine's own part, put back afterwards
    register_snapshot_part("polls", lambda s, m, user: [{"id": 7, "meeting": m.id, "for": user.id}])
    register_snapshot_part("documents", lambda s, m, user: ["verbale.pdf"])
    try:
        snapshot = client.get(f"/api/v1/meetings/{meeting.id}", headers=auth).get_json()
        assert snapshot["polls"] == [{"id": 7, "meeting": meeting.id, "for": chair.id}]
        assert snapshot["documents"] == ["verbale.pdf"]
    finally:
        _parts.pop("polls", None)
        if previous_polls is not None:
            _parts["polls"] = previous_polls
        _parts.pop("documents", None)
    with pytest.raises(ValueError):
        register_snapshot_part("agenda", lambda s, m, u: [])


def test_update_and_transitions(client, session, chair_api):
    chair, auth = chair_api
    meeting = make_meeting(session, chair)
    response = client.patch(f"/api/v1/meetings/{meeting.id}", headers=auth, json={"speaking_limit": 90})
    assert response.status_code == 200 and response.get_json()["speaking_limit"] == 90
    assert client.post(f"/api/v1/meetings/{meeting.id}/close", headers=auth).status_code == 409
    opened = client.post(f"/api/v1/meetings/{meeting.id}/open", headers=auth)
    assert opened.status_code == 200 and opened.get_json()["status"] == "open"
    assert client.post(f"/api/v1/meetings/{meeting.id}/open", headers=auth).status_code == 200
    closed = client.post(f"/api/v1/meetings/{meeting.id}/close", headers=auth)
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    refused = client.post(f"/api/v1/meetings/{meeting.id}/open", headers=auth)
    assert refused.status_code == 409 and error_code(refused) == "invalid_transition"
    member = bearer(api_token(session, person(session, "member")))
    assert client.patch(f"/api/v1/meetings/{meeting.id}", headers=member, json={"title": "X"}).status_code == 403


def test_agenda_endpoints(client, session, chair_api):
    chair, auth = chair_api
    meeting = make_meeting(session, chair, status="open", items=("A", "B"))
    created = client.post(f"/api/v1/meetings/{meeting.id}/agenda", headers=auth,
                          json={"title": "C", "duration": 5, "ref": "document:1"})
    assert created.status_code == 201
    item = created.get_json()
    assert {k: item[k] for k in ("title", "duration", "position", "ref")} == {
        "title": "C", "duration": 5, "position": 3, "ref": "document:1"}
    bad_ref = client.post(f"/api/v1/meetings/{meeting.id}/agenda", headers=auth, json={"title": "D", "ref": "doc1"})
    assert bad_ref.status_code == 422 and "ref" in bad_ref.get_json()["error"]["fields"]
    patched = client.patch(f"/api/v1/agenda-items/{item['id']}", headers=auth, json={"title": "C2", "ref": None})
    assert patched.status_code == 200 and (patched.get_json()["title"], patched.get_json()["ref"]) == ("C2", None)
    ids = [i["id"] for i in client.get(f"/api/v1/meetings/{meeting.id}", headers=auth).get_json()["agenda"]]
    order = client.post(f"/api/v1/meetings/{meeting.id}/agenda/order", headers=auth, json={"item_ids": ids[::-1]})
    assert order.status_code == 200 and [i["title"] for i in order.get_json()] == ["C2", "B", "A"]
    stale = client.post(f"/api/v1/meetings/{meeting.id}/agenda/order", headers=auth, json={"item_ids": ids[:2]})
    assert stale.status_code == 422
    current = client.post(f"/api/v1/meetings/{meeting.id}/current-item", headers=auth, json={"item_id": ids[0]})
    assert current.status_code == 200 and current.get_json()["current_item_id"] == ids[0]
    started = [i for i in current.get_json()["agenda"] if i["id"] == ids[0]][0]["started_at"]
    assert started is not None
    deleting_current = client.delete(f"/api/v1/agenda-items/{ids[0]}", headers=auth)
    assert deleting_current.status_code == 409 and error_code(deleting_current) == "item_is_current"
    assert client.delete(f"/api/v1/agenda-items/{ids[1]}", headers=auth).status_code == 204
    assert session.scalar(sa.select(sa.func.count(AgendaItem.id)).where(AgendaItem.id == ids[1])) == 0
    assert client.delete("/api/v1/agenda-items/99999", headers=auth).status_code == 404
    cleared = client.post(f"/api/v1/meetings/{meeting.id}/current-item", headers=auth, json={"item_id": None})
    assert cleared.status_code == 200 and cleared.get_json()["current_item_id"] is None


def test_current_item_refusals(client, session, chair_api):
    chair, auth = chair_api
    planned = make_meeting(session, chair)
    meeting = make_meeting(session, chair, status="open")
    not_open = client.post(f"/api/v1/meetings/{planned.id}/current-item", headers=auth,
                           json={"item_id": planned.items[0].id})
    assert not_open.status_code == 409 and error_code(not_open) == "meeting_not_open"
    foreign = client.post(f"/api/v1/meetings/{meeting.id}/current-item", headers=auth,
                          json={"item_id": planned.items[0].id})
    assert foreign.status_code == 404
    assert client.post(f"/api/v1/meetings/{meeting.id}/current-item", headers=auth, json={}).status_code == 422
    assert client.post(f"/api/v1/meetings/{meeting.id}/current-item", headers=auth,
                       json={"item_id": "1"}).status_code == 422
    member = bearer(api_token(session, person(session, "member")))
    assert client.post(f"/api/v1/meetings/{meeting.id}/current-item", headers=member,
                       json={"item_id": meeting.items[0].id}).status_code == 403


def test_presence_endpoint(client, session, chair_api):
    chair, auth = chair_api
    meeting = make_meeting(session, chair)
    member = person(session, "member", name="Delegata")
    member_auth = bearer(api_token(session, member))
    own = client.post(f"/api/v1/meetings/{meeting.id}/presence", headers=member_auth)
    assert own.status_code == 200 and own.get_json()["me"]["present"] is True
    assert [u["name"] for u in own.get_json()["presence"]["users"]] == ["Delegata"]
    other = person(session, "observer")
    assert client.post(f"/api/v1/meetings/{meeting.id}/presence", headers=member_auth,
                       json={"user_id": other.id}).status_code == 403
    by_chair = client.post(f"/api/v1/meetings/{meeting.id}/presence", headers=auth,
                           json={"user_id": member.id, "present": False})
    assert by_chair.status_code == 200 and by_chair.get_json()["presence"]["users"] == []
    assert by_chair.get_json()["presence"]["counts"]["total"] == 0


def test_speakers_endpoints(client, session, chair_api):
    chair, auth = chair_api
    meeting = make_meeting(session, chair, status="open")
    other = make_meeting(session, chair, status="open")
    member_auth = bearer(api_token(session, person(session, "member", name="Anna")))
    base = f"/api/v1/meetings/{meeting.id}/speakers"
    created = client.post(base, headers=member_auth, json={"kind": "reply"})
    assert created.status_code == 201
    speaker = created.get_json()
    assert (speaker["name"], speaker["kind"], speaker["state"], speaker["position"]) == ("Anna", "reply", "waiting", 1)
    again = client.post(base, headers=member_auth, json={})
    assert again.status_code == 409 and error_code(again) == "already_in_list"
    assert client.post(base, headers=member_auth, json={"kind": "shout"}).status_code == 422
    assert client.post(f"{base}/{speaker['id']}/start", headers=member_auth).status_code == 403
    assert client.post(f"/api/v1/meetings/{other.id}/speakers/{speaker['id']}/start", headers=auth).status_code == 404
    started = client.post(f"{base}/{speaker['id']}/start", headers=auth)
    assert started.status_code == 200 and (started.get_json()["state"], started.get_json()["position"]) == ("speaking", 0)
    ended = client.post(f"{base}/{speaker['id']}/end", headers=auth)
    assert ended.status_code == 200 and ended.get_json()["state"] == "done" and ended.get_json()["seconds"] >= 0
    assert client.post(f"{base}/{speaker['id']}/end", headers=auth).status_code == 409
    closed = client.post(f"{base}/close", headers=auth)
    assert closed.status_code == 200 and closed.get_json()["speakers_open"] is False
    refused = client.post(base, headers=member_auth, json={})
    assert refused.status_code == 409 and error_code(refused) == "speakers_closed"
    assert client.post(f"{base}/open", headers=auth).get_json()["speakers_open"] is True
    again = client.post(base, headers=member_auth, json={}).get_json()
    withdrawn = client.post(f"{base}/{again['id']}/withdraw", headers=member_auth)
    assert withdrawn.status_code == 200 and withdrawn.get_json()["state"] == "withdrawn"
    assert client.get(base, headers=member_auth).get_json() == []
    totals = client.get(f"/api/v1/meetings/{meeting.id}", headers=auth).get_json()["speaker_totals"]
    assert [(p["name"], p["count"]) for p in totals["people"]] == [("Anna", 1)]
    assert session.scalar(sa.select(sa.func.count(SpeakerRequest.id))) == 2


def test_openapi_documents_the_meetings_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/meetings", "/api/v1/meetings/{meeting_id}/agenda", "/api/v1/meetings/{meeting_id}/current-item",
                 "/api/v1/meetings/{meeting_id}/presence", "/api/v1/meetings/{meeting_id}/access-codes",
                 "/api/v1/auth/code", "/api/v1/agenda-items/{item_id}"):
        assert path in paths, path
