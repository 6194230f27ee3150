"""Poll pages: Italian text, CSRF, accessible ballot forms, results tables, chair controls."""
from __future__ import annotations

import datetime as dt
import os
import re

import pytest
import sqlalchemy as sa

from app.votes.models import Ballot, Poll
from app.votes.services import cast_ballot, close_poll, create_proxy
from tests.factories import csrf_token, login, make_org, make_user
from tests.votes.factories import make_meeting, make_poll, make_table


def _web_user(session, role, organization=None):
    # the login form validates e-mails: special-use domains such as .test are refused there
    return make_user(session, role=role, organization=organization, email=f"{role}-{os.urandom(4).hex()}@example.org")


@pytest.fixture
def chair(session):
    return _web_user(session, "chair")


@pytest.fixture
def member(session):
    return _web_user(session, "member", make_org(session, name="Pro Loco di prova"))


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_list_page_is_public_and_hides_drafts(client, session, chair, member):
    make_poll(session, chair, title="Votazione aperta", open_it=True)
    make_poll(session, chair, title="Bozza riservata")
    html = _html(client.get("/polls"))
    assert "<h1>Votazioni</h1>" in html and "Votazione aperta" in html and "Bozza riservata" not in html
    assert "<caption>" in html and 'scope="col"' in html
    assert "Nuova votazione" not in html
    login(client, chair)
    html = _html(client.get("/polls"))
    assert "Bozza riservata" in html and "Nuova votazione" in html
    from app.process.models import Process

    session.add(Process(slug="prova", name="Percorso di prova"))
    session.commit()
    assert "Votazione aperta" in _html(client.get("/"))  # the home panel of open polls


def test_chair_creates_a_poll_with_the_form(client, session, chair):
    login(client, chair)
    assert client.get("/polls/new").status_code == 200
    data = {"title": "Quale giorno?", "kind": "choice", "options": "Sabato\nMartedì\n\n", "max_choices": "1",
            "meeting_id": "0", "majority": "simple", "electorate": "organizations", "quorum": "",
            "opens_at": "2026-03-01T18:00", "closes_at": ""}
    refused = client.post("/polls/new", data=data)
    assert refused.status_code == 400  # no CSRF token
    data["csrf_token"] = csrf_token(client, "/polls/new")
    created = client.post("/polls/new", data=data)
    assert created.status_code == 302
    poll = session.scalar(sa.select(Poll))
    assert [o.label for o in poll.options] == ["Sabato", "Martedì"] and poll.state == "draft"
    assert poll.opens_at == dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.timezone.utc)  # 18:00 in Rome, winter time


def test_form_errors_are_shown_in_italian(client, session, chair):
    login(client, chair)
    data = {"title": "Solo una", "kind": "ranking", "options": "Unica", "meeting_id": "0", "majority": "simple",
            "electorate": "organizations", "csrf_token": csrf_token(client, "/polls/new")}
    response = client.post("/polls/new", data=data)
    assert response.status_code == 422 and "Servono da 2 a 50 opzioni." in _html(response)
    assert session.scalar(sa.select(sa.func.count()).select_from(Poll)) == 0


def test_members_cannot_create_or_run_polls(client, session, chair, member):
    poll = make_poll(session, chair)
    login(client, member)
    assert client.get("/polls/new").status_code == 403
    token = csrf_token(client, "/polls")
    assert client.post(f"/polls/{poll.id}/open", data={"csrf_token": token}).status_code == 404  # a draft is hidden
    make_table(session, 1)
    opened = make_poll(session, chair, title="Aperta", open_it=True)
    assert client.post(f"/polls/{opened.id}/close", data={"csrf_token": token}).status_code == 403


def test_chair_opens_and_closes_with_the_buttons(client, session, chair, member):
    poll = make_poll(session, chair)
    login(client, chair)
    html = _html(client.get(f"/polls/{poll.id}"))
    assert "Apri la votazione" in html
    assert client.post(f"/polls/{poll.id}/open").status_code == 400  # CSRF
    token = csrf_token(client, f"/polls/{poll.id}")
    assert client.post(f"/polls/{poll.id}/open", data={"csrf_token": token}).status_code == 302
    assert "Chiudi la votazione e pubblica il risultato" in _html(client.get(f"/polls/{poll.id}"))
    assert client.post(f"/polls/{poll.id}/close", data={"csrf_token": token}).status_code == 302
    session.expire_all()
    assert session.get(Poll, poll.id).state == "closed"
    assert "Pubblica la rettifica" in _html(client.get(f"/polls/{poll.id}"))
    published = client.post(f"/polls/{poll.id}/corrections", data={"csrf_token": token, "text": "Corretto il titolo."})
    assert published.status_code == 302 and "Corretto il titolo." in _html(client.get(f"/polls/{poll.id}"))


def test_yes_no_buttons_and_a_vote_through_the_form(client, session, chair, member):
    poll = make_poll(session, chair, open_it=True)
    login(client, member)
    html = _html(client.get(f"/polls/{poll.id}"))
    names = re.findall(r'<button type="submit" name="choice" value="(\w+)"[^>]*>([^<]+)</button>', html)
    assert names == [("yes", "Sì"), ("no", "No"), ("abstain", "Astensione")]
    assert 'id="ballot-status" role="status" aria-live="polite"' in html
    token = csrf_token(client, f"/polls/{poll.id}")
    voted = client.post(f"/polls/{poll.id}/ballots", data={"csrf_token": token, "choice": "abstain"}, follow_redirects=True)
    assert voted.status_code == 200
    page = _html(voted)
    receipt = re.search(r"La tua ricevuta è ([A-Z2-7-]{24})", page).group(1)
    assert "Il voto è già stato espresso." in page
    assert session.scalar(sa.select(Ballot.content)) == "abstain"
    again = client.post(f"/polls/{poll.id}/ballots", data={"csrf_token": token, "choice": "yes"})
    assert again.status_code == 409 and "Questo voto è già stato espresso." in _html(again)
    checked = _html(client.get(f"/polls/{poll.id}/receipt?code={receipt}"))
    assert "registrata e sarà conteggiata alla chiusura" in checked and "Astensione" in checked


def test_ranking_form_with_positions(client, session, chair, member):
    poll = make_poll(session, chair, kind="ranking", options=["Alfa", "Beta", "Gamma"], open_it=True)
    a, b, c = poll.option_ids
    login(client, member)
    html = _html(client.get(f"/polls/{poll.id}"))
    for option in ("Alfa", "Beta", "Gamma"):
        assert f"Posizione di «{option}»" in html
    assert '<option value="">Non classificata</option>' in html
    token = csrf_token(client, f"/polls/{poll.id}")
    duplicate = client.post(f"/polls/{poll.id}/ballots",
                            data={"csrf_token": token, f"position-{a}": "1", f"position-{b}": "1", f"position-{c}": ""})
    assert duplicate.status_code == 422 and "stessa posizione" in _html(duplicate)
    assert session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0
    ok = client.post(f"/polls/{poll.id}/ballots",
                     data={"csrf_token": token, f"position-{a}": "3", f"position-{b}": "", f"position-{c}": "1"})
    assert ok.status_code == 302
    assert session.scalar(sa.select(Ballot.content)) == f"{c},{a}"


def test_choice_form_uses_checkboxes_up_to_the_maximum(client, session, chair, member):
    poll = make_poll(session, chair, kind="choice", options=["Alfa", "Beta", "Gamma"], max_choices=2, open_it=True)
    login(client, member)
    html = _html(client.get(f"/polls/{poll.id}"))
    assert html.count('type="checkbox" name="choices"') == 3 and "Scegli fino a 2 opzioni" in html
    token = csrf_token(client, f"/polls/{poll.id}")
    too_many = client.post(f"/polls/{poll.id}/ballots", data={"csrf_token": token, "choices": [str(i) for i in poll.option_ids]})
    assert too_many.status_code == 422 and "al massimo 2 opzioni" in _html(too_many)
    assert client.post(f"/polls/{poll.id}/ballots", data={"csrf_token": token, "choices": [str(poll.option_ids[1])]}).status_code == 302


def test_closed_ranking_page_shows_accessible_result_tables(client, session, chair):
    table = make_table(session, 3)
    poll = make_poll(session, chair, kind="ranking", options=["Alfa", "Beta", "Gamma"], open_it=True)
    a, b, c = poll.option_ids
    for (_org, delegate), ranking in zip(table, ([a, b, c], [b, a], [a, c])):
        cast_ballot(session, delegate, poll, {"ranking": ranking})
    session.commit()
    close_poll(session, chair, poll)
    session.commit()
    html = _html(client.get(f"/polls/{poll.id}"))
    assert "Ordine di preferenza (metodo Schulze)" in html
    schulze = re.search(r'data-testid="schulze-order">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r"<li>(\w+)", schulze) == ["Alfa", "Beta", "Gamma"]
    assert "Confronti a coppie" in html and '<th scope="row">Alfa</th>' in html and '<th scope="col">Gamma</th>' in html
    assert html.count("<caption>") == 3 and "Ballottaggio istantaneo" in html and "Punteggi Borda" in html
    assert "✔" in html and "prevale" in html  # who wins a pair is said in text, not by colour
    assert f"/api/v1/polls/{poll.id}/results.csv" in html


def test_yesno_result_says_why(client, session, chair):
    table = make_table(session, 4)
    poll = make_poll(session, chair, majority="absolute", open_it=True)
    for (_org, delegate), choice in zip(table, ("yes", "yes", "no")):
        cast_ballot(session, delegate, poll, {"choice": choice})
    session.commit()
    close_poll(session, chair, poll)
    session.commit()
    html = _html(client.get(f"/polls/{poll.id}"))
    assert re.search(r'data-testid="poll-outcome">\s*<strong>Respinta</strong>', html)
    assert "Servivano almeno 3 sì; i sì sono 2." in html
    assert "2 voti" in html and "66,67 %" in html  # numbers as text beside each bar


def test_proxy_holder_chooses_for_whom_to_vote(client, session, chair, member):
    meeting = make_meeting(session)
    principal = make_org(session, name="Organizzazione che delega")
    create_proxy(session, chair, meeting, principal_id=principal.id, delegate_id=member.organization_id)
    session.commit()
    poll = make_poll(session, chair, meeting_id=meeting.id, open_it=True)
    login(client, member)
    html = _html(client.get(f"/polls/{poll.id}"))
    assert '<label for="on_behalf_of">Voti per</label>' in html and "Organizzazione che delega (per delega)" in html
    token = csrf_token(client, f"/polls/{poll.id}")
    assert client.post(f"/polls/{poll.id}/ballots",
                       data={"csrf_token": token, "choice": "no", "on_behalf_of": str(principal.id)}).status_code == 302
    assert client.post(f"/polls/{poll.id}/ballots", data={"csrf_token": token, "choice": "yes"}).status_code == 302
    assert sorted(session.scalars(sa.select(Ballot.content))) == ["no", "yes"]
