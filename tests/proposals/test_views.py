"""HTML pages of proposals and the deliberation forms: Italian, safe, CSRF-protected."""
from __future__ import annotations

import re

import pytest

from app.deliberation.models import Amendment, Comment
from app.deliberation.services import add_comment, create_amendment, hide_comment
from app.proposals.models import Proposal
from app.proposals.services import as_subject, change_proposal_status, edit_proposal
from tests.deliberation.factories import browser_login, count, forget_user, quick_user, unsafe_markup
from tests.proposals.factories import make_axis, make_proposal


@pytest.fixture
def people(session):
    return {"author": quick_user(session, name="Autrice"), "other": quick_user(session, name="Altro delegato"),
            "chair": quick_user(session, role="chair", name="Presidenza")}


def page(client, url, user=None):
    forget_user()
    if user is not None:
        browser_login(client, user)
    response = client.get(url)
    return response, response.get_data(as_text=True)


def csrf(html: str, prefix: str = "") -> str:
    name = f"{prefix}-csrf_token" if prefix else "csrf_token"
    match = re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]+)"', html) or (
        None if prefix else re.search(r'data-csrf="([^"]+)"', html))
    assert match, f"no {name} in the page"
    return match.group(1)


def post(client, url, data, user):
    forget_user()
    browser_login(client, user)
    return client.post(url, data=data)


def test_index_in_italian_with_filters_and_counts(client, session, people):
    economy, health = make_axis(session, "Sviluppo economico"), make_axis(session, "Salute e qualità della vita")
    hub = make_proposal(session, people["author"], title="Hub della logistica", axis=economy)
    make_proposal(session, people["other"], title="Casa della comunità", axis=health)
    make_proposal(session, people["author"], title="Bozza riservata", publish=False)
    add_comment(session, people["other"], as_subject(hub), "Bene.")
    session.commit()
    response, html = page(client, "/proposals")
    assert response.status_code == 200
    assert "Proposte al tavolo" in html and "In discussione" in html and "Cerca nel titolo e nel testo" in html
    assert "Hub della logistica" in html and "Casa della comunità" in html and "Bozza riservata" not in html
    assert "2 proposte" in html
    _, filtered = page(client, f"/proposals?axis={economy.id}&q=logistica")
    assert "Hub della logistica" in filtered and "Casa della comunità" not in filtered and "1 proposta" in filtered
    _, mine = page(client, "/proposals", people["author"])
    assert "Bozza riservata" in mine and "Nuova proposta" in mine


def test_detail_renders_text_safely_with_revisions_diff_amendments_and_comments(client, session, people):
    proposal = make_proposal(session, people["author"], title="Trasporto a chiamata",
                             body="Prima riga.\n\n<script>alert(1)</script> [x](javascript:alert(2))")
    edit_proposal(session, people["author"], proposal, body="Prima riga modificata.\n\n<img src=x onerror=alert(3)>",
                  reason="Corretto il testo")
    comment = add_comment(session, people["other"], as_subject(proposal), "Contrario <b>davvero</b>", alignment="against")
    hidden = add_comment(session, people["other"], as_subject(proposal), "Insulto", alignment="for")
    hide_comment(session, people["chair"], hidden, "Linguaggio offensivo")
    amendment = create_amendment(session, people["other"], as_subject(proposal), body="Tutt'altro testo.",
                                 reason="Serve altro")
    from app.deliberation.services import reject_amendment

    reject_amendment(session, people["chair"], amendment, "Il tavolo ha votato contro")
    session.commit()
    response, html = page(client, f"/proposals/{proposal.id}")
    assert response.status_code == 200
    assert unsafe_markup(html) == []
    assert "&lt;img src=x onerror=alert(3)&gt;" in html  # shown as text, never run
    assert "Revisioni" in html and "Corretto il testo" in html and "Prima versione" in html
    assert "Differenze dalla revisione 1 alla revisione 2" in html and "<ins>" in html and "<del>" in html
    assert "Emendamenti" in html and "Respinto" in html and "Il tavolo ha votato contro" in html
    assert "Contrario" in html and "&lt;b&gt;davvero&lt;/b&gt;" in html
    assert "Nascosto dalla moderazione" in html and "Linguaggio offensivo" in html and "Insulto" not in html
    assert f'data-live-topic="proposal:{proposal.id}"' in html and 'aria-live="polite"' in html
    # no controls for anonymous readers
    assert "Cambia stato" not in html and "Pubblica il commento" not in html and "Accedi per commentare" in html
    assert "socket.io" not in html  # anonymous connections are refused: no live client

    _, same = page(client, f"/proposals/{proposal.id}?from=2&to=2")
    assert "Le due revisioni sono uguali." in same


def test_controls_follow_permissions(client, session, people):
    proposal = make_proposal(session, people["author"])
    comment = add_comment(session, people["other"], as_subject(proposal), "Un commento.")
    amendment = create_amendment(session, people["other"], as_subject(proposal), body="Nuovo testo.", reason="R")
    session.commit()
    _, chair = page(client, f"/proposals/{proposal.id}", people["chair"])
    assert "Cambia stato" in chair and "Porta al voto" in chair and "Accogli l'emendamento" in chair
    assert "Nascondi il commento" in chair and "Modifica il testo" in chair
    _, author = page(client, f"/proposals/{proposal.id}", people["author"])
    assert "Modifica il testo" in author and "Ritira la proposta" in author and "Porta al voto" not in author
    assert "Accogli l'emendamento" not in author and "Nascondi il commento" not in author
    assert "Segnala alla moderazione" in author and "Pubblica il commento" in author
    _, other = page(client, f"/proposals/{proposal.id}", people["other"])
    assert "Modifica il testo" not in other and "Cambia stato" not in other
    assert f'action="/deliberation/comments/{comment.id}/edit"' in other
    assert f'action="/deliberation/amendments/{amendment.id}/withdraw"' in other
    assert "Sostieni a nome della tua organizzazione" in other and "socket.io" in other


def test_forms_post_with_csrf(client, session, people):
    proposal = make_proposal(session, people["author"])
    url = f"/proposals/{proposal.id}"
    _, html = page(client, url, people["other"])
    without = post(client, f"/deliberation/proposal/{proposal.id}/comments", {"comment-body": "Senza token"},
                   people["other"])
    assert without.status_code == 400 and count(session, Comment) == 0
    response = post(client, f"/deliberation/proposal/{proposal.id}/comments",
                    {"comment-csrf_token": csrf(html, "comment"), "comment-body": "Con il token",
                     "comment-alignment": "for"}, people["other"])
    assert response.status_code == 303 and response.location.startswith(url)
    comment = Comment.query.one()
    assert (comment.body, comment.alignment) == ("Con il token", "for")

    _, html = page(client, url, people["other"])
    amend = post(client, f"/deliberation/proposal/{proposal.id}/amendments",
                 {"amend-csrf_token": csrf(html, "amend"), "amend-body": "Testo emendato.",
                  "amend-reason": "Più preciso"}, people["other"])
    assert amend.status_code == 303
    amendment = Amendment.query.one()
    assert amendment.state == "submitted"

    _, html = page(client, url, people["chair"])
    accepted = post(client, f"/deliberation/amendments/{amendment.id}/accept",
                    {f"accept-{amendment.id}-csrf_token": csrf(html, f"accept-{amendment.id}")}, people["chair"])
    assert accepted.status_code == 303 and amendment.state == "accepted"
    assert session.get(Proposal, proposal.id).body == "Testo emendato."

    hide = post(client, f"/deliberation/comments/{comment.id}/hide",
                {f"hide-{comment.id}-csrf_token": csrf(html, f"hide-{comment.id}"), f"hide-{comment.id}-reason": ""},
                people["chair"])
    assert hide.status_code == 422 and comment.hidden_at is None
    assert "Nulla è stato modificato" in hide.get_data(as_text=True)

    _, html = page(client, url, people["author"])
    forbidden = post(client, f"/deliberation/comments/{comment.id}/hide",
                     {f"hide-{comment.id}-csrf_token": csrf(html), f"hide-{comment.id}-reason": "No"}, people["author"])
    assert forbidden.status_code == 403 and comment.hidden_at is None


def test_new_edit_and_status_pages(client, session, people):
    axis = make_axis(session)
    response, html = page(client, "/proposals/new", people["author"])
    assert response.status_code == 200 and "Nuova proposta" in html and "Asse prioritario" in html
    invalid = post(client, "/proposals/new", {"csrf_token": csrf(html), "title": "", "body": "B", "axis_id": axis.id},
                   people["author"])
    assert invalid.status_code == 422 and count(session, Proposal) == 0
    created = post(client, "/proposals/new", {"csrf_token": csrf(html), "title": "Sportello unico",
                                              "body": "Testo", "axis_id": axis.id, "publish": "y"}, people["author"])
    assert created.status_code == 303
    proposal = Proposal.query.one()
    assert proposal.status == "discussion"

    response, html = page(client, f"/proposals/{proposal.id}/edit", people["author"])
    assert response.status_code == 200 and "Motivo della modifica" in html
    assert page(client, f"/proposals/{proposal.id}/edit", people["other"])[0].status_code == 403
    edited = post(client, f"/proposals/{proposal.id}/edit", {"csrf_token": csrf(html), "title": "Sportello unico",
                                                            "body": "Testo nuovo", "reason": "Aggiornato"},
                  people["author"])
    assert edited.status_code == 303 and proposal.revision == 2

    _, html = page(client, f"/proposals/{proposal.id}", people["chair"])
    moved = post(client, f"/proposals/{proposal.id}/status",
                 {"status-csrf_token": csrf(html, "status"), "status-status": "voting", "status-reason": ""},
                 people["chair"])
    assert moved.status_code == 303 and proposal.status == "voting"
    refused = post(client, f"/proposals/{proposal.id}/status",
                   {"status-csrf_token": csrf(html, "status"), "status-status": "withdrawn"}, people["author"])
    assert refused.status_code == 409 and proposal.status == "voting"


def test_support_button(client, session, people):
    proposal = make_proposal(session, people["author"])
    _, html = page(client, f"/proposals/{proposal.id}", people["other"])
    response = post(client, f"/proposals/{proposal.id}/support", {"support-csrf_token": csrf(html, "support")},
                    people["other"])
    assert response.status_code == 303 and len(proposal.active_supports) == 1
    _, html = page(client, f"/proposals/{proposal.id}", people["other"])
    assert "1 organizzazione sostiene la proposta" in html and "Ritira il sostegno" in html
    post(client, f"/proposals/{proposal.id}/support", {"support-csrf_token": csrf(html, "support"),
                                                       "action": "withdraw"}, people["other"])
    assert proposal.active_supports == []


def test_unknown_and_hidden_pages(client, session, people):
    draft = make_proposal(session, people["author"], publish=False)
    assert page(client, "/proposals/999")[0].status_code == 404
    response, html = page(client, f"/proposals/{draft.id}", people["other"])
    assert response.status_code == 404 and "Proposta non trovata." in html
    assert page(client, f"/proposals/{draft.id}", people["author"])[0].status_code == 200
    change_proposal_status(session, people["author"], draft, "withdrawn")
    session.commit()
    _, html = page(client, f"/proposals/{draft.id}", people["other"])
    assert "Ritirata" in html and "Proponi un emendamento" not in html


def test_home_panel_lists_open_proposals(client, session, people):
    make_proposal(session, people["author"], title="Comunità energetiche")
    _, html = page(client, "/")
    assert "Proposte sul tavolo" in html and "Comunità energetiche" in html


def test_comment_and_amendment_actions_through_forms(client, session, people):
    proposal = make_proposal(session, people["author"])
    comment = add_comment(session, people["other"], as_subject(proposal), "Primo testo.")
    first = create_amendment(session, people["other"], as_subject(proposal), body="Testo A.", reason="A")
    second = create_amendment(session, people["other"], as_subject(proposal), body="Testo B.", reason="B", submit=False)
    session.commit()
    _, html = page(client, f"/proposals/{proposal.id}", people["other"])
    token = csrf(html)
    c, a, b = comment.id, first.id, second.id

    assert post(client, f"/deliberation/comments/{c}/replies",
                {f"reply-{c}-csrf_token": token, f"reply-{c}-body": "Risposta", f"reply-{c}-alignment": "neutral"},
                people["author"]).status_code == 303
    reply = Comment.query.filter_by(parent_id=c).one()
    assert (reply.depth, reply.alignment) == (1, "neutral")
    assert post(client, f"/deliberation/comments/{c}/edit", {f"edit-{c}-csrf_token": token,
                                                             f"edit-{c}-body": "Testo corretto."},
                people["other"]).status_code == 303
    assert comment.body == "Testo corretto." and [e.previous_body for e in comment.edits] == ["Primo testo."]
    assert post(client, f"/deliberation/comments/{c}/flag", {f"flag-{c}-csrf_token": token},
                people["author"]).status_code == 303
    assert len(comment.flags) == 1
    assert post(client, f"/deliberation/comments/{c}/delete", {"csrf_token": token}, people["other"]).status_code == 404

    assert post(client, f"/deliberation/amendments/{b}/submit", {f"submit-{b}-csrf_token": token},
                people["other"]).status_code == 303
    assert second.state == "submitted"
    assert post(client, f"/deliberation/amendments/{b}/withdraw", {f"withdraw-{b}-csrf_token": token,
                                                                   f"withdraw-{b}-reason": "Superato"},
                people["other"]).status_code == 303
    assert (second.state, second.decision_reason) == ("withdrawn", "Superato")
    assert post(client, f"/deliberation/amendments/{a}/reject", {f"reject-{a}-csrf_token": token,
                                                                 f"reject-{a}-reason": "Il tavolo è contrario"},
                people["other"]).status_code == 403
    assert post(client, f"/deliberation/amendments/{a}/reject", {f"reject-{a}-csrf_token": token,
                                                                 f"reject-{a}-reason": "Il tavolo è contrario"},
                people["chair"]).status_code == 303
    assert first.state == "rejected"
    _, html = page(client, f"/proposals/{proposal.id}")
    assert "Respinto da Presidenza" in html and "Il tavolo è contrario" in html and "Ritirato dall'autore" in html
