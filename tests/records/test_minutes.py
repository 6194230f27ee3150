"""The verbale (issue 7): drafted from a meeting's record, edited as revisions, approved by a vote,
frozen with its hash in the audit chain; its PDF; who may read it; the decision register."""
from __future__ import annotations

import hashlib
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.audit.models import AuditEntry
from app.meetings.models import Meeting
from app.records.models import Minutes
from tests.factories import audit_actions, count_rows, csrf_token
from tests.meetings.factories import api_token, log_in, make_meeting
from tests.factories import bearer

PRESENT = ("cgil", "cna", "legacoop")


def _pdf_text(data: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(BytesIO(data)).pages)


def _squash(text: str) -> str:
    return "".join(text.split())


def _cast(session, users, poll, choices):
    from app.votes.services import cast_ballot

    for key, choice in zip(PRESENT, choices):
        cast_ballot(session, users[f"delegate:{key}"], poll, {"choice": choice})
    session.commit()


@pytest.fixture
def held(session, demo):
    """A meeting run to its end: three organizations present, one speech, a vote that passes."""
    from app.meetings.presence import set_presence
    from app.meetings.services import close_meeting, set_current_item
    from app.meetings.speakers import end_speech, give_floor, request_to_speak
    from app.votes.services import close_poll
    from tests.votes.factories import make_poll

    users = demo["users"]
    chair = users["chair"]
    meeting = make_meeting(session, chair, title="Secondo incontro del Tavolo", status="open",
                           items=("Filiere produttive", "Varie"))
    for key in PRESENT:
        set_presence(session, users[f"delegate:{key}"], meeting)
    set_current_item(session, chair, meeting, meeting.items[0].id)
    speech = request_to_speak(session, users["delegate:cgil"], meeting)
    give_floor(session, chair, speech)
    end_speech(session, chair, meeting, speech)
    session.commit()
    poll = make_poll(session, chair, title="Mandato al gruppo filiere", meeting_id=meeting.id, open_it=True)
    _cast(session, users, poll, ["yes", "yes", "no"])
    close_poll(session, chair, poll)
    close_meeting(session, chair, meeting)
    session.commit()
    return {"meeting": meeting, "poll": poll, "users": users, "chair": chair}


def _draft(client, session, held) -> Minutes:
    log_in(client, held["chair"])
    url = f"/meetings/{held['meeting'].id}/minutes"
    assert "Redigi la bozza del verbale" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 303
    return session.query(Minutes).filter_by(meeting_id=held["meeting"].id).one()


def test_the_draft_is_built_from_the_meeting_record(client, session, held):
    minutes = _draft(client, session, held)
    body = minutes.body
    for key in PRESENT:
        assert held["users"][f"delegate:{key}"].organization.name in body
    assert "Confartigianato Imola" in body.split("assenti")[1]  # adhered, not present
    assert "Mandato al gruppo filiere" in body and "Sì 2 · No 1 · Astensione 0" in body and "Approvata" in body
    assert "una scheda per organizzazione" in body and "maggioranza semplice" in body
    assert held["users"]["delegate:cgil"].name in body.split("Interventi")[1]
    assert "Filiere produttive" in body and "Sala del consiglio" in body
    assert "records.minutes.drafted" in audit_actions(session)
    # one draft per meeting
    url = f"/meetings/{held['meeting'].id}/minutes"
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 409


def test_the_pdf_names_the_organizations_present_and_each_vote(client, session, held):
    _draft(client, session, held)
    response = client.get(f"/meetings/{held['meeting'].id}/minutes.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.data)
    assert all(_squash(held["users"][f"delegate:{k}"].organization.name) in text for k in PRESENT)
    assert _squash("Mandato al gruppo filiere") in text and "Approvata" in text and "BOZZA" in text


def test_the_chair_edits_the_draft_as_revisions_and_bad_input_changes_nothing(client, session, held):
    from app.deliberation.models import Revision

    minutes = _draft(client, session, held)
    url = f"/meetings/{held['meeting'].id}/minutes/edit"
    token = csrf_token(client, url)
    before = (count_rows(session, Revision), audit_actions(session))
    assert client.post(url, data={"csrf_token": token, "body": minutes.body + "\nAggiunta", "reason": ""}).status_code == 422
    assert (count_rows(session, Revision), audit_actions(session)) == before
    done = client.post(url, data={"csrf_token": token, "body": minutes.body + "\nLa seduta è tolta alle 18.", "reason": "Ora di chiusura"})
    assert done.status_code == 303
    session.refresh(minutes)
    assert minutes.revision == 2 and minutes.body.endswith("La seduta è tolta alle 18.")
    assert "Ora di chiusura" in client.get(f"/meetings/{held['meeting'].id}/minutes").get_data(as_text=True)


def test_who_may_read_minutes_and_clear_refusals(client, session, held, demo):
    meeting_id = held["meeting"].id
    assert client.get(f"/meetings/{meeting_id}/minutes").status_code == 404  # not drafted yet
    assert client.get("/meetings/999/minutes.pdf").status_code == 404
    open_meeting = make_meeting(session, held["chair"], title="In corso", status="open")
    assert client.get(f"/meetings/{open_meeting.id}/minutes").status_code == 409
    _draft(client, session, held)
    client.get("/auth/logout")
    with client.session_transaction() as sess:
        sess.clear()
    assert client.get(f"/meetings/{meeting_id}/minutes").status_code == 403  # a draft, anonymous
    assert client.get(f"/meetings/{meeting_id}/minutes.pdf").status_code == 403
    log_in(client, demo["users"]["delegate:cgil"])
    response = client.get(f"/api/v1/meetings/{meeting_id}/minutes")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "minutes_draft"
    assert client.get(f"/meetings/{meeting_id}/minutes/edit").status_code == 403


def test_a_vote_approves_and_freezes_the_minutes_with_their_hash_in_the_chain(client, session, held):
    from app.votes.services import close_poll
    from tests.votes.factories import make_poll

    minutes = _draft(client, session, held)
    poll = make_poll(session, held["chair"], title="Approvazione del verbale", subject={"type": "minutes", "id": minutes.id},
                     open_it=True)
    _cast(session, held["users"], poll, ["yes", "yes", "yes"])
    close_poll(session, held["chair"], poll)
    session.commit()
    session.refresh(minutes)
    assert minutes.frozen and minutes.sha256 == hashlib.sha256(minutes.body.encode("utf-8")).hexdigest()
    entry = session.query(AuditEntry).filter_by(action="records.minutes.approved").one()
    assert entry.data["sha256"] == minutes.sha256 and entry.object == f"minutes:{minutes.id}"
    # public now, with the hash in the PDF
    with client.session_transaction() as sess:
        sess.clear()
    page = client.get(f"/meetings/{held['meeting'].id}/minutes").get_data(as_text=True)
    assert minutes.sha256 in page
    assert minutes.sha256 in _pdf_text(client.get(f"/meetings/{held['meeting'].id}/minutes.pdf").data)
    # frozen: no more edits, through the API either
    token = api_token(session, held["chair"])
    before = audit_actions(session)
    refused = client.patch(f"/api/v1/meetings/{held['meeting'].id}/minutes", headers=bearer(token),
                           json={"body": "Riscritto", "reason": "Tentativo"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "minutes_frozen"
    assert audit_actions(session) == before
    session.refresh(minutes)
    assert minutes.body != "Riscritto"


def test_the_decision_register_lists_each_closed_vote_and_links_its_proof(client, session, held):
    poll = held["poll"]
    page = client.get("/decisions").get_data(as_text=True)
    assert "Mandato al gruppo filiere" in page and (f"object=poll%3A{poll.id}" in page or f"object=poll:{poll.id}" in page)
    found = client.get("/api/v1/decisions?q=filiere").get_json()
    assert [row["poll_id"] for row in found] == [poll.id]
    assert found[0]["outcome_state"] == "passed" and found[0]["meeting_id"] == held["meeting"].id
    assert client.get("/api/v1/decisions?outcome=rejected").get_json() == [
        row for row in client.get("/api/v1/decisions").get_json() if row["outcome_state"] == "rejected"]
    assert client.get("/api/v1/decisions?outcome=nonsense").status_code == 422
    audit = client.get(f"/audit?object=poll:{poll.id}").get_data(as_text=True)
    assert "votes.poll.closed" in audit
    rows = session.query(AuditEntry).filter_by(object=f"poll:{poll.id}").count()
    assert audit.count("<tr>") - 1 == rows


def test_a_meeting_title_at_its_limit_still_gets_minutes(session, held):
    """The verbale's title is the meeting's with a prefix: a title near its 200-character limit is cut,
    not a refusal to draft the minutes."""
    from app.records.services import draft_minutes

    long_title = "Tavolo di Negoziazione " + "x" * 177
    meeting = make_meeting(session, held["chair"], title=long_title, status="closed")
    minutes = draft_minutes(session, held["chair"], meeting)
    session.commit()
    assert len(minutes.title) <= 200 and minutes.title.endswith("…")
    assert minutes.title.startswith("Verbale – Tavolo di Negoziazione")
