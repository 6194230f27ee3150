"""The Documento di proposta partecipata (issue 7): composed from the record of the path, read by the
table as a draft, edited as revisions, validated by a vote, frozen with its hash in the audit chain,
printed as a PDF; clear refusals otherwise."""
from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.core.errors import InvalidInput
from app.deliberation.models import Revision
from app.proposals.models import Proposal
from app.records.models import ParticipatoryDocument
from tests.factories import audit_actions, bearer, count_rows, csrf_token
from tests.meetings.factories import api_token, log_in
from tests.records.test_minutes import _pdf_text, _squash

VOTERS = ("cgil", "cna", "legacoop")
SUAP = "Sportello unico per le imprese del Circondario"   # in vote in the demo
CDC = "Casa della comunità a Medicina"                    # accepted in the demo
HUB = "Hub della logistica intermodale a Imola"


def _proposal(session, title: str) -> Proposal:
    return session.scalar(sa.select(Proposal).where(Proposal.title == title))


def _vote(session, users, subject: dict, choices: list[str], title: str):
    """A yes/no poll of the table on `subject`, cast by three delegates and closed by the chair."""
    from app.votes.services import cast_ballot, close_poll
    from tests.votes.factories import make_poll

    poll = make_poll(session, users["chair"], title=title, subject=subject, open_it=True)
    for key, choice in zip(VOTERS, choices):
        cast_ballot(session, users[f"delegate:{key}"], poll, {"choice": choice})
    close_poll(session, users["chair"], poll)
    session.commit()
    return poll


@pytest.fixture
def path(session, demo):
    """The demo path with one more decision: the SUAP proposal accepted by a vote of the table, the
    logistics hub rejected."""
    from app.proposals.services import change_proposal_status

    users = demo["users"]
    suap = _proposal(session, SUAP)
    _vote(session, users, {"type": "proposal", "id": suap.id}, ["yes", "yes", "no"], "Accogliamo lo sportello unico?")
    hub = _proposal(session, HUB)
    change_proposal_status(session, users["chair"], hub, "voting")  # in discussion in the demo
    session.commit()
    _vote(session, users, {"type": "proposal", "id": hub.id}, ["no", "no", "yes"], "Accogliamo l'hub logistico?")
    return {"users": users, "chair": users["chair"], "suap": suap, "hub": hub}


def _compose(client, session, chair) -> ParticipatoryDocument:
    log_in(client, chair)
    assert "Componi la bozza del documento" in client.get("/docpp").get_data(as_text=True)
    assert client.post("/docpp", data={"csrf_token": csrf_token(client, "/docpp")}).status_code == 303
    return session.scalars(sa.select(ParticipatoryDocument)).one()


def test_the_draft_is_assembled_from_the_record_of_the_path(client, session, path):
    from app.process.services import current_process

    document = _compose(client, session, path["chair"])
    body = document.body
    accepted = body.split("# Le proposte accolte dal Tavolo")[1].split("# Punti critici")[0]
    # the accepted proposals, with their own text (quoted) and the vote that accepted the SUAP
    assert SUAP in accepted and CDC in accepted and HUB not in accepted
    assert "Accogliamo lo sportello unico?" in accepted and "Sì 2 · No 1 · Astensione 0" in accepted
    first_line = path["suap"].body.strip().split("\n")[0]
    assert f"> {first_line}" in accepted
    # the path: every phase, the organizations of the table; the rejected proposal is a critical point
    process = current_process(session)
    assert all(phase.name in body for phase in process.phases)
    assert path["users"]["delegate:cgil"].organization.name in body.split("# Il percorso")[1]
    assert HUB in body.split("# Punti critici")[1]
    assert document.title.endswith(process.name) and document.revision == 1
    assert "records.document.drafted" in audit_actions(session)
    # one document per process
    refused = client.post("/api/v1/docpp", headers=bearer(api_token(session, path["chair"])))
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "document_exists"


def test_the_table_reads_the_draft_the_public_does_not(client, session, path, demo):
    response = client.get("/api/v1/docpp")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "document_not_found"
    assert "non è ancora stato composto" in client.get("/docpp").get_data(as_text=True)
    _compose(client, session, path["chair"])
    with client.session_transaction() as sess:
        sess.clear()
    # the menu's page says why, without the text; the PDF and the API refuse
    page = client.get("/docpp").get_data(as_text=True)
    assert "lo legge il Tavolo" in page and SUAP not in page and "Componi la bozza" not in page
    assert client.get("/docpp.pdf").status_code == 403
    response = client.get("/api/v1/docpp")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "document_draft"
    delegate = demo["users"]["delegate:cgil"]
    log_in(client, delegate)
    page = client.get("/docpp")
    assert page.status_code == 200 and SUAP in page.get_data(as_text=True)
    assert "Modifica la bozza" not in page.get_data(as_text=True)
    assert client.get("/docpp/edit").status_code == 403
    before = audit_actions(session)
    refused = client.patch("/api/v1/docpp", headers=bearer(api_token(session, delegate)),
                           json={"body": "Un altro testo", "reason": "Prova"})
    assert refused.status_code == 403 and audit_actions(session) == before


def test_the_chair_edits_the_draft_and_bad_input_changes_nothing(client, session, path):
    document = _compose(client, session, path["chair"])
    token = csrf_token(client, "/docpp/edit")
    before = (count_rows(session, Revision), audit_actions(session))
    assert client.post("/docpp/edit", data={"csrf_token": token, "body": document.body + "\nX", "reason": ""}).status_code == 422
    assert (count_rows(session, Revision), audit_actions(session)) == before
    # a record holds more than one proposal's text: the whole path fits
    long_body = document.body + "\n" + "- Punto critico emerso nel laboratorio.\n" * 800
    assert len(long_body) > 20_000
    done = client.post("/docpp/edit", data={"csrf_token": token, "body": long_body, "reason": "Punti critici dei laboratori"})
    assert done.status_code == 303
    session.refresh(document)
    assert document.revision == 2 and document.body.strip() == long_body.strip()
    diff = client.get(f"/api/v1/documents/{document.id}/diff?from=1&to=2")
    assert diff.status_code == 200 and diff.get_json()["to"] == 2


def test_a_vote_validates_and_freezes_the_document_with_its_hash(client, session, path):
    from app.votes.services import create_poll

    document = _compose(client, session, path["chair"])
    # a poll on a document that does not exist is refused at once
    with pytest.raises(InvalidInput) as refused:
        create_poll(session, path["chair"], title="Convalida", kind="yesno", subject={"type": "document", "id": 999})
    assert refused.value.code == "subject_not_found"
    session.rollback()
    _vote(session, path["users"], {"type": "document", "id": document.id}, ["no", "no", "yes"], "Convalida (prima)")
    session.refresh(document)
    assert not document.frozen and "records.document.rejected" in audit_actions(session)
    _vote(session, path["users"], {"type": "document", "id": document.id}, ["yes", "yes", "no"], "Convalida del DocPP")
    session.refresh(document)
    assert document.frozen and document.sha256 == hashlib.sha256(document.body.encode("utf-8")).hexdigest()
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "records.document.approved")).one()
    assert entry.object == f"document:{document.id}" and entry.data["sha256"] == document.sha256
    # public now, hash on the page and in the PDF, which quotes the proposals
    with client.session_transaction() as sess:
        sess.clear()
    assert document.sha256 in client.get("/docpp").get_data(as_text=True)
    pdf = client.get("/docpp.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data)
    assert document.sha256 in text and _squash(SUAP) in text and _squash(CDC) in text
    # frozen: no more edits
    before = audit_actions(session)
    refused = client.patch("/api/v1/docpp", headers=bearer(api_token(session, path["chair"])),
                           json={"body": "Riscritto", "reason": "Tentativo"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "document_frozen"
    assert audit_actions(session) == before
    # the decision register shows the validation
    assert "Convalida del DocPP" in client.get("/decisions").get_data(as_text=True)
