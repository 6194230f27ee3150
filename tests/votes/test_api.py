"""The polls API per interface.md: status codes, error codes, shapes, CSV export, proxies."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from app.votes.models import Ballot, Poll
from tests.votes.factories import audit_actions, auth, make_meeting, make_person, make_poll, make_table


@pytest.fixture
def chair(session):
    return make_person(session, "chair")


@pytest.fixture
def table(session):
    return make_table(session, 4)


def _error(response, status, code):
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    return response.get_json()["error"]


def test_create_open_vote_close_flow(client, session, chair, table):
    headers = auth(session, chair)
    created = client.post("/api/v1/polls", json={"title": "Approviamo?", "kind": "yesno", "quorum": 2}, headers=headers)
    assert created.status_code == 201
    poll = created.get_json()
    assert poll["state"] == "draft" and poll["entitled"] is None and poll["options"] == []
    opened = client.post(f"/api/v1/polls/{poll['id']}/open", headers=headers)
    assert opened.status_code == 200 and opened.get_json()["state"] == "open" and opened.get_json()["entitled"] == 4
    # idempotent: same answer, no second audit entry
    again = client.post(f"/api/v1/polls/{poll['id']}/open", headers=headers)
    assert again.status_code == 200 and again.get_json()["opened_at"] == opened.get_json()["opened_at"]

    voter = auth(session, table[0][1])
    cast = client.post(f"/api/v1/polls/{poll['id']}/ballots", json={"choice": "yes"}, headers=voter)
    assert cast.status_code == 201, cast.get_json()
    assert len(cast.get_json()["receipt"]) == 24
    _error(client.post(f"/api/v1/polls/{poll['id']}/ballots", json={"choice": "no"}, headers=voter), 409, "already_voted")
    client.post(f"/api/v1/polls/{poll['id']}/ballots", json={"choice": "no"}, headers=auth(session, table[1][1]))

    body = client.get(f"/api/v1/polls/{poll['id']}").get_json()
    assert {"id", "title", "kind", "state", "options", "voted", "entitled", "secret", "hide_tally", "majority",
            "quorum", "electorate"} <= set(body)
    assert body["voted"] == 2 and body["counts"] == {"yes": 1, "no": 1, "abstain": 0} and "result" not in body

    closed = client.post(f"/api/v1/polls/{poll['id']}/close", headers=headers)
    assert closed.status_code == 200
    result = closed.get_json()["result"]
    assert result["counts"] == {"yes": 1, "no": 1, "abstain": 0}
    assert (result["passed"], result["quorum_reached"]) == (False, True) and "counts" not in closed.get_json()
    assert client.post(f"/api/v1/polls/{poll['id']}/close", headers=headers).get_json()["result"] == result
    actions = audit_actions(session)
    assert actions.count("votes.poll.opened") == 1 and actions.count("votes.poll.closed") == 1
    _error(client.post(f"/api/v1/polls/{poll['id']}/ballots", json={"choice": "yes"}, headers=auth(session, table[2][1])),
           409, "poll_not_open")


def test_ranking_result_shape(client, session, chair, table):
    poll = make_poll(session, chair, kind="ranking", options=["A", "B", "C"], open_it=True)
    a, b, c = poll.option_ids
    for i, (_org, delegate) in enumerate(table):
        ranking = [[a, b, c], [b, a], [a, c, b], [c]][i]
        assert client.post(f"/api/v1/polls/{poll.id}/ballots", json={"ranking": ranking},
                           headers=auth(session, delegate)).status_code == 201
    result = client.post(f"/api/v1/polls/{poll.id}/close", headers=auth(session, chair)).get_json()["result"]
    assert result["borda"] == {str(a): 2 + 1 + 2, str(b): 1 + 2 + 0, str(c): 0 + 0 + 1 + 2}
    # b and c: 2 ballots each way (b>c, b over unranked c; c>b, c over unranked b): a tie, reported
    assert result["schulze"] == [a, b, c] and result["schulze_tiers"] == [[a], [b, c]]
    assert result["pairwise"][str(a)] == {str(b): 2, str(c): 3}
    assert result["irv"]["winners"] == [a] and result["counts"] == {str(a): 2, str(b): 1, str(c): 1}


@pytest.mark.parametrize("body,status,code", [
    ({"title": "T", "kind": "choice"}, 422, "options_required"),
    ({"title": "T", "kind": "choice", "options": ["A", "A"]}, 422, "duplicate_option"),
    ({"title": "T", "kind": "choice", "options": ["A"]}, 422, "options_count"),
    ({"title": "T", "kind": "yesno", "quorum": 100_001}, 422, "invalid_input"),
    ({"title": "T", "kind": "yesno", "quorum": "10"}, 422, "invalid_input"),
    ({"title": "T", "kind": "poll"}, 422, "invalid_input"),
    ({"title": "T", "kind": "yesno", "colour": "red"}, 422, "invalid_input"),
    ({"kind": "yesno"}, 422, "invalid_input"),
    ({"title": "T", "kind": "yesno", "opens_at": "2026-01-01T10:00:00"}, 422, "invalid_input"),
])
def test_create_refuses_bad_input(client, session, chair, body, status, code):
    _error(client.post("/api/v1/polls", json=body, headers=auth(session, chair)), status, code)
    assert session.scalar(sa.select(sa.func.count()).select_from(Poll)) == 0


def test_create_needs_the_chair(client, session, table):
    _error(client.post("/api/v1/polls", json={"title": "T", "kind": "yesno"}), 401, "unauthorized")
    _error(client.post("/api/v1/polls", json={"title": "T", "kind": "yesno"}, headers=auth(session, table[0][1])),
           403, "forbidden")


@pytest.mark.parametrize("ballot,status,code", [
    ({"choice": "maybe"}, 422, "invalid_choice"),
    ({"ranking": [1]}, 422, "invalid_ballot"),
    ({"choice": "yes", "extra": 1}, 422, "invalid_input"),
    ({}, 422, "invalid_ballot"),
])
def test_ballot_refusals(client, session, chair, table, ballot, status, code):
    poll = make_poll(session, chair, open_it=True)
    _error(client.post(f"/api/v1/polls/{poll.id}/ballots", json=ballot, headers=auth(session, table[0][1])), status, code)
    assert session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0


def test_not_entitled_and_anonymous(client, session, chair, table):
    poll = make_poll(session, chair, open_it=True)
    _error(client.post(f"/api/v1/polls/{poll.id}/ballots", json={"choice": "yes"}, headers=auth(session, chair)),
           403, "not_entitled")
    _error(client.post(f"/api/v1/polls/{poll.id}/ballots", json={"choice": "yes"}), 401, "unauthorized")
    _error(client.post(f"/api/v1/polls/{poll.id}/ballots", json={"choice": "yes", "on_behalf_of": table[1][0].id},
                       headers=auth(session, table[0][1])), 403, "not_entitled")


def test_choice_option_of_another_poll_is_refused(client, session, chair, table):
    poll = make_poll(session, chair, kind="choice", options=["A", "B"], open_it=True)
    other = make_poll(session, chair, kind="choice", options=["C", "D"])
    _error(client.post(f"/api/v1/polls/{poll.id}/ballots", json={"choice": other.option_ids[0]},
                       headers=auth(session, table[0][1])), 422, "unknown_option")
    assert client.post(f"/api/v1/polls/{poll.id}/ballots", json={"choices": [poll.option_ids[1]]},
                       headers=auth(session, table[0][1])).status_code == 201


def test_hidden_tally_and_drafts(client, session, chair, table):
    hidden = make_poll(session, chair, hide_tally=True, open_it=True)
    client.post(f"/api/v1/polls/{hidden.id}/ballots", json={"choice": "yes"}, headers=auth(session, table[0][1]))
    body = client.get(f"/api/v1/polls/{hidden.id}").get_json()
    assert body["voted"] == 1 and "counts" not in body
    draft = make_poll(session, chair, title="Bozza")
    assert client.get(f"/api/v1/polls/{draft.id}").status_code == 401
    _error(client.get(f"/api/v1/polls/{draft.id}", headers=auth(session, table[0][1])), 404, "poll_not_found")
    assert client.get(f"/api/v1/polls/{draft.id}", headers=auth(session, chair)).status_code == 200
    listed = [p["id"] for p in client.get("/api/v1/polls").get_json()]
    assert hidden.id in listed and draft.id not in listed
    assert draft.id in [p["id"] for p in client.get("/api/v1/polls", headers=auth(session, chair)).get_json()]
    _error(client.get("/api/v1/polls/999999"), 404, "poll_not_found")


def test_list_filters_by_meeting(client, session, chair, table):
    meeting = make_meeting(session)
    inside = make_poll(session, chair, meeting_id=meeting.id, open_it=True)
    make_poll(session, chair, title="Fuori", open_it=True)
    listed = client.get(f"/api/v1/polls?meeting_id={meeting.id}").get_json()
    assert [p["id"] for p in listed] == [inside.id] and listed[0]["voted"] == 0


def test_patch_draft_only(client, session, chair, table):
    poll = make_poll(session, chair, kind="choice", options=["A", "B"])
    patched = client.patch(f"/api/v1/polls/{poll.id}", json={"options": ["A", "B", "C"], "max_choices": 2},
                           headers=auth(session, chair))
    assert patched.status_code == 200 and [o["label"] for o in patched.get_json()["options"]] == ["A", "B", "C"]
    client.post(f"/api/v1/polls/{poll.id}/open", headers=auth(session, chair))
    _error(client.patch(f"/api/v1/polls/{poll.id}", json={"title": "X"}, headers=auth(session, chair)), 409, "poll_not_draft")


def test_receipt_check(client, session, chair, table):
    poll = make_poll(session, chair, kind="choice", options=["A", "B"], open_it=True)
    receipt = client.post(f"/api/v1/polls/{poll.id}/ballots", json={"choice": poll.option_ids[1]},
                          headers=auth(session, table[0][1])).get_json()["receipt"]
    body = client.get(f"/api/v1/polls/{poll.id}/receipts/{receipt}").get_json()
    assert body == {"poll_id": poll.id, "state": "open", "recorded": True, "counted": False,
                    "ballot": {"choices": [poll.option_ids[1]]}}
    _error(client.get(f"/api/v1/polls/{poll.id}/receipts/NOPE-NOPE"), 404, "receipt_not_found")
    other = make_poll(session, chair, title="Altra", open_it=True)
    _error(client.get(f"/api/v1/polls/{other.id}/receipts/{receipt}"), 404, "receipt_not_found")


def test_corrections_api(client, session, chair, table):
    poll = make_poll(session, chair, open_it=True)
    headers = auth(session, chair)
    _error(client.post(f"/api/v1/polls/{poll.id}/corrections", json={"text": "x"}, headers=headers), 409, "poll_not_closed")
    client.post(f"/api/v1/polls/{poll.id}/close", headers=headers)
    created = client.post(f"/api/v1/polls/{poll.id}/corrections", json={"text": "Rettifica del conteggio."}, headers=headers)
    assert created.status_code == 201 and created.get_json()["text"] == "Rettifica del conteggio."
    _error(client.post(f"/api/v1/polls/{poll.id}/corrections", json={"text": "x"}, headers=auth(session, table[0][1])),
           403, "forbidden")
    assert client.get(f"/api/v1/polls/{poll.id}").get_json()["corrections"][0]["text"] == "Rettifica del conteggio."


def _csv(response):
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode("utf-8"))
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_results_csv_named_and_secret(client, session, chair, table):
    named = make_poll(session, chair, title="=Palese", open_it=True)
    secret = make_poll(session, chair, title="Segreta", secret=True, open_it=True)
    for poll in (named, secret):
        client.post(f"/api/v1/polls/{poll.id}/ballots", json={"choice": "yes"}, headers=auth(session, table[0][1]))
        client.post(f"/api/v1/polls/{poll.id}/ballots", json={"choice": "abstain"}, headers=auth(session, table[1][1]))
    _error(client.get(f"/api/v1/polls/{named.id}/results.csv"), 409, "poll_not_closed")
    for poll in (named, secret):
        client.post(f"/api/v1/polls/{poll.id}/close", headers=auth(session, chair))

    response = client.get(f"/api/v1/polls/{named.id}/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _csv(response)
    assert rows[0] == ["Votazione", "'=Palese"]  # no formula injection
    assert ["Sì", "1", "50,00"] in rows and ["Astensione", "1", "50,00"] in rows
    assert ["Votante", "Espresso da", "Voto"] in rows
    assert [table[0][0].name, table[0][1].name, "Sì"] in rows

    secret_rows = _csv(client.get(f"/api/v1/polls/{secret.id}/results.csv"))
    assert ["Sì", "1", "50,00"] in secret_rows
    assert ["Votante", "Espresso da", "Voto"] not in secret_rows
    assert not any(table[0][0].name in cell for row in secret_rows for cell in row)


def test_proxies_api(client, session, chair, table):
    meeting = make_meeting(session)
    headers = auth(session, chair)
    principal, delegate = table[0][0], table[1][0]
    created = client.post(f"/api/v1/meetings/{meeting.id}/proxies",
                          json={"principal_id": principal.id, "delegate_id": delegate.id}, headers=headers)
    assert created.status_code == 201 and created.get_json()["principal"] == principal.name
    _error(client.post(f"/api/v1/meetings/{meeting.id}/proxies",
                       json={"principal_id": principal.id, "delegate_id": table[2][0].id}, headers=headers), 409, "proxy_exists")
    _error(client.post(f"/api/v1/meetings/{meeting.id}/proxies", json={"principal_id": table[2][0].id, "delegate_id": delegate.id},
                       headers=auth(session, table[0][1])), 403, "forbidden")
    assert [p["principal_id"] for p in client.get(f"/api/v1/meetings/{meeting.id}/proxies").get_json()] == [principal.id]

    poll = make_poll(session, chair, meeting_id=meeting.id, open_it=True)
    _error(client.post(f"/api/v1/polls/{poll.id}/ballots", json={"choice": "yes"}, headers=auth(session, table[0][1])),
           403, "vote_delegated")
    assert client.post(f"/api/v1/polls/{poll.id}/ballots", json={"choice": "yes", "on_behalf_of": principal.id},
                       headers=auth(session, table[1][1])).status_code == 201

    revoked = client.delete(f"/api/v1/meetings/{meeting.id}/proxies", json={"principal_id": principal.id}, headers=headers)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    _error(client.delete(f"/api/v1/meetings/{meeting.id}/proxies?principal_id={principal.id}", headers=headers),
           404, "proxy_not_found")
    _error(client.post("/api/v1/meetings/999/proxies", json={"principal_id": 1, "delegate_id": 2}, headers=headers),
           404, "meeting_not_found")


def test_openapi_documents_the_polls_api(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/polls", "/api/v1/polls/{poll_id}", "/api/v1/polls/{poll_id}/ballots",
                 "/api/v1/polls/{poll_id}/open", "/api/v1/polls/{poll_id}/close", "/api/v1/meetings/{meeting_id}/proxies"):
        assert path in paths
