"""Live comments: `subscribe` to a topic, `comment_added` only after the commit."""
from __future__ import annotations

import pytest

from app.deliberation.services import add_comment
from app.proposals.services import as_subject
from tests.deliberation.factories import forget_user, quick_token, quick_user
from tests.factories import bearer, socket_client
from tests.proposals.factories import make_proposal


def events(client, name):
    return [e["args"][0] for e in client.get_received("/live") if e["name"] == name]


@pytest.fixture
def live(app, session):
    author = quick_user(session, name="Autrice")
    reader = quick_user(session, name="Lettore")
    proposal = make_proposal(session, author)
    token = quick_token(session, reader)
    sock = socket_client(app, token=token)
    assert sock.is_connected("/live")
    yield {"author": author, "reader": reader, "proposal": proposal, "sock": sock, "token": token}
    sock.disconnect(namespace="/live")


def test_subscribe_then_receive_comment_after_commit(app, client, session, live):
    sock, proposal = live["sock"], live["proposal"]
    ack = sock.emit("subscribe", {"topic": f"proposal:{proposal.id}"}, namespace="/live", callback=True)
    assert ack["ok"] is True and ack["topic"] == f"proposal:{proposal.id}" and isinstance(ack["seq"], int)
    other = make_proposal(session, live["author"], title="Un'altra")
    bystander = socket_client(app, token=live["token"])
    bystander.emit("subscribe", {"topic": f"proposal:{other.id}"}, namespace="/live", callback=True)
    bystander.get_received("/live")
    sock.get_received("/live")

    forget_user()
    response = client.post(f"/api/v1/proposals/{proposal.id}/comments",
                           json={"body": "Arriva in <b>diretta</b>", "alignment": "against"},
                           headers=bearer(quick_token(session, live["author"])))
    assert response.status_code == 201
    received = events(sock, "comment_added")
    assert len(received) == 1
    event = received[0]
    assert event["subject"] == {"type": "proposal", "id": proposal.id}
    assert event["comment"]["id"] == response.get_json()["id"] and event["comment"]["alignment"] == "against"
    assert "<b>" not in event["comment"]["body_html"] and "&lt;b&gt;" in event["comment"]["body_html"]
    assert event["seq"] > ack["seq"]
    assert events(bystander, "comment_added") == []  # another proposal's room
    bystander.disconnect(namespace="/live")


def test_rolled_back_comment_emits_nothing(session, live):
    sock, proposal = live["sock"], live["proposal"]
    sock.emit("subscribe", {"topic": f"proposal:{proposal.id}"}, namespace="/live", callback=True)
    sock.get_received("/live")
    add_comment(session, live["author"], as_subject(proposal), "Mai pubblicato.")
    session.rollback()
    assert events(sock, "comment_added") == []
    add_comment(session, live["author"], as_subject(proposal), "Pubblicato.")
    session.commit()
    assert [e["comment"]["body"] for e in events(sock, "comment_added")] == ["Pubblicato."]


@pytest.mark.parametrize("payload, code", [
    ({"topic": "proposal"}, "invalid_topic"),
    ({"topic": "proposal:abc"}, "invalid_topic"),
    ({"topic": "proposal:0"}, "invalid_topic"),
    ({"topic": "meeting:1; drop"}, "invalid_topic"),
    ({"topic": 12}, "invalid_topic"),
    ({}, "invalid_topic"),
    ({"topic": "segreto:1"}, "unknown_topic"),
    ({"topic": "proposal:999"}, "subject_not_found"),
])
def test_subscribe_refusals(live, payload, code):
    ack = live["sock"].emit("subscribe", payload, namespace="/live", callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code


def test_someone_elses_draft_cannot_be_followed(session, live):
    draft = make_proposal(session, live["author"], title="Bozza", publish=False)
    ack = live["sock"].emit("subscribe", {"topic": f"proposal:{draft.id}"}, namespace="/live", callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "subject_not_found"


def test_unsubscribe_stops_events(session, live):
    sock, proposal = live["sock"], live["proposal"]
    topic = {"topic": f"proposal:{proposal.id}"}
    sock.emit("subscribe", topic, namespace="/live", callback=True)
    assert sock.emit("unsubscribe", topic, namespace="/live", callback=True)["ok"] is True
    sock.get_received("/live")
    add_comment(session, live["author"], as_subject(proposal), "Nessuno ascolta.")
    session.commit()
    assert events(sock, "comment_added") == []


def test_anonymous_connection_is_refused(app):
    anonymous = socket_client(app)
    assert not anonymous.is_connected("/live")


def test_hidden_comment_event(session, live):
    sock, proposal = live["sock"], live["proposal"]
    comment = add_comment(session, live["author"], as_subject(proposal), "Da nascondere.")
    session.commit()
    chair = quick_user(session, role="chair")
    sock.emit("subscribe", {"topic": f"proposal:{proposal.id}"}, namespace="/live", callback=True)
    sock.get_received("/live")
    from app.deliberation.services import hide_comment

    hide_comment(session, chair, comment, "Fuori tema")
    session.commit()
    assert events(sock, "comment_hidden")[0] | {"seq": 0} == {
        "subject": {"type": "proposal", "id": proposal.id}, "comment_id": comment.id, "reason": "Fuori tema", "seq": 0}
