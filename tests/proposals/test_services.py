"""Proposals: state machine, permissions, supports, search, audit."""
from __future__ import annotations

import pytest

from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from app.deliberation.services import create_amendment, list_revisions
from app.proposals.models import Proposal, Support
from app.proposals.services import (
    apply_poll_outcome, as_subject, change_proposal_status, create_proposal, edit_proposal, get_proposal,
    list_proposals, support_proposal, withdraw_proposal, withdraw_support,
)
from tests.factories import make_org
from tests.deliberation.factories import audit_actions, count, quick_user
from tests.proposals.factories import make_axis, make_proposal


@pytest.fixture
def people(session):
    org = make_org(session, name="Associazione Uno")
    author = quick_user(session, organization=org, name="Autrice")
    colleague = quick_user(session, organization=org, name="Collega")
    other = quick_user(session, name="Altro delegato")
    chair = quick_user(session, role="chair", name="Presidenza")
    return {"org": org, "author": author, "colleague": colleague, "other": other, "chair": chair}


def test_create_makes_a_draft_with_its_first_revision(session, people):
    axis = make_axis(session)
    proposal = create_proposal(session, people["author"], title=" Titolo ", body="Testo\r\nsu due righe",
                               axis_id=axis.id)
    session.commit()
    assert proposal.status == "draft" and proposal.title == "Titolo" and proposal.body == "Testo\nsu due righe"
    assert proposal.organization_id == people["org"].id and proposal.revision == 1
    revisions = list_revisions(session, as_subject(proposal))
    assert [(r.number, r.reason) for r in revisions] == [(1, "Prima versione")]
    assert audit_actions(session)[-2:] == ["deliberation.revision.created", "proposals.proposal.created"]


@pytest.mark.parametrize("kwargs, code", [
    ({"title": "", "body": "Testo"}, "empty_text"),
    ({"title": "T" * 201, "body": "Testo"}, "text_too_long"),
    ({"title": "Titolo", "body": "   "}, "empty_text"),
    ({"title": "Titolo", "body": "x" * 20_001}, "text_too_long"),
])
def test_create_refuses_bad_texts(session, people, kwargs, code):
    axis = make_axis(session)
    with pytest.raises(InvalidInput) as refused:
        create_proposal(session, people["author"], axis_id=axis.id, **kwargs)
    assert refused.value.code == code
    session.rollback()
    assert count(session, Proposal) == 0


def test_create_refuses_unknown_axis_and_observers(session, people):
    with pytest.raises(InvalidInput) as axis:
        create_proposal(session, people["author"], title="T", body="B", axis_id=999)
    assert axis.value.code == "axis_unknown"
    observer = quick_user(session, role="observer")
    with pytest.raises(Forbidden):
        create_proposal(session, observer, title="T", body="B", axis_id=make_axis(session).id)
    with pytest.raises(Unauthorized):
        create_proposal(session, None, title="T", body="B", axis_id=1)


def test_drafts_are_visible_only_to_author_organization_and_chair(session, people):
    draft = make_proposal(session, people["author"], publish=False)
    public = make_proposal(session, people["other"], title="Pubblica")
    for viewer in ("author", "colleague", "chair"):
        assert get_proposal(session, draft.id, people[viewer]) is draft
        assert draft in list_proposals(session, people[viewer])
    with pytest.raises(NotFound):
        get_proposal(session, draft.id, people["other"])
    with pytest.raises(NotFound):
        get_proposal(session, draft.id, None)
    assert list_proposals(session, people["other"]) == [public]
    assert list_proposals(session, None) == [public]


def test_only_author_or_chair_edit(session, people):
    proposal = make_proposal(session, people["author"])
    with pytest.raises(Forbidden):
        edit_proposal(session, people["other"], proposal, body="Riscritto", reason="Voglio")
    with pytest.raises(Forbidden):
        edit_proposal(session, people["colleague"], proposal, body="Riscritto", reason="Voglio")
    session.rollback()
    assert proposal.body == "Il testo della proposta." and proposal.revision == 1
    edit_proposal(session, people["author"], proposal, body="Secondo testo", reason="Chiarito")
    edit_proposal(session, people["chair"], proposal, title="Titolo della presidenza", reason="Titolo più chiaro")
    session.commit()
    assert proposal.revision == 3 and proposal.title == "Titolo della presidenza" and proposal.body == "Secondo testo"


def test_state_machine(session, people):
    proposal = make_proposal(session, people["author"], publish=False)
    author, chair, other = people["author"], people["chair"], people["other"]
    change_proposal_status(session, author, proposal, "discussion")  # the author publishes the draft
    with pytest.raises(Forbidden):
        change_proposal_status(session, author, proposal, "voting")
    with pytest.raises(Forbidden):
        change_proposal_status(session, other, proposal, "voting")
    with pytest.raises(Conflict) as skip:
        change_proposal_status(session, chair, proposal, "accepted")
    assert skip.value.code == "invalid_transition"
    with pytest.raises(InvalidInput):
        change_proposal_status(session, chair, proposal, "archiviata")
    change_proposal_status(session, chair, proposal, "voting", "Si vota")
    with pytest.raises(Conflict):
        withdraw_proposal(session, author, proposal)  # not during the vote
    change_proposal_status(session, chair, proposal, "discussion", "Rinviata")
    change_proposal_status(session, chair, proposal, "voting")
    change_proposal_status(session, chair, proposal, "rejected")
    session.commit()
    with pytest.raises(Conflict):
        change_proposal_status(session, chair, proposal, "discussion")
    actions = audit_actions(session)
    assert actions.count("proposals.proposal.status_changed") == 5


def test_withdrawn_proposal_is_closed(session, people):
    proposal = make_proposal(session, people["author"])
    withdraw_proposal(session, people["author"], proposal, "Superata da un'altra proposta")
    session.commit()
    assert proposal.status == "withdrawn" and audit_actions(session)[-1] == "proposals.proposal.withdrawn"
    with pytest.raises(Conflict) as amend:
        create_amendment(session, people["other"], as_subject(proposal), body="Altro", reason="R")
    assert amend.value.code == "amendments_closed"
    with pytest.raises(Conflict):
        edit_proposal(session, people["author"], proposal, body="Nuovo", reason="R")


def test_apply_poll_outcome(session, people):
    proposal = make_proposal(session, people["author"])
    with pytest.raises(Conflict):
        apply_poll_outcome(session, None, proposal, True)
    change_proposal_status(session, people["chair"], proposal, "voting")
    with pytest.raises(Forbidden):
        apply_poll_outcome(session, people["author"], proposal, True)
    apply_poll_outcome(session, people["chair"], proposal, True, poll_id=7)
    session.commit()
    assert proposal.status == "accepted"
    assert audit_actions(session)[-1] == "proposals.proposal.accepted"
    other = make_proposal(session, people["author"], title="Seconda")
    change_proposal_status(session, people["chair"], other, "voting")
    apply_poll_outcome(session, None, other, False)
    session.commit()
    assert other.status == "rejected" and audit_actions(session)[-1] == "proposals.proposal.rejected"


def test_supports_one_per_organization(session, people):
    proposal = make_proposal(session, people["other"])
    support_proposal(session, people["author"], proposal)
    session.commit()
    with pytest.raises(Conflict) as twice:
        support_proposal(session, people["colleague"], proposal)  # same organization
    assert twice.value.code == "already_supported"
    with pytest.raises(Forbidden):
        support_proposal(session, people["chair"], proposal)  # the chair has no organization to speak for
    session.rollback()
    assert len(proposal.active_supports) == 1
    withdraw_support(session, people["colleague"], proposal)
    session.commit()
    assert proposal.active_supports == []
    support_proposal(session, people["author"], proposal)
    session.commit()
    assert len(proposal.active_supports) == 1 and count(session, Support) == 2  # history kept
    assert audit_actions(session)[-3:] == ["proposals.support.added", "proposals.support.withdrawn",
                                           "proposals.support.added"]
    draft = make_proposal(session, people["author"], title="Bozza", publish=False)
    with pytest.raises(Conflict):
        support_proposal(session, people["colleague"], draft)


def test_filters_and_search(session, people):
    economy, health = make_axis(session, "Economia"), make_axis(session, "Salute")
    a = make_proposal(session, people["author"], title="Hub logistico", body="Merci su ferro", axis=economy)
    b = make_proposal(session, people["other"], title="Casa della comunità", body="Servizi 100% pubblici", axis=health)
    change_proposal_status(session, people["chair"], b, "voting")
    session.commit()
    assert list_proposals(session, None, axis_id=economy.id) == [a]
    assert list_proposals(session, None, status="voting") == [b]
    assert list_proposals(session, None, organization_id=people["org"].id) == [a]
    assert list_proposals(session, None, q="FERRO") == [a]
    assert list_proposals(session, None, q="comunità") == [b]
    assert list_proposals(session, None, q="100%") == [b]
    assert list_proposals(session, None, q="%") == [b]  # a literal percent sign, not a wildcard
    assert list_proposals(session, None, q="nulla di simile") == []
