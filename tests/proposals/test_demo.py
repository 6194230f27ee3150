"""The demo table shows the feature alive: proposals on the five axes, revisions, comments, amendments.

One test, because loading the demo (sixteen accounts with real password hashes) is slow.
"""
from __future__ import annotations

import sqlalchemy as sa

from app.audit.services import verify_chain
from app.deliberation.models import Amendment, Comment, Revision
from app.process.cli import run_demo_seeders
from app.proposals.models import Proposal, Support
from tests.deliberation.factories import count


def test_demo_proposals_are_alive_idempotent_and_render(client, session, demo):
    proposals = list(session.scalars(sa.select(Proposal)))
    assert 5 <= len(proposals) <= 6
    assert len({p.axis_id for p in proposals}) == 5
    assert {p.status for p in proposals} >= {"draft", "discussion", "voting", "accepted"}
    states = [a.state for a in session.scalars(sa.select(Amendment))]
    assert "submitted" in states and "accepted" in states and "rejected" in states
    assert {"for", "against"} <= {c.alignment for c in session.scalars(sa.select(Comment))}
    assert any(p.revision >= 2 for p in proposals) and count(session, Support) > 0
    assert verify_chain(session).ok

    before = [count(session, model) for model in (Proposal, Revision, Comment, Amendment, Support)]
    run_demo_seeders()
    assert [count(session, model) for model in (Proposal, Revision, Comment, Amendment, Support)] == before

    html = client.get("/proposals").get_data(as_text=True)
    assert "Hub della logistica intermodale a Imola" in html and "Casa della comunità a Medicina" in html
    for proposal in proposals:
        expected = 404 if proposal.status == "draft" else 200  # anonymous readers do not see drafts
        assert client.get(f"/proposals/{proposal.id}").status_code == expected
