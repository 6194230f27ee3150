"""Issue 7 in the browser: a meeting held from the console ends in a verbale the chair drafts from its
record; the records pages pass axe; the DocPP is composed from the accepted proposals."""
from __future__ import annotations

import secrets
from io import BytesIO

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.helpers import DEMO_PASSWORD, DEMO_USERS, assert_accessible


def _api(page, method: str, path: str, token: str, body: dict | None = None) -> dict:
    response = page.request.fetch(path, method=method, data=body, headers={"Authorization": f"Bearer {token}"})
    assert response.ok, f"{method} {path}: {response.status} {response.text()[:300]}"
    return response.json()


def _token(page, user: str) -> str:
    response = page.request.post("/api/v1/auth/token", data={"email": DEMO_USERS[user], "password": DEMO_PASSWORD})
    assert response.ok
    return response.json()["token"]


def test_a_meeting_held_from_the_console_ends_in_its_verbale(new_page) -> None:
    chair = new_page("chair")
    token = _token(chair, "chair")
    title = f"Incontro sul Patto {secrets.token_hex(3)}"
    meeting = _api(chair, "POST", "/api/v1/meetings", token,
                   {"title": title, "starts_at": "2026-12-06T15:00:00Z", "place": "Sala del consiglio"})
    _api(chair, "POST", f"/api/v1/meetings/{meeting['id']}/agenda", token, {"title": "Mandato sul Patto", "duration": 20})
    chair.goto(f"/meetings/{meeting['id']}/console")
    chair.get_by_role("button", name="Apri l'incontro").click()
    expect(chair.locator("[data-meeting-status]")).to_have_text("aperto")
    voters = [new_page("delegate"), new_page("delegate2")]
    for page in voters:
        page.goto(f"/meetings/{meeting['id']}")
        page.get_by_role("button", name="Registra la mia presenza").click()
        expect(page.locator("[data-my-presence]")).to_have_text("La tua presenza è registrata.")
    vote = f"Mandato al gruppo di lavoro {secrets.token_hex(3)}"
    chair.get_by_label("Oggetto della votazione", exact=True).fill(vote)
    chair.get_by_role("button", name="Crea e apri la votazione").click()
    for page, choice in zip(voters, ["Sì", "Sì"]):
        card = page.locator("[data-poll-state=open]", has_text=vote)
        card.get_by_role("button", name=choice, exact=True).click()
        expect(card.locator("[data-poll-receipt]")).to_contain_text("Voto registrato")
    chair.locator("[data-poll-state=open]", has_text=vote).get_by_role("button", name="Chiudi la votazione").click()
    expect(chair.locator("[data-poll-state=closed]", has_text=vote)).to_be_visible()
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.get_by_role("button", name="Concludi l'incontro").click()
    expect(chair.locator("[data-meeting-status]")).to_have_text("concluso")

    chair.reload()
    chair.get_by_test_id("minutes-link").click()
    assert_accessible(chair, "minutes-not-drafted")
    chair.get_by_role("button", name="Redigi la bozza del verbale").click()
    body = chair.get_by_test_id("minutes-body")
    expect(body).to_contain_text("CNA Imola")
    expect(body).to_contain_text("CGIL Imola")
    expect(body).to_contain_text(vote)
    expect(body).to_contain_text("Esito: Approvata")
    expect(chair.get_by_test_id("minutes-status")).to_have_attribute("data-status", "draft")
    assert_accessible(chair, "minutes-draft")
    pdf = chair.request.get(f"/meetings/{meeting['id']}/minutes.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.body())).pages)
    assert "CNA Imola" in text and "BOZZA" in text

    chair.get_by_role("link", name="Modifica la bozza").click()
    chair.get_by_label("Motivo della modifica").fill("Ora di chiusura")
    text_box = chair.get_by_label("Testo del verbale (Markdown)")
    text_box.fill(text_box.input_value() + "\nLa seduta è tolta alle 18.")
    assert_accessible(chair, "minutes-edit")
    chair.get_by_role("button", name="Salva la revisione").click()
    expect(chair.get_by_test_id("minutes-body")).to_contain_text("La seduta è tolta alle 18.")

    chair.goto("/decisions")
    expect(chair.locator("main")).to_contain_text(vote)
    assert_accessible(chair, "decisions-with-vote")


def test_the_chair_composes_the_docpp_and_the_table_reads_the_draft(new_page) -> None:
    chair = new_page("chair")
    chair.goto("/docpp")
    compose = chair.get_by_role("button", name="Componi la bozza del documento")
    if compose.is_visible():  # the session's server composes it once
        assert_accessible(chair, "docpp-not-composed")
        compose.click()
    body = chair.get_by_test_id("document-body")
    expect(body).to_contain_text("Casa della comunità a Medicina")  # accepted in the demo
    expect(chair.get_by_test_id("document-status")).to_have_attribute("data-status", "draft")
    assert_accessible(chair, "docpp-draft")
    delegate = new_page("delegate")
    delegate.goto("/docpp")
    expect(delegate.get_by_test_id("document-body")).to_contain_text("Casa della comunità a Medicina")
    expect(delegate.get_by_role("link", name="Modifica la bozza")).to_have_count(0)
