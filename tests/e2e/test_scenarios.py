"""Scenarios of issue 8, each through the real pages of two or more people at once."""
from __future__ import annotations

import secrets

from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible


def test_comment_appears_live_in_a_second_browser(new_page) -> None:
    """A delegate's comment reaches another delegate's open page without a reload."""
    author = new_page("delegate")
    reader = new_page("delegate2")
    reader.goto("/proposals/1")
    expect(reader.locator("#comments-live-status")).not_to_be_empty()  # the live subscription is up
    author.goto("/proposals/1")
    text = f"Condivido, con una nota {secrets.token_hex(4)}"
    author.locator("#comment-body").fill(text)  # the top-level form, not a reply
    author.get_by_role("button", name="Pubblica il commento").click()
    expect(author.get_by_role("paragraph").filter(has_text=text)).to_be_visible()
    expect(reader.get_by_role("paragraph").filter(has_text=text)).to_be_visible()  # arrived live: the reader never reloaded
    expect(reader.locator("#comments-live")).to_contain_text("Nuovo commento")
    assert_accessible(reader, "proposal-comment-live")


def test_chair_opens_a_vote_from_the_console_two_delegates_vote_projector_shows_the_result(new_page) -> None:
    """Issue 8's meeting scenario: no page is reloaded after it was first opened."""
    chair = new_page("chair")
    chair.goto("/meetings/1/console")
    open_meeting = chair.get_by_role("button", name="Apri l'incontro")
    if open_meeting.is_visible():
        open_meeting.click()
    projector = new_page("chair")
    projector.goto("/meetings/1/projector")
    voters = [new_page("delegate"), new_page("delegate2")]
    for page in voters:
        page.goto("/meetings/1")
        expect(page.locator("#live-vote")).to_be_visible()
    title = f"Adesione al percorso {secrets.token_hex(3)}"
    chair.get_by_label("Oggetto della votazione (Sì / No)").fill(title)
    chair.get_by_role("button", name="Crea e apri la votazione").click()

    for page, choice in zip(voters, ["Sì", "No"]):
        card = page.locator("[data-poll-state=open]", has_text=title)
        card.get_by_role("button", name=choice, exact=True).click()
        expect(card.locator("[data-poll-receipt]")).to_contain_text("Voto registrato")
    expect(chair.locator("[data-poll-progress]")).to_contain_text("2 di")
    expect(projector.locator("[data-poll-progress]")).to_contain_text("2 di")

    chair.locator("[data-poll-state=open]", has_text=title).get_by_role("button", name="Chiudi la votazione").click()
    for page in [chair, projector, *voters]:
        closed = page.locator("[data-poll-state=closed]", has_text=title)
        expect(closed.locator("[data-poll-outcome]")).not_to_be_empty()
        expect(closed.locator("[data-poll-counts]")).to_contain_text("Sì: 1")
        expect(closed.locator("[data-poll-counts]")).to_contain_text("No: 1")
    assert_accessible(voters[0], "meeting-vote-closed")
    assert_accessible(chair, "console-vote-closed")
