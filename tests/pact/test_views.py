"""The pact's pages: the demo pact, positions and signatures through the forms, refusals that change nothing."""
from __future__ import annotations

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
