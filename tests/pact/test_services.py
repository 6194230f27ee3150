"""The pact's rules through its services, on the database (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest

from app.audit.services import verify_chain
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.pact.models import Endorsement, PactVersion, Signature
from app.pact.services import (
    canonical_text, clauses_of, endorsement_matrix, freeze_version, import_pact, list_signatures, revise_clause,
    set_endorsement, sha256_hex, sign_pact, withdraw_signature,
)
from tests.factories import audit_actions, count_rows, make_org
from tests.meetings.factories import make_chair, person

DRAFT = """# Lavoro e impresa

## Filiere locali

Il tavolo sostiene le filiere agroalimentari del Circondario.

Impegni:
- condividere i dati sulle imprese aderenti

## Formazione

Percorsi con le scuole tecniche del territorio.

# Ambiente

## Mobilità sostenibile

Collegamenti ciclabili tra i dieci comuni.
"""


@pytest.fixture
def table(session):
    chair = make_chair(session)
    cna, cgil = make_org(session, name="CNA Imola"), make_org(session, name="CGIL Imola")
    delegates = [person(session, "member", organization=cna), person(session, "member", organization=cgil)]
    pact = import_pact(session, chair, "Patto per lo sviluppo", DRAFT)
    session.commit()
    return {"chair": chair, "orgs": (cna, cgil), "delegates": delegates, "pact": pact,
            "clauses": clauses_of(pact), "observer": person(session, "observer")}


def test_import_numbers_clauses_across_sections_with_a_first_revision(session, table):
    assert [(c.number, c.title) for c in table["clauses"]] == [
        (1, "Filiere locali"), (2, "Formazione"), (3, "Mobilità sostenibile")]
    assert table["clauses"][0].commitment_list == ["condividere i dati sulle imprese aderenti"]
    assert all(c.revision == 1 for c in table["clauses"])
    assert "pact.pact.imported" in audit_actions(session)


def test_only_the_chair_imports(session, table):
    before = audit_actions(session)
    with pytest.raises(Forbidden):
        import_pact(session, table["delegates"][0], "Altro", DRAFT)
    session.rollback()
    assert audit_actions(session) == before


def test_positions_need_their_text_and_an_organization(session, table):
    clause, delegate = table["clauses"][0], table["delegates"][0]
    before = count_rows(session, Endorsement)
    for position, note, code in [("reservation", "", "reservation_text_required"),
                                 ("oppose", " ", "oppose_reason_required"), ("maybe", "", "invalid_position")]:
        with pytest.raises(InvalidInput) as caught:
            set_endorsement(session, delegate, clause, position, note)
        assert caught.value.code == code
        session.rollback()
    with pytest.raises(Forbidden) as caught:
        set_endorsement(session, table["observer"], clause, "endorse")
    assert caught.value.code == "no_organization"
    session.rollback()
    assert count_rows(session, Endorsement) == before


def test_changes_of_position_keep_history_and_the_matrix_shows_conflicts(session, table):
    first, second = table["clauses"][:2]
    cna_delegate, cgil_delegate = table["delegates"]
    set_endorsement(session, cna_delegate, first, "endorse")
    set_endorsement(session, cgil_delegate, first, "oppose", "Manca il lavoro di qualità")
    set_endorsement(session, cgil_delegate, second, "endorse")
    session.commit()
    set_endorsement(session, cgil_delegate, first, "reservation", "Da rivedere con i sindacati")
    session.commit()
    with pytest.raises(Conflict):  # the same position again is not a change
        set_endorsement(session, cgil_delegate, first, "reservation", "Da rivedere con i sindacati")
    session.rollback()
    assert count_rows(session, Endorsement, Endorsement.clause_id == first.id) == 3  # history kept
    matrix = endorsement_matrix(session, table["pact"])
    by_clause = {row["clause_id"]: row for row in matrix["clauses"]}
    assert by_clause[first.id]["counts"] == {"endorse": 1, "reservation": 1, "oppose": 0}
    assert by_clause[first.id]["conflict"] is False
    set_endorsement(session, cna_delegate, second, "oppose", "Non è prioritario")
    session.commit()
    assert {r["clause_id"]: r["conflict"] for r in endorsement_matrix(session, table["pact"])["clauses"]}[second.id]
    assert {o["name"] for o in matrix["organizations"]} == {"CNA Imola", "CGIL Imola"}


def test_freezing_hashes_the_canonical_text_and_revisions_start_the_next_version(session, table):
    pact, chair = table["pact"], table["chair"]
    with pytest.raises(Forbidden):
        freeze_version(session, table["delegates"][0], pact)
    session.rollback()
    first = freeze_version(session, chair, pact)
    session.commit()
    assert first.number == 1 and first.sha256 == sha256_hex(canonical_text(pact))
    with pytest.raises(Conflict) as caught:
        freeze_version(session, chair, pact)
    assert caught.value.code == "version_unchanged"
    session.rollback()
    with pytest.raises(InvalidInput):  # a revision needs its reason
        revise_clause(session, chair, table["clauses"][2], reason="", body="Testo nuovo")
    session.rollback()
    revise_clause(session, chair, table["clauses"][2], reason="Accordo con i Comuni",
                  body="Collegamenti ciclabili e bus a chiamata tra i dieci comuni.")
    session.commit()
    second = freeze_version(session, chair, pact)
    session.commit()
    assert second.number == 2 and second.sha256 != first.sha256
    session.refresh(first)
    assert "bus a chiamata" not in first.canonical_text  # version 1 stays as it was frozen
    assert count_rows(session, PactVersion) == 2
    assert verify_chain(session).ok


def test_signatures_founding_later_withdrawn_and_their_refusals(session, table):
    pact, chair = table["pact"], table["chair"]
    cna_delegate, cgil_delegate = table["delegates"]
    with pytest.raises(NotFound):
        sign_pact(session, cna_delegate, pact, 1)  # nothing frozen yet
    session.rollback()
    freeze_version(session, chair, pact)
    session.commit()
    sign_pact(session, cna_delegate, pact, 1, "Aderiamo con convinzione")
    session.commit()
    refusals = [
        (cna_delegate, {"version_number": 1}, Conflict, "already_signed"),
        (cgil_delegate, {"version_number": 9}, NotFound, "version_not_found"),
        (cgil_delegate, {"version_number": 1, "organization_id": table["orgs"][0].id}, Forbidden, "not_own_organization"),
        (table["observer"], {"version_number": 1}, Forbidden, "no_organization"),
    ]
    for actor, kwargs, error, code in refusals:
        before = count_rows(session, Signature)
        with pytest.raises(error) as caught:
            sign_pact(session, actor, pact, **kwargs)
        assert caught.value.code == code
        session.rollback()
        assert count_rows(session, Signature) == before
    revise_clause(session, chair, table["clauses"][0], reason="Precisazione", body="Filiere agroalimentari e meccaniche.")
    freeze_version(session, chair, pact)
    sign_pact(session, cgil_delegate, pact, 2)
    session.commit()
    withdraw_signature(session, cna_delegate, pact, "Il consiglio direttivo non ha ratificato")
    session.commit()
    with pytest.raises(Conflict) as caught:
        withdraw_signature(session, cna_delegate, pact)
    assert caught.value.code == "not_signed"
    session.rollback()
    listed = [(s.organization_id, s.version.number if hasattr(s, "version") else None, s.founding, s.withdrawn_at is not None)
              for s in list_signatures(session, pact)]
    cna, cgil = table["orgs"]
    assert [(org, founding, withdrawn) for org, _v, founding, withdrawn in listed] == [
        (cna.id, True, True), (cgil.id, False, False)]
    sign_pact(session, cna_delegate, pact, 2)  # after a withdrawal it may sign again, as a later adhesion
    session.commit()
    assert count_rows(session, Signature, Signature.organization_id == cna.id) == 2
    assert verify_chain(session).ok


def test_commitments_are_revised_diffed_and_kept_apart_from_the_body(session, table):
    from app.deliberation.services import diff_revisions, list_revisions
    from app.pact.services import as_subject
    chair, clause = table["chair"], table["clauses"][0]
    body_before = clause.body
    revise_clause(session, chair, clause, reason="Impegno più preciso",
                  commitments=["condividere i dati sulle imprese aderenti", "riferire al tavolo ogni sei mesi"])
    session.commit()
    session.refresh(clause)
    assert clause.body == body_before  # only the commitments changed
    assert clause.commitment_list == ["condividere i dati sulle imprese aderenti", "riferire al tavolo ogni sei mesi"]
    subject = as_subject(clause)
    assert [r.number for r in list_revisions(session, subject)] == [1, 2]
    inserted = [op["text"] for op in diff_revisions(session, subject, 1, 2)["body"] if op["op"] == "insert"]
    assert any("riferire al tavolo ogni sei mesi" in text for text in inserted)
    revise_clause(session, chair, clause, reason="Testo aggiornato", body="Il tavolo sostiene le filiere locali.")
    session.commit()
    session.refresh(clause)
    assert clause.body == "Il tavolo sostiene le filiere locali." and len(clause.commitment_list) == 2
    assert "- riferire al tavolo ogni sei mesi" in canonical_text(table["pact"])
    with pytest.raises(InvalidInput):
        revise_clause(session, chair, clause, reason="x", commitments=[3])
    session.rollback()
