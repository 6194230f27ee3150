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
    chair.get_by_label("Oggetto della votazione", exact=True).fill(title)
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


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches `selector`: how a keyboard user gets there."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def _print_codes(chair, meeting_id: int, count: int) -> list[str]:
    chair.goto(f"/meetings/{meeting_id}/codes")
    chair.get_by_label("Quanti codici generare").fill(str(count))
    chair.get_by_role("button", name="Genera i cartoncini").click()
    cards = chair.locator(".access-card-code strong")
    expect(cards).to_have_count(count)
    return cards.all_inner_texts()


def _join_with_keyboard(page, code: str) -> None:
    page.goto("/join")
    _tab_to(page, "input[name=code]")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#live-vote")).to_be_visible()
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "connected")


def test_town_meeting_participants_join_with_a_code_and_rank_priorities_with_the_keyboard(new_page) -> None:
    """Issue 8: citizens enter with their card's code, put the priorities in order with the keyboard
    alone (Su / Giù buttons, no dragging), and everyone sees the Schulze order without reloading."""
    town_meeting = 2  # the demo's town meeting
    chair = new_page("chair")
    codes = _print_codes(chair, town_meeting, 2)
    citizens = [new_page(), new_page()]  # anonymous browsers: no account, only the code
    for page, code in zip(citizens, codes):
        _join_with_keyboard(page, code)

    chair.goto(f"/meetings/{town_meeting}/console")
    open_meeting = chair.get_by_role("button", name="Apri l'incontro")
    if open_meeting.is_visible():
        open_meeting.click()
    projector = new_page("chair")
    projector.goto(f"/meetings/{town_meeting}/projector")
    title = f"Priorità del territorio {secrets.token_hex(3)}"
    chair.get_by_label("Oggetto della votazione", exact=True).fill(title)
    chair.get_by_label("Tipo di votazione").select_option("ranking")
    # a meeting with access codes votes per person, so the console proposes it
    expect(chair.get_by_label("Chi vota")).to_have_value("people")
    chair.get_by_label("Opzioni, una per riga").fill("Mobilità sostenibile\nLavoro e imprese\nScuola e giovani")
    chair.get_by_role("button", name="Crea e apri la votazione").click()

    # first citizen: "Mobilità" down twice (→ Lavoro, Scuola, Mobilità); second: "Lavoro" up once
    # (→ Lavoro, Mobilità, Scuola). Both put "Lavoro e imprese" first.
    first, second = citizens
    card = first.locator("[data-poll-state=open]", has_text=title)
    expect(card.locator("[data-ranking] li")).to_have_count(3)
    _tab_to(first, "[data-poll-state=open] [data-ranking] li:nth-child(1) [data-move=down]")
    first.keyboard.press("Enter")
    expect(first.locator("[data-ranking] li").nth(1)).to_contain_text("Mobilità sostenibile")
    first.keyboard.press("Enter")  # the focus followed the option it moved
    expect(first.locator("[data-ranking] li").nth(2)).to_contain_text("Mobilità sostenibile")
    _tab_to(first, "[data-poll-state=open] button[type=submit]")
    first.keyboard.press("Enter")
    expect(card.locator("[data-poll-receipt]")).to_contain_text("Voto registrato")

    card2 = second.locator("[data-poll-state=open]", has_text=title)
    _tab_to(second, "[data-poll-state=open] [data-ranking] li:nth-child(2) [data-move=up]")
    second.keyboard.press("Space")
    expect(second.locator("[data-ranking] li").first).to_contain_text("Lavoro e imprese")
    _tab_to(second, "[data-poll-state=open] button[type=submit]")
    second.keyboard.press("Enter")
    expect(card2.locator("[data-poll-receipt]")).to_contain_text("Voto registrato")
    expect(chair.locator("[data-poll-progress]")).to_contain_text("2 di 2")
    expect(projector.locator("[data-poll-progress]")).to_contain_text("2 di 2")

    chair.locator("[data-poll-state=open]", has_text=title).get_by_role("button", name="Chiudi la votazione").click()
    for page in [chair, projector, *citizens]:
        closed = page.locator("[data-poll-state=closed]", has_text=title)
        expect(closed.locator("[data-poll-outcome]")).to_have_text("Più votata: Lavoro e imprese")
        expect(closed.locator("[data-poll-ranking] li").first).to_have_text("Lavoro e imprese")
    assert_accessible(first, "town-meeting-ranking-closed")


def test_a_client_that_loses_its_connection_comes_back_to_the_final_state(new_page) -> None:
    """The delegate's browser goes offline while the vote is closed; back online it resyncs and shows
    the result it never received as an event."""
    chair = new_page("chair")
    chair.goto("/meetings/1/console")
    open_meeting = chair.get_by_role("button", name="Apri l'incontro")
    if open_meeting.is_visible():
        open_meeting.click()
    delegate = new_page("delegate")
    delegate.goto("/meetings/1")
    status = delegate.locator("[data-live-status]")
    expect(status).to_have_attribute("data-state", "connected")
    title = f"Calendario degli incontri {secrets.token_hex(3)}"
    chair.get_by_label("Oggetto della votazione", exact=True).fill(title)
    chair.get_by_role("button", name="Crea e apri la votazione").click()
    card = delegate.locator("[data-poll-state=open]", has_text=title)
    card.get_by_role("button", name="Sì", exact=True).click()
    expect(card.locator("[data-poll-receipt]")).to_be_visible()

    delegate.context.set_offline(True)
    expect(status).to_have_attribute("data-state", "disconnected")
    chair.locator("[data-poll-state=open]", has_text=title).get_by_role("button", name="Chiudi la votazione").click()
    expect(chair.locator("[data-poll-state=closed]", has_text=title)).to_be_visible()
    expect(delegate.locator("[data-poll-state=open]", has_text=title)).to_be_visible()  # it missed the event

    delegate.context.set_offline(False)
    expect(status).to_have_attribute("data-state", "connected", timeout=20_000)
    closed = delegate.locator("[data-poll-state=closed]", has_text=title)
    expect(closed.locator("[data-poll-counts]")).to_contain_text("Sì: 1")
    expect(closed.locator("[data-poll-outcome]")).not_to_be_empty()


def test_the_chair_moderates_comments_on_the_current_item_from_the_console(new_page) -> None:
    """Issue 6: a comment on the proposal under discussion reaches the console live; the chair hides
    it with a reason and the author's page shows it hidden by moderation, without reloads."""
    chair = new_page("chair")
    chair.goto("/meetings/1/console")
    open_meeting = chair.get_by_role("button", name="Apri l'incontro")
    if open_meeting.is_visible():
        open_meeting.click()
    row = chair.locator("li.agenda-item").first
    row.locator("summary").click()
    row.locator("[data-field=ref]").fill("proposal:2")
    row.get_by_role("button", name="Salva il punto").click()
    row.get_by_role("button", name="Rendi corrente").click()
    panel = chair.locator("#live-comments")
    expect(panel).to_be_visible()

    author = new_page("delegate")
    author.goto("/proposals/2")
    expect(author.locator("#comments-live-status")).not_to_be_empty()
    text = f"Fuori tema {secrets.token_hex(4)}"
    author.locator("#comment-body").fill(text)
    author.get_by_role("button", name="Pubblica il commento").click()

    comment = panel.locator("[data-comment-id]", has_text=text)
    expect(comment).to_be_visible()  # arrived live on the console
    comment.get_by_label("Motivo (pubblico)").fill("Non riguarda la proposta")
    comment.get_by_role("button", name="Nascondi").click()
    expect(panel.locator("[data-comment-hidden]").first).to_contain_text("Non riguarda la proposta")
    expect(author.get_by_role("paragraph").filter(has_text=text)).to_have_count(0)
    assert_accessible(chair, "console-comment-moderation")
