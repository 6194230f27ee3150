"""The pact's pages: the demo pact, positions and signatures through the forms, refusals that change nothing."""
from __future__ import annotations

from markupsafe import escape

from app.pact.models import Endorsement, Pact, PactVersion, Signature
from app.pact.services import clauses_of
from tests.factories import audit_actions, count_rows, csrf_token
from tests.meetings.factories import log_in


def _demo_pact(session) -> Pact:
    return session.query(Pact).one()


def test_demo_pact_has_sections_clauses_a_conflict_version_and_signatures(client, session, demo):
    pact = _demo_pact(session)
    assert len(pact.sections) >= 3 and len(clauses_of(pact)) >= 8
    assert count_rows(session, PactVersion) == 1 and count_rows(session, Signature) == 3
    page = client.get("/pacts", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and pact.title in html
    assert "Conflitto: c&#39;è chi aderisce e chi è contrario" in html or "Conflitto: c'è chi aderisce e chi è contrario" in html
    assert pact.versions[0].sha256 in html and "firmataria fondatrice" in html
    assert client.get("/pacts/1?lang=en").status_code == 200
    from app.process.cli import run_demo_seeders

    run_demo_seeders()  # idempotent
    assert session.query(Pact).count() == 1 and count_rows(session, Signature) == 3


def test_a_delegate_sets_a_position_through_the_form_and_bad_input_changes_nothing(client, session, demo):
    pact = _demo_pact(session)
    clause = clauses_of(pact)[2]
    delegate = demo["users"]["delegate:cgil"]
    log_in(client, delegate)
    token = csrf_token(client, f"/pacts/{pact.id}")
    url = f"/pacts/{pact.id}/clauses/{clause.id}/endorsement"
    before = (count_rows(session, Endorsement), audit_actions(session))
    refused = client.post(url, data={"csrf_token": token, f"c{clause.id}-position": "reservation", f"c{clause.id}-note": ""},
                          follow_redirects=True)
    assert "Una riserva richiede il suo testo." in refused.get_data(as_text=True)
    assert (count_rows(session, Endorsement), audit_actions(session)) == before
    assert client.post(url, data={f"c{clause.id}-position": "endorse"}).status_code == 400  # no CSRF token
    done = client.post(url, data={"csrf_token": token, f"c{clause.id}-position": "oppose",
                                  f"c{clause.id}-note": "Serve prima un piano per la vallata"})
    assert done.status_code == 302
    assert count_rows(session, Endorsement) == before[0] + 1
    assert "Serve prima un piano per la vallata" in client.get(f"/pacts/{pact.id}").get_data(as_text=True)


def test_signing_withdrawing_and_freezing_through_the_forms(client, session, demo):
    pact = _demo_pact(session)
    log_in(client, demo["users"]["delegate:cgil"])
    token = csrf_token(client, f"/pacts/{pact.id}")
    assert client.post(f"/pacts/{pact.id}/signatures", data={"csrf_token": token, "version": "1", "action": "sign"}).status_code == 302
    assert count_rows(session, Signature, Signature.withdrawn_at.is_(None)) == 4
    assert client.post(f"/pacts/{pact.id}/signatures", data={"csrf_token": token, "action": "withdraw",
                                                             "declaration": "Non ratificato"}).status_code == 302
    assert count_rows(session, Signature, Signature.withdrawn_at.is_(None)) == 3
    assert "firma ritirata" in client.get(f"/pacts/{pact.id}").get_data(as_text=True)
    before = audit_actions(session)
    client.post(f"/pacts/{pact.id}/versions", data={"csrf_token": token})  # a delegate may not freeze
    assert count_rows(session, PactVersion) == 1 and audit_actions(session) == before
    log_in(client, demo["users"]["chair"])
    token = csrf_token(client, f"/pacts/{pact.id}")
    client.post(f"/pacts/{pact.id}/versions", data={"csrf_token": token})  # unchanged text: refused, flashed
    assert count_rows(session, PactVersion) == 1


def test_unknown_pacts_and_clauses_of_another_pact_are_404(client, session, demo):
    assert client.get("/pacts/999").status_code == 404
    log_in(client, demo["users"]["delegate:cgil"])
    token = csrf_token(client, "/pacts/1")
    assert client.post("/pacts/1/clauses/999/endorsement", data={"csrf_token": token}).status_code == 404


def _pdf_text(data: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    # Extracted text may break lines anywhere; join and drop whitespace so that hashes and names compare whole.
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def test_the_clause_page_shows_its_text_commitments_revisions_and_comments(client, session, demo):
    pact = _demo_pact(session)
    clause = clauses_of(pact)[0]
    page = client.get(f"/pacts/{pact.id}/clauses/{clause.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and clause.title in html
    assert clause.commitment_list and all(str(escape(item)) in html for item in clause.commitment_list)
    assert "Modifica l&#39;articolo" not in html  # anonymous readers do not get the chair's button
    assert client.get(f"/pacts/{pact.id}/clauses/999").status_code == 404


def test_the_chair_revises_a_clause_through_the_form_and_others_cannot(client, session, demo):
    from app.deliberation.models import Revision

    pact = _demo_pact(session)
    clause = clauses_of(pact)[1]
    url = f"/pacts/{pact.id}/clauses/{clause.id}/edit"
    log_in(client, demo["users"]["delegate:cgil"])
    assert client.get(url).status_code == 403
    log_in(client, demo["users"]["chair"])
    token = csrf_token(client, url)
    before = (count_rows(session, Revision), audit_actions(session), clause.body)
    refused = client.post(url, data={"csrf_token": token, "title": clause.title, "body": "Nuovo testo", "reason": ""})
    assert refused.status_code == 422
    session.refresh(clause)
    assert (count_rows(session, Revision), audit_actions(session), clause.body) == before
    done = client.post(url, data={"csrf_token": token, "title": clause.title, "body": "Testo riveduto dall'ufficio di piano.",
                                  "commitments": "Primo impegno\n\n  Secondo impegno  ", "reason": "Accolte le osservazioni"})
    assert done.status_code == 303
    session.refresh(clause)
    assert clause.body == "Testo riveduto dall'ufficio di piano."
    assert clause.commitment_list == ["Primo impegno", "Secondo impegno"]
    assert count_rows(session, Revision) == before[0] + 1
    assert audit_actions(session)[len(before[1]):] == ["deliberation.revision.created"]
    page = client.get(f"/pacts/{pact.id}/clauses/{clause.id}").get_data(as_text=True)
    assert "Accolte le osservazioni" in page and "Secondo impegno" in page


def test_the_signed_pact_pdf_carries_the_frozen_text_its_hash_and_the_signatories(client, session, demo):
    import hashlib

    pact = _demo_pact(session)
    version = pact.versions[0]
    log_in(client, demo["users"]["delegate:cgil"])
    token = csrf_token(client, f"/pacts/{pact.id}")
    client.post(f"/pacts/{pact.id}/signatures", data={"csrf_token": token, "version": "1", "action": "sign"})
    client.post(f"/pacts/{pact.id}/signatures", data={"csrf_token": token, "action": "withdraw", "declaration": "Non ratificato"})
    signatures = [s for s in session.query(Signature).all() if s.version_id == version.id]
    response = client.get(f"/pacts/{pact.id}/versions/{version.number}/pact.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.data)
    assert hashlib.sha256(version.canonical_text.encode("utf-8")).hexdigest() == version.sha256
    assert version.sha256 in text
    for signature in signatures:
        assert "".join(signature.organization.name.split()) in text
    assert "firmaritirata" in text and sum(1 for s in signatures if s.withdrawn_at) == 1
    first_clause_title = version.canonical_text.split("\n## ")[1].split("\n")[0]
    assert "".join(first_clause_title.split()) in text
    assert client.get(f"/pacts/{pact.id}/versions/9/pact.pdf").status_code == 404


def test_the_working_text_pdf_has_every_clause(client, session, demo):
    pact = _demo_pact(session)
    response = client.get(f"/pacts/{pact.id}/pact.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = _pdf_text(response.data)
    assert all("".join(clause.title.split()) in text for clause in clauses_of(pact))
    assert client.get("/pacts/999/pact.pdf").status_code == 404
