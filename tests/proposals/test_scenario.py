"""Done when: a delegate creates and edits a proposal, another amends it, the chair accepts; the page
shows three revisions with diffs and the comment thread, live; the same through the API."""
from __future__ import annotations

import re

from app.audit.services import verify_chain
from tests.deliberation.factories import audit_actions, browser_login, forget_user, quick_token, quick_user
from tests.factories import bearer, socket_client
from tests.proposals.factories import make_axis


def test_done_when_through_the_api_with_a_live_page(app, client, session):
    delegate = quick_user(session, name="Elena Ricci")
    colleague = quick_user(session, name="Luca Zanelli")
    chair = quick_user(session, role="chair", name="Giulia Ferri")
    axis = make_axis(session, "Connessioni materiali e immateriali")
    tokens = {u.id: quick_token(session, u) for u in (delegate, colleague, chair)}

    def call(user, method, url, json=None):
        forget_user()
        response = client.open(url, method=method, json=json, headers=bearer(tokens[user.id]))
        assert response.status_code < 300, (url, response.get_json())
        return response.get_json()

    proposal = call(delegate, "POST", "/api/v1/proposals", {
        "title": "Hub della logistica intermodale a Imola", "axis_id": axis.id, "publish": True,
        "body": "Un hub intermodale nell'area di via Lasie.\n\nPrima fase: studio di fattibilità."})
    pid = proposal["id"]
    # someone has the proposal page open, following it live
    reader = socket_client(app, token=tokens[chair.id])
    assert reader.emit("subscribe", {"topic": f"proposal:{pid}"}, namespace="/live", callback=True)["ok"]

    call(delegate, "PATCH", f"/api/v1/proposals/{pid}", {
        "body": "Un hub intermodale nell'area di via Lasie, senza consumo di nuovo suolo.\n\n"
                "Prima fase: studio di fattibilità.", "reason": "Nessun nuovo suolo"})
    comment = call(colleague, "POST", f"/api/v1/proposals/{pid}/comments",
                   {"body": "Serve una clausola sociale.", "alignment": "for"})
    reply = call(delegate, "POST", f"/api/v1/proposals/{pid}/comments",
                 {"body": "Proponi un emendamento.", "parent_id": comment["id"]})
    amendment = call(colleague, "POST", f"/api/v1/proposals/{pid}/amendments", {
        "body": "Un hub intermodale nell'area di via Lasie, senza consumo di nuovo suolo.\n\n"
                "Prima fase: studio di fattibilità.\n\nClausola sociale negli affidamenti.",
        "reason": "Tutela del lavoro"})
    accepted = call(chair, "POST", f"/api/v1/amendments/{amendment['id']}/accept", {"reason": "Deciso dal tavolo"})
    assert accepted["state"] == "accepted" and accepted["result_revision"] == 3

    revisions = call(chair, "GET", f"/api/v1/proposals/{pid}/revisions")
    assert [(r["number"], r["author"]["name"], r["reason"]) for r in revisions] == [
        (1, "Elena Ricci", "Prima versione"), (2, "Elena Ricci", "Nessun nuovo suolo"),
        (3, "Giulia Ferri", "Tutela del lavoro")]
    assert revisions[2]["amendment_id"] == amendment["id"]
    diff = call(chair, "GET", f"/api/v1/proposals/{pid}/diff?from=1&to=3")
    inserted = "".join(op["text"] for op in diff["body"] if op["op"] == "insert")
    assert "senza consumo di nuovo suolo" in inserted and "Clausola sociale negli affidamenti" in inserted
    assert not any(op["op"] == "delete" for op in diff["body"])
    assert call(chair, "GET", f"/api/v1/proposals/{pid}")["revision"] == 3

    live = [e["args"][0]["comment"]["id"] for e in reader.get_received("/live") if e["name"] == "comment_added"]
    assert live == [comment["id"], reply["id"]]
    reader.disconnect(namespace="/live")

    # the page: three revisions, a diff between any two, the amendment and the thread
    forget_user()
    browser_login(client, colleague)
    html = client.get(f"/proposals/{pid}?from=2&to=3").get_data(as_text=True)
    assert len(re.findall(r'<tr id="revision-\d+">', html)) == 3
    assert "Differenze dalla revisione 2 alla revisione 3" in html
    assert re.search(r"<ins>.*Clausola sociale negli affidamenti", html, re.S)
    assert "Accolto da Giulia Ferri" in html and "Tutela del lavoro" in html
    assert f'id="comment-{comment["id"]}"' in html and f'id="comment-{reply["id"]}"' in html
    assert html.index(f'id="comment-{reply["id"]}"') > html.index(f'id="comment-{comment["id"]}"')
    assert "A favore" in html and f'data-live-topic="proposal:{pid}"' in html

    actions = audit_actions(session)
    for action in ("proposals.proposal.created", "deliberation.revision.created", "deliberation.comment.added",
                   "deliberation.amendment.created", "deliberation.amendment.accepted"):
        assert action in actions
    assert verify_chain(session).ok
