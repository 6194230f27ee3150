"""Live channel of meetings: acks, refusals, and events that reach the room only after commit."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit.services import head_seq
from app.meetings import services, speakers
from app.meetings.models import AccessCode, Meeting, SpeakerRequest
from tests.factories import bearer, socket_client
from tests.meetings.factories import api_token, make_chair, make_meeting, make_participant, person

NS = "/live"


def connect(app, session, user):
    client = socket_client(app, token=api_token(session, user))
    assert client.is_connected(NS)
    return client


def emit(client, event, payload):
    return client.emit(event, payload, namespace=NS, callback=True)


def events(client, name=None) -> list[dict]:
    received = client.get_received(NS)
    return [e["args"][0] for e in received if name is None or e["name"] == name]


def joined(app, session, user, meeting_id):
    client = connect(app, session, user)
    ack = emit(client, "join_meeting", {"meeting_id": meeting_id})
    assert ack["ok"], ack
    client.get_received(NS)
    return client


@pytest.fixture
def live(app, session):
    """An open meeting with two items; the chair and two members connected and in its room."""
    chair = make_chair(session, name="Presidenza")
    meeting = make_meeting(session, chair, status="open", items=("Condivisione", "Adesione"))
    item_ids = [i.id for i in meeting.items]
    members = [person(session, "member", name=n) for n in ("Anna", "Bruno")]
    ids = {"meeting": meeting.id, "items": item_ids, "chair": chair.id, "members": [m.id for m in members]}
    return {
        **ids, "chair_user": chair, "member_users": members,
        "chair_client": joined(app, session, chair, meeting.id),
        "clients": [joined(app, session, m, meeting.id) for m in members],
    }


def test_anonymous_connections_are_refused(app):
    assert not socket_client(app).is_connected(NS)
    assert not socket_client(app, token="not-a-token").is_connected(NS)


def test_join_meeting_acks_the_snapshot_and_seq(app, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    client = connect(app, session, person(session, "member"))
    ack = emit(client, "join_meeting", {"meeting_id": meeting.id})
    assert ack["ok"] and ack["seq"] == head_seq(session)
    assert [i["title"] for i in ack["snapshot"]["agenda"]] == ["Primo punto", "Secondo punto"]
    assert ack["snapshot"]["polls"] == [] and "presence" in ack["snapshot"] and "server_time" in ack["snapshot"]


def test_a_participant_cannot_join_another_meeting(app, session):
    chair = make_chair(session)
    town, other = make_meeting(session, chair, title="Town"), make_meeting(session, chair, title="Tavolo")
    participant, _code = make_participant(session, town, chair)
    client = connect(app, session, participant)
    refused = emit(client, "join_meeting", {"meeting_id": other.id})
    assert refused == {"ok": False, "error": {"code": "forbidden", "message": refused["error"]["message"]}}
    assert emit(client, "join_meeting", {"meeting_id": town.id})["ok"]


@pytest.mark.parametrize("payload, code", [
    ({"meeting_id": 424242}, "meeting_not_found"),
    ({"meeting_id": "1"}, "invalid_input"),
    ({}, "invalid_input"),
    ({"meeting_id": 1, "extra": True}, "invalid_input"),
    ("meeting 1", "invalid_input"),
])
def test_join_refusals(app, session, payload, code):
    make_meeting(session)
    client = connect(app, session, person(session, "member"))
    ack = emit(client, "join_meeting", payload)
    assert ack["ok"] is False and ack["error"]["code"] == code


def test_set_current_item_reaches_every_client_after_commit(app, session, live):
    ack = emit(live["chair_client"], "set_current_item", {"meeting_id": live["meeting"], "item_id": live["items"][1]})
    assert ack == {"ok": True, "current_item_id": live["items"][1]}
    for client in live["clients"]:
        [event] = events(client, "current_item_changed")
        assert event["current_item_id"] == live["items"][1] and event["item"]["title"] == "Adesione"
        assert event["item"]["started_at"] and event["server_time"] and event["seq"] == head_seq(session)


@pytest.mark.parametrize("event_name, payload, pushed", [
    ("close_speakers", {}, "speakers_changed"),
    ("end_speech", {}, "speakers_changed"),
    ("give_floor", {"speaker_id": "waiting"}, "speakers_changed"),
    ("check_in", {"user_id": "member"}, "presence_changed"),
    ("set_current_item", {"item_id": None}, "current_item_changed"),
])
def test_chair_events_push_their_event(app, session, live, event_name, payload, pushed):
    meeting = session.get(Meeting, live["meeting"])
    anna = live["member_users"][0]
    request = speakers.request_to_speak(session, anna, meeting)
    if event_name == "end_speech":
        speakers.give_floor(session, live["chair_user"], request)
    session.commit()
    request_id = request.id
    for client in live["clients"]:
        client.get_received(NS)
    values = {"waiting": request_id, "member": anna.id}
    payload = {key: values.get(value, value) for key, value in payload.items()}
    ack = emit(live["chair_client"], event_name, {"meeting_id": live["meeting"], **payload})
    assert ack["ok"], ack
    received = events(live["clients"][1], pushed)
    assert len(received) == 1 and received[0]["meeting_id"] == live["meeting"]


@pytest.mark.parametrize("event_name, payload", [
    ("set_current_item", {"item_id": "first"}),
    ("give_floor", {"speaker_id": "waiting"}),
    ("end_speech", {}),
    ("close_speakers", {}),
    ("open_speakers", {}),
    ("check_in", {"user_id": "other"}),
])
def test_chair_events_from_a_member_are_forbidden_and_change_nothing(app, session, live, event_name, payload):
    meeting = session.get(Meeting, live["meeting"])
    request_id = speakers.request_to_speak(session, live["member_users"][1], meeting).id
    session.commit()
    values = {"first": live["items"][0], "waiting": request_id, "other": live["members"][1]}
    payload = {key: values.get(value, value) for key, value in payload.items()}
    for client in live["clients"]:
        client.get_received(NS)
    seq = head_seq(session)
    ack = emit(live["clients"][0], event_name, {"meeting_id": live["meeting"], **payload})
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
    assert head_seq(session) == seq
    assert events(live["clients"][1]) == []


def test_other_meetings_ids_are_not_found(app, session, live):
    chair = live["chair_user"]
    other = make_meeting(session, chair, status="open", items=("Altrove",))
    other_item = other.items[0].id
    request_id = speakers.request_to_speak(session, live["member_users"][0], other).id
    session.commit()
    for event_name, payload in (
        ("set_current_item", {"item_id": other_item}),
        ("give_floor", {"speaker_id": request_id}),
        ("end_speech", {"speaker_id": request_id}),
        ("withdraw_request", {"speaker_id": request_id}),
    ):
        ack = emit(live["chair_client"], event_name, {"meeting_id": live["meeting"], **payload})
        assert ack["ok"] is False and ack["error"]["code"] == "not_found", event_name
    assert session.get(SpeakerRequest, request_id).state == "waiting"


def test_malformed_and_stale_payloads_are_refused_and_the_server_keeps_serving(app, session, live):
    chair_client = live["chair_client"]
    meeting_id = live["meeting"]
    for event_name, payload in (
        ("set_current_item", {"meeting_id": meeting_id}),
        ("set_current_item", {"meeting_id": meeting_id, "item_id": "1"}),
        ("give_floor", {"meeting_id": meeting_id}),
        ("give_floor", {"meeting_id": meeting_id, "speaker_id": 1.5}),
        ("request_to_speak", {"meeting_id": meeting_id, "kind": "shout"}),
        ("check_in", {"meeting_id": meeting_id, "present": "maybe"}),
        ("resync", {"meeting_id": meeting_id, "since": -1}),
        ("close_speakers", ["not", "a", "dict"]),
    ):
        ack = emit(chair_client, event_name, payload)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid_input", (event_name, payload, ack)
    member_client = live["clients"][0]
    request = emit(member_client, "request_to_speak", {"meeting_id": meeting_id})["speaker"]
    assert emit(member_client, "withdraw_request", {"meeting_id": meeting_id, "speaker_id": request["id"]})["ok"]
    stale = emit(chair_client, "give_floor", {"meeting_id": meeting_id, "speaker_id": request["id"]})
    assert stale["ok"] is False and stale["error"]["code"] == "not_waiting"
    nobody = emit(chair_client, "end_speech", {"meeting_id": meeting_id})  # nobody is speaking: stale
    assert nobody["ok"] is False and nobody["error"]["code"] == "not_speaking"
    # still serving everyone
    assert emit(chair_client, "set_current_item", {"meeting_id": meeting_id, "item_id": live["items"][0]})["ok"]
    assert events(live["clients"][1], "current_item_changed")


def test_request_to_speak_and_withdraw(app, session, live):
    anna_client, bruno_client = live["clients"]
    meeting_id = live["meeting"]
    ack = emit(anna_client, "request_to_speak", {"meeting_id": meeting_id, "kind": "point_of_order"})
    assert ack["ok"] and (ack["speaker"]["kind"], ack["speaker"]["position"]) == ("point_of_order", 1)
    [pushed] = events(bruno_client, "speakers_changed")
    assert [(s["name"], s["kind"]) for s in pushed["speakers"]] == [("Anna", "point_of_order")]
    assert pushed["speakers_open"] is True and "speaker_totals" in pushed
    again = emit(anna_client, "request_to_speak", {"meeting_id": meeting_id})
    assert again["ok"] is False and again["error"]["code"] == "already_in_list"
    foreign = emit(bruno_client, "withdraw_request", {"meeting_id": meeting_id, "speaker_id": ack["speaker"]["id"]})
    assert foreign["ok"] is False and foreign["error"]["code"] == "forbidden"
    assert emit(anna_client, "withdraw_request", {"meeting_id": meeting_id, "speaker_id": ack["speaker"]["id"]})["ok"]
    assert events(bruno_client, "speakers_changed")[-1]["speakers"] == []


def test_a_closed_list_refuses_socket_requests(app, session, live):
    assert emit(live["chair_client"], "close_speakers", {"meeting_id": live["meeting"]}) == {"ok": True, "speakers_open": False}
    ack = emit(live["clients"][0], "request_to_speak", {"meeting_id": live["meeting"]})
    assert ack["ok"] is False and ack["error"]["code"] == "speakers_closed"
    assert emit(live["chair_client"], "open_speakers", {"meeting_id": live["meeting"]})["speakers_open"] is True


def test_check_in_pushes_presence(app, session, live):
    anna_client, bruno_client = live["clients"]
    ack = emit(anna_client, "check_in", {"meeting_id": live["meeting"]})
    assert ack == {"ok": True, "changed": True, "present": True}
    [pushed] = events(bruno_client, "presence_changed")
    assert pushed["user_id"] == live["members"][0] and pushed["present"] is True
    assert [u["name"] for u in pushed["presence"]["users"]] == ["Anna"]
    assert pushed["quorum"]["organizations_present"] == 1
    out = emit(live["chair_client"], "check_in", {"meeting_id": live["meeting"], "user_id": live["members"][0], "present": False})
    assert out["ok"] and events(bruno_client, "presence_changed")[-1]["present"] is False


def test_rolled_back_changes_emit_nothing(app, session, live):
    meeting = session.get(Meeting, live["meeting"])
    services.set_current_item(session, live["chair_user"], meeting, live["items"][0])
    services.add_agenda_item(session, live["chair_user"], meeting, title="Mai esistito")
    session.rollback()
    assert events(live["clients"][0]) == []
    services.set_current_item(session, live["chair_user"], session.get(Meeting, live["meeting"]), live["items"][0])
    session.commit()
    assert [e["current_item_id"] for e in events(live["clients"][0], "current_item_changed")] == [live["items"][0]]


def test_api_changes_reach_the_room(app, client, session, live):
    auth = bearer(api_token(session, live["chair_user"]))
    response = client.post(f"/api/v1/meetings/{live['meeting']}/agenda", headers=auth, json={"title": "Varie"})
    assert response.status_code == 201
    [pushed] = events(live["clients"][0], "agenda_changed")
    assert [i["title"] for i in pushed["agenda"]] == ["Condivisione", "Adesione", "Varie"]
    assert pushed["status"] == "open" and pushed["seq"] == head_seq(session)
    refused = client.post(f"/api/v1/meetings/{live['meeting']}/agenda", headers=auth, json={"title": "X", "ref": "bad"})
    assert refused.status_code == 422 and events(live["clients"][0]) == []
    live["clients"][1].get_received(NS)
    assert client.post(f"/api/v1/meetings/{live['meeting']}/close", headers=auth).status_code == 200
    names = sorted(e["name"] for e in live["clients"][1].get_received(NS))
    assert names == ["agenda_changed", "speakers_changed"]


def test_resync_says_whether_anything_changed(app, session, live):
    client = live["clients"][0]
    seq = emit(client, "join_meeting", {"meeting_id": live["meeting"]})["seq"]
    quiet = emit(client, "resync", {"meeting_id": live["meeting"], "since": seq})
    assert quiet["ok"] and quiet["changed"] is False and quiet["seq"] == seq
    emit(live["chair_client"], "set_current_item", {"meeting_id": live["meeting"], "item_id": live["items"][0]})
    moved = emit(client, "resync", {"meeting_id": live["meeting"], "since": seq})
    assert moved["changed"] is True and moved["snapshot"]["current_item_id"] == live["items"][0]


def test_a_revoked_participant_loses_the_live_channel(app, client, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, status="open")
    participant, _code = make_participant(session, meeting, chair)
    code_id = session.scalar(sa.select(AccessCode.id).where(AccessCode.user_id == participant.id))
    token = api_token(session, participant)
    live_client = socket_client(app, token=token)
    assert emit(live_client, "join_meeting", {"meeting_id": meeting.id})["ok"]
    assert client.post(f"/api/v1/access-codes/{code_id}/revoke",
                       headers=bearer(api_token(session, chair))).status_code == 200
    assert not live_client.is_connected(NS)
    assert not socket_client(app, token=token).is_connected(NS)  # an inactive account cannot reconnect


def test_reordering_the_agenda_reaches_the_room_in_the_new_order(app, client, session, live):
    auth = bearer(api_token(session, live["chair_user"]))
    first, second = live["items"]
    response = client.post(f"/api/v1/meetings/{live['meeting']}/agenda/order", headers=auth,
                           json={"item_ids": [second, first]})
    assert response.status_code == 200, response.get_json()
    for live_client in live["clients"]:
        [pushed] = events(live_client, "agenda_changed")
        assert [i["id"] for i in pushed["agenda"]] == [second, first]
        assert pushed["seq"] == head_seq(session)
    # an order that leaves an item out changes nothing and pushes nothing
    refused = client.post(f"/api/v1/meetings/{live['meeting']}/agenda/order", headers=auth, json={"item_ids": [first]})
    assert refused.status_code == 422
    assert events(live["clients"][0]) == []


def test_reopening_the_list_of_speakers_pushes_it(app, session, live):
    meeting = session.get(Meeting, live["meeting"])
    speakers.set_speakers_open(session, live["chair_user"], meeting, False)
    session.commit()
    for live_client in live["clients"]:
        live_client.get_received(NS)
    ack = emit(live["chair_client"], "open_speakers", {"meeting_id": live["meeting"]})
    assert ack["ok"], ack
    [pushed] = events(live["clients"][1], "speakers_changed")
    assert pushed["speakers_open"] is True and pushed["seq"] == head_seq(session)
