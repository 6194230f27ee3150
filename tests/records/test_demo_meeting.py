"""Issue 7's acceptance run: the demo's first TdN meeting is held through its three items, with votes;
then its verbale PDF names the organizations present and each vote with its result, the decision
register and the public audit log agree with it, the exported log verifies with the independent
script (and fails it after a single edit), and the open-data zip reads as spreadsheets."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from app.meetings.demo import FIRST_MEETING_TITLE
from app.meetings.models import Meeting
from app.records.outcomes import outcome_text
from app.votes.models import Poll
from tests.audit.test_export import run_verifier
from tests.factories import csrf_token
from tests.meetings.factories import log_in
from tests.records.test_minutes import _pdf_text, _squash

PRESENT = ("cgil", "cisl", "cna", "legacoop", "medicina")
ABSENT = "confartigianato"


@pytest.fixture
def held(session, demo):
    """The first meeting, run as the chair would: presence, each item in turn, a vote on two of them."""
    from app.meetings.presence import set_presence
    from app.meetings.services import close_meeting, open_meeting, set_current_item
    from app.votes.services import cast_ballot, close_poll, create_poll, open_poll

    users = demo["users"]
    chair = users["chair"]
    meeting = session.scalar(sa.select(Meeting).where(Meeting.title == FIRST_MEETING_TITLE))
    open_meeting(session, chair, meeting)
    for key in PRESENT:
        set_presence(session, users[f"delegate:{key}"], meeting)
    session.commit()
    votes = {0: ("Condivisione del percorso e del calendario", ["yes", "yes", "yes", "no", "abstain"]),
             2: ("Mandato al gruppo di lavoro sul Patto", ["no", "no", "yes", "no", "abstain"])}
    polls = []
    for index, item in enumerate(sorted(meeting.items, key=lambda i: i.position)):
        set_current_item(session, chair, meeting, item.id)
        session.commit()
        if index in votes:
            title, choices = votes[index]
            poll = create_poll(session, chair, title=title, kind="yesno", meeting_id=meeting.id)
            open_poll(session, chair, poll)
            for key, choice in zip(PRESENT, choices):
                cast_ballot(session, users[f"delegate:{key}"], poll, {"choice": choice})
            close_poll(session, chair, poll)
            session.commit()
            polls.append(poll)
    close_meeting(session, chair, meeting)
    session.commit()
    return {"meeting": meeting, "polls": polls, "users": users, "chair": chair}


def test_the_verbale_names_the_organizations_present_and_each_vote_with_its_result(client, session, held):
    meeting = held["meeting"]
    log_in(client, held["chair"])
    url = f"/meetings/{meeting.id}/minutes"
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 303
    text = _pdf_text(client.get(f"{url}.pdf").data)
    present = text.split(_squash("Organizzazioni aderenti assenti"))[0]
    for key in PRESENT:
        assert _squash(held["users"][f"delegate:{key}"].organization.name) in present
    assert _squash(held["users"][f"delegate:{ABSENT}"].organization.name) not in present
    for item in meeting.items:
        assert _squash(item.title) in text
    outcomes = {poll.title: outcome_text(poll) for poll in held["polls"]}
    assert set(outcomes.values()) == {"Approvata", "Respinta"}  # one of each: the test can tell them apart
    for title, outcome in outcomes.items():
        after = text.split(_squash(title), 1)[1]
        assert after.split(_squash("Esito:"), 1)[1].startswith(_squash(outcome))


def test_the_decision_register_and_the_public_log_agree_with_the_verbale(client, session, held):
    rows = {row["poll_id"]: row for row in client.get("/api/v1/decisions").get_json()}
    log = [json.loads(line) for line in client.get("/api/v1/audit.jsonl").get_data(as_text=True).splitlines()]
    for poll in held["polls"]:
        stored = session.get(Poll, poll.id)
        row = rows[poll.id]
        assert row["meeting_id"] == held["meeting"].id and row["outcome"] == outcome_text(stored)
        published = [e for e in log if e["action"] == "votes.result.published" and e["object"] == f"poll:{poll.id}"]
        assert len(published) == 1 and published[0]["data"]["result"]["counts"] == stored.result["counts"]
        assert published[0]["data"]["result"]["passed"] == (row["outcome_state"] == "passed")


def test_the_exported_log_verifies_and_fails_after_a_single_edit(client, held, tmp_path):
    lines = client.get("/api/v1/audit.jsonl").get_data(as_text=True).splitlines()
    assert run_verifier(tmp_path, lines).returncode == 0
    index = next(i for i, line in enumerate(lines) if '"votes.result.published"' in line)
    entry = json.loads(lines[index])
    entry["data"]["result"]["counts"]["yes"] += 1  # one vote more, in one entry
    tampered = [*lines[:index], json.dumps(entry, ensure_ascii=False), *lines[index + 1:]]
    result = run_verifier(tmp_path, tampered)
    assert result.returncode != 0 and str(entry["seq"]) in (result.stdout + result.stderr).decode()


def test_the_open_data_zip_reads_as_spreadsheets_with_the_votes(client, held):
    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/v1/export.zip").data))
    polls = list(csv.DictReader(io.StringIO(archive.read("polls.csv").decode("utf-8-sig"))))
    results = list(csv.DictReader(io.StringIO(archive.read("poll_results.csv").decode("utf-8-sig"))))
    for poll in held["polls"]:
        assert any(row["id"] == str(poll.id) and row["title"] == poll.title and row["state"] == "closed" for row in polls)
        yes = next(row for row in results if row["poll_id"] == str(poll.id) and row["answer"] == "yes")
        assert int(yes["count"]) == poll.result["counts"]["yes"]
