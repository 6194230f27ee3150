"""The live channel: authenticated connections, meeting rooms, acks, refusals, the after-commit outbox."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.audit.services import head_seq, record
from app.auth.models import ApiToken, User
from app.core.db import utcnow
from app.core.realtime import meeting_room, queue_event
from tests.factories import bearer, login, make_user, socket_client, token_for

NS = "/live"


def _events(sock, name: str | None = None) -> list[dict]:
    received = sock.get_received(NS)
    return [e for e in received if name is None or e["name"] == name]


@pytest.fixture
def observer(session):
    return make_user(session, role="observer")


@pytest.fixture
def live(app, client, observer):
    sock = socket_client(app, token=token_for(client, observer))
    assert sock.is_connected(NS)
    yield sock
    if sock.is_connected(NS):
        sock.disconnect(namespace=NS)


def test_anonymous_socket_refused(app):
    sock = socket_client(app)
    assert not sock.is_connected(NS)


@pytest.mark.parametrize("auth", [{"token": "sbagliato"}, {"token": ""}, {"token": 123}, {"user_id": 1}, "token"])
def test_bad_auth_refused(app, session, auth):
    from app.extensions import socketio
    from tests.isolation import IsolatedSocketClient

    make_user(session, role="admin")
    sock = IsolatedSocketClient(app, socketio, namespace=NS, auth=auth)
    assert not sock.is_connected(NS)


def test_expired_or_revoked_token_refused(app, client, observer, session):
    token = token_for(client, observer)
    session.execute(sa.update(ApiToken).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    session.commit()
    assert not socket_client(app, token=token).is_connected(NS)
    token = token_for(client, observer)
    client.delete("/api/v1/auth/token", headers=bearer(token))
    assert not socket_client(app, token=token).is_connected(NS)


def test_token_socket_accepted(live):
    assert live.is_connected(NS)


def test_session_cookie_socket_accepted(app, client, observer):
    login(client, observer)
    sock = socket_client(app, client=client)
    assert sock.is_connected(NS)
    sock.disconnect(namespace=NS)


def test_session_cookie_of_anonymous_browser_refused(app, client):
    client.get("/")
    assert not socket_client(app, client=client).is_connected(NS)


def test_join_meeting_ok_with_snapshot_and_seq(live, client, demo, observer, session):
    meeting = demo["first_meeting"]
    ack = live.emit("join_meeting", {"meeting_id": meeting.id}, namespace=NS, callback=True)
    assert ack["ok"] is True
    assert ack["seq"] == head_seq(session) > 0
    api = client.get(f"/api/v1/meetings/{meeting.id}", headers=bearer(token_for(client, observer))).get_json()
    # the same snapshot, but for the server clock each answer carries (clients correct skew with it)
    assert {k: v for k, v in ack["snapshot"].items() if k != "server_time"} == {
        k: v for k, v in api.items() if k != "server_time"}


def test_join_unknown_meeting(live):
    ack = live.emit("join_meeting", {"meeting_id": 999999}, namespace=NS, callback=True)
    assert ack["ok"] is False
    assert ack["error"]["code"] == "meeting_not_found" and ack["error"]["message"]


@pytest.mark.parametrize("payload", ["1", [1], {"meeting_id": "1"}, True, {"meeting_id": True}, {"meeting_id": None},
                                     {}, 7, {"meeting_id": 1.5}])
def test_malformed_payloads_refused_and_server_keeps_serving(live, demo, payload):
    ack = live.emit("join_meeting", payload, namespace=NS, callback=True)
    assert ack == {"ok": False, "error": ack["error"]}
    assert ack["error"]["code"] == "invalid_input"
    assert live.is_connected(NS)
    ack = live.emit("join_meeting", {"meeting_id": demo["first_meeting"].id}, namespace=NS, callback=True)
    assert ack["ok"] is True


def test_extra_arguments_do_not_break_the_handler(live, demo):
    ack = live.emit("join_meeting", {"meeting_id": demo["first_meeting"].id}, "extra", namespace=NS, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_input"
    assert live.is_connected(NS)


def test_join_refused_to_participant_of_another_meeting(app, client, demo, session):
    participant = make_user(session, role="participant")
    sock = socket_client(app, token=token_for(client, participant))
    ack = sock.emit("join_meeting", {"meeting_id": demo["first_meeting"].id}, namespace=NS, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "forbidden"


def test_deactivated_user_loses_access_on_next_event(live, demo, observer, session):
    session.execute(sa.update(User).where(User.id == observer.id).values(active=False))
    session.commit()
    ack = live.emit("join_meeting", {"meeting_id": demo["first_meeting"].id}, namespace=NS, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"


def test_resync_returns_snapshot_and_changed(live, demo, session):
    meeting = demo["first_meeting"]
    seq = live.emit("join_meeting", {"meeting_id": meeting.id}, namespace=NS, callback=True)["seq"]
    ack = live.emit("resync", {"meeting_id": meeting.id, "since": seq}, namespace=NS, callback=True)
    assert ack["ok"] is True and ack["changed"] is False and ack["seq"] == seq
    assert ack["snapshot"]["id"] == meeting.id
    record(session, None, "test.something.happened", meeting)
    session.commit()
    ack = live.emit("resync", {"meeting_id": meeting.id, "since": seq}, namespace=NS, callback=True)
    assert ack["changed"] is True and ack["seq"] == seq + 1


@pytest.mark.parametrize("since", ["3", -1, True, None])
def test_resync_invalid_since(live, demo, since):
    ack = live.emit("resync", {"meeting_id": demo["first_meeting"].id, "since": since}, namespace=NS, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_input"


def _change_meeting(session, meeting, payload: dict) -> int:
    """What a service does: write, audit and queue an event in one transaction."""
    entry = record(session, None, "meetings.agenda.changed", meeting, payload)
    queue_event(session, meeting_room(meeting.id), "agenda_changed", payload)
    return entry.seq


def test_event_reaches_the_room_after_commit_with_the_audit_seq(app, client, live, demo, session):
    meeting = demo["first_meeting"]
    live.emit("join_meeting", {"meeting_id": meeting.id}, namespace=NS, callback=True)
    outsider = socket_client(app, token=token_for(client, make_user(session, role="observer")))
    _events(live)
    seq = _change_meeting(session, meeting, {"items": 4})
    assert _events(live, "agenda_changed") == []  # queued, not sent: the transaction is still open
    session.commit()
    events = _events(live, "agenda_changed")
    assert [e["args"][0] for e in events] == [{"items": 4, "seq": seq}]
    assert _events(outsider, "agenda_changed") == []  # not in the meeting's room


def test_several_events_of_one_transaction_share_its_last_seq(live, demo, session):
    meeting = demo["first_meeting"]
    live.emit("join_meeting", {"meeting_id": meeting.id}, namespace=NS, callback=True)
    _change_meeting(session, meeting, {"n": 1})
    last = _change_meeting(session, meeting, {"n": 2})
    session.commit()
    assert [e["args"][0] for e in _events(live, "agenda_changed")] == [{"n": 1, "seq": last}, {"n": 2, "seq": last}]


def test_rolled_back_transaction_emits_nothing(live, demo, session):
    meeting = demo["first_meeting"]
    live.emit("join_meeting", {"meeting_id": meeting.id}, namespace=NS, callback=True)
    _change_meeting(session, meeting, {"items": 99})
    session.rollback()
    session.commit()
    assert _events(live, "agenda_changed") == []
    seq = _change_meeting(session, meeting, {"items": 5})
    session.commit()
    assert [e["args"][0] for e in _events(live, "agenda_changed")] == [{"items": 5, "seq": seq}]


def test_event_queued_before_any_write_is_dropped_by_rollback(live, demo, session):
    """A service that queues first and then refuses (before touching the database) leaks nothing."""
    meeting = demo["first_meeting"]
    live.emit("join_meeting", {"meeting_id": meeting.id}, namespace=NS, callback=True)
    session.commit()
    queue_event(session, meeting_room(meeting.id), "agenda_changed", {"ghost": True})
    session.rollback()
    seq = _change_meeting(session, meeting, {"items": 6})
    session.commit()
    assert [e["args"][0] for e in _events(live, "agenda_changed")] == [{"items": 6, "seq": seq}]


def test_refused_request_emits_nothing(app, live, demo, session):
    """A face whose service refuses after queueing: the error handler rolls back, nothing is sent."""
    import contextvars

    from app.core.errors import Conflict
    from app.extensions import db
    from app.meetings.models import Meeting

    meeting = demo["first_meeting"]
    meeting_id = meeting.id
    live.emit("join_meeting", {"meeting_id": meeting_id}, namespace=NS, callback=True)
    session.commit()

    def request_that_refuses():
        with app.test_request_context("/api/v1/meetings/1/agenda", method="POST"):
            _change_meeting(db.session, db.session.get(Meeting, meeting_id), {"refused": True})
            return app.make_response(app.handle_user_exception(Conflict("no", code="test_refusal")))

    response = contextvars.Context().run(request_that_refuses)
    assert response.status_code == 409
    seq = _change_meeting(session, meeting, {"items": 7})
    session.commit()
    assert [e["args"][0] for e in _events(live, "agenda_changed")] == [{"items": 7, "seq": seq}]


def test_released_savepoint_waits_for_the_outer_commit(live, demo, session):
    meeting = demo["first_meeting"]
    live.emit("join_meeting", {"meeting_id": meeting.id}, namespace=NS, callback=True)
    session.commit()
    with session.begin_nested():
        _change_meeting(session, meeting, {"inner": 1})
    assert _events(live, "agenda_changed") == []  # the outer transaction has not committed
    session.rollback()
    session.commit()
    assert _events(live, "agenda_changed") == []


def test_rolled_back_savepoint_drops_only_its_own_events(live, demo, session):
    meeting = demo["first_meeting"]
    live.emit("join_meeting", {"meeting_id": meeting.id}, namespace=NS, callback=True)
    session.commit()
    outer = _change_meeting(session, meeting, {"outer": 1})
    savepoint = session.begin_nested()
    _change_meeting(session, meeting, {"inner": 1})
    savepoint.rollback()
    session.commit()
    assert [e["args"][0] for e in _events(live, "agenda_changed")] == [{"outer": 1, "seq": outer}]
    assert head_seq(session) == outer


def test_live_handlers_survive_a_second_create_app(app, client, demo, observer, database_url):
    """Each socketio.init_app makes a new server; it must get every /live handler again."""
    from config import TestingConfig
    from tests.auth.factories import other_app

    class Another(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    with other_app(Another):
        pass
    assert not socket_client(app).is_connected(NS)  # still refuses anonymous sockets
    sock = socket_client(app, token=token_for(client, observer))
    assert sock.is_connected(NS)
    ack = sock.emit("join_meeting", {"meeting_id": demo["first_meeting"].id}, namespace=NS, callback=True)
    assert ack["ok"] is True
    sock.disconnect(namespace=NS)
