"""Issue 4 in the browser: a delegate's reservation reaches the chair's matrix without a reload."""
from __future__ import annotations

import secrets

from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible


def test_a_reservation_updates_the_matrix_live_in_another_browser(new_page) -> None:
    chair = new_page("chair")
    chair.goto("/pacts/1")
    expect(chair.locator("[data-pact-live-status]")).to_have_attribute("data-state", "connected")
    delegate = new_page("delegate2")  # CGIL, which has no position yet on article 4
    delegate.goto("/pacts/1")
    clause = delegate.locator("article", has_text="Mobilità tra i comuni")
    clause.locator("summary").click()
    note = f"Solo con orari coordinati con i turni {secrets.token_hex(3)}"
    clause.get_by_label("Posizione della mia organizzazione").select_option("reservation")
    clause.get_by_label("Riserva o motivazione").fill(note)
    clause.get_by_role("button", name="Salva la posizione").click()
    expect(delegate.locator("[data-matrix]")).to_contain_text(note)

    row = chair.locator("[data-matrix] tr", has_text="CGIL Imola")
    expect(row).to_contain_text(note)  # arrived live: the chair never reloaded
    expect(row).to_contain_text("Aderisce con riserva")
    assert_accessible(chair, "pact-matrix-live")


def test_the_chair_revises_a_commitment_and_freezes_the_next_version(new_page) -> None:
    chair = new_page("chair")
    chair.goto("/pacts/1")
    chair.locator("article", has_text="Mobilità tra i comuni").get_by_role(
        "link", name="Discussione, revisioni ed emendamenti").click()
    chair.get_by_role("link", name="Modifica l'articolo").click()
    commitment = f"Pubblicare gli orari coordinati entro sei mesi {secrets.token_hex(3)}"
    commitments = chair.get_by_label("Impegni dei firmatari")
    commitments.fill(commitments.input_value() + "\n" + commitment)
    chair.get_by_label("Motivo della modifica").fill("Richiesta delle associazioni dei pendolari")
    chair.get_by_role("button", name="Salva la revisione").click()
    expect(chair.get_by_test_id("clause-commitments")).to_contain_text(commitment)
    expect(chair.locator("#revisions")).to_contain_text("Richiesta delle associazioni dei pendolari")
    assert_accessible(chair, "pact-clause-revised")

    chair.get_by_role("link", name="Patto per lo sviluppo").first.click()
    versions = chair.locator("#versions li").count()
    chair.get_by_role("button", name="Congela il testo attuale come nuova versione").click()
    expect(chair.locator("#versions li")).to_have_count(versions + 1)


def test_a_yes_no_vote_on_an_agenda_item_about_a_clause_decides_on_it(new_page) -> None:
    """From the console: an item about article 3, a yes/no vote on it, and the clause says the table approved it."""
    chair = new_page("chair")
    chair.goto("/meetings/1/console")
    open_meeting = chair.get_by_role("button", name="Apri l'incontro")
    if open_meeting.is_visible():
        open_meeting.click()
    item = f"Articolo 3 del Patto {secrets.token_hex(3)}"
    add = chair.locator("form", has=chair.get_by_role("button", name="Aggiungi il punto"))
    add.get_by_label("Titolo del punto").fill(item)
    add.get_by_label("Riferimento (facoltativo)").fill("clause:3")
    add.get_by_role("button", name="Aggiungi il punto").click()
    chair.locator("#agenda li", has_text=item).get_by_role("button", name="Rendi corrente").click()
    expect(chair.locator("[data-poll-subject='clause:3']")).to_be_visible()
    chair.get_by_role("button", name="Crea e apri la votazione").click()
    voters = [new_page("delegate"), new_page("delegate2")]
    for page in voters:
        page.goto("/meetings/1")
        card = page.locator("[data-poll-state=open]", has_text=item)
        card.get_by_role("button", name="Sì", exact=True).click()
        expect(card.locator("[data-poll-receipt]")).to_contain_text("Voto registrato")
    chair.locator("[data-poll-state=open]", has_text=item).get_by_role("button", name="Chiudi la votazione").click()
    expect(chair.locator("[data-poll-state=closed]", has_text=item)).to_be_visible()
    chair.goto("/pacts/1/clauses/3")
    expect(chair.locator("[data-clause-decision=approved]")).to_contain_text("Approvato dal Tavolo")
