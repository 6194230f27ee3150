"""Live channel: cast_ballot acks, poll events after commit, coalesced tallies.

These tests keep no app context open while the socket client runs (its handlers would share and
then remove the test's database session); setup and checks run in short app contexts.
"""
from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from app.audit.services import head_seq
from app.auth.models import User
from app.extensions import db
from app.votes.live import broadcaster
from app.votes.models import Poll
from app.votes.services import cast_ballot, open_poll
from tests.factories import socket_client
from tests.votes.factories import auth, make_meeting, make_person, make_poll, make_table


def _in_app(app, fn):
    with app.app_context():
        try:
            return fn(db.session)
        finally:
            db.session.remove()


@pytest.fixture
def world(app):
    def build(session):
        chair = make_person(session, "chair")
        table = make_table(session, 6)
        meeting = make_meeting(session)
        poll = make_poll(session, chair, meeting_id=meeting.id)
        return SimpleNamespace(
            chair=chair.id, meeting=meeting.id, poll=poll.id, voters=[d.id for _o, d in table],
            chair_headers=auth(session, chair), voter_tokens=[auth(session, d)["Authorization"][7:] for _o, d in table],
        )
    return _in_app(app, build)


def _events(sio, name):
    return [e["args"][0] for e in sio.get_received("/live") if e["name"] == name]


def _joined(app, world, token=None):
    sio = socket_client(app, token=token or world.voter_tokens[0])
    ack = sio.emit("join_meeting", {"meeting_id": world.meeting}, namespace="/live", callback=True)
    assert ack["ok"] is True
    return sio


def test_events_follow_open_ballots_and_close(app, client, world):
    watcher = _joined(app, world)
    voter = socket_client(app, token=world.voter_tokens[1])
    assert client.post(f"/api/v1/polls/{world.poll}/open", headers=world.chair_headers).status_code == 200
    opened = _events(watcher, "poll_opened")
    assert len(opened) == 1 and opened[0]["poll_id"] == world.poll and opened[0]["poll"]["state"] == "open"
    assert opened[0]["seq"] == _in_app(app, head_seq)

    ack = voter.emit("cast_ballot", {"poll_id": world.poll, "choice": "yes"}, namespace="/live", callback=True)
    assert ack["ok"] is True and len(ack["receipt"]) == 24
    # the ack came after the commit: the ballot is there for anyone to read
    assert client.get(f"/api/v1/polls/{world.poll}").get_json()["voted"] == 1
    again = voter.emit("cast_ballot", {"poll_id": world.poll, "choice": "no"}, namespace="/live", callback=True)
    assert again == {"ok": False, "error": {"code": "already_voted", "message": again["error"]["message"]}}

    assert broadcaster(app).flush() == 1
    tally = _events(watcher, "tally_updated")
    assert tally == [{"poll_id": world.poll, "voted": 1, "entitled": 6, "cast_weight": 1,
                      "counts": {"yes": 1, "no": 0, "abstain": 0}, "seq": tally[0]["seq"]}]

    closed = client.post(f"/api/v1/polls/{world.poll}/close", headers=world.chair_headers).get_json()
    event = _events(watcher, "poll_closed")
    assert len(event) == 1 and event[0]["result"] == closed["result"] and event[0]["poll_id"] == world.poll


@pytest.mark.parametrize("payload,code", [
    ({"choice": "yes"}, "invalid_input"),
    ({"poll_id": "1", "choice": "yes"}, "invalid_input"),
    ({"poll_id": 999999, "choice": "yes"}, "poll_not_found"),
])
def test_cast_ballot_refusals_are_acked(app, world, payload, code):
    sio = socket_client(app, token=world.voter_tokens[0])
    ack = sio.emit("cast_ballot", payload, namespace="/live", callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code


def test_cast_ballot_on_a_closed_or_draft_poll_and_not_entitled(app, client, world):
    sio = socket_client(app, token=world.voter_tokens[0])
    ack = sio.emit("cast_ballot", {"poll_id": world.poll, "choice": "yes"}, namespace="/live", callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "poll_not_found"  # a draft is not shown to voters
    client.post(f"/api/v1/polls/{world.poll}/open", headers=world.chair_headers)
    chair_token = world.chair_headers["Authorization"][7:]
    ack = socket_client(app, token=chair_token).emit("cast_ballot", {"poll_id": world.poll, "choice": "yes"},
                                                      namespace="/live", callback=True)
    assert ack["error"]["code"] == "not_entitled"
    client.post(f"/api/v1/polls/{world.poll}/close", headers=world.chair_headers)
    ack = sio.emit("cast_ballot", {"poll_id": world.poll, "choice": "yes"}, namespace="/live", callback=True)
    assert ack["error"]["code"] == "poll_not_open"


def test_no_event_when_the_transaction_rolls_back(app, world):
    watcher = _joined(app, world)

    def open_then_roll_back(session):
        open_poll(session, session.get(User, world.chair), session.get(Poll, world.poll))
        session.rollback()

    _in_app(app, open_then_roll_back)
    assert _events(watcher, "poll_opened") == []


def test_hidden_tally_omits_counts(app, world):
    watcher = _joined(app, world)

    def setup(session):
        poll = session.get(Poll, world.poll)
        poll.hide_tally = True
        open_poll(session, session.get(User, world.chair), poll)
        session.commit()
        cast_ballot(session, session.get(User, world.voters[0]), poll, {"choice": "no"})
        session.commit()

    _in_app(app, setup)
    broadcaster(app).flush()
    tally = _events(watcher, "tally_updated")
    assert len(tally) == 1 and tally[0]["voted"] == 1 and "counts" not in tally[0]


def test_watch_poll_joins_the_topic_room_of_a_standalone_poll(app, client, world):
    def standalone(session):
        return make_poll(session, session.get(User, world.chair), title="Online", open_it=True).id

    poll_id = _in_app(app, standalone)
    sio = socket_client(app, token=world.voter_tokens[0])
    ack = sio.emit("watch_poll", {"poll_id": poll_id}, namespace="/live", callback=True)
    assert ack["ok"] is True and ack["poll"]["id"] == poll_id and ack["poll"]["viewer"]["can_vote"] is True
    client.post(f"/api/v1/polls/{poll_id}/ballots", json={"choice": "yes"},
                headers={"Authorization": f"Bearer {world.voter_tokens[1]}"})
    broadcaster(app).flush()
    assert [t["voted"] for t in _events(sio, "tally_updated")] == [1]


def test_many_ballots_one_coalesced_tally(app, world):
    """25 committed ballots between two broadcasts give one tally_updated, with the final counts."""
    watcher = _joined(app, world)

    def vote(session):
        table = make_table(session, 19)
        poll = session.get(Poll, world.poll)
        open_poll(session, session.get(User, world.chair), poll)
        session.commit()
        voters = [session.get(User, i) for i in world.voters] + [d for _o, d in table]
        for i, voter in enumerate(voters):
            cast_ballot(session, voter, poll, {"choice": ("yes", "no", "abstain")[i % 3]})
            session.commit()
        return len(voters)

    ballots = _in_app(app, vote)
    tally = broadcaster(app)
    assert ballots == 25 and tally.pending() == {world.poll}
    assert _events(watcher, "tally_updated") == []  # nothing until the broadcaster runs
    tally.flush()
    events = _events(watcher, "tally_updated")
    assert len(events) == 1
    assert events[0]["voted"] == 25 and events[0]["counts"] == {"yes": 9, "no": 8, "abstain": 8}
    assert events[0]["seq"] == _in_app(app, head_seq)
    assert tally.flush() == 0


def test_background_broadcaster_starts_lazily_and_emits_the_final_count(app, client, world, monkeypatch):
    tally = broadcaster(app)
    monkeypatch.setattr(tally, "autostart", True)
    monkeypatch.setattr(tally, "interval", 0.05)
    watcher = _joined(app, world)
    client.post(f"/api/v1/polls/{world.poll}/open", headers=world.chair_headers)
    for token in world.voter_tokens:
        response = client.post(f"/api/v1/polls/{world.poll}/ballots", json={"choice": "yes"},
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201
    assert tally.running
    received: list = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (received and received[-1]["voted"] == 6):
        received += _events(watcher, "tally_updated")
        time.sleep(0.05)
    assert received and received[-1]["voted"] == 6 and received[-1]["counts"]["yes"] == 6
    assert len(received) <= 6  # at most one per wake-up, never more than one per ballot


def test_an_account_deactivated_while_connected_cannot_cast(app, client, world):
    """The ballot handler does not reload its user per event: the batch writer refuses inactive voters."""
    from app.auth.models import User

    sio = socket_client(app, token=world.voter_tokens[0])
    client.post(f"/api/v1/polls/{world.poll}/open", headers=world.chair_headers)

    def deactivate(session):
        session.get(User, world.voters[0]).active = False
        session.commit()

    _in_app(app, deactivate)
    ack = sio.emit("cast_ballot", {"poll_id": world.poll, "choice": "yes"}, namespace="/live", callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorized", ack
    assert client.get(f"/api/v1/polls/{world.poll}").get_json()["voted"] == 0


def test_tallies_stream_at_the_interval_and_the_last_one_follows_a_pause(app):
    """The coalescing rule (TallyBroadcaster.due), on an explicit clock: a lone ballot at once, a
    stream one event per interval, the end of a burst a quiet moment after the last ballot."""
    from app.votes.live import TallyBroadcaster

    tally = TallyBroadcaster(app, interval=0.25, autostart=False, quiet=0.05)
    assert not tally.due(0.0)  # nothing pending
    tally.mark_dirty([1], now=10.0)
    assert tally.due(10.0)  # a lone ballot: nothing sent for a long time
    tally.flush(now=10.0)
    emitted = []
    for step in range(1, 40):  # a ballot every 10 ms for 0.39 s
        now = 10.0 + step * 0.01
        tally.mark_dirty([1], now=now)
        if tally.due(now):
            emitted.append(round(now, 2))
            tally.flush(now=now)
    assert emitted == [10.25]  # the stream: one event per interval, none per ballot
    last_ballot = 10.39
    assert not tally.due(last_ballot + 0.04)  # still within the quiet time
    assert tally.due(last_ballot + 0.05)  # paused: the final count goes out
    tally.flush(now=last_ballot + 0.01)  # but never within half an interval of the last event
    tally.mark_dirty([1], now=last_ballot + 0.01)
    assert not tally.due(last_ballot + 0.1)
    assert tally.due(last_ballot + 0.01 + 0.125)


def test_live_refusals_speak_the_language_of_each_connection(app, client, world):
    """The language is chosen at connect (the account's here) and every event of the connection speaks it."""
    def english_voter(session):
        session.get(User, world.voters[1]).locale = "en"
        session.commit()
    _in_app(app, english_voter)
    assert client.post(f"/api/v1/polls/{world.poll}/open", headers=world.chair_headers).status_code == 200
    italian, english = (socket_client(app, token=world.voter_tokens[i]) for i in (0, 1))
    messages = {}
    for name, sio in (("it", italian), ("en", english)):
        for _attempt in range(2):  # the second event of the connection too
            ack = sio.emit("cast_ballot", {"poll_id": world.poll, "choice": "forse"}, namespace="/live", callback=True)
            assert ack["ok"] is False and ack["error"]["code"] == "invalid_choice"
            messages.setdefault(name, set()).add(ack["error"]["message"])
    assert len(messages["it"]) == 1 and len(messages["en"]) == 1 and messages["it"] != messages["en"]
    assert "Scegli" in next(iter(messages["it"])) and "Scegli" not in next(iter(messages["en"]))
