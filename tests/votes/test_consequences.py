"""A yes/no vote about a proposal or an amendment decides it (through the API, as the console does)."""
from __future__ import annotations

from tests.factories import bearer
from tests.meetings.factories import api_token, make_chair, person
from tests.proposals.factories import make_proposal


def _decide(client, chair_token: str, voter_token: str, subject: dict, choice: str) -> dict:
    created = client.post("/api/v1/polls", headers=bearer(chair_token),
                          json={"title": "Decisione del Tavolo", "kind": "yesno", "subject": subject})
    assert created.status_code == 201, created.get_json()
    poll_id = created.get_json()["id"]
    assert client.post(f"/api/v1/polls/{poll_id}/open", headers=bearer(chair_token)).status_code == 200
    assert client.post(f"/api/v1/polls/{poll_id}/ballots", json={"choice": choice}, headers=bearer(voter_token)).status_code == 201
    closed = client.post(f"/api/v1/polls/{poll_id}/close", headers=bearer(chair_token))
    assert closed.status_code == 200
    return closed.get_json()


def _proposal_in_vote(client, session, chair, chair_token):
    author = person(session)
    proposal = make_proposal(session, author)
    moved = client.post(f"/api/v1/proposals/{proposal.id}/status", json={"status": "voting", "reason": ""},
                        headers=bearer(chair_token))  # published proposals are in discussion
    assert moved.status_code == 200, moved.get_json()
    return author, proposal


def test_a_passed_vote_accepts_the_proposal_and_a_failed_one_rejects_it(client, session):
    chair = make_chair(session)
    chair_token = api_token(session, chair)
    for choice, expected in (("yes", "accepted"), ("no", "rejected")):
        author, proposal = _proposal_in_vote(client, session, chair, chair_token)
        result = _decide(client, chair_token, api_token(session, author), {"type": "proposal", "id": proposal.id}, choice)
        assert result["result"]["passed"] is (choice == "yes")
        assert client.get(f"/api/v1/proposals/{proposal.id}").get_json()["status"] == expected


def test_a_passed_vote_applies_the_amendment_as_the_next_revision(client, session):
    chair = make_chair(session)
    chair_token = api_token(session, chair)
    author = person(session)
    proposal = make_proposal(session, author)
    amender = person(session)
    amendment = client.post(f"/api/v1/proposals/{proposal.id}/amendments", headers=bearer(api_token(session, amender)),
                            json={"body": "Il testo emendato della proposta.", "reason": "più chiaro"})
    assert amendment.status_code == 201, amendment.get_json()
    before = len(client.get(f"/api/v1/proposals/{proposal.id}/revisions").get_json())
    _decide(client, chair_token, api_token(session, amender), {"type": "amendment", "id": amendment.get_json()["id"]}, "yes")
    revisions = client.get(f"/api/v1/proposals/{proposal.id}/revisions").get_json()
    assert len(revisions) == before + 1
    assert "emendato" in client.get(f"/api/v1/proposals/{proposal.id}").get_json()["body"]
