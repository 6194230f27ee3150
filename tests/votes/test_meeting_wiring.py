"""The vote engine plugged into live meetings: polls in the meeting snapshot, the town meeting's roll."""
from __future__ import annotations

from app.votes.models import Ballot, VoteRecord
from tests.factories import bearer, count_rows, socket_client
from tests.meetings.factories import api_token, make_chair, make_meeting, make_participant, person


def _open_poll(client, token: str, meeting_id: int, **fields) -> dict:
    created = client.post("/api/v1/polls", headers=bearer(token),
                          json={"title": "Approvazione del percorso", "kind": "yesno", "meeting_id": meeting_id, **fields})
    assert created.status_code == 201, created.get_json()
    opened = client.post(f"/api/v1/polls/{created.get_json()['id']}/open", headers=bearer(token))
    assert opened.status_code == 200, opened.get_json()
    return opened.get_json()


def test_meeting_snapshot_lists_its_polls_with_the_viewers_state(client, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, status="open")
    other = make_meeting(session, chair, title="Altro incontro", status="open")
    member = person(session)  # its organization has adhered: it is on the roll when the poll opens
    chair_token = api_token(session, chair)
    poll = _open_poll(client, chair_token, meeting.id)
    _open_poll(client, chair_token, other.id)
    snapshot = client.get(f"/api/v1/meetings/{meeting.id}", headers=bearer(api_token(session, member))).get_json()
    assert [p["id"] for p in snapshot["polls"]] == [poll["id"]]  # only this meeting's
    assert snapshot["polls"][0]["state"] == "open"
    assert snapshot["polls"][0]["viewer"]["can_vote"] is True

    live = socket_client(client.application, client, token=api_token(session, member))
    ack = live.emit("join_meeting", {"meeting_id": meeting.id}, namespace="/live", callback=True)
    assert ack["ok"] and [p["id"] for p in ack["snapshot"]["polls"]] == [poll["id"]]
    voted = live.emit("cast_ballot", {"poll_id": poll["id"], "choice": "yes"}, namespace="/live", callback=True)
    assert voted["ok"] and voted["receipt"]
    live.disconnect(namespace="/live")
    session.expire_all()
    after = client.get(f"/api/v1/meetings/{meeting.id}", headers=bearer(api_token(session, member))).get_json()
    assert after["polls"][0]["viewer"]["has_voted"] is True and after["polls"][0]["viewer"]["can_vote"] is False


def test_a_town_meeting_votes_by_access_code_and_only_its_participants(client, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, status="open")
    participant, code = make_participant(session, meeting, chair)
    member = person(session)
    token = client.post("/api/v1/auth/code", json={"code": code}).get_json()["token"]
    poll = _open_poll(client, api_token(session, chair), meeting.id, electorate="people")
    assert poll["entitled"] == 1  # the roll is the town meeting's participants, not the table's members

    assert client.post(f"/api/v1/polls/{poll['id']}/ballots", json={"choice": "no"}, headers=bearer(token)).status_code == 201
    refused = client.post(f"/api/v1/polls/{poll['id']}/ballots", json={"choice": "yes"},
                          headers=bearer(api_token(session, member)))
    assert refused.status_code == 403
    assert count_rows(session, VoteRecord, VoteRecord.poll_id == poll["id"]) == 1
    assert count_rows(session, Ballot, Ballot.poll_id == poll["id"]) == 1


def test_people_polls_outside_town_meetings_keep_the_members_roll(client, session):
    chair = make_chair(session)
    meeting = make_meeting(session, chair, status="open")  # no access codes handed out
    member = person(session)
    poll = _open_poll(client, api_token(session, chair), meeting.id, electorate="people")
    ballot = client.post(f"/api/v1/polls/{poll['id']}/ballots", json={"choice": "yes"}, headers=bearer(api_token(session, member)))
    assert ballot.status_code == 201


def _page_messages(html: str) -> dict:
    import html as html_lib
    import json
    import re

    match = re.search(r'data-messages="([^"]*)"', html)
    assert match, "the live page gives its scripts their texts"
    return json.loads(html_lib.unescape(match.group(1)))


def test_live_pages_give_the_vote_script_its_texts_in_the_page_language(client, session):
    from tests.meetings.factories import log_in

    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    session.commit()
    log_in(client, chair)
    italian = _page_messages(client.get(f"/meetings/{meeting.id}/console").get_data(as_text=True))["votes"]
    english = _page_messages(client.get(f"/meetings/{meeting.id}/console?lang=en").get_data(as_text=True))["votes"]
    assert italian["ballot"] == {"yes": "Sì", "no": "No", "abstain": "Astensione"}
    assert english["ballot"]["yes"] == "Yes" and english["ballot"]["abstain"] == "Abstain"
    # the accessible Italian names stay available whatever the language
    assert english["ballotItalian"] == italian["ballot"]
    assert italian["defaultElectorate"] == "organizations"


def test_a_town_meeting_console_proposes_one_ballot_per_person(client, session):
    from tests.meetings.factories import log_in

    chair = make_chair(session)
    meeting = make_meeting(session, chair)
    make_participant(session, meeting, chair)
    session.commit()
    log_in(client, chair)
    messages = _page_messages(client.get(f"/meetings/{meeting.id}/console").get_data(as_text=True))["votes"]
    assert messages["defaultElectorate"] == "people"
